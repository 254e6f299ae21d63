// `rokso migrate|status --targets <glob> | --all-targets [--jobs N] [--keep-going]
// [--canary K]`: the command once per matching target of config.json, in parallel
// (core/fleet_runner.hpp), then a summary table (target, state, applied, failed,
// pending, time) or, with --format json, one document holding one object per target.
// Exit 1 when any target failed, 130/143 when interrupted, 2 for a usage error found
// before anything ran.
#pragma once

#include "core/command.hpp"

#include <string>
#include <vector>

namespace rokso {

// The options a command that runs over a fleet takes (added by run_command() when the
// command sets CommandDefinition::fleet).
void add_fleet_options(po::options_description& options);

// Whether the command line asks for a fleet run; throws Error(kExitUsage) when fleet
// options are given without a fleet, or together with --target.
bool wants_fleet(const po::variables_map& options);

// Runs `command` over the fleet. Targets run as child processes: `child_args` are the
// command line's own arguments less the fleet options and --format; each child gets them
// with --target <name> --format json. Tenants (one database, one tree) run as threads of
// this process (run_fleet_in_threads()), each as `command.run` with --tenant <name>
// --format json added to this command line's options.
int run_fleet_command(const CommandDefinition& command, Session& session, const std::vector<std::string>& child_args);

// The options a child must not get again (the fleet's own, --format, --target).
bool is_fleet_option(const std::string& long_name);

}  // namespace rokso
