// rokso plugin SDK: reading a migration file whole, with the error message every format
// gives for a file it cannot read.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace rokso {

// The bytes of the file at `path`. Throws std::runtime_error("cannot read '<path>':
// <reason>") when it cannot be opened or read (missing, a directory, no permission).
inline std::string read_file_text(const std::string& path) {
  const auto cannot = [&path](int error) {
    return std::runtime_error("cannot read '" + path + "': " + std::strerror(error));
  };
  errno = 0;
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!file) throw cannot(errno);
  std::string content;
  char buffer[65536];
  for (;;) {
    errno = 0;
    const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
    content.append(buffer, n);
    if (n < sizeof buffer) {
      if (std::ferror(file.get())) throw cannot(errno != 0 ? errno : EIO);
      break;
    }
  }
  return content;
}

}  // namespace rokso
