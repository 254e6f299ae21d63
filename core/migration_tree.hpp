// The migration/ tree on disk: every file a format plugin claims, by identity.
//
// Built for trees of 100,000 files: one readdir() pass, identities built by string
// concatenation (no std::filesystem::path per file), one sort.
#pragma once

#include "core/ignore_rules.hpp"
#include "core/ordering.hpp"

#include <rokso/format_plugin.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rokso {

struct MigrationFile {
  std::string identity;  // path relative to migration/, '/'-separated
  const FormatPlugin* format = nullptr;
};

class MigrationTree {
 public:
  // Scans `migration_dir` recursively. Directory symlinks are not followed, so a link
  // loop cannot trap it; hidden entries and __pycache__ are skipped, and what `ignore`
  // names; a file no format claims is ignored when it is documentation (README*, *.md),
  // else kept in unknown_files(). Throws Error(kExitUsage) when the directory is missing,
  // Error(kExitFailed) when it cannot be read, a file name is not valid UTF-8, a
  // migration's name is a dangling link, or a companion file has no migration beside it.
  static MigrationTree scan(const std::filesystem::path& migration_dir,
                            const std::vector<const FormatPlugin*>& formats,
                            const MigrationOrder& order, const IgnoreRules& ignore = IgnoreRules());

  // In application order.
  const std::vector<MigrationFile>& files() const { return files_; }
  // Files under migration/ that no loaded format claims (relative paths, sorted):
  // migrate refuses to run while there are any, status lists them.
  const std::vector<std::string>& unknown_files() const { return unknown_; }
  // nullptr when the tree has no such identity. O(log N) after a one-time index.
  const MigrationFile* find(std::string_view identity) const;
  // Builds find()'s index now (find() builds it on first use): then find() only reads, and
  // threads may share the tree.
  void prepare_find() const;
  // Where `file` (one of files()) is in files().
  std::size_t index_of(const MigrationFile& file) const { return static_cast<std::size_t>(&file - files_.data()); }
  // The migration a user named on the command line: its identity, or a path to its
  // file (relative to the current directory, or absolute), since that is what shell
  // completion gives. nullptr when it names none.
  const MigrationFile* resolve(const std::string& named) const;

  // Tenant templates (core/tenants.hpp): keeps only the files (and unknown files) under
  // the first-level directory `dir` when `inside`, else only those outside it.
  void keep_directory(const std::string& dir, bool inside);
  // From now on read() and read_as_written() replace every `placeholder` in a
  // migration's apply and rollback SQL with `value`: what is checksummed is what runs.
  void substitute(std::string placeholder, std::string value) {
    placeholder_ = std::move(placeholder);
    placeholder_value_ = std::move(value);
  }
  // "" without substitute(), else what it replaces and with what: what read() returns,
  // and so a file's checksum, depends on it (a stat cache keeps one set per value).
  std::string substitution() const { return placeholder_.empty() ? "" : placeholder_ + " -> " + placeholder_value_; }

  // Where `file` is on disk.
  std::string path_of(const MigrationFile& file) const { return root_ + "/" + file.identity; }
  // The migration/ directory, as given to scan().
  const std::string& root() const { return root_; }
  // The companion files the scan found beside `file` (e.g. its .rollback.sql), as paths
  // relative to migration/, sorted; most formats have none. With the file itself, they
  // are every file its format reads, so what a stat cache watches (core/stat_cache.hpp).
  std::vector<std::string_view> companions_of(const MigrationFile& file) const;

  // Reads one migration through its format. Throws Error(kExitFailed) with
  // `<path>:<line>:<column>: <message>` for a malformed file.
  Migration read(const MigrationFile& file) const;
  // The same, as the format reads it, without the transaction-mode analysis: all a
  // checksum needs, and cheaper.
  Migration read_as_written(const MigrationFile& file) const;

 private:
  std::string root_;  // the migration/ directory
  std::vector<MigrationFile> files_;
  std::vector<std::string> unknown_;
  // (index of the owner in files_, companion path), sorted: empty for .py and YAML trees.
  std::vector<std::pair<std::uint32_t, std::string>> companions_;
  mutable std::vector<std::uint32_t> by_identity_;  // indices into files_, built by find()
  std::string placeholder_, placeholder_value_;
};

}  // namespace rokso
