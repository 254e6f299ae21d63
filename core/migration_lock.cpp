#include "core/migration_lock.hpp"

#include "core/error.hpp"
#include "core/output.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

namespace rokso {
namespace {

// First key of the two-int4 advisory lock space: "roks". The second is hashtext() of
// the version table's name, so two projects on one database lock independently.
constexpr const char* kLockClass = "1919904627";

}  // namespace

MigrationLock::MigrationLock(Database& db, const std::string& version_table_sql_name,
                             double timeout_s)
    : db_(db), key_(version_table_sql_name) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + std::chrono::duration<double>(timeout_s);
  auto pause = std::chrono::milliseconds(20);
  bool said = false;
  for (;;) {
    if (try_lock()) return;
    if (!said) {
      std::string holder;
      try {
        pqxx::nontransaction tx(db_.connection());
        pqxx::result r = tx.exec_params(
            "SELECT l.pid, a.application_name, a.client_addr FROM pg_catalog.pg_locks l "
            "LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted "
            "AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database()) "
            "AND l.classid = " +
                std::string(kLockClass) + "::oid AND l.objid = hashtext($1)::oid AND l.objsubid = 2",
            key_);
        if (!r.empty()) holder = " (server process " + r[0][0].as<std::string>() + ")";
      } catch (const pqxx::sql_error&) {
        // Only used for the message.
      }
      std::fflush(stdout);
      std::fprintf(stderr, "waiting for another rokso migrate/rollback%s to finish (up to %.0f s)...\n",
                   holder.c_str(), timeout_s);
      said = true;
    }
    if (clock::now() >= deadline) {
      throw failure("timed out after " + std::to_string(static_cast<long long>(timeout_s)) +
                    " s waiting for another rokso migrate/rollback to release the migration lock");
    }
    std::this_thread::sleep_for(pause);
    if (pause < std::chrono::milliseconds(500)) pause *= 2;
  }
}

bool MigrationLock::try_lock() {
  try {
    pqxx::nontransaction tx(db_.connection());
    return tx.exec_params1("SELECT pg_try_advisory_lock(" + std::string(kLockClass) + ", hashtext($1))", key_)[0]
        .as<bool>();
  } catch (const pqxx::broken_connection& e) {
    throw failure("lost the database connection: " + one_line(e.what()));
  } catch (const pqxx::sql_error& e) {
    throw failure("cannot take the migration lock: " + one_line(e.what()));
  }
}

MigrationLock::~MigrationLock() {
  try {
    pqxx::nontransaction tx(db_.connection());
    tx.exec_params("SELECT pg_advisory_unlock(" + std::string(kLockClass) + ", hashtext($1))", key_);
  } catch (...) {
    // The server drops the lock with the session anyway.
  }
}

}  // namespace rokso
