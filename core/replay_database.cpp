#include "core/replay_database.hpp"
#include "core/database_access.hpp"

#include "core/dependency_order.hpp"
#include "core/error.hpp"
#include "core/revision_id.hpp"
#include "core/transaction_control.hpp"

namespace rokso {

std::string catalog_name(const std::string& name) {
  const std::string quoted = compatible_identifier(name);
  std::string plain;
  for (std::size_t i = 1; i + 1 < quoted.size(); ++i) {
    plain += quoted[i];
    if (quoted[i] == '"') ++i;
  }
  return plain;
}

std::vector<TreeMigration> migrations_in_order(const MigrationTree& tree) {
  std::vector<TreeMigration> all;
  std::vector<std::string> errors;
  for (const MigrationFile& file : tree.files()) {
    try {
      TreeMigration m{&file, tree.read(file)};
      refuse_transaction_control(file.identity, m.migration);
      all.push_back(std::move(m));
    } catch (const Error& e) {
      errors.push_back(one_line(e.what()));
    }
  }
  if (errors.size() == 1) throw failure(errors.front());
  if (!errors.empty()) {
    throw failure(std::to_string(errors.size()) + " migration files cannot be read or run as written, the first: " +
                  errors.front());
  }
  std::vector<DependencyNode> nodes;
  nodes.reserve(all.size());
  for (const TreeMigration& m : all) nodes.push_back({m.file->identity, &m.migration.requires_identities});
  std::vector<TreeMigration> ordered;
  ordered.reserve(all.size());
  for (std::size_t i : dependency_order(nodes, nullptr)) ordered.push_back(std::move(all[i]));
  return ordered;
}

ReplayDatabase::ReplayDatabase(const DatabaseSettings& database, const Config& config,
                               const MigrationSettings& settings)
    : db_(database) {
  {
    pqxx::nontransaction tx(db_.connection());
    tx.exec("CREATE SCHEMA IF NOT EXISTS " + compatible_identifier(config.database.schema));
  }
  db_.prepare_for_migrations(settings);
  table_ = std::make_unique<VersionTable>(db_, config.database.schema, config.version_table);
  lock_ = std::make_unique<MigrationLock>(db_, table_->identity(), 30);
  table_->ensure();
  runner_ = std::make_unique<MigrationRunner>(db_, *table_, settings.lock_retries);
  revision_ = new_revision_id([](const std::string&) { return false; });
  scope_.version_schema = catalog_name(config.database.schema);
  scope_.version_table = catalog_name(config.version_table);
}

void ReplayDatabase::apply(const TreeMigration& m) { runner_->apply(m.file->identity, m.migration, revision_, false); }

void ReplayDatabase::roll_back(const TreeMigration& m) {
  long long id = -1;
  for (const VersionRow& row : table_->read()) {
    if (row.filename == m.file->identity) id = row.id;
  }
  if (id < 0) throw failure("'" + m.file->identity + "' has no version row to roll back");
  runner_->roll_back(id, m.migration);
}

SchemaSnapshot ReplayDatabase::snapshot(const std::vector<std::string>& schemas) {
  SnapshotScope scope = scope_;
  scope.schemas = schemas;
  return take_snapshot(db_.connection(), scope);
}

}  // namespace rokso
