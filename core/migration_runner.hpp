// Runs migrations and rollbacks against the database, each atomic with its bookkeeping:
// a migration's SQL and its version-table row commit together or not at all, so a
// crash, a kill -9 or a failed statement never leaves a half-applied migration. Nor can
// the migration's own SQL break that: transaction control is refused before it runs
// (core/transaction_control.hpp), and before each commit the runner checks that it is
// still the transaction it opened and that the migration lock is still held
// (Database::protect_bookkeeping()). After each migration the session is reset, so
// the next starts from the same state (Database::reset_session()).
#pragma once

#include "core/database.hpp"
#include "core/invalid_indexes.hpp"
#include "core/version_table.hpp"

#include <rokso/migration.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace rokso {

// How far a non-transactional migration got: its first `statements_done` statements
// ran (and committed), and `checksum` fingerprints their text (progress_checksum()).
struct Progress {
  int statements_done = 0;
  std::string checksum;
};

// sha256 of the first `count` statements' text: a retry skips them only if they are
// still the same statements.
std::string progress_checksum(const std::vector<std::string>& statements, int count);

// The server refused a migration's SQL; what() is the server's message. For a
// non-transactional migration, progress() says which statements had already run.
class MigrationFailed : public std::runtime_error {
 public:
  explicit MigrationFailed(const std::string& message, Progress progress = {})
      : std::runtime_error(message), progress_(std::move(progress)) {}
  const Progress& progress() const { return progress_; }

 private:
  Progress progress_;
};

class MigrationRunner {
 public:
  // A statement that hits lock_timeout (SQLSTATE 55P03) is retried `lock_retries`
  // times with exponential backoff and jitter before the migration is reported failed.
  MigrationRunner(Database& db, VersionTable& table, int lock_retries = 3)
      : db_(db), table_(table), lock_retries_(lock_retries) {}

  // Applies `migration` and records `identity` as complete at `revision` (with the
  // migration's checksum, core/checksum.hpp), in one
  // transaction (or, for a non-transactional migration, statement by statement and
  // then the row). With -v, runs and times statement by statement, as roksopsql showed.
  // Throws MigrationFailed (the transaction rolled back, nothing recorded), or Error
  // before anything runs when its SQL holds transaction control rokso refuses
  // (core/transaction_control.hpp). A body wrapped in BEGIN ... COMMIT runs unwrapped.
  // Whatever it SET, the session is reset afterwards (Database::reset_session()).
  // A non-transactional migration resumes after `resume.statements_done` statements
  // when their text is unchanged (else it says so and starts over).
  void apply(const std::string& identity, const Migration& migration, const std::string& revision,
             bool replaces_failed_row, const Progress& resume = {});

  // Records `identity` with status `error` at `revision`, with how far it got, in its
  // own transaction.
  void record_failure(const std::string& identity, const std::string& revision, bool replaces_failed_row,
                      const Progress& progress = {});

  // Runs the rollback SQL of `migration` and deletes row `row_id`, in one transaction.
  // An empty rollback only deletes the row. Throws MigrationFailed; refuses transaction
  // control as apply() does.
  void roll_back(long long row_id, const Migration& migration);

 private:
  using RecordProgress = std::function<void(pqxx::transaction_base&, const Progress&)>;
  // Runs `sql` and then `bookkeeping` atomically: in one transaction, or for a
  // non-transactional migration statement by statement and then the bookkeeping in its
  // own transaction; there `record_progress` (if set) records, in a transaction of its
  // own, each statement but the last right after it committed. Server errors become
  // MigrationFailed; `what` names the work in connection-loss messages.
  void run_with_bookkeeping(const std::string& what, const std::string& sql, bool transactional,
                            const std::function<void(pqxx::transaction_base&)>& bookkeeping,
                            const Progress& resume = {}, const RecordProgress& record_progress = {});
  // Before bookkeeping in `tx`: Database::protect_bookkeeping(), then stops with Error
  // when the lock is no longer held, or MigrationFailed when `tx` is no longer the
  // transaction `xid` (unless "") that the migration ran in.
  void guard_bookkeeping(pqxx::transaction_base& tx, const std::string& what, const std::string& xid);
  // Runs `run` (one migration or rollback), then resets the session for the next one
  // (Database::reset_session()), also when it failed.
  void with_session_reset(const std::string& what, const std::function<void()>& run);
  // Runs `sql` in `tx`: whole (one round trip) or, with -v, statement by statement.
  void execute(pqxx::transaction_base& tx, const std::string& sql);

  // Runs `work`, turning connection loss into Error and server errors into MigrationFailed.
  void guarded(const std::string& what, const std::function<void()>& work);
  // Runs `attempt`, retrying it after a lock timeout (calling `before_retry` first, if
  // set); `what` names it in the messages.
  void with_lock_retries(const std::string& what, const std::function<void()>& attempt,
                         const std::function<void()>& before_retry = {});
  // Drops the invalid indexes named `names` that are not in `before` (sorted): what a
  // CREATE INDEX CONCURRENTLY that timed out left behind.
  void drop_invalid_indexes_built(const std::vector<std::string>& names, const std::vector<InvalidIndex>& before);

  Database& db_;
  VersionTable& table_;
  int lock_retries_;
};

}  // namespace rokso
