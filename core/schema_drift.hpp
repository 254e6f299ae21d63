// Drift: how a live database's schema differs from what its migration tree makes. The
// whole tree is replayed on a throwaway database (core/throwaway_database.hpp), and the
// two schemas are compared, limited to the schemas the tree's database has (its own,
// public, and the version table's), without rokso's version table.
#pragma once

#include "core/config.hpp"
#include "core/database.hpp"
#include "core/migration_tree.hpp"
#include "core/project.hpp"
#include "core/schema_snapshot.hpp"

#include <optional>
#include <string>
#include <vector>

namespace rokso {

struct SchemaDrift {
  // From the tree's schema to the database's: added = made outside migrations, removed =
  // made by migrations but gone, changed = different.
  std::vector<SchemaChange> changes;
  std::vector<std::string> schemas;  // compared
};

// Replays `tree` on a throwaway database made on `dev_url`'s server or the project's dev
// server, and compares it with `database`. Throws Error(kExitFailed) when a migration
// of the tree does not apply on an empty database.
SchemaDrift find_schema_drift(const MigrationTree& tree, const Project& project, const MigrationSettings& settings,
                              Database& database, const std::optional<std::string>& dev_url);

// The changes as people read them: a table added or removed as a whole comes with its
// columns, constraints, indexes and triggers (added or removed with it), listed after it
// in its group; every other change is a group of one.
std::vector<std::vector<const SchemaChange*>> group_by_table(const std::vector<SchemaChange>& changes);

// For `status --drift`: a one-line summary, then one line per group.
std::vector<std::string> drift_summary(const SchemaDrift& drift);

}  // namespace rokso
