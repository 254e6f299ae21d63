// What every rokso-<cmd> shares: option parsing, --help, the setup a command declares
// (project, connection, plugins), turning errors into one line and an exit code.
// After git's run_builtin(): the setup happens here once, never in a command body.
#pragma once

#include "core/command_table.hpp"
#include "core/database.hpp"
#include "core/json_document.hpp"
#include "core/migration_lock.hpp"
#include "core/migration_tree.hpp"
#include "core/plugin_registry.hpp"
#include "core/project.hpp"
#include "core/version_table.hpp"

#include <boost/program_options.hpp>

#include <atomic>
#include <exception>
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
// one project, one connection, one plugin registry, one scan of migration/. Made lazily,
// so a usage error is still said before "not a rokso project" or a connection attempt.
// One Session per thread.
class Session {
 public:
  // `command`: the command's name; `setup`: its row's CommandSetup flags (core/commands.def).
  Session(po::variables_map options, std::string command, unsigned setup)
      : options_(std::move(options)), command_(std::move(command)), setup_(setup) {}
  // A fleet member run as a thread: takes `shared`'s project, plugins and scan instead
  // of finding, loading and scanning them again, and works on `*connection`, which it
  // connects on first use when empty and leaves there for the worker's next member.
  Session(po::variables_map options, std::string command, unsigned setup, const SharedSetup& shared,
          std::unique_ptr<Database>& connection)
      : options_(std::move(options)), command_(std::move(command)), setup_(setup), shared_(&shared),
        connection_slot_(&connection) {}

  // This session's project, plugins and a fresh scan of migration/, for the members
  // of a fleet of tenants (core/fleet_command.hpp). Call without --tenant.
  SharedSetup shared_setup();
  // The CommandSetup flags of its row in core/commands.def.
  unsigned setup() const { return setup_; }

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

  // kJsonOutput: --format json was given (run_command() has checked the value).
  bool json() const;
  // kJsonOutput: prints the command's one document, `body`'s keys after
  // "rokso_json_version" and "command" (core/json_document.hpp).
  void print_json(const Json& body) const;

  // kTakesLock: readies the connection for migrations (migration_settings()) and takes
  // the migration lock on this run's version table, waiting up to lock_wait_timeout().
  // Held until the command returns; a second call does nothing.
  void lock_for_migrations();
  // kTakesLock: drops the lock taken above without waiting for the command to return, so
  // that the next lock_for_migrations() takes it again: after a failover the old one went
  // with its connection (core/failover_reconnect.hpp).
  void forget_migration_lock();

  // kConfirms: true when --yes was given, else asks `prompt` (core/prompt.hpp).
  bool confirmed(const std::string& prompt);

  Project& project();
  Database& database();
  VersionTable& version_table();
  PluginRegistry& plugins();
  const MigrationOrder& order();
  MigrationTree& tree();

  // database() and tree() made at once: the plugins load and migration/ is scanned on
  // another thread while this one connects, so the server forks its backend while this
  // side reads the disk. `connected`, when given, runs on this thread once connected,
  // while the scan may still be going on: it may use database() and version_table(), never
  // tree() or plugins(). `scanned` runs on the scanning thread once the tree is made: it
  // may use tree() and plugins(), never the database. Both threads are done when this
  // returns. A tree that cannot be read (or a `scanned` that throws) is said before a
  // connection that cannot be made (or a `connected` that throws), as when tree() comes
  // first.
  void connect_while_scanning(const std::function<void()>& connected = {}, const std::function<void()>& scanned = {});
  // For connect_while_scanning()'s `connected`: the tree once the other thread has made it
  // (final, and safe to read from both threads: find() only reads), else nullptr. Lets the
  // rows that are still streaming in be matched with the files as they come.
  const MigrationTree* scanned_tree() const { return scanned_tree_.load(std::memory_order_acquire); }

 private:
  void require(unsigned flag, const char* what) const;
  // migration/ scanned with the plugins' formats, all of it (tenant template included).
  MigrationTree scan_tree();
  // tree_, made: this run's part of scan_tree() (or of the shared scan).
  void make_tree();

  po::variables_map options_;
  std::string command_;
  unsigned setup_;
  const SharedSetup* shared_ = nullptr;
  std::unique_ptr<Database>* connection_slot_ = nullptr;
  std::optional<Project> project_;
  std::unique_ptr<Database> database_;
  std::unique_ptr<VersionTable> version_table_;
  // After the connection it runs on, so it is released first.
  std::unique_ptr<MigrationLock> lock_;
  std::optional<PluginRegistry> plugins_;
  std::unique_ptr<MigrationOrder> order_;
  std::optional<MigrationTree> tree_;
  std::atomic<const MigrationTree*> scanned_tree_{nullptr};
};

struct CommandDefinition {
  std::string name;      // "migrate": must be in core/commands.def
  std::string synopsis;  // "[--migration <identity>]"
  po::options_description options{"Options"};
  po::positional_options_description positional;
  std::function<int(Session&)> run;
};

// What run_command() does with whatever a command threw: one error line, and the exit
// code (an Error's own, else 1). Also for the fleet members run as threads.
int report_failure(std::exception_ptr failure);

// Adds the options the command's row in core/commands.def declares (its CommandSetup
// flags) and the common ones, parses argv, handles --help, does the declared setup,
// runs the command, maps every error to a one-line message and its exit code (README:
// "Exit codes"). Call from main().
int run_command(int argc, char** argv, CommandDefinition& command);

}  // namespace rokso
