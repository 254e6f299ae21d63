// A project's config.json: roksopsql's file, read and written as is.
//
//   { "database": { "database": "tutorial", "dbschema": "offline", "host": "localhost",
//                   "password": "...", "port": "5432", "user": "pguser" } }
//
// Any other libpq keyword and a "url" may stand in "database" (core/connection_settings.hpp,
// which also says how --url and DATABASE_URL take precedence). Keys the file leaves out
// fall back to libpq's environment (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE,
// ~/.pgpass, PGSERVICE ...), because they are simply not put in the connection string.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
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
  // Every other libpq keyword set (sslmode, application_name, connect_timeout ...), as
  // given; the wait bounds among them are also read into `bounds`.
  std::map<std::string, std::string> parameters;
  // The URL the settings were read from, if any: shown only through mask_url().
  std::optional<std::string> url;
  // Where they come from, for messages: config.json's path, "--url", "DATABASE_URL" ...
  std::string origin;
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
  // The search_path each migration runs with (a tenant's: "tenant_1", public); empty
  // leaves the session's.
  std::string search_path;
};

// Throws Error(kExitUsage) unless the timeouts read as PostgreSQL durations
// (e.g. "5s", "500ms", "2min", "0") and lock_retries is 0..100. `where` names the source.
void check_migration_settings(const MigrationSettings& settings, const std::string& where);

// config.json's "tenants" (core/tenants.hpp): the schemas the {tenant} template applies to.
struct TenantSettings {
  std::string schemas;  // a glob over the database's schema names, e.g. "tenant_*"
  std::string query;    // or a query whose first column names them
};

struct Config {
  DatabaseSettings database;
  std::string version_table = "rokso_db_version";
  // Seconds to wait for another rokso holding the migration lock.
  double lock_wait_timeout_s = 300;
  // "failover_wait": seconds migrate waits for a primary after losing the connection in
  // the middle of a run, then reconnects and goes on (core/failover_reconnect.hpp). 0 (the
  // default): a lost connection stops the run.
  double failover_wait_s = 0;
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
  // "targets": named databases besides the default "database" (--target NAME), each a
  // "database"-shaped object or a connection URL. Kept as the file's JSON text, with
  // ${VAR} not yet replaced: a target's variables must be set only when it is used.
  std::map<std::string, std::string> targets;
  TenantSettings tenants;
};

// The connection settings of target `name` (config.json's "targets"): ${VAR} in its
// values replaced by the environment variable VAR ($${ stands for a literal ${), then
// read as a "database" object is. The schema, lock and wait settings not given by the
// target are the top-level "database"'s. `where` names config.json in messages.
// Throws Error(kExitUsage) for an unknown target (listing the known ones), an unset
// variable, or a value the "database" object would not accept.
DatabaseSettings target_settings(const Config& config, const std::string& name, const std::string& where);

// Shell-style glob matching of a whole name: *, ?, [...] (with ! or ^ to negate).
bool matches_glob(const std::string& pattern, const std::string& name);

// The names of config.json's targets matching the shell-style glob `pattern` (*, ?,
// [...]), sorted.
std::vector<std::string> matching_targets(const Config& config, const std::string& pattern);

// A number of seconds rokso may wait for something (--lock-wait, "lock_wait_timeout"):
// finite, from 0 to a day.
bool is_wait_seconds(double seconds);

// Reads config.json. Throws Error(kExitUsage) naming the file and what is wrong with it.
Config load_config(const std::filesystem::path& file);

// Writes config.json atomically (temp file + rename) with mode 0600, in roksopsql's
// layout. Throws Error(kExitFailed) when it cannot.
void save_config(const std::filesystem::path& file, const Config& config);

// Sets "database"."port" in config.json to `port` when it says `old_port` (a number or a
// string of digits, not a ${VAR}), and leaves everything else as the user wrote it: its
// targets, tenants, settings, key order and ${VAR} references (a Config holds them
// resolved, so save_config() would write secrets into the file and drop what it does not
// know). Atomic, mode 0600. False when the port said something else: nothing written.
bool set_config_port(const std::filesystem::path& file, int old_port, int port);

}  // namespace rokso
