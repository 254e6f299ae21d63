// rokso migrate: applies every pending migration in order (or one, with --migration, or
// those up to one, with --to), each in its own transaction together with its
// version-table row. The order is roksopsql's (identities sorted as strings), adjusted by
// the files' `requires` (core/dependency_order.hpp). All files of one run share one
// revision id. On a failure: that migration is rolled back, recorded as `error`, and the
// run stops with exit 1. --format json reports the run as one JSON document.
#include "core/checksum.hpp"
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/failover_reconnect.hpp"
#include "core/invalid_indexes.hpp"
#include "core/lint_gate.hpp"
#include "core/transaction_control.hpp"
#include "core/transaction_mode.hpp"
#include "core/trial_run.hpp"
#include "core/migration_plan.hpp"
#include "core/migration_runner.hpp"
#include "core/output.hpp"
#include "core/stat_cache.hpp"
#include "core/progress.hpp"
#include "core/replicas.hpp"
#include "core/project_plugins.hpp"
#include "core/revision_id.hpp"
#include "core/text_util.hpp"

#include <algorithm>
#include <chrono>
#include <memory>

namespace {

using rokso::PlannedMigration;

// Files no loaded format reads: migrate and --check refuse to run (exit 1), --dry-run
// warns. Said before connecting, as a malformed tree is.
void refuse_unknown_files(rokso::Session& session, bool warn_only) {
  const std::vector<std::string>& unknown = session.tree().unknown_files();
  if (unknown.empty()) return;
  const std::string problem = rokso::unknown_files_problem(unknown, session.plugins());
  if (warn_only) {
    rokso::out::warning("migrate would refuse to run: " + problem);
    return;
  }
  throw rokso::failure(problem);
}

// What this run applies, in order (core/migration_plan.hpp).
std::vector<PlannedMigration> plan(rokso::Session& session, const rokso::History& history) {
  rokso::PendingSelector selector;
  if (session.has("migration")) selector.only = session.get<std::string>("migration");
  if (session.has("to")) selector.up_to = session.get<std::string>("to");
  return rokso::plan_pending(session.tree(), history, selector);
}

// --format json: the run as one document (README: "JSON output"). `error` is the
// server's (or the failure's) message when outcome is failed or check_failed.
void print_json(const std::string& mode, const std::string& outcome, const std::string& revision,
                const std::vector<PlannedMigration>& planned, const std::string& error = "") {
  using json = rokso::Json;
  json files = json::array();
  for (const PlannedMigration& p : planned) {
    files.push_back({
        {"identity", p.file->identity},
        {"format", p.file->format ? json(p.file->format->name()) : json(nullptr)},
        {"transactional", p.migration.transactional},
        {"retry", p.retry},
        {"requires", p.migration.requires_identities},
        {"notes", p.migration.notes},
        {"result", p.result},
        {"duration_ms", p.duration_ms < 0 ? json(nullptr) : json(p.duration_ms)},
        {"apply_sql", mode == "dry_run" ? json(p.migration.apply_sql) : json(nullptr)},
    });
  }
  json doc = {
      {"mode", mode},
      {"outcome", outcome},
      {"revision", revision.empty() ? json(nullptr) : json(revision)},
      {"files", files},
  };
  if (!error.empty()) doc["error"] = error;
  rokso::print_json_document("migrate", doc);
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
      rokso::drop_invalid_index(db, index);
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

// What a real run would refuse (see verify_applied_files): applied files whose content
// changed since, unless --allow-modified. Read-only: nothing is adopted here.
std::vector<std::string> modified_applied_files(rokso::Session& session, const rokso::History& history) {
  if (session.has("allow-modified")) return {};
  std::vector<std::string> identities;
  const std::unique_ptr<rokso::StatCache> cache =
      rokso::StatCache::open(session.project().root.string(), session.tree(), session.plugins().formats());
  for (const rokso::ModifiedFile& m :
       rokso::find_drift(session.tree(), history, rokso::DriftCheck::recorded, false, cache.get()).modified) {
    identities.push_back(m.identity);
  }
  if (cache) cache->save();
  return identities;
}

std::string modified_message(const std::vector<std::string>& identities) {
  return "applied migration file(s) modified since they were applied: " + rokso::list_identities(identities) +
         " (restore them, or record them with 'rokso accept'; --allow-modified runs anyway)";
}

// --dry-run: the plan, in order, with its SQL. Nothing is executed and nothing written,
// not even the version table, and no lock is taken.
int dry_run(rokso::Session& session, bool json) {
  refuse_unknown_files(session, true);
  const rokso::History history = session.version_table().read_history(0, false);
  std::vector<PlannedMigration> planned = plan(session, history);
  const std::vector<std::string> modified = modified_applied_files(session, history);
  if (!modified.empty()) rokso::out::warning("migrate would refuse to run: " + modified_message(modified));
  if (json) {
    for (PlannedMigration& p : planned) p.result = "planned";
    print_json("dry_run", planned.empty() ? "nothing_to_migrate" : "would_migrate", "", planned);
    return rokso::kExitOk;
  }
  if (planned.empty()) {
    rokso::out::line("Nothing to migrate ....");
    return rokso::kExitOk;
  }
  rokso::out::line("Dry run: " + std::to_string(planned.size()) +
                   " migration(s) would be applied, in this order; nothing is executed or recorded.");
  for (const PlannedMigration& p : planned) {
    rokso::out::line("\n🌀 " + rokso::escape_for_display(p.file->identity) + (p.retry ? "  (retry of a failed migration)" : "") + "\n   runs " +
                     transaction_mode(p.migration));
    const std::vector<std::string>& required = p.migration.requires_identities;
    for (std::size_t i = 0; i < required.size(); ++i) {
      rokso::out::line((i == 0 ? "   requires: " : "             ") + rokso::escape_for_display(required[i]));
    }
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
int check(rokso::Session& session, bool json) {
  if (!session.tree().unknown_files().empty()) {
    throw rokso::failure("check failed: " + rokso::unknown_files_problem(session.tree().unknown_files(), session.plugins()));
  }
  rokso::Database& db = session.database();
  session.lock_for_migrations();
  rokso::VersionTable& table = session.version_table();
  const rokso::History history = table.read_history(0, false);
  std::vector<PlannedMigration> planned = plan(session, history);
  const std::vector<std::string> modified = modified_applied_files(session, history);
  if (!modified.empty()) throw rokso::failure("check failed: " + modified_message(modified));
  if (!history.table_exists()) {
    // migrate would create the version table first: its schema must exist.
    if (!table.schema_exists()) {
      throw rokso::failure("check failed: the schema of the version table " + table.display_name() +
                           " does not exist, so migrate could not record anything; create it first");
    }
  }
  if (planned.empty()) {
    if (json) print_json("check", "nothing_to_migrate", "", planned);
    rokso::out::line("Nothing to migrate ....");
    return rokso::kExitOk;
  }
  std::size_t checked = 0, skipped = 0;
  rokso::TrialRun trial(db);
  for (PlannedMigration& p : planned) {
    if (!p.migration.transactional) {
      rokso::out::line("⏭  not checked (runs outside a transaction): " + rokso::escape_for_display(p.file->identity));
      p.result = "not_checked";
      ++skipped;
      continue;
    }
    const auto start = std::chrono::steady_clock::now();
    if (const std::optional<std::string> error = trial.apply(p.migration.apply_sql)) {
      p.result = "failed";
      rokso::out::error("check failed: '" + rokso::escape_for_display(p.file->identity) + "' would fail; nothing was changed");
      if (json) {
        print_json("check", "check_failed", "", planned, rokso::one_line(*error));
      } else {
        std::fprintf(stderr, "%s\n", error->c_str());
      }
      return rokso::kExitFailed;
    }
    p.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
    p.result = "checked";
    rokso::out::line("✔ " + rokso::escape_for_display(p.file->identity));
    ++checked;
  }
  // Belt and braces: had a migration's SQL ended this transaction, what ran before that
  // would be committed, and "everything was rolled back" a lie.
  if (!trial.still_one_transaction()) {
    throw rokso::failure("check failed: a migration's SQL ended the check's transaction, so what ran before that "
                         "may be committed; check the database");
  }
  if (json) print_json("check", "check_passed", "", planned);
  rokso::out::line("Check passed: " + std::to_string(checked) + " migration(s) would apply cleanly" +
                   (skipped ? " (" + std::to_string(skipped) + " not checked)" : "") +
                   "; everything was rolled back.");
  return rokso::kExitOk;
}

// The apply loop of migrate: each of `planned` in order, setting its result. Returns
// kExitFailed after a migration failed (recorded, reported); lets Error (a lost
// connection) through with `in_flight` pointing at the migration that was running.
template <typename AllFiles>
int apply_planned(rokso::Session& session, rokso::Database& db, rokso::VersionTable& table,
                  const rokso::MigrationSettings& settings, const std::string& revision, bool json,
                  std::vector<PlannedMigration>& planned, const PlannedMigration*& in_flight, AllFiles all_files) {
  rokso::MigrationRunner runner(db, table, settings.lock_retries);
  rokso::RunProgress progress(planned.size());
  std::size_t index = 0;
  for (PlannedMigration& p : planned) {
    in_flight = &p;
    const std::string& identity = p.file->identity;
    rokso::out::line("🌀Applying migration file:  " + rokso::escape_for_display(identity));
    progress.start(index++, identity);
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
    const auto start = std::chrono::steady_clock::now();
    auto elapsed_ms = [&start] {
      return static_cast<long long>(
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
    };
    try {
      runner.apply(identity, p.migration, revision, p.retry, p.resume);
    } catch (const rokso::MigrationFailed& e) {
      p.result = "failed";
      p.duration_ms = elapsed_ms();
      runner.record_failure(identity, revision, p.retry, e.progress());
      if (json) {
        print_json("apply", "failed", revision, all_files(), rokso::one_line(e.what()));
        rokso::out::error("Your migration '" + rokso::escape_for_display(identity) + "' has failed. Please fix it and retry: " +
                          rokso::one_line(e.what()));
      } else {
        rokso::out::error("Your migration '" + rokso::escape_for_display(identity) + "' has failed. Please fix it and retry.");
        std::fprintf(stderr, "%s\n", e.what());
      }
      if (!p.migration.transactional) handle_invalid_indexes(session, p.migration, invalid_before, true);
      return rokso::kExitFailed;
    } catch (const rokso::Error&) {
      // e.g. the connection was lost: migrate() reports it, or reconnects.
      p.result = "failed";
      throw;
    }
    in_flight = nullptr;
    p.result = "applied";
    p.duration_ms = elapsed_ms();
  }
  return rokso::kExitOk;
}

// --failover-wait, else config.json's "failover_wait" (default 0: a lost connection stops the run).
double failover_wait_seconds(rokso::Session& session) {
  if (!session.has("failover-wait")) return session.project().config.failover_wait_s;
  const double seconds = session.get<double>("failover-wait");
  if (!rokso::is_wait_seconds(seconds)) throw rokso::usage_error("--failover-wait must be a number of seconds from 0 to 86400");
  return seconds;
}

int migrate(rokso::Session& session) {
  const bool json = session.json();  // then stdout carries one document: no -v statements, no progress lines
  if (session.has("dry-run") && session.has("check")) throw rokso::usage_error("--dry-run and --check exclude each other");
  rokso::check_lint_mode(session.get<std::string>("lint"));
  if (session.has("dry-run")) return dry_run(session, json);
  if (session.has("check")) return check(session, json);
  refuse_unknown_files(session, false);  // as a malformed tree, this stops us before we connect
  const double failover_wait = failover_wait_seconds(session);
  const double replica_wait = session.has("wait-replicas") ? session.get<double>("wait-replicas") : -1;
  if (session.has("wait-replicas") && !rokso::is_wait_seconds(replica_wait)) {
    throw rokso::usage_error("--wait-replicas must be a number of seconds from 0 to 86400");
  }
  rokso::Database& db = session.database();
  const rokso::MigrationSettings settings = session.migration_settings();
  rokso::VersionTable& table = session.version_table();
  // Across reconnects after a failover (core/failover_reconnect.hpp): one revision for
  // the run, and what earlier attempts applied, for the JSON document.
  std::string revision;
  std::vector<PlannedMigration> applied_before;
  std::vector<PlannedMigration> planned;
  const PlannedMigration* in_flight = nullptr;
  auto all_files = [&] {
    std::vector<PlannedMigration> all = applied_before;
    all.insert(all.end(), planned.begin(), planned.end());
    return all;
  };
  for (bool first_attempt = true;; first_attempt = false) {
    try {
      session.lock_for_migrations();

      const rokso::History history = table.read_history(0, true);
      if (!history.table_exists() || !table.is_current()) table.ensure();
      // Refuses while an applied file was modified; records checksums missing from old rows.
      // Through the stat cache, as status: only the files whose stat changed are read.
      const std::unique_ptr<rokso::StatCache> cache =
          rokso::StatCache::open(session.project().root.string(), session.tree(), session.plugins().formats());
      rokso::verify_applied_files(table, session.tree(), history, session.has("allow-modified"), cache.get());
      if (cache) cache->save();

      planned = plan(session, history);
      if (first_attempt) {
        std::vector<std::pair<const rokso::MigrationFile*, const rokso::Migration*>> to_lint;
        for (const PlannedMigration& p : planned) to_lint.emplace_back(p.file, &p.migration);
        rokso::lint_before_migrate(session, session.get<std::string>("lint"), to_lint);
      }
      if (planned.empty() && applied_before.empty()) {
        if (json) print_json("apply", "nothing_to_migrate", "", planned);
        rokso::out::line("Nothing to migrate ....");
        return rokso::kExitOk;
      }
      if (revision.empty()) {
        revision = rokso::new_revision_id(
            [&history](const std::string& candidate) { return history.revision_taken(candidate); });
      }
      if (apply_planned(session, db, table, settings, revision, json, planned, in_flight, all_files) != rokso::kExitOk) {
        return rokso::kExitFailed;
      }
      break;
    } catch (const rokso::Error& e) {
      // JSON: a document once migrations started, as for any failure while applying.
      const bool report = json && (in_flight || !applied_before.empty());
      const bool lost = db.connection_lost();
      if (lost && in_flight && !in_flight->migration.transactional) {
        const std::string message =
            "lost the database connection while applying '" + rokso::escape_for_display(in_flight->file->identity) +
            "', which runs outside a transaction: some of its statements may have run, so rokso does not go on by "
            "itself; once a primary is up, run migrate again (it resumes after the statements it recorded)";
        if (report) print_json("apply", "failed", revision, all_files(), message);
        throw rokso::failure(message);
      }
      bool reconnected = false;
      try {
        reconnected = rokso::reconnect_after_failover(db, failover_wait, rokso::one_line(e.what()));
      } catch (const rokso::Error& gone) {
        if (report) print_json("apply", "failed", revision, all_files(), rokso::one_line(gone.what()));
        throw;
      }
      if (!reconnected) {
        if (report) print_json("apply", "failed", revision, all_files(), rokso::one_line(e.what()));
        throw;
      }
      // Our lease row (lease mode) is deleted on the new primary, where it replicated to.
      session.forget_migration_lock();
      for (PlannedMigration& p : planned) {
        if (p.result == "applied") applied_before.push_back(p);
      }
      planned.clear();
      in_flight = nullptr;
    }
  }
  if (replica_wait >= 0) {
    try {
      rokso::wait_for_replicas(db, replica_wait);
    } catch (const rokso::Error& e) {
      if (json) print_json("apply", "replicas_behind", revision, all_files(), rokso::one_line(e.what()));
      throw;
    }
  }
  if (json) print_json("apply", "migrated", revision, all_files());
  rokso::out::line("✅ Your database is at revision# " + revision);
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "migrate";
  command.synopsis = "[--migration <identity> | --to <identity>] [--dry-run | --check] [--format text|json] [-v]";
  command.options.add_options()
      ("migration", rokso::po::value<std::string>()->value_name("<identity>"),
       "apply only this migration (its path relative to migration/)")
      ("to", rokso::po::value<std::string>()->value_name("<identity>"),
       "apply the pending migrations up to and including this one, in order (with what it requires)")
      ("dry-run", "print the plan and its SQL; execute and record nothing")
      ("check", "apply the pending migrations in one transaction and roll it back: would they succeed?")
      ("lint", rokso::po::value<std::string>()->default_value("warn")->value_name("<off|warn|error>"),
       "print the lint findings of what is about to run (warn), refuse to run on an error (error), or not (off)")
      ("drop-invalid-indexes", "drop the invalid indexes a failed CREATE INDEX CONCURRENTLY leaves behind")
      ("allow-modified", "apply even though an applied migration's file was modified since (see 'rokso accept')")
      ("failover-wait", rokso::po::value<double>()->value_name("<seconds>"),
       "after losing the connection (a failover), wait this long for a primary, reconnect and go on "
       "(default: config.json's failover_wait, else 0: stop)")
      ("wait-replicas", rokso::po::value<double>()->implicit_value(60)->value_name("<seconds>"),
       "after the run, wait (default 60 s) until every streaming replica has replayed it; exit 1 naming those behind");
  command.run = migrate;
  return rokso::run_command(argc, argv, command);
}
