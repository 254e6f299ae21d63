// Runs one command against many databases (targets) or schemas (tenants) at once, each
// as a child process of the same rokso-<cmd> binary: one connection and one lock per
// member, a crash or a hung server confined to its member, nothing shared to guard.
//
// Each child's stdout (one --format json document) is collected; its stderr is relayed
// line by line, each whole line prefixed with "[<member>] ", so parallel members never
// interleave mid-line. SIGINT and SIGTERM received while children run are forwarded to
// them; no new child starts after one, and run_fleet() returns once they have ended.
//
// Not thread-safe: one fleet at a time per process (it owns SIGINT/SIGTERM while it runs).
// run_fleet_in_threads() runs the members as threads of this process instead.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace rokso {

class Database;

struct FleetMember {
  std::string name;               // shown as "[name] "
  std::vector<std::string> args;  // appended to the common arguments, e.g. {"--target", "eu-1"}
};

struct FleetOptions {
  int jobs = 4;             // children running at once, 1..64
  bool keep_going = false;  // else no new child starts after the first failure
  int canary = 0;           // these first members run (and must all succeed) before the rest start
};

struct FleetResult {
  enum class State { succeeded, failed, skipped, interrupted };
  std::string name;
  State state = State::skipped;
  int exit_code = -1;          // -1: not run; 128+N: killed by signal N
  std::string output;          // the child's stdout, whole
  std::vector<std::string> error_lines;  // the child's stderr, line by line, unprefixed
  long long duration_ms = -1;  // -1: not run
};

const char* fleet_state_name(FleetResult::State state);

struct FleetRun {
  std::vector<FleetResult> results;  // one per member, in the members' order
  int signal = 0;                    // SIGINT or SIGTERM when one stopped the run, else 0
};

// Runs `executable` with `common_args` + member.args for every member, at most
// options.jobs at a time, in the members' order. `on_start` and `on_end` are called (in
// this process, never concurrently) as each child starts and ends, for progress lines.
// A child that cannot be started counts as failed. Throws Error(kExitFailed) only when
// the machine cannot make pipes.
FleetRun run_fleet(const std::string& executable, const std::vector<std::string>& common_args,
                   const std::vector<FleetMember>& members, const FleetOptions& options,
                   const std::function<void(const FleetResult&)>& on_start,
                   const std::function<void(const FleetResult&)>& on_end);

// The same fleet as threads of this process, at most options.jobs at a time: member i
// runs as `run(i, connection)`, which returns its exit code. For the tenant schemas of
// one database, where every member has the same server, credentials and tree: what a
// child process costs per member (its start, plugins, scan, two logins) is paid once.
// Each worker thread owns `connection` (libpqxx connections are not shared across
// threads) and keeps it, and the lock connection it holds, for its next member after a
// success; after a failure it is dropped and the next member connects afresh.
// Isolation is the child's: the command takes each member's own lock and version
// table; what a member prints is captured (out::Capture): its stdout becomes `output`,
// each stderr line is relayed whole, prefixed, at once; an exception ends its member
// alone (failed, with the exit code and message run_command would give), never the
// fleet. A crash (a signal such as SIGSEGV) is not confined: that needs processes.
// SIGINT or SIGTERM: the members running finish (a tenant's migrations are short), no
// new one starts, run.signal says which; a second one ends the process at once (130 or
// 143), the open transactions rolling back with their connections. `on_start` and
// `on_end` are called under a lock, never concurrently.
FleetRun run_fleet_in_threads(const std::vector<FleetMember>& members, const FleetOptions& options,
                              const std::function<int(std::size_t member, std::unique_ptr<Database>& connection)>& run,
                              const std::function<void(const FleetResult&)>& on_start,
                              const std::function<void(const FleetResult&)>& on_end);

// The path of the running executable (/proc/self/exe), so children run the very binary
// the user started.
std::string own_executable();

}  // namespace rokso
