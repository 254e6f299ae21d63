// Where rokso's database connection comes from, and what libpq is given.
//
//   --url  >  ROKSO_DATABASE_URL  >  DATABASE_URL  >  config.json's "database" object
//          >  libpq's own environment and defaults (PGHOST, PGUSER, ~/.pgpass, PGSERVICE ...)
//
// A URL stands for all of config.json's libpq keys at once (host, port, user, password,
// sslmode ...): nothing of the file's connection is mixed into it, so the file's password
// is never offered to a server the URL names. rokso's own keys (dbschema, the version
// table, lock and read settings) still come from config.json; a URL carries no schema.
// Keys neither a URL nor the file sets are left to libpq, which reads its environment.
//
// The password is never printed: a URL is shown as postgres://user:***@host/db.
#pragma once

#include "core/config.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rokso {

// The one reader of a "database"-shaped JSON object (config.json's "database"; named
// targets reuse it). `where` names the object in messages.
// Reads "url" first, then every other key over it (libpq's rule for a dbname URL beside
// other keywords): roksopsql's keys (database, dbschema, host, password, port, user) and
// any keyword libpq knows (sslmode, connect_timeout, application_name, service ...).
// rokso's own settings (version_table_name, lock_mode ...) are skipped: load_config reads
// them. An unknown key is a warning naming the closest known key, and is not used.
// Throws Error(kExitUsage) on a bad value (a port that is not one, a malformed URL ...).
DatabaseSettings database_settings_from_json(const nlohmann::json& object, const std::string& where);

// A postgres:// or postgresql:// URL, parsed by libpq (PQconninfoParse). `origin` says
// where it came from ("--url", "DATABASE_URL", a file ...), for messages and settings.origin.
// Throws Error(kExitUsage) naming the origin, never echoing the password.
DatabaseSettings database_settings_from_url(const std::string& url, const std::string& origin);

// The URL the connection comes from by precedence: `cli_url` (--url), then
// ROKSO_DATABASE_URL, then DATABASE_URL (unset or empty ones are skipped); the pair is
// (origin, url). Nothing when none is set.
std::optional<std::pair<std::string, std::string>> connection_url(const std::optional<std::string>& cli_url);

// The settings a command connects with: `configured` (config.json's), or, when a URL is
// in effect (connection_url()), the URL's with `configured`'s schema, lock mode and
// read timeout kept.
DatabaseSettings effective_database_settings(const DatabaseSettings& configured,
                                             const std::optional<std::string>& cli_url);

// The application_name a connection gets when neither the settings nor PGAPPNAME name
// one (libpq's fallback_application_name): "rokso <command>", set once by the command runner.
void set_default_application_name(const std::string& name);

// A libpq connection string for these settings: keyword='value' pairs, quoted as libpq
// requires. Unset keys are left out so libpq's environment applies.
std::string connection_string(const DatabaseSettings& settings);

// The connection settings without the password, for showing to the user.
std::string describe_connection(const DatabaseSettings& settings);

// `url` with its password (user:<password>@, ?password=) replaced by ***.
std::string mask_url(const std::string& url);

// The settings as libpq environment variables for a child process (PGHOST, PGPORT,
// PGDATABASE, PGUSER, PGSSLMODE ..., each keyword that has one), the password left out.
std::vector<std::pair<std::string, std::string>> libpq_environment(const DatabaseSettings& settings);

// The known word closest to `word` by edit distance, or "" when none is close enough
// to be a typo.
std::string closest_word(const std::string& word, const std::vector<std::string>& known);

}  // namespace rokso
