// What another tool's history table says it has applied, for `rokso import --adopt`:
//   golang-migrate  schema_migrations(version bigint, dirty boolean): one row, the latest
//                   version; everything up to it is applied
//   dbmate          schema_migrations(version varchar): one row per applied version
//   goose           goose_db_version(id, version_id, is_applied, tstamp): per version,
//                   its newest row says whether it is applied
//   Flyway          flyway_schema_history(installed_rank, version, description, type,
//                   script, checksum, ..., success): SQL rows applied, UNDO_SQL and
//                   DELETE rows undone, everything up to a BASELINE applied
// Only read: the table stays as the tool left it.
#pragma once

#include "core/database.hpp"
#include "core/import_tree.hpp"
#include "core/version_table.hpp"

#include <string>
#include <vector>

namespace rokso {

struct ToolHistory {
  std::string table;                 // the table read, schema-qualified, for messages
  std::vector<bool> applied;         // per tree.migrations: recorded as applied
  std::vector<std::string> unknown;  // versions recorded as applied that have no file in the tree
};

// The tool's default history table ("schema_migrations", "goose_db_version", ...).
const char* default_history_table(ImportTool tool);

// Reads `table_name` (as PostgreSQL resolves it: unqualified through the search_path)
// inside `tx`. Throws Error(kExitFailed) when the table is missing or is not that tool's,
// or when the history says a migration failed (golang-migrate's dirty flag, a Flyway row
// with success = false), or when golang-migrate's version has no file in the tree.
ToolHistory read_tool_history(pqxx::transaction_base& tx, const ImportTree& tree, const std::string& table_name);
// The same in a read-only transaction of its own.
ToolHistory read_tool_history(Database& db, const ImportTree& tree, const std::string& table_name);

// Adoption, in one transaction: reads `table_name` again and, when it still says what
// `shown` says, records `rows` (identity, checksum) as complete at `revision`
// (VersionTable::record_complete()). False, with nothing recorded, when the tool's
// history changed meanwhile. REQUIRES: the MigrationLock, and table.ensure() ran.
bool record_adopted(Database& db, VersionTable& table, const ImportTree& tree, const std::string& table_name,
                    const ToolHistory& shown, const std::vector<std::pair<std::string, std::string>>& rows,
                    const std::string& revision);

}  // namespace rokso
