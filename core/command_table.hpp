// The built-in commands, their one-line summaries and the setup each declares
// (core/commands.def, after git's command-list.txt and the RUN_SETUP flags of its
// command table). Shared by the front binary's help and each rokso-<cmd>'s --help and
// run_command(), so they agree; the build makes one executable per row of the same list.
#pragma once

#include <string>

namespace rokso {

// What run_command() (core/command.hpp) sets up for a command, once, before its body
// runs: the options, their checks, and what Session then offers. OR-ed in the row.
enum CommandSetup : unsigned {
  kNoSetup = 0,
  // --format text|json, checked; with json, stdout is one document (no -v, no progress,
  // out::line() silent) and Session::json() is true; Session::print_json() writes it.
  kJsonOutput = 1u << 0,
  // --lock-wait; Session::lock_for_migrations() takes the migration lock, held until the
  // command returns.
  kTakesLock = 1u << 1,
  // --lock-timeout, --statement-timeout, --lock-retries (Session::migration_settings()).
  kMigrationOptions = 1u << 2,
  // --yes/-y; Session::confirmed() asks unless it is given.
  kConfirms = 1u << 3,
  // --targets/--all-targets, --tenants/--all-tenants with --jobs, --keep-going and
  // --canary: the command runs once per member in child processes
  // (core/fleet_command.hpp). Needs kJsonOutput: the children report in JSON.
  kFleet = 1u << 4,
};

struct CommandInfo {
  const char* name;
  const char* summary;
  unsigned setup;  // CommandSetup flags
};

// Terminated by {nullptr, nullptr, 0}.
const CommandInfo* builtin_commands();
// The built-in command `name`, or nullptr.
const CommandInfo* find_builtin_command(const std::string& name);

}  // namespace rokso
