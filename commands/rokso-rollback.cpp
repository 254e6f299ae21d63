// rokso rollback: undoes the revision of the newest row (or every revision after --version <rev>,
// the last --steps N migrations, or every migration applied after --to-date <timestamp>),
// newest first; each file's rollback SQL commits together with the deletion of its row.
// A failed (`error`) row among them changed nothing, so its row is only cleared.
// --dry-run shows what would be undone and its SQL, and changes nothing anywhere: it takes
// no lock and neither creates nor upgrades the version table.
#include "core/checksum.hpp"
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/history_table.hpp"
#include "core/migration_plan.hpp"
#include "core/migration_runner.hpp"
#include "core/output.hpp"
#include "core/progress.hpp"
#include "core/sql_script.hpp"
#include "core/text_util.hpp"
#include "core/transaction_control.hpp"

#include <algorithm>
#include <optional>

namespace {

using rokso::VersionRow;

// --to-date, checked and normalised by the server, so it accepts exactly what a
// PostgreSQL timestamp accepts ('2024-05-01 12:00', 'today', ...).
std::string checked_timestamp(rokso::Database& db, const std::string& text) {
  std::string problem;
  if (std::optional<std::string> timestamp = db.normalized_timestamp(text, &problem)) return *timestamp;
  throw rokso::usage_error("invalid --to-date '" + text + "': " + problem);
}

// The rows to undo, newest first (core/migration_plan.hpp).
std::vector<const VersionRow*> targets(rokso::Session& session, const std::vector<VersionRow>& rows,
                                       const std::string& cutoff) {
  rokso::RollbackSelector selector;
  if (session.has("version")) {
    selector.after_revision = session.get<std::string>("version");
  } else if (session.has("steps")) {
    selector.steps = static_cast<std::size_t>(session.get<int>("steps"));
  } else if (session.has("to-date")) {
    selector.executed_after = [&session, &cutoff] { return session.version_table().complete_executed_after(cutoff); };
  }
  return rokso::plan_rollback(rows, selector);
}

bool is_failed(const VersionRow& row) { return row.status != rokso::kStatusComplete; }

// A failed migration that ran outside a transaction and got part-way committed its first
// statements: clearing its row would forget them, running its rollback would undo what
// never ran. Refused before anything is done, with the statements and the ways out:
// true when refused.
bool refuse_partly_applied(rokso::Session& session, const std::vector<const VersionRow*>& chosen) {
  for (const VersionRow* row : chosen) {
    if (!is_failed(*row) || row->progress <= 0) continue;
    std::string ran;
    try {
      if (const rokso::MigrationFile* file = session.tree().find(row->filename)) {
        const std::vector<rokso::SqlStatement> statements = rokso::split_sql(session.tree().read(*file).apply_sql);
        for (int i = 0; i < row->progress && i < static_cast<int>(statements.size()); ++i) {
          ran += "\n  " + std::to_string(i + 1) + ". " + statements[static_cast<std::size_t>(i)].text + ";";
        }
      }
    } catch (const rokso::Error&) {
      // Unreadable now: the count is all there is to say.
    }
    const std::string n = std::to_string(row->progress);
    rokso::out::error("cannot roll back '" + row->filename + "': it runs outside a transaction and failed after its first " +
                      n + " statement(s), which were committed and are still applied; nothing was rolled back");
    if (!ran.empty()) std::fprintf(stderr, "The statements that ran:%s\n", ran.c_str());
    rokso::out::hint("fix the file and run 'rokso migrate' to finish it (it resumes after them), then roll back; or undo "
                     "them by hand and clear its row with 'rokso mark --pending " + row->filename + "'");
    return true;
  }
  return false;
}

nlohmann::ordered_json file_json(const VersionRow& row, const rokso::Migration* migration, bool rolled_back) {
  const bool failed = is_failed(row);
  return {
      {"id", row.id},
      {"identity", row.filename},
      {"revision", row.version},
      {"executed_at", row.executed_at_iso},
      {"rollback_sql",
       migration && !failed ? nlohmann::ordered_json(migration->rollback_sql) : nlohmann::ordered_json(nullptr)},
      {"rolled_back", rolled_back},
      {"status", row.status},
      {"action", failed ? "clear" : "roll_back"},
  };
}

// The JSON document: every chosen file, the first `done` of them rolled back.
void print_json(bool dry_run, const std::string& outcome, const std::vector<const VersionRow*>& chosen,
                const std::vector<rokso::Migration>& migrations, std::size_t done, const std::string& error = "") {
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    files.push_back(file_json(*chosen[i], i < migrations.size() ? &migrations[i] : nullptr, i < done));
  }
  nlohmann::ordered_json doc = {
      {"dry_run", dry_run},
      {"outcome", outcome},
      {"files", files},
  };
  if (!error.empty()) doc["error"] = error;
  rokso::print_json_document("rollback", doc);
}

