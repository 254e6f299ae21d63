#include "core/project_state_dir.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace rokso {
namespace fs = std::filesystem;

fs::path project_state_dir(const fs::path& root) {
  const fs::path dir = root / ".rokso";
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    throw failure("cannot create '" + dir.string() + "': " + std::strerror(errno));
  }
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    throw failure("'" + dir.string() + "' is not a directory");
  }
  // O_EXCL: a second process finding it there leaves it as it is.
  const fs::path ignore = dir / ".gitignore";
  const int fd = ::open(ignore.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd >= 0) {
    const char text[] = "# rokso's local state (dev server, caches): never committed\n*\n";
    const bool written = ::write(fd, text, sizeof text - 1) == static_cast<ssize_t>(sizeof text - 1);
    ::close(fd);
    if (!written) throw failure("cannot write '" + ignore.string() + "'");
  } else if (errno != EEXIST) {
    throw failure("cannot create '" + ignore.string() + "': " + std::strerror(errno));
  }
  return dir;
}

}  // namespace rokso
