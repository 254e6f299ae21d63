// The version table: roksopsql's <schema>.rokso_db_version, kept compatible.
//
// rokso reads it whole once per command (ordered by id) and writes one row per
// migration inside that migration's own transaction. Columns rokso adds are added with
// ADD COLUMN IF NOT EXISTS, so a roksopsql-made table upgrades in place and stays
// readable by roksopsql.
#pragma once

#include "core/database.hpp"

#include <string>
#include <vector>

namespace rokso {

struct VersionRow {
  long long id = 0;
  std::string filename;  // the migration's identity
  std::string version;   // the revision id
  std::string status;    // "complete" or "error"
  std::string scheduled_at;
  std::string executed_at;
};

extern const char* const kStatusComplete;
extern const char* const kStatusError;

class VersionTable {
 public:
  // `schema` and `table` as written in config.json (see compatible_identifier()).
  VersionTable(Database& db, const std::string& schema, const std::string& table);

  // "schema"."table", quoted for SQL.
  const std::string& sql_name() const { return sql_name_; }
  // schema.table as the user wrote it, for messages.
  const std::string& display_name() const { return display_name_; }

  // All rows ordered by id. `exists` tells whether the table exists at all (a missing
  // table reads as empty). One round trip for the catalog check, one for the rows.
  std::vector<VersionRow> read(bool* exists = nullptr);

  // Creates the table (roksopsql's DDL) or upgrades it with rokso's columns.
  // REQUIRES: the caller holds the MigrationLock, so two processes never race on it.
  // Throws Error(kExitFailed) when the schema is missing or access is denied.
  void ensure();

  // Whether the last read() or ensure() saw rokso's columns; when false, ensure() is due.
  bool is_current() const { return has_rokso_columns_; }

  // Bookkeeping inside `tx`: the row for `identity` now says `status` at `revision`.
  // A previous row for the identity (a failed attempt) is replaced, so ids always
  // follow the order in which migrations were applied.
  void record(pqxx::transaction_base& tx, const std::string& identity, const std::string& revision,
              const std::string& status, bool replaces_failed_row, long long duration_ms);
  // Deletes the row `id` inside `tx` (rollback).
  void remove(pqxx::transaction_base& tx, long long id);

 private:
  std::vector<std::string> column_names();

  Database& db_;
  std::string schema_;
  std::string table_;
  std::string sql_name_;
  std::string display_name_;
  bool has_rokso_columns_ = false;
};

}  // namespace rokso
