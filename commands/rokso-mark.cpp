// rokso mark: repairs the version table by hand, without running any migration SQL.
//   --applied <identity>  records the file as `complete` under a new revision (adopting
//                         an object that already exists, or a failed migration the user
//                         finished by hand);
//   --pending <identity>  removes its row, complete or failed (how a failed row is
//                         cleared), without running its rollback SQL.
// Like migrate and rollback it holds the migration lock, and it asks first unless --yes.
#include "core/checksum.hpp"
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/history_table.hpp"
#include "core/output.hpp"
#include "core/revision_id.hpp"

#include <algorithm>

namespace {

int mark_applied(rokso::Session& session, const std::string& named) {
  // The file must exist and be readable: a row for a file rokso cannot read could
  // never be rolled back. Checked before we connect.
  const rokso::MigrationTree& tree = session.tree();
  const rokso::MigrationFile* file = tree.resolve(named);
  if (!file) throw rokso::usage_error("unknown migration '" + named + "' (no such file under migration/)");
  const std::string identity = file->identity;
  const rokso::Migration migration = tree.read(*file);

  session.lock_for_migrations();
  rokso::VersionTable& table = session.version_table();
  const rokso::History history = table.read_history(0, true);
  const rokso::History::State state = history.state_of(identity);
  if (state == rokso::History::State::complete) {
    rokso::out::line("'" + identity + "' is already applied.");
    return rokso::kExitOk;
  }
  if (!session.confirmed("Mark '" + identity + "' as applied without running it? (y/yes)")) return rokso::kExitOk;

  if (!history.table_exists() || !table.is_current()) table.ensure();
  const std::string revision = rokso::new_revision_id(
      [&history](const std::string& candidate) { return history.revision_taken(candidate); });
  // A failed row is replaced, so ids keep following the order things were applied in.
  // With its checksum: a file edited after it was marked shows as modified.
  table.record_complete(identity, revision, state == rokso::History::State::failed,
                        rokso::migration_checksum(migration.apply_sql, migration.rollback_sql));
  rokso::out::line("✅ Marked '" + identity + "' as applied without running it; revision# " + revision);
  return rokso::kExitOk;
}

int mark_pending(rokso::Session& session, const std::string& named) {
  // A path to the file works when the file is still there; a row whose file is gone is
  // named by its identity.
  const rokso::MigrationFile* file = session.tree().resolve(named);
  const std::string identity = file ? file->identity : named;

  session.lock_for_migrations();
  rokso::VersionTable& table = session.version_table();
  const std::vector<rokso::VersionRow> rows = table.read();
  auto row = std::find_if(rows.begin(), rows.end(), [&identity](const rokso::VersionRow& r) { return r.filename == identity; });
  if (row == rows.end()) {
    throw rokso::usage_error("'" + identity + "' has no row in " + table.display_name() +
                             " (it is already pending; see 'rokso status')");
  }
  rokso::out::line("This row will be removed (its rollback SQL is not run):\n" + rokso::render_history({&*row}));
  if (!session.confirmed("Mark '" + identity + "' as pending without rolling it back? (y/yes)")) return rokso::kExitOk;
  table.remove(row->id);
  rokso::out::line("✅ Marked '" + identity + "' as pending (its " + row->status + " row at revision " + row->version +
                   " was removed; nothing was rolled back)");
  return rokso::kExitOk;
}

int mark(rokso::Session& session) {
  const bool applied = session.has("applied"), pending = session.has("pending");
  if (applied == pending) {
    throw rokso::usage_error("say which: rokso mark --applied <identity> or rokso mark --pending <identity>");
  }
  const std::string named = session.get<std::string>(applied ? "applied" : "pending");
  if (named.empty()) throw rokso::usage_error("name the migration to mark");
  return applied ? mark_applied(session, named) : mark_pending(session, named);
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "mark";
  command.synopsis = "(--applied | --pending) <identity> [--yes]";
  command.options.add_options()
      ("applied", rokso::po::value<std::string>()->value_name("<identity>"),
       "record this migration as applied without running its SQL (it already exists in the database)")
      ("pending", rokso::po::value<std::string>()->value_name("<identity>"),
       "remove this migration's row (complete or failed) without running its rollback SQL");
  command.run = mark;
  return rokso::run_command(argc, argv, command);
}
