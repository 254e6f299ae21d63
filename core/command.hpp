// What every rokso-<cmd> shares: option parsing, --help, the setup a command declares
// (project, connection, plugins), turning errors into one line and an exit code.
// After git's run_builtin(): the setup happens here once, never in a command body.
#pragma once

#include "core/database.hpp"
#include "core/migration_tree.hpp"
#include "core/plugin_registry.hpp"
#include "core/project.hpp"
#include "core/version_table.hpp"

#include <boost/program_options.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace rokso {

namespace po = boost::program_options;

// What the members of a fleet run as threads of one process (core/fleet_runner.hpp)
// share, read once for all of them: the project as found (its target applied, no
// tenant), the plugins, and the scan of migration/ before a tenant's template is kept
// and substituted. Read-only while the members run.
struct SharedSetup {
  Project project;
  PluginRegistry* plugins = nullptr;
  MigrationTree tree;
};

// Everything a command may need, each made on first use and at most once per run:
// one project, one connection, one plugin registry, one scan of migration/.
// One Session per thread.
class Session {
 public:
  explicit Session(po::variables_map options) : options_(std::move(options)) {}
  // A fleet member run as a thread: takes `shared`'s project, plugins and scan instead
  // of finding, loading and scanning them again, and works on `*connection`, which it
  // connects on first use when empty and leaves there for the worker's next member.
  Session(po::variables_map options, const SharedSetup& shared, std::unique_ptr<Database>& connection)
      : options_(std::move(options)), shared_(&shared), connection_slot_(&connection) {}

  // This session's project, plugins and a fresh scan of migration/, for the members
  // of a fleet of tenants (core/fleet_command.hpp). Call without --tenant.
  SharedSetup shared_setup();

  const po::variables_map& options() const { return options_; }
  bool has(const std::string& option) const { return options_.count(option) > 0; }
  template <typename T>
  T get(const std::string& option) const { return options_[option].as<T>(); }

  // --target <name>, else $ROKSO_TARGET when set and not empty: the config.json target
  // project() connects to instead of the "database" object.
  std::optional<std::string> target() const;

  // --tenant <schema>: the tenant schema (core/tenants.hpp) this run works on.
  std::optional<std::string> tenant() const;

  // -C <dir>, or the current directory.
  std::optional<std::filesystem::path> start_dir() const;

  // Seconds to wait for the migration lock: --lock-wait, $ROKSO_LOCK_WAIT, then
  // config.json's lock_wait_timeout (default 300).
  double lock_wait_timeout();
  // How each migration runs: config.json's settings, overridden by --lock-timeout,
  // --statement-timeout and --lock-retries.
  MigrationSettings migration_settings();

  Project& project();
  Database& database();
  VersionTable& version_table();
  PluginRegistry& plugins();
  const MigrationOrder& order();
  MigrationTree& tree();

 private:
  // migration/ scanned with the plugins' formats, all of it (tenant template included).
  MigrationTree scan_tree();

  po::variables_map options_;
  const SharedSetup* shared_ = nullptr;
  std::unique_ptr<Database>* connection_slot_ = nullptr;
  std::optional<Project> project_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<VersionTable> version_table_;
  std::optional<PluginRegistry> plugins_;
  std::unique_ptr<MigrationOrder> order_;
  std::optional<MigrationTree> tree_;
};

struct CommandDefinition {
  std::string name;      // "migrate": must be in core/commands.def
  std::string synopsis;  // "[--migration <identity>]"
  po::options_description options{"Options"};
  po::positional_options_description positional;
  std::function<int(Session&)> run;
  // Takes --targets/--all-targets with --jobs, --keep-going and --canary: run_command()
  // then runs the command once per target in child processes (core/fleet_command.hpp).
  // The command must take --format json.
  bool fleet = false;
};

// Parses argv, handles --help, runs the command, maps every error to a one-line message
// and its exit code (README: "Exit codes"). Call from main().
int run_command(int argc, char** argv, CommandDefinition& command);

}  // namespace rokso
