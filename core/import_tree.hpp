// A migration tree written for another tool (golang-migrate, dbmate, goose, Flyway), read
// the way that tool reads it, for `rokso import`.
//
// Each reader pairs up and down SQL as its tool does and returns the migrations in the
// order the tool runs them, their SQL byte for byte as the tool would send it. Files the
// tool would not run, and files it would run but rokso cannot import (Flyway's
// repeatable R__ scripts, goose's .go migrations), come back in `skipped` with the reason:
// the command reports every one of them. What the tool itself refuses (two files for one
// version, a dbmate file without a `-- migrate:up` block) is an Error(kExitFailed) naming
// the file. Readers touch nothing but the directory they read.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace rokso {

enum class ImportTool { golang_migrate, dbmate, goose, flyway };

// "golang-migrate", "dbmate", "goose", "flyway".
const char* import_tool_name(ImportTool tool);
// The tool named `name` (as above); false when there is none.
bool parse_import_tool(const std::string& name, ImportTool* tool);

// A version as the tool compares it: dot-separated numeric parts (golang-migrate, goose
// and dbmate have one), each kept as its digits without leading zeros, so no version is
// too long. Flyway's 1.0 equals 1: trailing zero parts are dropped.
struct ImportVersion {
  std::vector<std::string> parts;
  std::string text;  // as the tool writes it in its file name, e.g. "001", "1_2" or "1.2"

  // REQUIRES: `text` is digits, optionally separated by '.' or '_' (no empty part).
  static ImportVersion parse(const std::string& text);
};
// Numeric comparison, part by part; a missing part counts as 0.
int compare(const ImportVersion& a, const ImportVersion& b);
// The version as a canonical string ("1.2"), for messages and for matching the history.
std::string canonical(const ImportVersion& version);

struct ImportedMigration {
  ImportVersion version;
  std::string description;  // the name part of the file name, e.g. "create_users"
  std::string up_sql;       // byte for byte
  std::string down_sql;     // byte for byte; "" when there is none
  bool has_down = false;
  bool transactional = true;
  // The tool runs it outside a transaction, but its body is wrapped in one BEGIN ...
  // COMMIT: it is imported as transactional, so rokso runs what is inside the wrapper in
  // its own transaction, with its version row (a transaction of the body's own would
  // be refused in a migration rokso runs statement by statement).
  bool wrapped_without_transaction = false;
  std::vector<std::string> source_files;  // relative to the tree's directory: the up file first
};

// A file and what to say about it.
struct FileNote {
  std::string file;  // relative to the tree's directory
  std::string text;
};

struct ImportTree {
  ImportTool tool = ImportTool::golang_migrate;
  // The tool's own order: for dbmate the order of the file names (dbmate sorts them as
  // strings, so 10_x runs before 2_x); for the others their numeric version order.
  std::vector<ImportedMigration> migrations;
  std::vector<FileNote> skipped;  // why each file is not imported, sorted by file
  // Imported, with something the user should check (Flyway placeholders).
  std::vector<FileNote> warnings;
  // dbmate only: the file name without ".sql" of each migration, the names rokso keeps
  // (see import_layout.hpp).
  std::vector<std::string> original_stems;
};

// Reads `dir` as `tool` reads it, then makes each wrapped body transactional (see
// ImportedMigration::wrapped_without_transaction). Throws Error(kExitUsage) when `dir` is not a readable
// directory, Error(kExitFailed) for what the tool itself would refuse.
ImportTree read_import_tree(ImportTool tool, const std::filesystem::path& dir);

// The per-tool readers read_import_tree() dispatches to (core/import_<tool>.cpp).
ImportTree read_golang_migrate_tree(const std::filesystem::path& dir);
ImportTree read_dbmate_tree(const std::filesystem::path& dir);
ImportTree read_goose_tree(const std::filesystem::path& dir);
ImportTree read_flyway_tree(const std::filesystem::path& dir);

// Helpers the readers share.
namespace import_detail {
// The regular files directly in `dir` (or, with `recursive`, anywhere below it), as
// paths relative to `dir` with '/' separators, sorted as strings; directories are left
// out, dot-files too. Throws Error(kExitUsage) when `dir` cannot be read.
std::vector<std::string> list_files(const std::filesystem::path& dir, bool recursive);
// The file's bytes. Throws Error(kExitFailed) naming it when it cannot be read.
std::string read_bytes(const std::filesystem::path& file);
// Sorts `migrations` by version and throws Error(kExitFailed) when two share one,
// naming both files and `tool`.
void sort_by_version(std::vector<ImportedMigration>& migrations, ImportTool tool);
}  // namespace import_detail

}  // namespace rokso
