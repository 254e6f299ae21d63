// The connection to PostgreSQL: the only place in rokso that includes libpqxx headers
// in its interface. One command makes one Database, so one connection per command.
#pragma once

#include "core/config.hpp"

#include <memory>
#include <pqxx/pqxx>
#include <string>

namespace rokso {

class Database {
 public:
  // Connects. Throws Error(kExitFailed, "cannot connect to the database: <libpq's
  // reason, on one line>"); the password never appears in it.
  explicit Database(const DatabaseSettings& settings);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  pqxx::connection& connection() { return *connection_; }

  // e.g. "PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, ..."
  std::string server_version();
  // Sets up this session for running migrations, in one round trip:
  // - the server notices within a second when this client dies (kill -9, Ctrl-C), even
  //   in the middle of a long statement, instead of finishing work nobody will commit
  //   (client_connection_check_interval, PostgreSQL 14+);
  // - every statement waits at most settings.lock_timeout for a lock, and at most
  //   settings.statement_timeout in all when that is set.
  void prepare_for_migrations(const MigrationSettings& settings);

  // The server's own quoting of an identifier.
  std::string quote_name(const std::string& name) { return connection_->quote_name(name); }

 private:
  class NoticeRouter;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<NoticeRouter> notices_;  // destroyed before the connection
};

// A server error as the user should see it: the message (with libpq's LINE/caret
// context when the server gave a position) and the SQLSTATE.
std::string describe_sql_error(const pqxx::sql_error& e);

// Quotes a name the way roksopsql's unquoted SQL resolved it: a plain identifier is
// folded to lower case (roksopsql spliced names unquoted, so PostgreSQL folded them);
// anything else is used verbatim, in double quotes.
std::string compatible_identifier(const std::string& name);

}  // namespace rokso
