// rokso plugin SDK: a migration file format (.py, .sql pairs, YAML, in-house ones).
#pragma once

#include <rokso/migration.hpp>
#include <rokso/plugin.hpp>

#include <string>
#include <utility>
#include <vector>

namespace rokso {

// What a format says about one file name found under migration/.
enum class FileClaim {
  none,       // not this format's file
  migration,  // the file that names a migration; its path is the migration's identity
  companion,  // belongs to a migration named by another file (e.g. <stem>.rollback.sql)
};

// A file a format writes for `rokso create` and `rokso remap`.
struct RenderedFile {
  std::string file_name;  // name only, no directory: "<stem>.py"
  std::string content;
};

// Turns files into Migrations and Migrations into files. A format plugin does no I/O
// beyond reading the files it is asked to read, and never touches the database.
class ROKSO_PLUGIN_EXPORT FormatPlugin : public Plugin {
 public:
  FormatPlugin* as_format() override { return this; }

  // REQUIRES: file_name is a bare file name (no directory).
  virtual FileClaim claim(const std::string& file_name) const = 0;

  // For a file claim() called a companion: the name of the migration file it belongs
  // to, in the same directory (e.g. "x.apply.sql" for "x.rollback.sql"). A companion
  // whose owner is missing is an error the host reports.
  virtual std::string companion_owner(const std::string& companion_file_name) const {
    (void)companion_file_name;
    return "";
  }

  // Reads the migration whose identity file is `path` (companions are found beside it).
  // Throws FormatError for a malformed file, std::runtime_error when it cannot be read.
  // Called on several threads at once (rokso lint reads a tree on every core): keep it
  // free of shared mutable state, as the formats rokso ships are.
  virtual Migration read(const std::string& path) const = 0;

  // The file(s) holding `migration` for a migration whose name, without extension, is
  // `stem`. The first file is the migration's identity file.
  virtual std::vector<RenderedFile> render(const std::string& stem,
                                           const Migration& migration) const = 0;
};

}  // namespace rokso
