// Runs migrations and rollbacks against the database, each atomic with its bookkeeping:
// a migration's SQL and its version-table row commit together or not at all, so a
// crash, a kill -9 or a failed statement never leaves a half-applied migration.
#pragma once

#include "core/database.hpp"
#include "core/version_table.hpp"

#include <rokso/migration.hpp>

#include <functional>
#include <stdexcept>
#include <string>

namespace rokso {

// The server refused a migration's SQL; what() is the server's message.
class MigrationFailed : public std::runtime_error {
 public:
  explicit MigrationFailed(const std::string& message) : std::runtime_error(message) {}
};

class MigrationRunner {
 public:
  // A statement that hits lock_timeout (SQLSTATE 55P03) is retried `lock_retries`
  // times with exponential backoff and jitter before the migration is reported failed.
  MigrationRunner(Database& db, VersionTable& table, int lock_retries = 3)
      : db_(db), table_(table), lock_retries_(lock_retries) {}

  // Applies `migration` and records `identity` as complete at `revision`, in one
  // transaction (or, for a non-transactional migration, statement by statement and
  // then the row). With -v, runs and times statement by statement, as roksopsql showed.
  // Throws MigrationFailed (the transaction rolled back, nothing recorded).
  void apply(const std::string& identity, const Migration& migration, const std::string& revision,
             bool replaces_failed_row);

  // Records `identity` with status `error` at `revision`, in its own transaction.
  void record_failure(const std::string& identity, const std::string& revision, bool replaces_failed_row);

  // Runs the rollback SQL of `migration` and deletes row `row_id`, in one transaction.
  // An empty rollback only deletes the row. Throws MigrationFailed.
  void roll_back(long long row_id, const Migration& migration);

 private:
  // Runs `sql` and then `bookkeeping` atomically: in one transaction, or for a
  // non-transactional migration statement by statement and then the bookkeeping in its
  // own transaction. Server errors become MigrationFailed; `what` names the work in
  // connection-loss messages.
  void run_with_bookkeeping(const std::string& what, const std::string& sql, bool transactional,
                            const std::function<void(pqxx::transaction_base&)>& bookkeeping);
  // Runs `sql` in `tx`: whole (one round trip) or, with -v, statement by statement.
  void execute(pqxx::transaction_base& tx, const std::string& sql);

  // Runs `attempt`, retrying it after a lock timeout; `what` names it in the messages.
  void with_lock_retries(const std::string& what, const std::function<void()>& attempt);

  Database& db_;
  VersionTable& table_;
  int lock_retries_;
};

}  // namespace rokso
