// rokso rollback: undoes the latest revision (or every revision after --version <rev>),
// newest first; each file's rollback SQL commits together with the deletion of its row.
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/history_table.hpp"
#include "core/migration_lock.hpp"
#include "core/migration_runner.hpp"
#include "core/output.hpp"
#include "core/prompt.hpp"
#include "core/revision_id.hpp"

#include <algorithm>
#include <cctype>

namespace {

using rokso::VersionRow;

// The rows to roll back, newest first. Rows with status `error` are never rolled back:
// nothing of theirs was applied.
std::vector<const VersionRow*> targets(rokso::Session& session, const std::vector<VersionRow>& rows) {
  std::vector<const VersionRow*> chosen;
  if (session.has("version")) {
    const std::string revision = session.get<std::string>("version");
    long long last_id_of_revision = -1;
    for (const auto& row : rows) {
      if (row.version == revision) last_id_of_revision = std::max(last_id_of_revision, row.id);
    }
    if (!rokso::is_revision_id(revision) || last_id_of_revision < 0) {
      throw rokso::usage_error("unknown revision '" + revision + "' (see 'rokso status')");
    }
    // After the revision means after its last row by id, not by time.
    for (const auto& row : rows) {
      if (row.id > last_id_of_revision && row.status == rokso::kStatusComplete) chosen.push_back(&row);
    }
  } else {
    const VersionRow* latest = nullptr;
    for (const auto& row : rows) {
      if (row.status == rokso::kStatusComplete) latest = &row;
    }
    if (!latest) return chosen;
    for (const auto& row : rows) {
      if (row.version == latest->version && row.status == rokso::kStatusComplete) chosen.push_back(&row);
    }
  }
  std::reverse(chosen.begin(), chosen.end());
  return chosen;
}

int rollback(rokso::Session& session) {
  rokso::Database& db = session.database();
  const rokso::MigrationSettings settings = session.migration_settings();
  db.prepare_for_migrations(settings);
  rokso::VersionTable& table = session.version_table();
  rokso::MigrationLock lock(db, table.sql_name(), session.lock_wait_timeout());
  const std::vector<VersionRow> rows = table.read();

  const std::vector<const VersionRow*> chosen = targets(session, rows);
  if (chosen.empty()) {
    rokso::out::line("Nothing to rollback.");
    return rokso::kExitOk;
  }
  // Every rollback is read before the question, so a missing or broken file stops us
  // before anything is undone.
  rokso::MigrationTree& tree = session.tree();
  std::vector<rokso::Migration> migrations;
  for (const VersionRow* row : chosen) {
    const rokso::MigrationFile* file = tree.find(row->filename);
    if (!file) {
      throw rokso::failure("cannot roll back '" + row->filename + "': the file is no longer under migration/");
    }
    migrations.push_back(tree.read(*file));
  }

  rokso::out::line("Following files will be rolledback:\n" + rokso::render_history(chosen));
  if (!session.has("yes")) {
    std::string answer = rokso::ask("Please confirm to proceed(y/yes)");
    std::transform(answer.begin(), answer.end(), answer.begin(), [](unsigned char c) { return std::tolower(c); });
    if (answer != "y" && answer != "yes") {
      rokso::out::line("No operation performed.");
      return rokso::kExitOk;
    }
  }
  rokso::MigrationRunner runner(db, table, settings.lock_retries);
  for (std::size_t i = 0; i < chosen.size(); ++i) {
    rokso::out::line("\n🔄 Rolling back file::  " + chosen[i]->filename);
    try {
      runner.roll_back(chosen[i]->id, migrations[i]);
    } catch (const rokso::MigrationFailed& e) {
      rokso::out::error("rolling back '" + chosen[i]->filename + "' failed; it is still applied");
      std::fprintf(stderr, "%s\n", e.what());
      return rokso::kExitFailed;
    }
  }
  rokso::out::line("✅ Rollback complete.");
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "rollback";
  command.synopsis = "[--version <revision>] [--yes]";
  command.options.add_options()
      ("version", rokso::po::value<std::string>()->value_name("<revision>"),
       "roll back every migration applied after this revision")
      ("yes,y", "do not ask for confirmation")
      ("lock-wait", rokso::po::value<double>()->value_name("<seconds>"),
       "how long to wait for another rokso migrate/rollback (default 300)")
      ("lock-timeout", rokso::po::value<std::string>()->value_name("<duration>"),
       "PostgreSQL lock_timeout for each statement, e.g. 5s (default 5s)")
      ("lock-retries", rokso::po::value<int>()->value_name("<n>"),
       "retries, with backoff, of a migration that hit the lock timeout (default 3)")
      ("statement-timeout", rokso::po::value<std::string>()->value_name("<duration>"),
       "PostgreSQL statement_timeout for each statement (default: the server's)");
  command.run = rollback;
  return rokso::run_command(argc, argv, command);
}
