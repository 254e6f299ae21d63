// rokso migrate: applies every pending migration in order (or one, with --migration),
// each in its own transaction together with its version-table row. All files of one
// run share one revision id. On a failure: that migration is rolled back, recorded as
// `error`, and the run stops with exit 1.
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/invalid_indexes.hpp"
#include "core/transaction_mode.hpp"
#include "core/migration_lock.hpp"
#include "core/migration_runner.hpp"
#include "core/output.hpp"
#include "core/revision_id.hpp"
#include "core/sql_script.hpp"

#include <algorithm>


namespace {

using rokso::MigrationFile;
using rokso::VersionRow;

struct PlannedMigration {
  const MigrationFile* file;
  bool retry;  // a row with status `error` exists for it
  rokso::Progress resume;  // how far its failed non-transactional attempt got
  rokso::Migration migration;
};

// What this run applies, following roksopsql: while a failed migration exists, only the
// failed ones are retried (the next run does the rest), and --migration accepts only
// the first failed file.
std::vector<PlannedMigration> plan(rokso::Session& session, const rokso::History& history) {
  const rokso::MigrationTree& tree = session.tree();
  const std::vector<VersionRow>& failed = history.failed();
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
    const MigrationFile* file = tree.resolve(named);
    const std::string identity = file ? file->identity : named;
    if (!failed.empty() && failed.front().filename != identity) {
      throw rokso::usage_error("'" + failed.front().filename +
                               "' failed earlier and must be fixed first; run 'rokso migrate --migration " +
                               failed.front().filename + "'");
    }
    if (!file) throw rokso::usage_error("unknown migration '" + named + "' (no such file under migration/)");
    const rokso::History::State state = history.state_of(identity);
    if (state == rokso::History::State::complete) return planned;
    rokso::Progress resume;
    for (const VersionRow& row : failed) {
      if (row.filename == identity) resume = {row.progress, row.progress_checksum};
    }
    planned.push_back({file, state == rokso::History::State::failed, resume, {}});
  } else if (!failed.empty()) {
    for (const VersionRow& row : failed) {
      planned.push_back({file_of(row.filename), true, {row.progress, row.progress_checksum}, {}});
    }
  } else {
    for (const MigrationFile& file : tree.files()) {
      if (history.state_of(file.identity) == rokso::History::State::absent) planned.push_back({&file, false, {}, {}});
    }
  }
  // Every file is read and checked before anything runs.
  for (PlannedMigration& p : planned) p.migration = tree.read(*p.file);
  return planned;
}

// Invalid indexes a failed CREATE INDEX CONCURRENTLY leaves behind block a retry (the
// name is taken) and slow writes. Those this migration builds, or that appeared while
// it ran, are dropped with --drop-invalid-indexes, else shown with the fix.
void handle_invalid_indexes(rokso::Session& session, const rokso::Migration& migration,
                            const std::vector<rokso::InvalidIndex>& before, bool after_failure) {
  rokso::Database& db = session.database();
  const std::vector<std::string> built = rokso::indexes_built_concurrently(migration.apply_sql);
  for (const rokso::InvalidIndex& index : rokso::invalid_indexes(db)) {
    const bool ours = std::find(built.begin(), built.end(), index.name) != built.end();
    const bool appeared = after_failure && !std::binary_search(before.begin(), before.end(), index);
    if (!ours && !appeared) continue;
    if (session.has("drop-invalid-indexes")) {
      pqxx::nontransaction tx(db.connection());
      tx.exec("DROP INDEX CONCURRENTLY IF EXISTS " + index.sql_name);
      rokso::out::hint("dropped the invalid index " + index.sql_name + " a failed concurrent build left behind");
    } else if (after_failure) {
      rokso::out::hint("the failed statement left the invalid index " + index.sql_name +
                       "; drop it before retrying: DROP INDEX CONCURRENTLY " + index.sql_name +
                       "; (or run migrate with --drop-invalid-indexes)");
    }
  }
}

std::string transaction_mode(const rokso::Migration& m) {
  return m.transactional ? "in one transaction with its version row" : "outside a transaction, statement by statement";
}

// --dry-run: the plan, in order, with its SQL. Nothing is executed and nothing written,
// not even the version table, and no lock is taken.
int dry_run(rokso::Session& session) {
  session.tree();
  const rokso::History history = session.version_table().read_history(0, false);
  const std::vector<PlannedMigration> planned = plan(session, history);
  if (planned.empty()) {
    rokso::out::line("Nothing to migrate ....");
    return rokso::kExitOk;
  }
  rokso::out::line("Dry run: " + std::to_string(planned.size()) +
                   " migration(s) would be applied, in this order; nothing is executed or recorded.");
  for (const PlannedMigration& p : planned) {
    rokso::out::line("\n🌀 " + p.file->identity + (p.retry ? "  (retry of a failed migration)" : "") + "\n   runs " +
                     transaction_mode(p.migration));
    for (const auto& note : p.migration.notes) rokso::out::line("   note: " + note);
    std::string sql = p.migration.apply_sql;
    while (!sql.empty() && (sql.back() == '\n' || sql.back() == ' ')) sql.pop_back();
    rokso::out::line("-- apply SQL\n" + sql);
  }
  return rokso::kExitOk;
}

