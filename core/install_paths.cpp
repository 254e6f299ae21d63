#include "core/install_paths.hpp"

#include <cstdlib>
#include <system_error>

namespace rokso {
namespace fs = std::filesystem;

namespace {

// How many directory levels `subdir` (e.g. "libexec/rokso") has.
int depth_of(const fs::path& subdir) {
  int n = 0;
  for (const auto& part : subdir) {
    if (!part.empty() && part != ".") ++n;
  }
  return n;
}

fs::path executable_dir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (ec) return fs::current_path(ec);
  return self.parent_path();
}

InstallPaths compute() {
  const fs::path libexec_subdir = ROKSO_LIBEXEC_SUBDIR;
  fs::path dir = executable_dir();
  fs::path prefix = dir.parent_path();  // P/bin -> P
  // P/libexec/rokso/rokso-<cmd>: climb as many levels as the libexec subdir has.
  fs::path tail;
  fs::path up = dir;
  for (int i = 0; i < depth_of(libexec_subdir); ++i) {
    tail = up.filename() / tail;
    up = up.parent_path();
  }
  if (tail.lexically_normal() == (libexec_subdir / "").lexically_normal() ||
      tail.lexically_normal() == libexec_subdir.lexically_normal()) {
    prefix = up;
  }
  InstallPaths p;
  p.prefix = prefix;
  p.libexec = prefix / ROKSO_LIBEXEC_SUBDIR;
  p.plugins = prefix / ROKSO_PLUGIN_SUBDIR;
  p.share = prefix / ROKSO_SHARE_SUBDIR;
  return p;
}

}  // namespace

const InstallPaths& install_paths() {
  static const InstallPaths paths = compute();
  return paths;
}

std::vector<std::string> split_path_list(const char* value) {
  std::vector<std::string> parts;
  if (!value) return parts;
  std::string current;
  for (const char* c = value;; ++c) {
    if (*c == ':' || *c == '\0') {
      if (!current.empty()) parts.push_back(current);
      current.clear();
      if (*c == '\0') break;
    } else {
      current += *c;
    }
  }
  return parts;
}

}  // namespace rokso
