#include "core/migration_lock.hpp"

#include "core/database_access.hpp"
#include "core/error.hpp"
#include "core/lease_lock.hpp"
#include "core/output.hpp"

#include <chrono>
#include <functional>
#include <random>
#include <thread>

namespace rokso {
namespace {

// Polls `attempt` until it succeeds or `timeout_s` passes, saying once who it waits for.
// `attempt(holder)` returns true when the lock is ours; otherwise it may describe the
// holder in *holder (asked only the first time, as that costs a query).
void wait_for(double timeout_s, const std::function<bool(std::string*)>& attempt) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration<double>(timeout_s);
  std::minstd_rand random(std::random_device{}());
  double pause_ms = 20;
  bool said = false;
  for (;;) {
    std::string holder;
    if (attempt(said ? nullptr : &holder)) return;
    if (!said) {
      out::note("waiting for another rokso migrate/rollback" + (holder.empty() ? "" : " (" + holder + ")") +
                " to finish (up to " + std::to_string(static_cast<long long>(timeout_s + 0.5)) + " s)...");
      said = true;
    }
    if (clock::now() >= deadline) {
      throw failure("timed out after " + std::to_string(static_cast<long long>(timeout_s)) +
                    " s waiting for another rokso migrate/rollback to release the migration lock");
    }
    // Jitter, so that two waiters that backed off from each other do not meet again.
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(
        std::uniform_real_distribution<double>(0.75 * pause_ms, 1.25 * pause_ms)(random)));
    if (pause_ms < 500) pause_ms *= 2;
  }
}

}  // namespace

std::optional<long long> session_lock_holder(pqxx::connection_base& c, const std::string& key) {
  pqxx::nontransaction tx(c);
  pqxx::result r = tx.exec_params(
      "SELECT l.pid FROM pg_catalog.pg_locks l "
      "WHERE l.locktype = 'advisory' AND l.granted "
      "AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = pg_catalog.current_database()) "
      "AND l.classid = " +
          std::string(kAdvisoryLockClass) +
          "::oid AND l.objid = pg_catalog.hashtext($1)::oid AND l.objsubid = 2 LIMIT 1",
      key);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<long long>();
}

MigrationLock::MigrationLock(Database& db, const TableIdentity& version_table, double timeout_s)
    : db_(db), key_(version_table.sql_name()) {
  try {
    if (db_.lock_settings().mode == LockMode::lease) {
      lease_table_ = lease_table_name(version_table);
      lease_ = std::make_unique<LeaseLock>(db_, key_, lease_table_);
      wait_for(timeout_s, [this](std::string* holder) { return lease_->try_acquire(holder); });
      db_.set_lock_probe(lease_->probe_sql());
    } else {
      // A version table whose name is too long for a lease table has no lease to look for.
      try {
        lease_table_ = lease_table_name(version_table);
      } catch (const Error&) {
        lease_table_.clear();
      }
      lock_db_ = db_.take_lock_connection();
      if (!lock_db_) lock_db_ = std::make_unique<Database>(db_.settings());
      wait_for(timeout_s, [this](std::string* holder) { return try_session_lock(holder); });
      pqxx::connection_base& c = lock_db_->connection();
      db_.set_lock_probe("EXISTS (SELECT FROM pg_catalog.pg_locks l WHERE l.locktype = 'advisory' AND l.granted"
                         " AND l.pid = " + std::to_string(c.backendpid()) + " AND l.classid = " +
                         std::string(kAdvisoryLockClass) + "::oid AND l.objid = pg_catalog.hashtext(" + c.quote(key_) +
                         ")::oid AND l.objsubid = 2)");
    }
  } catch (const pqxx::broken_connection& e) {
    throw failure("lost the database connection: " + one_line(e.what()));
  } catch (const pqxx::sql_error& e) {
    throw failure("cannot take the migration lock: " + one_line(e.what()));
  }
}

bool MigrationLock::try_session_lock(std::string* holder) {
  pqxx::connection_base& c = lock_db_->connection();
  bool got = false;
  bool lease_table_exists = false;
  {
    pqxx::nontransaction tx(c);
    // The lock is tried only when the server process answering is the one this
    // connection logged in to: through a pooler it would stay with a server connection
    // that other clients get next. OFFSET 0 evaluates the lock before to_regclass(), so
    // a lease taken after it is sure to see the advisory lock (see live_lease()).
    const pqxx::row row = tx.exec_params1(
        "SELECT s.got, s.pid,"
        " CASE WHEN s.got AND $2 <> '' THEN pg_catalog.to_regclass($2) IS NOT NULL ELSE false END FROM ("
        "SELECT CASE WHEN pg_catalog.pg_backend_pid() = $3 THEN pg_catalog.pg_try_advisory_lock(" +
            std::string(kAdvisoryLockClass) +
            ", pg_catalog.hashtext($1)) ELSE false END AS got, pg_catalog.pg_backend_pid() AS pid OFFSET 0) s",
        key_, lease_table_, c.backendpid());
    got = row[0].as<bool>();
    if (lock_db_->note_server_pid(row[1].as<int>())) {
      throw failure(
          "rokso is connected through a connection pooler (the server process answering is not the one this "
          "connection logged in to), where a session lock cannot keep two migrations apart: set \"lock_mode\": "
          "\"lease\" in config.json or ROKSO_LOCK_MODE=lease (see README: Behind a connection pooler)");
    }
    lease_table_exists = row[2].as<bool>();
  }
  if (got) {
    session_held_ = true;
    if (!lease_table_exists) return true;
    // A rokso in lease mode may hold this version table: the modes exclude each other.
    std::optional<std::string> lease = live_lease(c, lease_table_);
    if (!lease) return true;
    {
      pqxx::nontransaction tx(c);
      tx.exec_params("SELECT pg_catalog.pg_advisory_unlock(" + std::string(kAdvisoryLockClass) +
                         ", pg_catalog.hashtext($1))",
                     key_);
    }
    session_held_ = false;
    if (holder) *holder = *lease;
    return false;
  }
  if (holder) {
    try {
      if (auto pid = session_lock_holder(c, key_)) *holder = "server process " + std::to_string(*pid);
    } catch (const pqxx::sql_error&) {
      // Only used for the message.
    }
  }
  return false;
}

MigrationLock::~MigrationLock() {
  db_.set_lock_probe("");
  if (lease_) {
    lease_.reset();
    return;
  }
  // A lost lock connection took the lock with it; touching it would make libpqxx connect
  // again, perhaps to another server (a failover).
  if (!session_held_ || lock_db_->connection_lost()) return;
  try {
    {
      pqxx::nontransaction tx(lock_db_->connection());
      tx.exec_params("SELECT pg_catalog.pg_advisory_unlock(" + std::string(kAdvisoryLockClass) +
                         ", pg_catalog.hashtext($1))",
                     key_);
    }
    // Released: the connection may hold the next lock.
    db_.keep_lock_connection(std::move(lock_db_));
  } catch (...) {
    // The server drops the lock with the session anyway.
  }
}

}  // namespace rokso
