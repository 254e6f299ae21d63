// The connection to PostgreSQL. One command makes one Database, so one connection per
// command. libpqxx stays behind it: this header names pqxx types only as declarations,
// so commands cannot use them; core files that speak SQL include
// core/database_access.hpp, which brings libpqxx in.
#pragma once

#include "core/config.hpp"
#include "core/table_identity.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace pqxx {
class connection_base;
class transaction_base;
class sql_error;
class broken_connection;
}  // namespace pqxx

namespace rokso {

class Database {
 public:
  // Connects. Throws Error(kExitFailed, "cannot connect to the database: <libpq's
  // reason, on one line>"); the password never appears in it.
  explicit Database(const DatabaseSettings& settings);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // For core files only (core/database_access.hpp gives the type): transactions are
  // opened on it, as pqxx::work tx(db.connection()).
  pqxx::connection_base& connection();
  // What this connection was made from (e.g. to open a sibling connection), with
  // $ROKSO_LOCK_MODE applied to lock.mode.
  const DatabaseSettings& settings() const { return settings_; }
  const LockSettings& lock_settings() const { return settings_.lock; }

  // e.g. "PostgreSQL 15.18 (Debian 15.18-0+deb12u1) on x86_64-pc-linux-gnu, ..."
  std::string server_version();
  // The same as a number, e.g. 150018 (libpq's; no round trip).
  int server_version_number();
  // Whom this connection reached, as libpq tells it (no password).
  struct Endpoint {
    std::string user, dbname, host, port;
  };
  Endpoint endpoint();
  // `text` as a PostgreSQL timestamp normalised by the server ('2024-05-01 12:00',
  // 'today', ... as YYYY-MM-DD HH24:MI:SS.US), or nullopt with *problem set to the
  // server's primary message when it is not one.
  std::optional<std::string> normalized_timestamp(const std::string& text, std::string* problem);
  // The database's own schemas, sorted: everything but PostgreSQL's.
  std::vector<std::string> user_schemas();
  // CREATE SCHEMA IF NOT EXISTS, the name resolved as config.json's names are
  // (compatible_identifier()): for `init --dev`, whose fresh database has only public.
  void create_schema_if_missing(const std::string& schema);
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
  // The same inside `tx` (for `migrate --check`, which runs every migration in one
  // transaction), with rokso's settings as SET LOCAL, as begin_migration() sets them.
  void reset_session(pqxx::transaction_base& tx);

  // A boolean SQL expression that is true while this command holds the migration lock
  // (set by MigrationLock; "" when no lock is held). protect_bookkeeping() evaluates it.
  void set_lock_probe(std::string sql_expression) { lock_probe_ = std::move(sql_expression); }

  // The sibling connection a MigrationLock held its session lock on, kept once the lock
  // is released so that the next lock taken through this connection (a fleet worker's
  // next tenant, core/fleet_threads.hpp) need not log in again; nullptr when none.
  std::unique_ptr<Database> take_lock_connection() { return std::move(lock_connection_); }
  void keep_lock_connection(std::unique_ptr<Database> connection) { lock_connection_ = std::move(connection); }

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
  std::string quote_name(const std::string& name);

  // Whether the connection is gone (the server died, was stopped, or the network cut
  // it): what a pqxx::broken_connection left behind.
  bool connection_lost() const;
  // A fresh connection from the same settings, replacing a lost one: with a multi-host
  // URL and target_session_attrs=read-write, libpq picks whichever server is primary now
  // (core/failover_reconnect.hpp). Forgets everything about the old session: the lock
  // probe, the pooler check and prepare_for_migrations() must be redone. Throws Error
  // as the constructor does, and then the connection stays lost.
  void reconnect();

 private:
  class NoticeRouter;
  struct Handle;  // the pqxx::connection (database.cpp)
  DatabaseSettings settings_;
  std::unique_ptr<Handle> connection_;
  std::unique_ptr<NoticeRouter> notices_;  // destroyed before the connection
  bool behind_pooler_ = false;
  // Set by prepare_for_migrations().
  std::optional<MigrationSettings> migration_settings_;
  std::string client_encoding_;  // as libpq negotiated it at connect
  std::string lock_probe_;
  std::unique_ptr<Database> lock_connection_;
};

}  // namespace rokso
