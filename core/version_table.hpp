// The version table: roksopsql's <schema>.rokso_db_version, kept compatible.
//
// rokso reads it whole once per command (ordered by id) and writes one row per
// migration inside that migration's own transaction. Columns rokso adds are added with
// ADD COLUMN IF NOT EXISTS, so a roksopsql-made table upgrades in place and stays
// readable by roksopsql.
#pragma once

#include "core/checksum_digest.hpp"
#include "core/database.hpp"
#include "core/error.hpp"
#include "core/migration_tree.hpp"

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace rokso {

struct VersionRow {
  long long id = 0;
  std::string filename;  // the migration's identity
  std::string version;   // the revision id
  std::string status;    // "complete" or "error"
  std::string scheduled_at;
  std::string executed_at;
  // The same two as ISO 8601 with their UTC offset, for JSON: "2021-03-29T19:14:28+02:00".
  std::string scheduled_at_iso;
  std::string executed_at_iso;
  // For a failed non-transactional migration: how many of its statements ran, and
  // sha256 of their text (see MigrationRunner). 0 and "" otherwise.
  int progress = 0;
  std::string progress_checksum;
  // The checksum recorded when it was applied (core/checksum.hpp), "" when there is none
  // or it was made by an algorithm this rokso does not know.
  std::string checksum;
};

extern const char* const kStatusComplete;
extern const char* const kStatusError;

// What status and migrate need from the table, read in two queries whatever its size:
// every row's identity, status and checksum (streamed with COPY, kept compactly: no
// query result is held), and in full only the failed rows and the last few complete ones.
//
// Read with the migration tree (status), rows whose file is in the tree are kept as one
// byte of state and a 32-byte checksum per tree file, their identities being the tree's:
// at 100,000 applied files that is 3.3 MB instead of a second copy of every identity.
// Only rows whose file is not in the tree (`missing`) keep their identity.
class History {
 public:
  enum class State { absent, complete, failed };
  struct Entry {
    std::string_view identity;
    // The recorded checksum (core/checksum.hpp) when it was made with the algorithm this
    // rokso computes; "" when made with another one; nullptr when the row has none
    // (written by roksopsql, an older rokso, `mark --applied`, or a failed attempt).
    const char* checksum;
    State state;
  };

  History() = default;
  // A History of `rows` (ordered by id), as VersionTable::read_history() would read them
  // with `recent` and revisions, without a database (for tests and tools). With
  // `tree_after` > 0, `tree` comes only after that many rows, as it does for
  // read_history_to_index() when the scan ends while the rows stream in.
  static History from_rows(const std::vector<VersionRow>& rows, std::size_t recent,
                           const MigrationTree* tree = nullptr, std::size_t tree_after = 0);
  History(History&&) = default;
  History& operator=(History&&) = default;

  // Re-indexes a History read without a tree by `tree`'s files, as if it had been read
  // with it: what lets the rows be read while migration/ is still being scanned
  // (VersionTable::read_history_to_index()). Nothing to do when the tree was there before
  // the last row (the rest were then indexed as they came).
  // REQUIRES: read without a tree, or with this one.
  void index_by(const MigrationTree& tree);

  bool table_exists() const { return exists_; }
  State state_of(std::string_view identity) const;
  // O(1) in a History read with `file`'s tree.
  State state_of(const MigrationFile& file) const;
  // The checksum recorded for `file`'s row, as Entry::checksum tells it: nullopt when
  // there is no row or the row has none, "" when made with another algorithm.
  std::optional<std::string> recorded_checksum(const MigrationFile& file) const;
  // The checksum recorded for `file`'s row when it is one this rokso makes (64 lowercase
  // hex digits), as a digest; nullptr otherwise (and for a file not of the tree it was
  // indexed by): then recorded_checksum() tells.
  const ChecksumDigest* recorded_digest(const MigrationFile& file) const;
  // The row for `identity`, or nullptr.
  // REQUIRES: the History was read without a tree (its tree files have no Entry).
  const Entry* find(std::string_view identity) const;
  // The rows whose file is not in `tree`, sorted by identity.
  std::vector<const Entry*> rows_not_in(const MigrationTree& tree) const;
  // Failed rows, by id.
  const std::vector<VersionRow>& failed() const { return failed_; }
  // The last `recent` complete rows asked for, by id.
  const std::vector<VersionRow>& recent_complete() const { return recent_complete_; }
  // Only known when read_history() was asked for revisions.
  bool revision_taken(const std::string& revision) const { return revisions_.count(revision) > 0; }
  // How many rows the table has.
  std::size_t size() const { return rows_; }

 private:
  friend class VersionTable;
  // Per tree file: its State in the low bits, and what its checksum is.
  enum : unsigned char { kNoChecksum = 0, kOtherAlgorithm = 4, kDigest = 8, kOddText = 12, kChecksumMask = 12 };

  void add_row(std::string_view identity, bool complete, std::optional<std::string_view> checksum);
  // From now on rows are indexed by `tree`'s files, those added so far too.
  void attach(const MigrationTree& tree);
  // The rows not in the tree (all of them without one), sorted by identity for lookups.
  void sort_entries();
  const char* keep(std::string_view text);  // a NUL-terminated copy owned by the History
  std::ptrdiff_t tree_index(const MigrationFile& file) const;

  void require_indexed() const;

  bool exists_ = false;
  bool awaits_index_ = false;  // read_history_to_index()'s, until index_by()
  std::size_t rows_ = 0;
  // Without a tree: every row, sorted by identity (in the order read while awaits_index_).
  // With one: the rows whose file is not in it. Their bytes live in blocks_.
  std::vector<Entry> entries_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* block_next_ = nullptr;
  std::size_t block_left_ = 0;
  // With a tree (tree_ != nullptr): per tree file, in the tree's order.
  const MigrationTree* tree_ = nullptr;
  std::vector<unsigned char> file_rows_;
  std::vector<ChecksumDigest> digests_;  // allocated with the first checksum
  std::vector<std::pair<std::size_t, const char*>> odd_checksums_;  // not 64 lowercase hex digits (by index)
  std::size_t next_guess_ = 0;  // rows mostly come in the tree's order: try the next file first
  std::unordered_set<std::string> revisions_;
  std::vector<VersionRow> failed_;
  std::vector<VersionRow> recent_complete_;
};

class VersionTable {
 public:
  // `schema` and `table` as written in config.json (see compatible_identifier()).
  VersionTable(Database& db, const std::string& schema, const std::string& table);

  // Reads wait at most `lock_timeout` (a PostgreSQL duration) for a lock another session
  // holds on the table, as migrations do; "5s" unless set.
  void set_read_lock_timeout(std::string lock_timeout) { read_lock_timeout_ = std::move(lock_timeout); }

  // Which table (e.g. for the MigrationLock, whose key it is).
  const TableIdentity& identity() const { return identity_; }
  // "schema"."table", quoted for SQL.
  const std::string& sql_name() const { return sql_name_; }
  // schema.table as the user wrote it, for messages.
  const std::string& display_name() const { return display_name_; }

  // All rows ordered by id. `exists` tells whether the table exists at all (a missing
  // table reads as empty). One round trip for the catalog check, one for the rows.
  std::vector<VersionRow> read(bool* exists = nullptr);

  // The history as History describes it, with the last `recent` complete rows in full,
  // and every revision id in use when `with_revisions` (a third, small query).
  // Checksums are read unless `with_checksums` is false (Entry::checksum is then nullptr).
  // With `tree`, the rows of its files are kept compactly (see History).
  // REQUIRES: `tree` outlives the History.
  History read_history(std::size_t recent, bool with_revisions, bool with_checksums = true,
                       const MigrationTree* tree = nullptr);
  // read_history() for a tree still being made: the rows are kept in the order read, for
  // History::index_by() (which needs no sorted rows, and sorts only those not in the
  // tree); until then the History answers nothing. `made_tree`, when given, is asked now
  // and then while the rows stream in: once it returns the tree, the rows that follow are
  // matched with its files as they come, and index_by() has nothing left to do.
  History read_history_to_index(std::size_t recent, bool with_checksums = true,
                                const std::function<const MigrationTree*()>& made_tree = {});

  // Creates the table (roksopsql's DDL) or upgrades it with rokso's columns.
  // REQUIRES: the caller holds the MigrationLock, so two processes never race on it.
  // Throws Error(kExitFailed) when the schema is missing or access is denied.
  void ensure();

  // Whether the last read() or ensure() saw rokso's columns; when false, ensure() is due.
  bool is_current() const { return has_rokso_columns_; }

  // Bookkeeping inside `tx`: the row for `identity` now says `status` at `revision`.
  // A previous row for the identity (a failed attempt) is replaced, so ids always
  // follow the order in which migrations were applied. `checksum` (kChecksumAlgorithm's,
  // of the migration as applied) is stored with the row; "" stores none.
  void record(pqxx::transaction_base& tx, const std::string& identity, const std::string& revision,
              const std::string& status, bool replaces_failed_row, long long duration_ms, int progress = 0,
              const std::string& progress_checksum = "", const std::string& checksum = "");

  // Sets the checksum of the complete row for `identity` inside `tx` (rokso accept).
  // False when there is no such complete row. REQUIRES: ensure() ran (is_current()).
  bool set_checksum(pqxx::transaction_base& tx, const std::string& identity, const std::string& checksum);
  // Adoption: records `checksum` for each (identity, checksum) whose complete row has
  // none yet, in one statement and its own transaction. Returns how many rows it filled.
  // REQUIRES: the MigrationLock, and ensure() ran.
  std::size_t adopt_checksums(const std::vector<std::pair<std::string, std::string>>& checksums);
  // Bookkeeping for files applied elsewhere (rokso remap): one complete row per
  // (identity, checksum), ids in the given order, all at `revision`, in one statement
  // inside `tx` - 10,000 rows in one round trip. REQUIRES: ensure() ran.
  void record_complete(pqxx::transaction_base& tx, const std::vector<std::pair<std::string, std::string>>& rows,
                       const std::string& revision);
  // Deletes the row `id` inside `tx` (rollback).
  void remove(pqxx::transaction_base& tx, long long id);

  // The same operations, each in a transaction of its own, for commands (which hold
  // no transaction: libpqxx stays in core).
  // record() of a complete row without a duration (rokso mark --applied).
  void record_complete(const std::string& identity, const std::string& revision, bool replaces_failed_row,
                       const std::string& checksum);
  // record_complete() of many rows (rokso remap).
  void record_complete(const std::vector<std::pair<std::string, std::string>>& rows, const std::string& revision);
  // set_checksum() for each (identity, checksum), all or none: returns the first identity
  // that has no complete row (then nothing was recorded), or nullopt when all were set.
  std::optional<std::string> set_checksums(const std::vector<std::pair<std::string, std::string>>& checksums);
  // remove() (rokso mark --pending).
  void remove(long long id);

  // Ids of the complete rows executed after `timestamp` (a normalised PostgreSQL
  // timestamp, Database::normalized_timestamp()), compared by the server.
  std::set<long long> complete_executed_after(const std::string& timestamp);
  // Whether the schema the table belongs in exists (before ensure() would create it).
  bool schema_exists();
  // The oids of rokso's own relations here: the table, its id sequence and the lease
  // lock table beside it (rokso remap leaves them out).
  std::set<unsigned> bookkeeping_relations();

 private:
  // Also refuses a table rokso does not own (core/table_trust.hpp).
  std::vector<std::string> column_names(pqxx::transaction_base& tx);
  // A read-only transaction for reading the table, with the bounds of a read: the lock
  // timeout and "read_timeout" (the server's statement_timeout).
  void bound_read(pqxx::transaction_base& tx);
  History read_rows(std::size_t recent, bool with_revisions, bool with_checksums, const MigrationTree* tree,
                    const std::function<const MigrationTree*()>& made_tree);
  // The Error for a read that failed with `e`: who holds the lock on a lock timeout.
  Error read_error(const pqxx::sql_error& e);
  // The Error for a connection lost under `deadline`.
  Error lost_error(const Database::ReplyDeadline& deadline, const pqxx::broken_connection& e);
  // Notes which of rokso's columns `columns` has.
  void note_columns(const std::vector<std::string>& columns);

  Database& db_;
  std::string schema_;
  std::string table_;
  TableIdentity identity_;
  std::string sql_name_;
  std::string display_name_;
  std::string read_lock_timeout_ = "5s";
  bool has_rokso_columns_ = false;     // all of them: nothing for ensure() to add
  bool has_progress_columns_ = false;  // progress, progress_checksum
  bool has_checksum_columns_ = false;  // checksum, checksum_algorithm
};

}  // namespace rokso
