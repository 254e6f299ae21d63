// rokso init: sets up a project — config.json (mode 0600), migration/, and the version
// table — asking roksopsql's questions unless flags, MIG_* or roksopsql's PG_MIG_*
// variables answer them. libpq's PGHOST, PGPORT, PGDATABASE and PGUSER, when set, are
// the questions' defaults (an Enter takes them), as psql users expect; they answer
// nothing by themselves, so roksopsql's scripts behave as they did.
// The database is checked before anything is written, so a wrong host, port, password
// or database leaves no half-made project behind.
#include "core/command.hpp"
#include "core/connection_settings.hpp"
#include "core/dev_server.hpp"
#include "core/error.hpp"
#include "core/migration_lock.hpp"
#include "core/output.hpp"
#include "core/prompt.hpp"

#include <cstdlib>
#include <filesystem>

namespace fs = std::filesystem;

namespace {

// Each answer's flag and environment variables, in order of precedence: the flag,
// rokso's MIG_* variable, then roksopsql's PG_MIG_* one (so scripts written for
// roksopsql run unchanged, and a MIG_* set on purpose wins over an old PG_MIG_*).
struct Source {
  const char* flag;
  const char* env;
  const char* roksopsql_env;
};

constexpr Source kProjectPath{"projectpath", "MIG_PROJECT_PATH", "PG_MIG_DB_PROJECT_PATH"};
constexpr Source kHost{"dbhost", "MIG_DB_HOST", "PG_MIG_DB_HOST"};
constexpr Source kPort{"dbport", "MIG_DB_PORT", "PG_MIG_DB_PORT_NUMBER"};
constexpr Source kName{"dbname", "MIG_DB_NAME", "PG_MIG_DB_NAME"};
constexpr Source kUser{"dbusername", "MIG_DB_USER", "PG_MIG_DB_USER"};
constexpr Source kPassword{"dbpassword", "MIG_DB_PASSWORD", "PG_MIG_DB_PASSWORD"};
constexpr Source kSchema{"dbschema", "MIG_DB_SCHEMA", "PG_MIG_DB_SCHEMA_NAME"};

// A value from its flag, else its environment variables, else the user's answer.
std::string answer(rokso::Session& session, const Source& source, const std::string& question,
                   const std::string& default_value = "", bool secret = false) {
  if (session.has(source.flag)) return session.get<std::string>(source.flag);
  if (const char* value = std::getenv(source.env)) return value;
  if (const char* value = std::getenv(source.roksopsql_env)) return value;
  return secret ? rokso::ask_secret(question) : rokso::ask(question, default_value);
}

// libpq's variable `env` when it is set (and not empty), else `fallback`: a question's default.
std::string libpq_default(const char* env, const std::string& fallback = "") {
  const char* value = std::getenv(env);
  return value && *value ? value : fallback;
}

std::optional<std::string> unless_empty(const std::string& s) {
  if (s.empty()) return std::nullopt;
  return s;
}

// Makes sure the version table exists (safe to run again; never races another rokso).
void prepare_version_table(rokso::Database& db, const rokso::Config& config) {
  rokso::VersionTable table(db, config.database.schema, config.version_table);
  rokso::MigrationLock lock(db, table.identity(), config.lock_wait_timeout_s);
  bool exists = false;
  table.read(&exists);
  if (!exists || !table.is_current()) table.ensure();
  rokso::out::line("[*] Version table " + table.display_name() + " is ready");
}

void show_server(rokso::Database& db) {
  const rokso::Database::Endpoint server = db.endpoint();
  rokso::out::line("PostgreSQL server information");
  rokso::out::line("{'user': '" + server.user + "', 'dbname': '" + server.dbname + "', 'host': '" + server.host +
                   "', 'port': '" + server.port + "'}");
  rokso::out::line("\nYou are connected to -  " + db.server_version() + "\n");
}

// --dev: the project's database is its own dev server (rokso dev), started here.
int init_on_dev_server(rokso::Session& session, const fs::path& root, rokso::Config& config) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) throw rokso::failure("cannot create '" + root.string() + "': " + ec.message());
  rokso::DevServer server(root);
  server.start();
  const std::string schema = session.has(kSchema.flag) ? session.get<std::string>(kSchema.flag) : "public";
  config.database = server.settings();
  config.database.schema = schema;
  rokso::out::line("working directory::  " + root.string());
  rokso::out::line("[*] Dev server running: " + server.url());
  rokso::Database db(config.database);
  if (schema != "public") db.create_schema_if_missing(schema);
  prepare_version_table(db, config);
  fs::create_directories(root / "migration", ec);
  if (ec) throw rokso::failure("cannot create '" + (root / "migration").string() + "': " + ec.message());
  rokso::save_config(root / "config.json", config);
  rokso::out::line("[*] Config file has been created");
  return rokso::kExitOk;
}