// The confirmation: the files whose rollback SQL runs, then the failed ones whose rows
// are only cleared, each list newest first.
std::string plan_text(const std::vector<const VersionRow*>& chosen, const std::string& heading) {
  std::vector<const VersionRow*> undone, cleared;
  for (const VersionRow* row : chosen) (is_failed(*row) ? cleared : undone).push_back(row);
  std::string text;
  if (!undone.empty()) text += heading + "\n" + rokso::render_history(undone);
  if (!cleared.empty()) {
    if (!text.empty()) text += "\n";
    text += "Failed migrations whose rows will be cleared (they changed nothing, so no rollback SQL runs):\n" +
            rokso::render_history(cleared);
  }
  return text;
}

void print_dry_run(const std::vector<const VersionRow*>& chosen, const std::vector<rokso::Migration>& migrations) {
  std::string text = plan_text(chosen, "Following files would be rolled back (dry run):");
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    if (is_failed(*chosen[i])) continue;
    const std::string& sql = migrations[i].rollback_sql;
    text += "\n-- " + std::to_string(i + 1) + ". rollback SQL of " + rokso::escape_for_display(chosen[i]->filename) + "\n";
    text += sql.empty() ? "(empty: rolling back only removes its row)\n" : sql;
    if (text.back() != '\n') text += '\n';
  }
  text += "\nDry run: nothing was rolled back.";
  rokso::out::line(text);
}