// --check: applies the pending transactional migrations in one transaction, in order,
// then rolls everything back, so a team learns whether they would succeed. Migrations
// that cannot run in a transaction are listed as not checked.
int check(rokso::Session& session) {
  session.tree();
  rokso::Database& db = session.database();
  db.prepare_for_migrations(session.migration_settings());
  rokso::VersionTable& table = session.version_table();
  rokso::MigrationLock lock(db, table.sql_name(), session.lock_wait_timeout());
  const std::vector<PlannedMigration> planned = plan(session, table.read_history(0, false));
  if (planned.empty()) {
    rokso::out::line("Nothing to migrate ....");
    return rokso::kExitOk;
  }
  std::size_t checked = 0, skipped = 0;
  pqxx::work tx(db.connection());
  for (const PlannedMigration& p : planned) {
    if (!p.migration.transactional) {
      rokso::out::line("⏭  not checked (runs outside a transaction): " + p.file->identity);
      ++skipped;
      continue;
    }
    try {
      if (!rokso::is_blank_sql(p.migration.apply_sql)) tx.exec(p.migration.apply_sql);
    } catch (const pqxx::sql_error& e) {
      rokso::out::error("check failed: '" + p.file->identity + "' would fail; nothing was changed");
      std::fprintf(stderr, "%s\n", rokso::describe_sql_error(e).c_str());
      return rokso::kExitFailed;
    }
    rokso::out::line("✔ " + p.file->identity);
    ++checked;
  }
  tx.abort();
  rokso::out::line("Check passed: " + std::to_string(checked) + " migration(s) would apply cleanly" +
                   (skipped ? " (" + std::to_string(skipped) + " not checked)" : "") +
                   "; everything was rolled back.");
  return rokso::kExitOk;
}

int migrate(rokso::Session& session) {
  if (session.has("dry-run") && session.has("check")) throw rokso::usage_error("--dry-run and --check exclude each other");
  if (session.has("dry-run")) return dry_run(session);
  if (session.has("check")) return check(session);
  session.tree();  // a malformed tree stops us before we connect
  rokso::Database& db = session.database();
  const rokso::MigrationSettings settings = session.migration_settings();
  db.prepare_for_migrations(settings);
  rokso::VersionTable& table = session.version_table();
  rokso::MigrationLock lock(db, table.sql_name(), session.lock_wait_timeout());

  const rokso::History history = table.read_history(0, true);
  if (!history.table_exists() || !table.is_current()) table.ensure();

  std::vector<PlannedMigration> planned = plan(session, history);
  if (planned.empty()) {
    rokso::out::line("Nothing to migrate ....");
    return rokso::kExitOk;
  }
  const std::string revision = rokso::new_revision_id(
      [&history](const std::string& candidate) { return history.revision_taken(candidate); });

  rokso::MigrationRunner runner(db, table, settings.lock_retries);
  for (const PlannedMigration& p : planned) {
    const std::string& identity = p.file->identity;
    rokso::out::line("🌀Applying migration file:  " + identity);
    if (!p.migration.transactional) {
      std::string why = "runs outside a transaction, statement by statement, as the file declares";
      for (const auto& note : p.migration.notes) {
        if (note.compare(0, 26, "runs outside a transaction") == 0) why = note;
      }
      rokso::out::line("   (" + why + ")");
    }
    // A failed concurrent index build leaves an invalid index behind: know which were there before.
    std::vector<rokso::InvalidIndex> invalid_before;
    if (!p.migration.transactional) {
      if (p.retry) handle_invalid_indexes(session, p.migration, {}, false);
      invalid_before = rokso::invalid_indexes(db);
    }
    try {
      runner.apply(identity, p.migration, revision, p.retry, p.resume);
    } catch (const rokso::MigrationFailed& e) {
      runner.record_failure(identity, revision, p.retry, e.progress());
      rokso::out::error("Your migration '" + identity + "' has failed. Please fix it and retry.");
      std::fprintf(stderr, "%s\n", e.what());
      if (!p.migration.transactional) handle_invalid_indexes(session, p.migration, invalid_before, true);
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
      ("dry-run", "print the plan and its SQL; execute and record nothing")
      ("check", "apply the pending migrations in one transaction and roll it back: would they succeed?")
      ("drop-invalid-indexes", "drop the invalid indexes a failed CREATE INDEX CONCURRENTLY leaves behind")
      ("lock-wait", rokso::po::value<double>()->value_name("<seconds>"),
       "how long to wait for another rokso migrate/rollback (default 300)")
      ("lock-timeout", rokso::po::value<std::string>()->value_name("<duration>"),
       "PostgreSQL lock_timeout for each statement, e.g. 5s (default 5s)")
      ("lock-retries", rokso::po::value<int>()->value_name("<n>"),
       "retries, with backoff, of a migration that hit the lock timeout (default 3)")
      ("statement-timeout", rokso::po::value<std::string>()->value_name("<duration>"),
       "PostgreSQL statement_timeout for each statement (default: the server's)");
  command.run = migrate;
  return rokso::run_command(argc, argv, command);
}