int init(rokso::Session& session) {
  const std::string project_path =
      answer(session, kProjectPath, "Enter path to setup project", ".");
  std::error_code ec;
  fs::path root = fs::absolute(project_path, ec).lexically_normal();
  if (!root.has_filename() && root.has_parent_path() && root != root.root_path()) root = root.parent_path();
  if (ec) throw rokso::usage_error("bad project path '" + project_path + "': " + ec.message());
  const fs::path config_file = root / "config.json";
  std::optional<std::string> cli_url;
  if (session.has("url")) cli_url = session.get<std::string>("url");

  if (fs::exists(config_file, ec)) {
    rokso::out::line("working directory::  " + root.string());
    rokso::out::line("[*] Config file already exists at " + config_file.string() + "; it is left untouched");
    rokso::Config config = rokso::load_config(config_file);
    rokso::Database db(rokso::effective_database_settings(config.database, cli_url));
    show_server(db);
    prepare_version_table(db, config);
    fs::create_directories(root / "migration", ec);
    return rokso::kExitOk;
  }

  rokso::Config config;
  rokso::DatabaseSettings& s = config.database;
  if (session.has("dev")) return init_on_dev_server(session, root, config);
  // With a URL (--url, ROKSO_DATABASE_URL, DATABASE_URL) the connection is the URL's:
  // nothing about it is asked, and config.json keeps none of it (the URL may hold a
  // password, and the environment gives it to every later command anyway).
  const auto url = rokso::connection_url(cli_url);
  if (url) {
    rokso::out::line("[*] Connecting through " + url->first + " (" + rokso::mask_url(url->second) +
                     "); config.json will hold no connection settings");
  } else {
    s.host = unless_empty(answer(session, kHost, "Enter database hostname", libpq_default("PGHOST")));
    const std::string default_port = libpq_default("PGPORT", "5432");
    const std::string port =
        answer(session, kPort, "Enter database port [Default:" + default_port + "]", default_port);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
        std::stoi(port) < 1 || std::stoi(port) > 65535) {
      throw rokso::usage_error("invalid port '" + port + "': expected a number from 1 to 65535");
    }
    s.port = port;
    s.dbname = unless_empty(answer(session, kName, "Enter database name", libpq_default("PGDATABASE")));
    s.user = unless_empty(answer(session, kUser, "Enter database username", libpq_default("PGUSER")));
    s.password = unless_empty(answer(session, kPassword, "Enter database password", "", true));
  }
  s.schema = answer(session, kSchema, "Enter a schema name [Default:public]", "public");
  if (s.schema.empty()) throw rokso::usage_error("the schema name must not be empty");
  if (s.schema.size() > 63) {
    throw rokso::usage_error("the schema name '" + s.schema + "' is longer than PostgreSQL's 63-byte identifier limit");
  }

  rokso::out::line("working directory::  " + root.string());
  rokso::out::line("[*] Checking state of config file in CWD");
  // The database first: nothing is written unless it answers and takes the table.
  rokso::Database db(rokso::effective_database_settings(s, cli_url));
  show_server(db);
  prepare_version_table(db, config);

  rokso::out::line("[#] Generating required dir(s) if not exist");
  fs::create_directories(root / "migration", ec);
  if (ec) throw rokso::failure("cannot create '" + (root / "migration").string() + "': " + ec.message());
  rokso::save_config(config_file, config);
  rokso::out::line("[*] Config file has been created");
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "init";
  command.synopsis = "[--projectpath <dir>] [--dbhost <host>] [--dbport <port>] [--dbname <name>] "
                     "[--dbusername <user>] [--dbpassword <password>] [--dbschema <schema>] [--dev]";
  auto text = [] { return rokso::po::value<std::string>(); };
  command.options.add_options()
      ("projectpath", text()->value_name("<dir>"), "where to set up the project ($MIG_PROJECT_PATH, $PG_MIG_DB_PROJECT_PATH)")
      ("dbhost", text()->value_name("<host>"), "database host or socket directory ($MIG_DB_HOST, $PG_MIG_DB_HOST)")
      ("dbport", text()->value_name("<port>"), "database port, default 5432 ($MIG_DB_PORT, $PG_MIG_DB_PORT_NUMBER)")
      ("dbname", text()->value_name("<name>"), "database name ($MIG_DB_NAME, $PG_MIG_DB_NAME)")
      ("dbusername", text()->value_name("<user>"), "database user ($MIG_DB_USER, $PG_MIG_DB_USER)")
      ("dbpassword", text()->value_name("<password>"),
       "database password ($MIG_DB_PASSWORD, $PG_MIG_DB_PASSWORD); empty to use ~/.pgpass or PGPASSWORD")
      ("dev", "use the project's own dev server (see 'rokso dev'), started now, as its database")
      ("dbschema", text()->value_name("<schema>"), "schema of the version table, default public ($MIG_DB_SCHEMA, $PG_MIG_DB_SCHEMA_NAME)");
  command.run = init;
  return rokso::run_command(argc, argv, command);
}
