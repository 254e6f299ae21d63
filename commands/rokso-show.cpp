// rokso show <identity>: a migration exactly as rokso reads it — apply and rollback SQL,
// format, transaction mode, requirements, notes — so a user sees what will run.
// Reads files only; needs no database. Its checksum is the one `migrate` records and
// `status` compares with (core/checksum.hpp).
#include "core/checksum.hpp"
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/text_util.hpp"

namespace {

// Bump when the JSON shape changes incompatibly (README: "rokso show --format json").
constexpr int kShowJsonVersion = 1;

std::string text_view(const rokso::MigrationFile& file, const std::string& path, const rokso::Migration& m) {
  std::string requires_list;
  for (const auto& r : m.requires_identities) requires_list += (requires_list.empty() ? "" : ", ") + r;
  std::string text = "identity:     " + rokso::escape_for_display(file.identity) + "\n" +
                     "file:         " + rokso::escape_for_display(path) + "\n" +
                     "format:       " + file.format->name() + "\n" +
                     "transaction:  " +
                     (m.transactional ? "yes (applied atomically with its version-table row)"
                                      : "no (runs statement by statement outside a transaction)") +
                     "\n" + "requires:     " + (requires_list.empty() ? "(nothing)" : requires_list) + "\n" +
                     "checksum:     " + rokso::migration_checksum(m.apply_sql, m.rollback_sql) + " (" +
                     rokso::kChecksumAlgorithm + ")\n";
  if (!m.description.empty()) text += "description:  " + m.description + "\n";
  for (const auto& note : m.notes) text += "note:         " + note + "\n";
  text += "\n-- apply SQL\n" + m.apply_sql;
  if (!m.apply_sql.empty() && m.apply_sql.back() != '\n') text += "\n";
  text += "\n-- rollback SQL\n" + (m.rollback_sql.empty() ? "(empty: rolling back only removes its row)\n" : m.rollback_sql);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

rokso::Json json_view(const rokso::MigrationFile& file, const std::string& path, const rokso::Migration& m) {
  return {
      {"rokso_show_version", kShowJsonVersion},
      {"identity", file.identity},
      {"file", path},
      {"format", file.format->name()},
      {"transactional", m.transactional},
      {"requires", m.requires_identities},
      {"description", m.description},
      {"notes", m.notes},
      {"apply_sql", m.apply_sql},
      {"rollback_sql", m.rollback_sql},
      {"checksum", rokso::migration_checksum(m.apply_sql, m.rollback_sql)},
      {"checksum_algorithm", rokso::kChecksumAlgorithm},
  };
}

int show(rokso::Session& session) {
  if (!session.has("identity")) throw rokso::usage_error("name the migration to show: rokso show <identity>");
  const std::string named = session.get<std::string>("identity");
  const rokso::MigrationTree& tree = session.tree();
  const rokso::MigrationFile* file = tree.resolve(named);
  if (!file) throw rokso::usage_error("unknown migration '" + named + "' (no such file under migration/)");
  const rokso::Migration migration = tree.read(*file);
  const std::string path = tree.path_of(*file);
  if (session.json()) {
    rokso::print_json_as_is(json_view(*file, path, migration));
  } else {
    rokso::out::line(text_view(*file, path, migration));
  }
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "show";
  command.synopsis = "<identity> [--format text|json]";
  command.options.add_options()
      ("identity", rokso::po::value<std::string>()->value_name("<identity>"),
       "the migration: its path relative to migration/, or a path to its file");
  command.positional.add("identity", 1);
  command.run = show;
  return rokso::run_command(argc, argv, command);
}
