// The connection to PostgreSQL: the only place in rokso that includes libpqxx headers
// in its interface. One command makes one Database, so one connection per command.
#pragma once

#include "core/config.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <thread>

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
  // What this connection was made from (e.g. to open a sibling connection), with
  // $ROKSO_LOCK_MODE applied to lock.mode.
  const DatabaseSettings& settings() const { return settings_; }
  const LockSettings& lock_settings() const { return settings_.lock; }

  // e.g. "PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, ..."
  std::string server_version();
  // Sets up this session for running migrations, in one round trip:
  // - the server notices within a second when this client dies (kill -9, Ctrl-C), even
  //   in the middle of a long statement, instead of finishing work nobody will commit
  //   (client_connection_check_interval, PostgreSQL 14+);
  // - every statement waits at most settings.lock_timeout for a lock, and at most
  //   settings.statement_timeout in all when that is set.
  // Behind a connection pooler (see note_server_pid) a session setting would not stick
  // to this connection and would leak into other clients' server connections, so none
  // is set; apply_transaction_settings() then sets them for each migration instead.
  void prepare_for_migrations(const MigrationSettings& settings);

  // Sets the migration settings with SET LOCAL inside `tx` when prepare_for_migrations()
  // could not set them for the session (behind a pooler); otherwise does nothing and
  // costs nothing. Call first thing in each migration's transaction.
  void apply_transaction_settings(pqxx::transaction_base& tx);

  // A connection pooler (PgBouncer, pgcat, Odyssey, ...) gives its client a made-up
  // process id at login (libpq's PQbackendPID), so a statement's pg_backend_pid() that
  // differs from it means a pooler sits between rokso and PostgreSQL. Records `pid`
  // and returns whether it differs. Statements that are run anyway report their pid
  // here, so knowing costs no round trip.
  bool note_server_pid(int pid);
  bool behind_pooler() const { return behind_pooler_; }

  // While one lives, the server must answer within `seconds`; when it has not, the
  // connection's socket is shut down, so the call waiting for the reply fails with
  // pqxx::broken_connection instead of waiting forever. That is the only bound on a
  // server process that is stopped (SIGSTOP, a hung host over a unix socket): libpq has
  // no read timeout, the kernel still acknowledges TCP for it, and the server cannot
  // run its own statement_timeout. The connection is unusable after expired().
  class ReplyDeadline {
   public:
    ReplyDeadline(Database& db, double seconds);
    ~ReplyDeadline();
    ReplyDeadline(const ReplyDeadline&) = delete;
    ReplyDeadline& operator=(const ReplyDeadline&) = delete;
    bool expired() const { return expired_; }

   private:
    std::mutex mutex_;
    std::condition_variable wake_;
    bool done_ = false;
    std::atomic<bool> expired_{false};
    std::thread watcher_;
  };

  // The server's own quoting of an identifier.
  std::string quote_name(const std::string& name) { return connection_->quote_name(name); }

 private:
  class NoticeRouter;
  DatabaseSettings settings_;
  std::unique_ptr<pqxx::connection> connection_;
  std::unique_ptr<NoticeRouter> notices_;  // destroyed before the connection
  bool behind_pooler_ = false;
  // Set by prepare_for_migrations() when it could not set them for the session.
  std::optional<MigrationSettings> transaction_settings_;
};

// A server error as the user should see it: the message (with libpq's LINE/caret
// context when the server gave a position) and the SQLSTATE.
std::string describe_sql_error(const pqxx::sql_error& e);

// Quotes a name the way roksopsql's unquoted SQL resolved it: a plain identifier is
// folded to lower case (roksopsql spliced names unquoted, so PostgreSQL folded them);
// anything else is used verbatim, in double quotes.
std::string compatible_identifier(const std::string& name);

}  // namespace rokso
