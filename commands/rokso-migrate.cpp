// rokso migrate: applies every pending migration in order (or one, with --migration),
// each in its own transaction together with its version-table row. All files of one
// run share one revision id. On a failure: that migration is rolled back, recorded as
// `error`, and the run stops with exit 1.
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/migration_lock.hpp"
#include "core/migration_runner.hpp"
#include "core/output.hpp"
#include "core/revision_id.hpp"

#include <unordered_map>
#include <unordered_set>

namespace {

using rokso::MigrationFile;
using rokso::VersionRow;

struct PlannedMigration {
  const MigrationFile* file;
  bool retry;  // a row with status `error` exists for it
  rokso::Migration migration;
};

// What this run applies, following roksopsql: while a failed migration exists, only the
// failed ones are retried (the next run does the rest), and --migration accepts only
// the first failed file.
std::vector<PlannedMigration> plan(rokso::Session& session, const std::vector<VersionRow>& rows) {
  const rokso::MigrationTree& tree = session.tree();
  std::unordered_map<std::string, const VersionRow*> recorded;
  std::vector<const VersionRow*> failed;
  recorded.reserve(rows.size());
  for (const auto& row : rows) {
    recorded[row.filename] = &row;
    if (row.status == rokso::kStatusError) failed.push_back(&row);
  }
  auto file_of = [&tree](const std::string& identity) {
    const MigrationFile* file = tree.find(identity);
    if (!file) {
      throw rokso::failure("the failed migration '" + identity +
                           "' is no longer under migration/; restore it so it can be retried");
    }
    return file;
  };

  std::vector<PlannedMigration> planned;
  if (session.has("migration")) {
    const std::string named = session.get<std::string>("migration");
    const MigrationFile* named_file = tree.resolve(named);
    const std::string identity = named_file ? named_file->identity : named;
    if (!failed.empty() && failed.front()->filename != identity) {
      throw rokso::usage_error("'" + failed.front()->filename +
                               "' failed earlier and must be fixed first; run 'rokso migrate --migration " +
                               failed.front()->filename + "'");
    }
    const MigrationFile* file = tree.find(identity);
    if (!file) throw rokso::usage_error("unknown migration '" + identity + "' (no such file under migration/)");
    auto it = recorded.find(identity);
    if (it != recorded.end() && it->second->status == rokso::kStatusComplete) return planned;
    planned.push_back({file, it != recorded.end(), {}});
  } else if (!failed.empty()) {
    for (const VersionRow* row : failed) planned.push_back({file_of(row->filename), true, {}});
  } else {
    for (const MigrationFile& file : tree.files()) {
      if (!recorded.count(file.identity)) planned.push_back({&file, false, {}});
    }
  }
  // Every file is read and checked before anything runs.
  for (PlannedMigration& p : planned) p.migration = rokso::MigrationTree::read(*p.file);
  return planned;
}

int migrate(rokso::Session& session) {
  session.tree();  // a malformed tree stops us before we connect
  rokso::Database& db = session.database();
  db.end_work_when_client_dies();
  rokso::VersionTable& table = session.version_table();
  rokso::MigrationLock lock(db, table.sql_name(), session.lock_wait_timeout());

  bool exists = false;
  std::vector<VersionRow> rows = table.read(&exists);
  if (!exists || !table.is_current()) table.ensure();

  std::vector<PlannedMigration> planned = plan(session, rows);
  if (planned.empty()) {
    rokso::out::line("Nothing to migrate ....");
    return rokso::kExitOk;
  }
  std::unordered_set<std::string> revisions;
  for (const auto& row : rows) revisions.insert(row.version);
  const std::string revision = rokso::new_revision_id(revisions);

  rokso::MigrationRunner runner(db, table);
  for (const PlannedMigration& p : planned) {
    const std::string& identity = p.file->identity;
    rokso::out::line("🌀Applying migration file:  " + identity);
    if (!p.migration.transactional) {
      rokso::out::line("   (runs outside a transaction, statement by statement, as the file declares)");
    }
    try {
      runner.apply(identity, p.migration, revision, p.retry);
    } catch (const rokso::MigrationFailed& e) {
      runner.record_failure(identity, revision, p.retry);
      rokso::out::error("Your migration '" + identity + "' has failed. Please fix it and retry.");
      std::fprintf(stderr, "%s\n", e.what());
      return rokso::kExitFailed;
    }
  }
  rokso::out::line("✅ Your database is at revision# " + revision);
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "migrate";
  command.synopsis = "[--migration <identity>] [-v]";
  command.options.add_options()
      ("migration", rokso::po::value<std::string>()->value_name("<identity>"),
       "apply only this migration (its path relative to migration/)")
      ("lock-timeout", rokso::po::value<double>()->value_name("<seconds>"),
       "how long to wait for another rokso migrate/rollback (default 300)");
  command.run = migrate;
  return rokso::run_command(argc, argv, command);
}
