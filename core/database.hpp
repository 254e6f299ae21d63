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
  //   settings.statement_timeout in all when that is set;
  // - remembers the session's client_encoding, which bookkeeping pins (see
  //   protect_bookkeeping()).
  // Behind a connection pooler (see note_server_pid) a session setting would not stick
  // to this connection and would leak into other clients' server connections, so none
  // is set; begin_migration() sets them in each migration's transaction anyway.
  void prepare_for_migrations(const MigrationSettings& settings);

  // First thing in each transaction that runs a migration (or `migrate --check`), in one
  // round trip: sets the migration settings with SET LOCAL, so a migration before this
  // one (RESET ALL, SET lock_timeout = 0) cannot change how this one runs, and returns
  // the transaction's id (txid_current()) for protect_bookkeeping() to compare.
  std::string begin_migration(pqxx::transaction_base& tx);

  // What protect_bookkeeping() found.
  struct BookkeepingCheck {
    bool same_transaction = true;  // still the transaction begin_migration() returned the id of
    bool lock_held = true;         // the migration lock (set_lock_probe()) is still ours
  };
  // Right before rokso writes its own rows in `tx` (after a migration's SQL ran in it),
  // in one round trip: undoes for the rest of `tx` what the migration's SQL may have
  // changed that bookkeeping depends on (SET ROLE, SET SESSION AUTHORIZATION,
  // search_path, client_encoding: SET LOCAL, so the version row goes where it belongs,
  // as the connecting role, in the encoding libpq speaks), and checks that `tx` is still
  // transaction `xid` (unless "") and that the migration lock is still held. The caller
  // stops when either is false.
  BookkeepingCheck protect_bookkeeping(pqxx::transaction_base& tx, const std::string& xid = "");

  // After each migration, in one autocommit round trip: RESET SESSION AUTHORIZATION,
  // RESET ROLE and RESET ALL, then rokso's own session settings again, so the next
  // migration (and rokso's statements between) start from the same session state
  // whatever this one SET. Behind a pooler there is no session of ours to reset: nothing
  // is sent (begin_migration() and protect_bookkeeping() still cover rokso's needs).
  void reset_session();

  // A boolean SQL expression that is true while this command holds the migration lock
  // (set by MigrationLock; "" when no lock is held). protect_bookkeeping() evaluates it.
  void set_lock_probe(std::string sql_expression) { lock_probe_ = std::move(sql_expression); }

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
  // Set by prepare_for_migrations().
  std::optional<MigrationSettings> migration_settings_;
  std::string client_encoding_;  // as libpq negotiated it at connect
  std::string lock_probe_;
};

// A server error as the user should see it: the message (with libpq's LINE/caret
// context when the server gave a position) and the SQLSTATE.
std::string describe_sql_error(const pqxx::sql_error& e);

// Quotes a name the way roksopsql's unquoted SQL resolved it: a plain identifier is
// folded to lower case (roksopsql spliced names unquoted, so PostgreSQL folded them);
// anything else is used verbatim, in double quotes.
std::string compatible_identifier(const std::string& name);

}  // namespace rokso
