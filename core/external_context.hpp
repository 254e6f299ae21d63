// What a custom rokso-<cmd> finds in its environment (as git gives its externals
// GIT_DIR and GIT_EXEC_PATH): the project and its connection, so that `psql` inside it
// just works. README "Custom subcommands" is the contract.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace rokso {

struct ExternalContext {
  // Variables to set: ROKSO_PROJECT_ROOT, ROKSO_CONFIG, ROKSO_MIGRATION_DIR,
  // ROKSO_VERSION_TABLE, ROKSO_SCHEMA and libpq's PGHOST, PGPORT, PGDATABASE, PGUSER,
  // PGSSLMODE ... for the connection rokso itself would use.
  std::vector<std::pair<std::string, std::string>> variables;
  // A password file line ("host:port:dbname:user:password", escaped as libpq reads it)
  // when the connection has a password: the caller writes it to a private temporary
  // file named by PGPASSFILE, removes PGPASSWORD (which libpq would prefer) and deletes
  // the file when the command ends. Never put into the environment or argv.
  std::optional<std::string> password_line;
};

// The context of the project around the current directory, connecting through `cli_url`
// (--url before the command), ROKSO_DATABASE_URL, DATABASE_URL or config.json, as every
// rokso command does. Outside a project: nothing. Throws Error(kExitUsage) for a broken
// config.json or URL.
ExternalContext external_context(const std::optional<std::string>& cli_url);

}  // namespace rokso
