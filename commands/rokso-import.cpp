// rokso import: moves a project from golang-migrate, dbmate, goose or Flyway to rokso in
// one command. It reads the other tool's tree as that tool reads it (core/import_*.cpp),
// writes each migration into one object directory with names that keep the tool's order
// (core/import_layout.hpp), SQL byte for byte, and with --adopt records what the tool's
// history table says it applied as applied in rokso's version table, in one transaction,
// leaving that table untouched.
//
// Files and rows go together: the files are written first and removed again if recording
// fails. Nothing is ever overwritten.
#include "core/checksum.hpp"
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/import_history.hpp"
#include "core/import_layout.hpp"
#include "core/import_tree.hpp"
#include "core/new_files.hpp"
#include "core/output.hpp"
#include "core/revision_id.hpp"
#include "core/text_table.hpp"

#include <rokso/utf8.hpp>

#include <cctype>
#include <optional>

namespace {

namespace fs = std::filesystem;

// A schema or object directory name: one path component, no control characters.
std::string checked_component(const std::string& what, const std::string& name) {
  if (name.empty()) throw rokso::usage_error(what + " must not be empty");
  if (!rokso::valid_utf8(name)) throw rokso::usage_error(what + " '" + name + "' is not valid UTF-8");
  if (name.size() > 63) throw rokso::usage_error(what + " '" + name + "' is longer than PostgreSQL's 63-byte identifier limit");
  if (name[0] == '.' || name.find('/') != std::string::npos || name.find('\\') != std::string::npos) {
    throw rokso::usage_error(what + " '" + name + "' cannot be a directory name (no '/', '\\' or leading '.')");
  }
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) throw rokso::usage_error(what + " contains a control character");
  }
  return name;
}

// --type: a letter from `rokso create`'s menu, a kind's name or its directory.
const rokso::ObjectKindPlugin& chosen_kind(rokso::PluginRegistry& plugins, const std::string& type) {
  const rokso::ObjectKindPlugin* kind =
      type.size() == 1 ? plugins.object_kind_by_letter(static_cast<char>(std::toupper(static_cast<unsigned char>(type[0]))))
                       : nullptr;
  for (const rokso::ObjectKindPlugin* k : plugins.object_kinds()) {
    if (!kind && (k->name() == type || k->directory() == type)) kind = k;
  }
  if (!kind) throw rokso::usage_error("unknown kind '" + type + "' (a letter T, V, M, F, D, or a kind from 'rokso plugins')");
  return *kind;
}

std::string joined(const std::vector<std::string>& items) {
  std::string s;
  for (const std::string& item : items) s += (s.empty() ? "" : ", ") + item;
  return s;
}