int rollback(rokso::Session& session) {
  const bool json = session.json();
  const bool dry_run = session.has("dry-run");
  const int selectors =
      static_cast<int>(session.has("version")) + static_cast<int>(session.has("steps")) + static_cast<int>(session.has("to-date"));
  if (selectors > 1) throw rokso::usage_error("--version, --steps and --to-date are mutually exclusive");
  if (session.has("steps") && session.get<int>("steps") < 1) throw rokso::usage_error("--steps must be at least 1");
  if (json && !dry_run && !session.has("yes")) {
    throw rokso::usage_error("--format json asks no question: add --yes (or --dry-run)");
  }
  rokso::Database& db = session.database();
  const std::string cutoff = session.has("to-date") ? checked_timestamp(db, session.get<std::string>("to-date")) : "";
  rokso::VersionTable& table = session.version_table();
  // A dry run only reads: no session settings, no lock, no ensure().
  const rokso::MigrationSettings settings = session.migration_settings();
  if (!dry_run) session.lock_for_migrations();
  const std::vector<VersionRow> rows = table.read();

  const std::vector<const VersionRow*> chosen = targets(session, rows, cutoff);
  if (chosen.empty()) {
    if (json) {
      print_json(dry_run, "nothing_to_roll_back", chosen, {}, 0);
    } else {
      rokso::out::line("Nothing to rollback.");
    }
    return rokso::kExitOk;
  }
  if (refuse_partly_applied(session, chosen)) return rokso::kExitFailed;
  // Every rollback is read before the question, so a missing or broken file stops us
  // before anything is undone. A failed row needs no file: nothing of it runs.
  rokso::MigrationTree& tree = session.tree();
  std::vector<rokso::Migration> migrations;
  for (const VersionRow* row : chosen) {
    if (is_failed(*row)) {
      migrations.emplace_back();
      continue;
    }
    const rokso::MigrationFile* file = tree.find(row->filename);
    if (!file) {
      throw rokso::failure("cannot roll back '" + row->filename + "': the file is no longer under migration/");
    }
    migrations.push_back(tree.read(*file));
    rokso::refuse_transaction_control(row->filename, "rollback SQL", migrations.back().rollback_sql,
                                      rokso::rollback_runs_in_transaction(migrations.back()));
    // roksopsql failed on a file that defines no rollback; removing only its row would
    // pretend the migration was undone.
    if (row->status == "complete" && rokso::defines_no_rollback(migrations.back())) {
      std::string why;
      for (const std::string& note : migrations.back().notes) {
        if (note.rfind(rokso::kNoRollbackNote, 0) == 0) why = note.substr(sizeof rokso::kNoRollbackNote - 1);
      }
      throw rokso::failure("cannot roll back '" + row->filename + "': its file defines no rollback (" + why +
                           "); nothing was rolled back: add its rollback SQL to the file, or keep the migration "
                           "and forget its row with 'rokso mark --pending " + row->filename + "'");
    }
    // Its rollback SQL may not be what was applied with it: say so before it runs.
    const rokso::Migration& m = migrations.back();
    if (!row->checksum.empty() && row->checksum != rokso::migration_checksum(m.apply_sql, m.rollback_sql)) {
      rokso::out::warning("'" + rokso::escape_for_display(row->filename) +
                          "' was modified since it was applied: its current rollback SQL is what runs");
    }
  }

  if (dry_run) {
    if (json) {
      print_json(true, "would_roll_back", chosen, migrations, 0);
    } else {
      print_dry_run(chosen, migrations);
    }
    return rokso::kExitOk;
  }
  if (!json) rokso::out::line(plan_text(chosen, "Following files will be rolledback:"));
  if (!session.confirmed("Please confirm to proceed(y/yes)")) return rokso::kExitOk;
  rokso::MigrationRunner runner(db, table, settings.lock_retries);
  rokso::RunProgress progress(json ? 0 : chosen.size());
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    const bool clear = is_failed(*chosen[i]);
    if (!json) {
      const std::string shown = rokso::escape_for_display(chosen[i]->filename);
      rokso::out::line(clear ? "\n🧹 Clearing the row of failed file::  " + shown
                             : "\n🔄 Rolling back file::  " + shown);
    }
    progress.start(i, chosen[i]->filename);
    try {
      // A failed row's Migration is empty: only its row is deleted.
      runner.roll_back(chosen[i]->id, migrations[i]);
    } catch (const rokso::MigrationFailed& e) {
      const std::string message = "rolling back '" + chosen[i]->filename + "' failed; it is still " +
                                  (clear ? "recorded as failed" : "applied");
      if (json) {
        print_json(false, "failed", chosen, migrations, i, rokso::one_line(e.what()));
        rokso::out::error(message + ": " + rokso::one_line(e.what()));
      } else {
        rokso::out::error(message);
        std::fprintf(stderr, "%s\n", e.what());
      }
      return rokso::kExitFailed;
    }
  }
  if (json) {
    print_json(false, "rolled_back", chosen, migrations, chosen.size());
  } else {
    rokso::out::line("✅ Rollback complete.");
  }
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "rollback";
  command.synopsis =
      "[--version <revision> | --steps <n> | --to-date <timestamp>] [--dry-run] [--yes] [--format text|json]";
  command.options.add_options()
      ("version", rokso::po::value<std::string>()->value_name("<revision>"),
       "roll back every migration applied after this revision")
      ("steps", rokso::po::value<int>()->value_name("<n>"),
       "roll back the last <n> applied migrations (by id), newest first")
      ("to-date", rokso::po::value<std::string>()->value_name("<timestamp>"),
       "roll back every migration applied after this timestamp (e.g. '2024-05-01 12:00')")
      ("dry-run", "show what would be rolled back, with its SQL, and change nothing");
  command.run = rollback;
  return rokso::run_command(argc, argv, command);
}
