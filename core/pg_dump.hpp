// Runs PostgreSQL's pg_dump once, schema only, and returns its custom-format archive.
//
// rokso remap reads the database through pg_dump rather than re-implementing it: it is
// the server project's own reverse engineer, it knows every catalog feature of every
// version it supports, and its output is what "identical schema" is judged by.
#pragma once

#include "core/config.hpp"

#include <string>
#include <vector>

namespace rokso {

struct PgDumpRequest {
  DatabaseSettings connection;       // passed through the environment, never argv
  std::vector<std::string> schemas;  // exact names; each becomes a quoted -n pattern
  int server_major = 0;              // picks a pg_dump at least this new
  std::string lock_wait_timeout;     // pg_dump --lock-wait-timeout, e.g. "5s"; "" waits
};

// The pg_dump binary to use: $ROKSO_PG_DUMP, else Debian's
// /usr/lib/postgresql/<major>/bin/pg_dump for the server's major version or the
// newest one above it, else pg_dump on PATH.
std::string find_pg_dump(int server_major);

// The schema-only custom-format archive of the requested schemas, without owners or
// privileges. Throws Error(kExitFailed) with pg_dump's own message when it fails.
std::string run_pg_dump(const PgDumpRequest& request);

// -n pattern matching exactly `name`: pg_dump's patterns treat everything inside
// double quotes literally, with "" for a quote.
std::string exact_name_pattern(const std::string& name);

}  // namespace rokso
