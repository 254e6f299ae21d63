// Checksums of applied migrations, and drift: an applied file edited afterwards
// (`modified`) or deleted (`missing`).
//
// A migration's checksum covers its apply SQL and its rollback SQL as its format reads
// them, so it means the same whatever the format, and reformatting the file around the
// SQL (comments in a .py, YAML quoting) is not a change. It is stored with the
// migration's version-table row, in `checksum`, with `checksum_algorithm` naming how it
// was made (kChecksumAlgorithm), so a later rokso can change the recipe without calling
// every file modified.
#pragma once

#include "core/migration_tree.hpp"
#include "core/version_table.hpp"

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace rokso {

class StatCache;

// "sha256-v1": what checksum_algorithm holds for checksums made by migration_checksum().
extern const char* const kChecksumAlgorithm;

// Lowercase hex SHA-256 over both SQL texts, framed so that no two different pairs hash
// the same input (see checksum.cpp). One digest, not one per text: the row keeps one
// value to compare, and the question is only ever "is this still what was applied?".
// Line endings are normalised (CRLF -> LF), so a checkout with core.autocrlf is not a change.
std::string migration_checksum(const std::string& apply_sql, const std::string& rollback_sql);

// Reads `file` through its format and returns its checksum. Cheaper than
// MigrationTree::read(): no transaction-mode analysis. Throws Error(kExitFailed) with
// `<path>[:<line>:<column>]: <message>` when the file cannot be read.
std::string file_checksum(const MigrationTree& tree, const MigrationFile& file);

struct ModifiedFile {
  std::string identity;
  std::string recorded;  // the checksum recorded when it was applied
  std::string current;   // the file's checksum now; "" when it cannot be read
  std::string error;     // why it cannot be read, else ""
};

struct MissingFile {
  std::string identity;
  bool complete;  // false: a failed row
};

struct UnverifiedFile {
  std::string identity;
  std::string current;  // the file's checksum now; "" when it cannot be read or was not read
  std::string error;    // why it cannot be read, else ""
  bool adoptable;       // no checksum at all (else one made by an algorithm we do not know)
};

// Which applied files find_drift() reads.
enum class DriftCheck {
  missing_only,  // none: only `missing` is looked for
  recorded,      // those with a checksum to compare with (status)
  all,           // every applied file, also those to adopt (migrate, accept --all)
};

struct DriftReport {
  bool files_read = false;             // false: only `missing` was looked for (DriftCheck::missing_only)
  std::vector<ModifiedFile> modified;  // applied, and the file's SQL differs from what was applied (application order)
  std::vector<MissingFile> missing;    // recorded, and no longer under migration/ (by identity)
  std::vector<UnverifiedFile> unverified;  // applied, no checksum to compare with (application order)
  std::size_t unverified_count = 0;        // how many; unverified lists them unless find_drift() was told not to
  std::size_t verified = 0;            // applied and unchanged
};

// Compares every applied file with its recorded checksum (reading each applied file once:
// O(applied files), about 10 µs a file), and looks for recorded files that are gone.
// Without `list_unverified`, the unverified files are only counted (status's text shows
// the count: at 100,000 rows from roksopsql a list would cost 10 MB).
// With a `cache`, a file whose stat has not changed since it was hashed is not read
// (core/stat_cache.hpp); the caller saves the cache.
DriftReport find_drift(const MigrationTree& tree, const History& history, DriftCheck check,
                       bool list_unverified = true, StatCache* cache = nullptr);

// How the modified files are named on one line: the first few, then "and N more".
std::string list_identities(const std::vector<std::string>& identities, std::size_t shown = 5);

// For `rokso migrate`, under the migration lock, once VersionTable::ensure() has run:
// - refuses (Error(kExitFailed), one line naming the files, nothing written) while an
//   applied file is modified, unless `allow_modified` (then it warns and goes on; the
//   recorded checksums are kept, so the files stay `modified` until `rokso accept`);
// - adopts the rows that have no checksum (roksopsql's, an older rokso's): records the
//   checksum of their file as it is now, in one statement.
// With a `cache`, files whose stat has not changed since they were hashed are not read
// (core/stat_cache.hpp); the caller saves it.
void verify_applied_files(VersionTable& table, const MigrationTree& tree, const History& history,
                          bool allow_modified, StatCache* cache = nullptr);

}  // namespace rokso
