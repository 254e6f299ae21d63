// The migration/ tree on disk: every file a format plugin claims, by identity.
#pragma once

#include "core/ordering.hpp"

#include <rokso/format_plugin.hpp>

#include <filesystem>
#include <string>
#include <unordered_map>
#include <vector>

namespace rokso {

struct MigrationFile {
  std::string identity;         // path relative to migration/, '/'-separated
  std::filesystem::path path;   // on disk
  const FormatPlugin* format = nullptr;
};

class MigrationTree {
 public:
  // Scans `migration_dir` recursively (directory symlinks are not followed, so a link
  // loop cannot trap it). Files no format claims are ignored, as are hidden entries.
  // Throws Error(kExitUsage) when the directory is missing, Error(kExitFailed) when it
  // cannot be read or a file name is not valid UTF-8.
  static MigrationTree scan(const std::filesystem::path& migration_dir,
                            const std::vector<const FormatPlugin*>& formats,
                            const MigrationOrder& order);

  // In application order.
  const std::vector<MigrationFile>& files() const { return files_; }
  // nullptr when the tree has no such identity.
  const MigrationFile* find(const std::string& identity) const;
  // The migration a user named on the command line: its identity, or a path to its
  // file (relative to the current directory, or absolute), since that is what shell
  // completion gives. nullptr when it names none.
  const MigrationFile* resolve(const std::string& named) const;

  // Reads one migration through its format. Throws Error(kExitFailed) with
  // `<path>:<line>:<column>: <message>` for a malformed file.
  static Migration read(const MigrationFile& file);

 private:
  std::filesystem::path root_;  // the migration/ directory
  std::vector<MigrationFile> files_;
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace rokso
