// One writer at a time per version table: `migrate` and `rollback` hold a session-level
// advisory lock keyed on the version table for as long as they run.
//
// Why this design: a session advisory lock dies with its connection, so a killed rokso
// (kill -9, a lost network) never leaves a stuck lock. A waiter polls with
// pg_try_advisory_lock() in autocommit mode instead of blocking in pg_advisory_lock():
// between polls it holds no transaction and no snapshot, so it cannot deadlock with a
// CREATE INDEX CONCURRENTLY that the holder runs (CIC waits for every snapshot older
// than itself).
#pragma once

#include "core/database.hpp"

#include <string>

namespace rokso {

class MigrationLock {
 public:
  // Waits up to `timeout_s` seconds for the lock on `version_table_sql_name`, saying
  // once on stderr who it waits for. Throws Error(kExitFailed) on timeout.
  MigrationLock(Database& db, const std::string& version_table_sql_name, double timeout_s);
  // Releases the lock (also released by the server if the process dies).
  ~MigrationLock();
  MigrationLock(const MigrationLock&) = delete;
  MigrationLock& operator=(const MigrationLock&) = delete;

 private:
  bool try_lock();

  Database& db_;
  std::string key_;
};

}  // namespace rokso
