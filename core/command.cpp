#include "core/command.hpp"

#include "core/command_table.hpp"
#include "core/connection_settings.hpp"
#include "core/database_access.hpp"
#include "core/error.hpp"
#include "core/fleet_command.hpp"
#include "core/install_paths.hpp"
#include "core/output.hpp"
#include "core/project_plugins.hpp"
#include "core/prompt.hpp"
#include "core/tenants.hpp"

#include <malloc.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <cstring>
#include <future>
#include <iostream>

namespace rokso {
namespace fs = std::filesystem;

std::optional<fs::path> Session::start_dir() const {
  if (options_.count("directory")) return fs::path(options_["directory"].as<std::string>());
  return std::nullopt;
}

std::optional<std::string> Session::target() const {
  if (options_.count("target")) {
    const std::string name = options_["target"].as<std::string>();
    if (name.empty()) throw usage_error("--target names no target");
    return name;
  }
  if (const char* env = std::getenv("ROKSO_TARGET")) {
    if (*env != '\0') return std::string(env);
  }
  return std::nullopt;
}

std::optional<std::string> Session::tenant() const {
  if (!options_.count("tenant")) return std::nullopt;
  const std::string name = options_["tenant"].as<std::string>();
  check_tenant_name(name);
  return name;
}

double Session::lock_wait_timeout() {
  if (options_.count("lock-wait")) {
    double seconds = options_["lock-wait"].as<double>();
    if (!is_wait_seconds(seconds)) throw usage_error("--lock-wait must be a number of seconds from 0 to 86400");
    return seconds;
  }
  if (const char* env = std::getenv("ROKSO_LOCK_WAIT")) {
    char* end = nullptr;
    double seconds = std::strtod(env, &end);
    if (end == env || *end != '\0' || !is_wait_seconds(seconds)) {
      throw usage_error("ROKSO_LOCK_WAIT must be a number of seconds from 0 to 86400, not '" + std::string(env) + "'");
    }
    return seconds;
  }
  return project().config.lock_wait_timeout_s;
}

MigrationSettings Session::migration_settings() {
  MigrationSettings settings = project().config.migrations;
  if (options_.count("lock-timeout")) settings.lock_timeout = options_["lock-timeout"].as<std::string>();
  if (options_.count("statement-timeout")) settings.statement_timeout = options_["statement-timeout"].as<std::string>();
  if (options_.count("lock-retries")) settings.lock_retries = options_["lock-retries"].as<int>();
  if (auto name = tenant()) settings.search_path = quoted_tenant(*name) + ", public";
  check_migration_settings(settings, "the command line");
  return settings;
}

void Session::require(unsigned flag, const char* what) const {
  // A programming error, not the user's: the command's row must declare the setup.
  if (!(setup_ & flag)) {
    throw std::logic_error("rokso " + command_ + " uses " + what + " without declaring it in core/commands.def");
  }
}

bool Session::json() const {
  require(kJsonOutput, "--format");
  return options_["format"].as<std::string>() == "json";
}

void Session::print_json(const Json& body) const {
  require(kJsonOutput, "--format");
  print_json_document(command_, body);
}

void Session::lock_for_migrations() {
  require(kTakesLock, "the migration lock");
  if (lock_) return;
  Database& db = database();
  db.prepare_for_migrations(migration_settings());
  lock_ = std::make_unique<MigrationLock>(db, version_table().identity(), lock_wait_timeout());
}

void Session::forget_migration_lock() {
  require(kTakesLock, "the migration lock");
  lock_.reset();
}

bool Session::confirmed(const std::string& prompt) {
  require(kConfirms, "--yes");
  return has("yes") || confirm(prompt);
}

Project& Session::project() {
  if (!project_ && shared_) {
    Project found = shared_->project;
    if (auto name = tenant()) found.config.database.schema = *name;
    project_ = std::move(found);
  }
  if (!project_) {
    Project found = find_project(start_dir());
    // Before any work: a project that needs a plugin this machine lacks would otherwise
    // see its files as unknown, or a command half done.
    if (!found.config.required_plugins.empty()) check_required_plugins(found.config, found.config_file(), plugins());
    // A named target stands in for the "database" object, for every command alike.
    if (auto name = target()) found.config.database = target_settings(found.config, *name, found.config_file().string());
    // A tenant's version table (and so its rows and its lock) is in its own schema.
    if (auto name = tenant()) found.config.database.schema = *name;
    project_ = std::move(found);
  }
  return *project_;
}

Database& Session::database() {
  std::unique_ptr<Database>& database = connection_slot_ ? *connection_slot_ : database_;
  if (!database) {
    std::optional<std::string> url;
    if (options_.count("url")) url = options_["url"].as<std::string>();
    database = std::make_unique<Database>(effective_database_settings(project().config.database, url));
  }
  return *database;
}

VersionTable& Session::version_table() {
  if (!version_table_) {
    version_table_ = std::make_unique<VersionTable>(database(), project().config.database.schema,
                                                    project().config.version_table);
    version_table_->set_read_lock_timeout(migration_settings().lock_timeout);
  }
  return *version_table_;
}

PluginRegistry& Session::plugins() {
  if (shared_) return *shared_->plugins;
  if (!plugins_) plugins_ = PluginRegistry::load();
  return *plugins_;
}

const MigrationOrder& Session::order() {
  if (!order_) order_ = roksopsql_order();
  return *order_;
}

MigrationTree Session::scan_tree() {
  project();  // outside a project, that is what the user must hear first
  auto formats = plugins().formats();
  if (formats.empty()) {
    throw failure("no migration file format plugin found (searched: ROKSO_PLUGIN_PATH and " +
                  install_paths().plugins.string() + ")");
  }
  return MigrationTree::scan(project().migration_dir(), formats, order(), IgnoreRules(project().config.ignore));
}

SharedSetup Session::shared_setup() { return SharedSetup{project(), &plugins(), scan_tree()}; }

void Session::make_tree() {
  // Not `tree_ = shared_ ? shared_->tree : scan_tree()`: the conditional's type is then
  // const MigrationTree, and the scanned tree was copied, not moved (1 ms at 10,000 files).
  if (shared_) {
    tree_ = shared_->tree;
  } else {
    tree_ = scan_tree();
  }
  // The {tenant} template is for --tenant runs alone, and the rest of the tree never is.
  const std::optional<std::string> name = tenant();
  tree_->keep_directory(kTenantDirectory, name.has_value());
  if (name) tree_->substitute(kTenantPlaceholder, quoted_tenant(*name));
}

MigrationTree& Session::tree() {
  if (!tree_) make_tree();
  return *tree_;
}

void Session::connect_while_scanning(const std::function<void()>& connected, const std::function<void()>& scanned) {
  if (tree_) {
    if (scanned) scanned();
    database();
    if (connected) connected();
    return;
  }
  project();  // here: outside a project is said first, and the scan only reads it
  std::future<void> scan = std::async(std::launch::async, [this, &scanned] {
    make_tree();
    tree_->prepare_find();  // before it is shared: from now on find() only reads
    scanned_tree_.store(&*tree_, std::memory_order_release);
    if (scanned) scanned();
  });
  std::exception_ptr unconnected;
  try {
    database();
    if (connected) connected();
  } catch (...) {
    unconnected = std::current_exception();
  }
  scan.get();  // joined, and its error first
  if (unconnected) std::rethrow_exception(unconnected);
}

namespace {

// Ctrl-C (130) and SIGTERM (143, what CI runners and systemd send): stop at once.
// Whatever transaction is open dies with the connection, so nothing half-applied is
// left; the server notices the closed socket within a second even mid-statement
// (client_connection_check_interval). Every line printed before is out already: the
// streams are line-buffered (out::line_buffer_streams), so _exit() loses none of them.
extern "C" void on_interrupt(int signal_number) {
  const bool terminated = signal_number == SIGTERM;
  const char interrupted[] = "\ninterrupted\n";
  const char killed[] = "\nterminated\n";
  ssize_t ignored = terminated ? ::write(STDERR_FILENO, killed, sizeof killed - 1)
                               : ::write(STDERR_FILENO, interrupted, sizeof interrupted - 1);
  (void)ignored;
  ::_exit(terminated ? kExitTerminated : kExitInterrupted);
}

void catch_interruptions() {
  struct sigaction action {};
  action.sa_handler = on_interrupt;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

// A command may hold the database password in memory (config.json's, a prompt's): no
// core dump of it may land on disk, whatever `ulimit -c` or core_pattern say. The
// limit is inherited by what rokso starts (pg_dump, which gets the password too).
// Not dumpable also keeps other users' debuggers out of this process.
void forbid_core_dumps() {
  const struct rlimit none = {0, 0};
  ::setrlimit(RLIMIT_CORE, &none);
  ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

// A migration of a hundred megabytes passes through a few buffers of its size (the file,
// its decoded text, the SQL, libpg_query's parse and JSON). glibc gives each such block
// its own mmap and unmaps it when freed, so every next buffer faults in all of its pages
// again: a third of a big migration's time went to page faults. Served from the heap
// instead, freed blocks are reused. (Under ASan its allocator decides; this is a no-op.)
void reuse_large_allocations() { ::mallopt(M_MMAP_THRESHOLD, 1 << 30); }

void print_help(const CommandDefinition& command) {
  const CommandInfo* info = find_builtin_command(command.name);
  std::cout << "usage: rokso " << command.name << (command.synopsis.empty() ? "" : " ")
            << command.synopsis << "\n\n";
  if (info) std::cout << info->summary << "\n\n";
  std::cout << command.options << "\n";
}

// The options a command's row declares (core/commands.def), before the common ones.
void add_setup_options(po::options_description& options, unsigned setup) {
  if (setup & kJsonOutput) {
    options.add_options()
        ("format", po::value<std::string>()->default_value("text")->value_name("<text|json>"),
         "output format: json prints one JSON document on stdout (README: \"JSON output\")");
  }
  if (setup & kConfirms) options.add_options()("yes,y", "do not ask for confirmation");
  if (setup & kTakesLock) {
    options.add_options()
        ("lock-wait", po::value<double>()->value_name("<seconds>"),
         "how long to wait for another rokso migrate/rollback (default 300)");
  }
  if (setup & kMigrationOptions) {
    options.add_options()
        ("lock-timeout", po::value<std::string>()->value_name("<duration>"),
         "PostgreSQL lock_timeout for each statement, e.g. 5s (default 5s)")
        ("lock-retries", po::value<int>()->value_name("<n>"),
         "retries, with backoff, of a migration that hit the lock timeout (default 3)")
        ("statement-timeout", po::value<std::string>()->value_name("<duration>"),
         "PostgreSQL statement_timeout for each statement (default: the server's)");
  }
  if (setup & kFleet) add_fleet_options(options);
}

// --format's check; with json, stdout carries one document and nothing else.
void set_up_output_format(const po::variables_map& vm) {
  const std::string format = vm["format"].as<std::string>();
  if (format != "text" && format != "json") throw usage_error("unknown output format '" + format + "' (text or json)");
  if (format == "json") {
    out::set_verbose(false);
    out::set_quiet(true);
  }
}

}  // namespace

int report_failure(std::exception_ptr failure) {
  try {
    std::rethrow_exception(failure);
  } catch (const Error& e) {
    out::error(e.what());
    return e.exit_code();
  } catch (const pqxx::broken_connection& e) {
    out::error("lost the database connection: " + one_line(e.what()));
  } catch (const pqxx::sql_error& e) {
    out::error(one_line(e.what()));
  } catch (const std::exception& e) {
    out::error(one_line(e.what()));
  } catch (...) {
    // Only plugin code throws something that is not a std::exception; rokso must still
    // end with a message and its exit code, not std::terminate's abort.
    out::error("a plugin failed with an exception that is not a std::exception");
  }
  return kExitFailed;
}

int run_command(int argc, char** argv, CommandDefinition& command) {
  out::line_buffer_streams();
  catch_interruptions();
  forbid_core_dumps();
  reuse_large_allocations();
  const CommandInfo* info = find_builtin_command(command.name);
  const unsigned setup = info ? info->setup : kNoSetup;
  add_setup_options(command.options, setup);
  command.options.add_options()
      ("help,h", "show this help")
      ("directory,C", po::value<std::string>()->value_name("<dir>"),
       "run as if rokso was started in <dir>")
      ("verbose,v", "show each statement and its time")
      ("url", po::value<std::string>()->value_name("<url>"),
       "connect to this postgres:// URL instead of config.json's database (also $ROKSO_DATABASE_URL, $DATABASE_URL)")
      ("target", po::value<std::string>()->value_name("<name>"),
       "connect to this target of config.json's \"targets\" instead of \"database\" (or $ROKSO_TARGET)")
      ("tenant", po::value<std::string>()->value_name("<schema>"),
       "work on this tenant schema with the migration/{tenant} template and the tenant's own version table")
      ("py-evaluate", po::value<std::string>()->implicit_value("python3")->value_name("<python>"),
       "run .py migrations rokso cannot fold with this interpreter (default python3); sets ROKSO_PY_EVALUATE")
      ("quiet,q", "print errors only")
      ("color", po::value<std::string>()->implicit_value("always")->value_name("<when>"),
       "colour the output: auto (on a terminal, unless NO_COLOR is set), always or never");
  po::variables_map vm;
  // The child processes of a fleet run get the command line as typed, less the fleet's own options.
  std::vector<std::string> child_args;
  try {
    const po::parsed_options parsed =
        po::command_line_parser(argc, argv).options(command.options).positional(command.positional).run();
    for (const po::option& option : parsed.options) {
      if (option.position_key < 0 && is_fleet_option(option.string_key)) continue;
      child_args.insert(child_args.end(), option.original_tokens.begin(), option.original_tokens.end());
    }
    po::store(parsed, vm);
    po::notify(vm);
  } catch (const po::error& e) {
    out::error(e.what());
    std::cerr << "usage: rokso " << command.name << " " << command.synopsis << "\n"
              << "see 'rokso " << command.name << " --help'\n";
    return kExitUsage;
  }
  if (vm.count("help")) {
    print_help(command);
    return kExitOk;
  }
  out::set_verbose(vm.count("verbose") > 0);
  set_default_application_name("rokso " + command.name);
  // Given before the command ("rokso -q migrate"), they arrive from the front binary as
  // ROKSO_QUIET and ROKSO_COLOR, which custom rokso-<cmd>s read too.
  const char* quiet_env = std::getenv("ROKSO_QUIET");
  out::set_errors_only(vm.count("quiet") > 0 || (quiet_env && std::strcmp(quiet_env, "1") == 0));
  const char* color_env = std::getenv("ROKSO_COLOR");
  const std::string color = vm.count("color") ? vm["color"].as<std::string>() : (color_env && *color_env ? color_env : "auto");
  try {
    out::set_color_mode(out::parse_color_mode(color));
  } catch (const Error& e) {
    out::error(e.what());
    return kExitUsage;
  }
  // The py format plugin reads the variable: running project code is the user's choice,
  // made here or in the environment, never in a project file.
  if (vm.count("py-evaluate")) {
    const std::string interpreter = vm["py-evaluate"].as<std::string>();
    if (interpreter.empty()) {
      out::error("--py-evaluate names no interpreter: write --py-evaluate or --py-evaluate=python3");
      return kExitUsage;
    }
    ::setenv("ROKSO_PY_EVALUATE", interpreter.c_str(), 1);
  }
  try {
    Session session(vm, command.name, setup);
    if (setup & kJsonOutput) set_up_output_format(vm);
    if ((setup & kFleet) && wants_fleet(vm)) return run_fleet_command(command, session, child_args);
    int code = command.run(session);
    std::cout.flush();
    return code;
  } catch (...) {
    std::cout.flush();
    return report_failure(std::current_exception());
  }
}

}  // namespace rokso
