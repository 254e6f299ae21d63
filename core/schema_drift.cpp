#include "core/schema_drift.hpp"
#include "core/database_access.hpp"

#include "core/error.hpp"
#include "core/migration_runner.hpp"
#include "core/replay_database.hpp"
#include "core/throwaway_database.hpp"

#include <algorithm>
#include <map>

namespace rokso {

SchemaDrift find_schema_drift(const MigrationTree& tree, const Project& project, const MigrationSettings& settings,
                              Database& database, const std::optional<std::string>& dev_url) {
  const std::vector<TreeMigration> migrations = migrations_in_order(tree);
  ThrowawayDatabase scratch(throwaway_server(dev_url, project), "diff");
  SchemaSnapshot expected;
  SnapshotScope scope;
  {
    ReplayDatabase replay(scratch.settings(), project.config, settings);
    for (const TreeMigration& m : migrations) {
      try {
        replay.apply(m);
      } catch (const MigrationFailed& e) {
        throw failure("the tree does not apply on an empty database, so there is nothing to compare with: '" +
                      m.file->identity + "' fails: " + one_line(e.what()));
      }
    }
    expected = replay.snapshot();
    scope = replay.scope();
  }
  scratch.drop();
  SchemaDrift drift;
  drift.schemas = snapshot_schemas(expected);
  scope.schemas = drift.schemas;
  drift.changes = compare_snapshots(expected, take_snapshot(database.connection(), scope));
  return drift;
}

std::vector<std::vector<const SchemaChange*>> group_by_table(const std::vector<SchemaChange>& changes) {
  std::map<std::pair<int, std::string>, std::size_t> tables;  // (type, table) -> its group
  std::vector<std::vector<const SchemaChange*>> groups;
  for (const SchemaChange& c : changes) {
    if (c.type != SchemaChange::Type::changed && c.object().kind == "table") {
      tables[{static_cast<int>(c.type), c.object().name}] = groups.size();
      groups.push_back({&c});
    }
  }
  for (const SchemaChange& c : changes) {
    if (c.type != SchemaChange::Type::changed && c.object().kind == "table") continue;
    const auto table = tables.find({static_cast<int>(c.type), c.object().parent});
    if (!c.object().parent.empty() && table != tables.end()) {
      groups[table->second].push_back(&c);
    } else {
      groups.push_back({&c});
    }
  }
  std::stable_sort(groups.begin(), groups.end(), [](const auto& a, const auto& b) {
    return a.front()->object().kind + " " + a.front()->object().name < b.front()->object().kind + " " + b.front()->object().name;
  });
  return groups;
}

std::vector<std::string> drift_summary(const SchemaDrift& drift) {
  if (drift.changes.empty()) return {"schema drift: none, the database's schema is what the migrations make"};
  const auto groups = group_by_table(drift.changes);
  std::vector<std::string> lines = {"schema drift: " + std::to_string(groups.size()) +
                                    " difference(s) between the migrations and the database (details: rokso diff)"};
  for (const auto& group : groups) {
    const SchemaChange& c = *group.front();
    const char* sign = c.type == SchemaChange::Type::added ? "+ " : c.type == SchemaChange::Type::removed ? "- " : "~ ";
    lines.push_back(std::string("  ") + sign + c.object().kind + " " + c.object().name);
  }
  return lines;
}

}  // namespace rokso
