// A (throwaway) database on which the tree's migrations run exactly as `migrate` and
// `rollback` run them: rokso's runner, rokso's version table in the project's schema,
// the project's migration settings. For verify and diff.
#pragma once

#include "core/config.hpp"
#include "core/database.hpp"
#include "core/migration_lock.hpp"
#include "core/migration_runner.hpp"
#include "core/migration_tree.hpp"
#include "core/schema_snapshot.hpp"
#include "core/version_table.hpp"

#include <memory>
#include <string>
#include <vector>

namespace rokso {

struct TreeMigration {
  const MigrationFile* file;
  Migration migration;
};

// Every migration of `tree`, read and checked as migrate checks them (transaction
// control refused), in the order migrate applies them to an empty database (identity
// order adjusted by `requires`). Throws Error naming every file that cannot be read.
std::vector<TreeMigration> migrations_in_order(const MigrationTree& tree);

class ReplayDatabase {
 public:
  // Connects to `database` (empty, or made by earlier replays), creates the project's
  // version-table schema when missing, and the version table.
  ReplayDatabase(const DatabaseSettings& database, const Config& config, const MigrationSettings& settings);

  // As migrate applies it. Throws MigrationFailed.
  void apply(const TreeMigration& m);
  // As rollback rolls it back (its version row removed with it). Throws MigrationFailed.
  void roll_back(const TreeMigration& m);
  // The schema now: every schema but PostgreSQL's own, or `schemas`, without the version table.
  SchemaSnapshot snapshot(const std::vector<std::string>& schemas = {});
  // Where snapshots leave the version table out (catalog names).
  const SnapshotScope& scope() const { return scope_; }

 private:
  Database db_;
  std::unique_ptr<VersionTable> table_;
  std::unique_ptr<MigrationLock> lock_;
  std::unique_ptr<MigrationRunner> runner_;
  std::string revision_;
  SnapshotScope scope_;
};

// How a name from config.json (schema, version table) is spelled in the catalog:
// a plain identifier folded to lower case, anything else verbatim (compatible_identifier()).
std::string catalog_name(const std::string& name);

}  // namespace rokso
