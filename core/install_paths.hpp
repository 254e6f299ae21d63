// Where the running rokso install lives. Everything is found relative to the binary
// itself (/proc/self/exe), so an installed tree keeps working when moved elsewhere.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace rokso {

struct InstallPaths {
  std::filesystem::path prefix;   // P in P/bin/rokso
  std::filesystem::path libexec;  // P/libexec/rokso: the rokso-<cmd> executables
  std::filesystem::path plugins;  // P/lib/rokso/plugins
  std::filesystem::path share;    // P/share/rokso
};

// The install the running executable belongs to, whether it is P/bin/rokso or
// P/libexec/rokso/rokso-<cmd>.
const InstallPaths& install_paths();

// Splits a PATH-like variable; empty entries are dropped.
std::vector<std::string> split_path_list(const char* value);

}  // namespace rokso
