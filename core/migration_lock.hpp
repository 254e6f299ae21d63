// One writer at a time per version table: `migrate`, `rollback`, `mark` and `init` hold
// rokso's migration lock for as long as they run. Two modes (config.json's "lock_mode",
// $ROKSO_LOCK_MODE; README: "Behind a connection pooler"):
//
// - session (default): a session-level advisory lock keyed on the version table, held
//   on a connection of its own that no migration SQL runs on, so a migration cannot
//   release it (pg_advisory_unlock_all() only touches its own session). It dies with
//   its connection, so a killed rokso (kill -9, a lost network) never leaves a stuck
//   lock. A waiter polls with pg_try_advisory_lock() in autocommit mode instead of
//   blocking in pg_advisory_lock(): between polls it holds no transaction and no
//   snapshot, so it cannot deadlock with a CREATE INDEX CONCURRENTLY that the holder runs
//   (CIC waits for every snapshot older than itself). Behind a transaction pooler a
//   session is not one server process, so the lock would not keep anyone out: the
//   statement that takes it also returns pg_backend_pid(), and when that is not the
//   process this connection logged in to (a pooler made it up) the lock is not taken and
//   rokso stops with an error naming the lease mode. No extra round trip.
//
// - lease: a row with an expiry in <version table>_lock (core/lease_lock.hpp), renewed
//   by a background thread; works through any pooler.
//
// Either way, before rokso commits a migration with its row it checks, in the same round
// trip as its other bookkeeping checks, that the lock is still held (Database::
// set_lock_probe()), and stops if not: a migration that deletes the lease row, or a
// lock connection that died, never lets two migrations commit at once.
//
// The two modes exclude each other too, so a team can mix them (a developer connected
// directly, CI through PgBouncer): each takes its own lock, then looks for the other's
// and backs off when it finds it.
#pragma once

#include "core/database.hpp"

#include <memory>
#include <string>

namespace rokso {

class LeaseLock;

class MigrationLock {
 public:
  // Waits up to `timeout_s` seconds for the lock on `version_table` (VersionTable::
  // identity()), saying once on stderr who it waits for. Throws Error(kExitFailed)
  // on timeout, and in session mode behind a connection pooler.
  MigrationLock(Database& db, const TableIdentity& version_table, double timeout_s);
  // Releases the lock (a session lock is also released by the server if the process
  // dies; a lease expires).
  ~MigrationLock();
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  bool try_session_lock(std::string* holder);

  Database& db_;
  // Session mode: the connection holding the advisory lock (not db_'s, where the
  // migrations run).
  std::unique_ptr<Database> lock_db_;
  std::string key_;
  std::string lease_table_;
  bool session_held_ = false;
  std::unique_ptr<LeaseLock> lease_;
};

}  // namespace rokso
