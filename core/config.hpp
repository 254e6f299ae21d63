// A project's config.json: roksopsql's file, read and written as is.
//
//   { "database": { "database": "tutorial", "dbschema": "offline", "host": "localhost",
//                   "password": "...", "port": "5432", "user": "pguser" } }
//
// Keys the file leaves out fall back to libpq's environment (PGHOST, PGPORT, PGUSER,
// PGPASSWORD, PGDATABASE, ~/.pgpass, PGSERVICE ...), because they are simply not put
// in the connection string.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace rokso {

// How `migrate`, `rollback`, `mark` and `init` keep each other apart on one version
// table (config.json's "lock_mode", "lock_lease_expiry"; $ROKSO_LOCK_MODE overrides the mode).
enum class LockMode {
  // A session advisory lock: dies with its connection (kill -9 leaves nothing stuck);
  // refused behind a connection pooler, where a session is not one server process.
  session,
  // A row with an expiry in <version table>_lock, renewed while rokso runs: works through
  // any pooler; a killed holder blocks others until its lease expires.
  lease,
};

struct LockSettings {
  LockMode mode = LockMode::session;
  // Seconds a lease lasts without renewal; rokso renews it every third of that.
  double lease_expiry_s = 60;
};

// "session" or "lease"; anything else throws Error(kExitUsage) naming `where`.
LockMode parse_lock_mode(const std::string& text, const std::string& where);
const char* lock_mode_name(LockMode mode);
// `settings` with $ROKSO_LOCK_MODE applied when it is set. Throws Error(kExitUsage) on a bad value.
LockSettings with_lock_environment(LockSettings settings);

// How long rokso waits for a server that does not answer (README: "Every wait is
// bounded"). The first five are libpq's connection parameters, set on every connection
// (config.json's "database" keys of the same names); keepalives and tcp_user_timeout
// apply to TCP only.
struct WaitBounds {
  int connect_timeout_s = 10;     // connecting, the whole handshake included
  int keepalives_idle_s = 10;     // a silent TCP connection is probed after this...
  int keepalives_interval_s = 5;  // ...every this...
  int keepalives_count = 3;       // ...and given up after this many unanswered probes
  int tcp_user_timeout_ms = 30000;  // data sent but not acknowledged for this long: given up
  // rokso's own reads of the version table ("read_timeout", seconds): the server cancels
  // one after this, and rokso closes the connection when the server has not answered 5 s
  // later (a stopped server process, which no TCP setting notices).
  double read_timeout_s = 60;
};

struct DatabaseSettings {
  std::optional<std::string> host;
  std::optional<std::string> port;
  std::optional<std::string> dbname;
  std::optional<std::string> user;
  std::optional<std::string> password;  // never printed, never logged
  std::string schema = "public";
  LockSettings lock;  // rokso's own keys, read at the top level or inside "database"
  WaitBounds bounds;
};

// How each migration runs (config.json's "migrations" object).
struct MigrationSettings {
  // PostgreSQL's lock_timeout for every statement: a migration blocked by another
  // session's lock fails fast instead of queueing everyone behind it...
  std::string lock_timeout = "5s";
  // ...and is retried this many times, with exponential backoff and jitter.
  int lock_retries = 3;
  // PostgreSQL's statement_timeout; empty leaves the server's setting.
  std::string statement_timeout;
};

// Throws Error(kExitUsage) unless the timeouts read as PostgreSQL durations
// (e.g. "5s", "500ms", "2min", "0") and lock_retries is 0..100. `where` names the source.
void check_migration_settings(const MigrationSettings& settings, const std::string& where);

struct Config {
  DatabaseSettings database;
  std::string version_table = "rokso_db_version";
  // Seconds to wait for another rokso holding the migration lock.
  double lock_wait_timeout_s = 300;
  // The file format `rokso create` writes when --format is not given.
  std::string default_format = "py";
  // "timestamps": "utc" (the default) or "local": the clock `rokso create` stamps file
  // names with. UTC keeps the order a team meant across time zones; "local" is roksopsql's.
  bool local_timestamps = false;
  MigrationSettings migrations;
  // "ignore": globs (relative to migration/) of files that are not migrations
  // (core/ignore_rules.hpp).
  std::vector<std::string> ignore;
  // "plugins": plugin names the project needs; every command refuses to run without them.
  std::vector<std::string> required_plugins;
};

// A number of seconds rokso may wait for something (--lock-wait, "lock_wait_timeout"):
// finite, from 0 to a day.
bool is_wait_seconds(double seconds);

// Reads config.json. Throws Error(kExitUsage) naming the file and what is wrong with it.
Config load_config(const std::filesystem::path& file);

// Writes config.json atomically (temp file + rename) with mode 0600, in roksopsql's
// layout. Throws Error(kExitFailed) when it cannot.
void save_config(const std::filesystem::path& file, const Config& config);

// A libpq connection string for these settings: keyword='value' pairs, quoted as libpq
// requires. Unset keys are left out so libpq's environment applies.
std::string connection_string(const DatabaseSettings& settings);

// The connection settings without the password, for showing to the user.
std::string describe_connection(const DatabaseSettings& settings);

}  // namespace rokso
