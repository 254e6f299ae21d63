#include "core/atomic_file.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace rokso {
namespace {

std::string temporary_beside(const std::string& path) {
  static std::atomic<unsigned> counter{0};
  const std::size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  return dir + "." + name + ".tmp-" + std::to_string(static_cast<long long>(::getpid())) + "-" +
         std::to_string(counter++);
}

}  // namespace

// renameat2() where the file system has it, else a hard link (which fails on an existing
// name too) and an unlink.
int rename_no_replace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return errno;
  if (::link(from.c_str(), to.c_str()) != 0) return errno;
  ::unlink(from.c_str());
  return 0;
}

void write_file_atomically(const std::string& path, const std::string& content, mode_t mode, Overwrite overwrite) {
  const std::string temp = temporary_beside(path);
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw failure("cannot write '" + path + "': " + std::strerror(errno));
  int err = 0;
  if ((mode & 077) == 0 && ::fchmod(fd, mode) != 0) err = errno;
  for (std::size_t done = 0; err == 0 && done < content.size();) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      err = n < 0 ? errno : ENOSPC;
      break;
    }
    done += static_cast<std::size_t>(n);
  }
  // A full disk may only show here (delayed allocation, NFS).
  if (err == 0 && ::fsync(fd) != 0) err = errno;
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err == 0) {
    if (overwrite == Overwrite::allowed) {
      if (::rename(temp.c_str(), path.c_str()) != 0) err = errno;
    } else {
      err = rename_no_replace(temp, path);
    }
  }
  if (err != 0) {
    ::unlink(temp.c_str());
    if (err == EEXIST) throw failure("'" + path + "' already exists");
    throw failure("cannot write '" + path + "': " + std::strerror(err));
  }
}

}  // namespace rokso