int import_tree(rokso::Session& session) {
  if (!session.has("from")) throw rokso::usage_error("say which tool the tree is for: --from golang-migrate|dbmate|goose|flyway");
  rokso::ImportTool tool;
  const std::string tool_name = session.get<std::string>("from");
  if (!rokso::parse_import_tool(tool_name, &tool)) {
    throw rokso::usage_error("unknown tool '" + tool_name + "' (rokso imports golang-migrate, dbmate, goose and flyway)");
  }
  if (!session.has("dir")) throw rokso::usage_error("name the directory holding the " + tool_name + " migrations");
  const fs::path source = session.get<std::string>("dir");
  const bool adopt = session.has("adopt"), dry_run = session.has("dry-run");

  rokso::Project& project = session.project();
  rokso::PluginRegistry& plugins = session.plugins();
  const std::string format_name = session.has("format") ? session.get<std::string>("format") : "sql";
  const rokso::FormatPlugin* format = plugins.format(format_name);
  if (!format) throw rokso::usage_error("unknown migration format '" + format_name + "' (see 'rokso plugins')");
  const std::string schema =
      checked_component("the schema name", session.has("schema") ? session.get<std::string>("schema") : "public");
  const rokso::ObjectKindPlugin& kind = chosen_kind(plugins, session.has("type") ? session.get<std::string>("type") : "T");
  const std::string object =
      checked_component("the object name", session.has("object") ? session.get<std::string>("object") : tool_name);
  const std::string directory = schema + "/" + kind.directory() + "/" + object;

  const rokso::ImportTree tree = rokso::read_import_tree(tool, source);
  for (const rokso::FileNote& skipped : tree.skipped) {
    rokso::out::warning("not imported: '" + skipped.file + "': " + skipped.text);
  }
  for (const rokso::FileNote& note : tree.warnings) rokso::out::warning("'" + note.file + "': " + note.text);
  if (tree.migrations.empty()) {
    rokso::out::line("No " + tool_name + " migration found in '" + source.string() + "': nothing to import.");
    return rokso::kExitOk;
  }

  // What each migration becomes: its files, as the format writes them.
  const std::vector<rokso::RenderedFile> probe = format->render("x", rokso::Migration{});
  const std::string suffix = probe.empty() ? "" : probe.front().file_name.substr(1);
  const std::vector<std::string> stems = rokso::import_stems(tree, suffix);
  const std::string root = project.migration_dir().string();
  std::vector<std::string> identities;
  rokso::NewFiles written;
  for (std::size_t i = 0; i < tree.migrations.size(); ++i) {
    const rokso::ImportedMigration& imported = tree.migrations[i];
    rokso::Migration m;
    m.apply_sql = imported.up_sql;
    m.rollback_sql = imported.down_sql;
    m.transactional = imported.transactional;
    std::vector<rokso::RenderedFile> files;
    try {
      files = format->render(stems[i], m);
    } catch (const std::exception& e) {
      throw rokso::failure("cannot import '" + imported.source_files.front() + "': " + e.what());
    }
    identities.push_back(directory + "/" + files.front().file_name);
    for (rokso::RenderedFile& file : files) {
      const fs::path target = fs::path(root) / directory / file.file_name;
      std::error_code ec;
      if (fs::exists(fs::symlink_status(target, ec))) throw rokso::failure("'" + target.string() + "' already exists");
      written.add({root + "/" + directory, std::move(file.file_name), std::move(file.content)});
    }
  }

  // --adopt: what the tool applied, and rokso's own history, read under rokso's lock (a
  // dry run takes no lock: it writes nothing).
  rokso::ToolHistory tool_history;
  rokso::History history;
  const std::string history_table = session.has("history-table") ? session.get<std::string>("history-table")
                                                                  : rokso::default_history_table(tool);
  if (adopt) {
    rokso::Database& db = session.database();
    rokso::VersionTable& table = session.version_table();
    if (!dry_run) session.lock_for_migrations();
    history = table.read_history(0, true);
    for (const std::string& identity : identities) {
      if (history.state_of(identity) != rokso::History::State::absent) {
        throw rokso::failure("'" + identity + "' is already in the version table " + table.display_name());
      }
    }
    tool_history = rokso::read_tool_history(db, tree, history_table);
  }

  rokso::TextTable plan(adopt ? std::vector<std::string>{"version", "file", "from", tool_name}
                              : std::vector<std::string>{"version", "file", "from"});
  std::size_t applied = 0;
  for (std::size_t i = 0; i < tree.migrations.size(); ++i) {
    const rokso::ImportedMigration& m = tree.migrations[i];
    const std::string file = identities[i].substr(directory.size() + 1);
    const std::string from = joined(m.source_files) + (m.wrapped_without_transaction
                                                            ? " (its BEGIN ... COMMIT: in rokso's transaction)"
                                                            : m.transactional ? "" : " (no transaction)");
    if (adopt) {
      applied += tool_history.applied[i] ? 1 : 0;
      plan.add_row({m.version.text, file, from, tool_history.applied[i] ? "applied" : "pending"});
    } else {
      plan.add_row({m.version.text, file, from});
    }
  }
  for (const std::string& version : tool_history.unknown) {
    rokso::out::warning(tool_history.table + " records version " + version +
                        " as applied, which has no file in the tree: nothing to adopt for it");
  }
  rokso::out::line(std::string(dry_run ? "Would import " : "Importing ") + std::to_string(tree.migrations.size()) +
                   " " + tool_name + " migration(s) from '" + source.string() + "' into " + root + "/" + directory +
                   ":\n" + plan.render());
  if (dry_run) {
    if (adopt) {
      rokso::out::line("Would record " + std::to_string(applied) + " of them as applied (" + tool_history.table +
                       "); nothing written (--dry-run).");
    } else {
      rokso::out::line("Nothing written (--dry-run).");
    }
    return rokso::kExitOk;
  }

  written.write(1, [](std::size_t) {});
  if (adopt && applied > 0) {
    // The checksum of each file as the format reads it back: what status and migrate
    // compare with.
    std::vector<std::pair<std::string, std::string>> rows;
    for (std::size_t i = 0; i < tree.migrations.size(); ++i) {
      if (!tool_history.applied[i]) continue;
      const std::string path = root + "/" + identities[i];
      try {
        const rokso::Migration back = format->read(path);
        rows.emplace_back(identities[i], rokso::migration_checksum(back.apply_sql, back.rollback_sql));
      } catch (const std::exception& e) {
        throw rokso::failure("cannot read back '" + path + "': " + e.what());
      }
    }
    rokso::Database& db = session.database();
    rokso::VersionTable& table = session.version_table();
    if (!history.table_exists() || !table.is_current()) table.ensure();
    const std::string revision = rokso::new_revision_id(
        [&history](const std::string& candidate) { return history.revision_taken(candidate); });
    if (!rokso::record_adopted(db, table, tree, history_table, tool_history, rows, revision)) {
      throw rokso::failure(tool_history.table + " changed while importing (is " + tool_name + " running?): try again");
    }
    written.keep();
    rokso::out::line("[*] " + std::to_string(written.size()) + " files written.");
    rokso::out::line("✅ Recorded the " + std::to_string(applied) + " migration(s) " + tool_name + " applied (" +
                     tool_history.table + ", left as it is) as applied; revision# " + revision);
  } else {
    written.keep();
    rokso::out::line("[*] " + std::to_string(written.size()) + " files written.");
    if (adopt) rokso::out::line(tool_history.table + " records none of them as applied: nothing to adopt.");
  }
  const std::size_t pending = tree.migrations.size() - applied;
  if (pending > 0) {
    rokso::out::line(std::to_string(pending) + " migration(s) pending: see 'rokso status', apply with 'rokso migrate'.");
  }
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "import";
  command.synopsis =
      "--from golang-migrate|dbmate|goose|flyway <dir> [--adopt] [--schema <schema>] [--type <kind>] "
      "[--object <name>] [--format <format>] [--history-table <table>] [--dry-run]";
  command.options.add_options()
      ("from", rokso::po::value<std::string>()->value_name("<tool>"),
       "the tool the tree was written for: golang-migrate, dbmate, goose or flyway")
      ("dir", rokso::po::value<std::string>()->value_name("<dir>"), "the directory holding its migrations")
      ("adopt", "record the migrations the tool's history table says it applied as applied in rokso's version table")
      ("schema", rokso::po::value<std::string>()->value_name("<schema>"), "schema directory to import into (default public)")
      ("type", rokso::po::value<std::string>()->value_name("<kind>"),
       "kind directory: T, V, M, F, D or a kind from 'rokso plugins' (default T)")
      ("object", rokso::po::value<std::string>()->value_name("<name>"),
       "object directory holding the imported files (default: the tool's name)")
      ("format", rokso::po::value<std::string>()->value_name("<format>"),
       "format of the files written (default sql: <stem>.apply.sql and <stem>.rollback.sql, SQL byte for byte)")
      ("history-table", rokso::po::value<std::string>()->value_name("<table>"),
       "the tool's history table, if not its default (schema_migrations, goose_db_version, flyway_schema_history)")
      ("dry-run", "show what would be written and adopted; write nothing");
  command.positional.add("dir", 1);
  command.run = import_tree;
  return rokso::run_command(argc, argv, command);
}
