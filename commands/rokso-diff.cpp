// rokso diff: what changed in the project's database outside migrations - the tree
// replayed on a throwaway database, compared with the live one (core/schema_drift.hpp),
// each difference with its DDL. --write <name> makes it a new migration.
#include "core/atomic_file.hpp"
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/project_plugins.hpp"
#include "core/schema_ddl.hpp"
#include "core/schema_drift.hpp"
#include "core/text_util.hpp"

#include <cctype>
#include <ctime>

namespace fs = std::filesystem;

namespace {

using json = rokso::Json;

std::string wording(rokso::SchemaChange::Type type) {
  switch (type) {
    case rokso::SchemaChange::Type::added: return "added outside migrations";
    case rokso::SchemaChange::Type::removed: return "removed outside migrations";
    case rokso::SchemaChange::Type::changed: return "changed outside migrations";
  }
  return "";
}

// The DDL that made the database as it is, for one difference.
std::string ddl_of(const rokso::SchemaChange& c) {
  if (c.type == rokso::SchemaChange::Type::removed) return rokso::drop_ddl(c.before);
  return rokso::create_ddl(c.after);
}

// --write: a migration in the project's default format under migration/drift/.
fs::path write_migration(rokso::Session& session, const std::string& name, const rokso::SchemaDrift& drift) {
  for (unsigned char ch : name) {
    if (!(std::isalnum(ch) || ch == '_' || ch == '-')) {
      throw rokso::usage_error("the migration name '" + name + "' may only hold letters, digits, '_' and '-'");
    }
  }
  if (name.empty()) throw rokso::usage_error("--write needs a migration name");
  rokso::Project& project = session.project();
  const rokso::FormatPlugin* format = session.plugins().format(project.config.default_format);
  if (!format) throw rokso::usage_error("unknown migration format '" + project.config.default_format + "' (config.json)");
  std::vector<rokso::SchemaChange> reverse;
  for (const rokso::SchemaChange& c : drift.changes) {
    using T = rokso::SchemaChange::Type;
    reverse.push_back({c.type == T::added ? T::removed : c.type == T::removed ? T::added : T::changed, c.after, c.before});
  }
  rokso::Migration migration;
  migration.apply_sql = "-- made by 'rokso diff --write': the database's schema outside migrations\n" +
                        rokso::ddl_script(drift.changes);
  migration.rollback_sql = rokso::ddl_script(reverse);
  std::time_t now = std::time(nullptr);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y_%m_%d__%H_%M_%S", std::gmtime(&now));
  const fs::path dir = project.migration_dir() / "drift";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw rokso::failure("cannot create '" + dir.string() + "': " + ec.message());
  const std::vector<rokso::RenderedFile> files = format->render(std::string(stamp) + "_" + name, migration);
  for (const rokso::RenderedFile& file : files) {
    rokso::write_file_atomically((dir / file.file_name).string(), file.content, 0666, rokso::Overwrite::never);
  }
  return dir / files.front().file_name;
}

int diff(rokso::Session& session) {
  const bool as_json = session.json();
  rokso::MigrationTree& tree = session.tree();
  if (!tree.unknown_files().empty()) {
    throw rokso::failure(rokso::unknown_files_problem(tree.unknown_files(), session.plugins()));
  }
  const std::optional<std::string> dev_url =
      session.has("dev-url") ? std::optional<std::string>(session.get<std::string>("dev-url")) : std::nullopt;
  const rokso::SchemaDrift drift =
      rokso::find_schema_drift(tree, session.project(), session.migration_settings(), session.database(), dev_url);

  fs::path written;
  if (session.has("write") && !drift.changes.empty()) {
    written = write_migration(session, session.get<std::string>("write"), drift);
  }
  if (as_json) {
    json changes = json::array();
    for (const rokso::SchemaChange& c : drift.changes) {
      changes.push_back({{"change", rokso::change_name(c.type)},
                         {"kind", c.object().kind},
                         {"object", c.object().name},
                         {"ddl", ddl_of(c)},
                         {"in_tree", c.type == rokso::SchemaChange::Type::added ? json(nullptr) : json(c.before.definition)},
                         {"in_database", c.type == rokso::SchemaChange::Type::removed ? json(nullptr) : json(c.after.definition)}});
    }
    session.print_json({{"drift", !drift.changes.empty()},
                        {"schemas", drift.schemas},
                        {"changes", changes},
                        {"written", written.empty() ? json(nullptr) : json(written.string())}});
  } else if (drift.changes.empty()) {
    rokso::out::line("No drift: the database's schema is what the migrations make");
  } else {
    const auto groups = rokso::group_by_table(drift.changes);
    rokso::out::line(std::to_string(groups.size()) + " difference(s) between the migrations and the database:");
    for (const auto& group : groups) {
      const rokso::SchemaChange& c = *group.front();
      rokso::out::line("\n" + std::string(c.type == rokso::SchemaChange::Type::added ? "+ " :
                                          c.type == rokso::SchemaChange::Type::removed ? "- " : "~ ") +
                       c.object().kind + " " + c.object().name + " (" + wording(c.type) + ")");
      if (c.type == rokso::SchemaChange::Type::changed) {
        rokso::out::line("  migrations make: " + rokso::create_ddl(c.before));
        rokso::out::line("  database has:    " + rokso::create_ddl(c.after));
      } else if (c.type == rokso::SchemaChange::Type::added) {
        for (const rokso::SchemaChange* part : group) rokso::out::line("  " + ddl_of(*part));
      } else {
        rokso::out::line("  " + ddl_of(c));
      }
    }
    if (!written.empty()) rokso::out::line("\n[*] migration written: " + written.string());
  }
  if (session.has("write") && drift.changes.empty() && !as_json) rokso::out::line("nothing to write");
  return !drift.changes.empty() && session.has("exit-code") ? rokso::kExitFailed : rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "diff";
  command.synopsis = "[--exit-code] [--write <name>] [--dev-url <url>] [--format text|json]";
  command.options.add_options()
      ("exit-code", "exit 1 when the database has drifted")
      ("write", rokso::po::value<std::string>()->value_name("<name>"),
       "write the drift as a new migration under migration/drift/ (apply: to the database's schema; rollback: back)")
      ("dev-url", rokso::po::value<std::string>()->value_name("<url>"),
       "replay the tree on this server instead of the project's dev server");
  command.run = diff;
  return rokso::run_command(argc, argv, command);
}
