#include "core/migration_runner.hpp"

#include "core/checksum.hpp"
#include "core/database_access.hpp"
#include "core/error.hpp"
#include "core/invalid_indexes.hpp"
#include "core/output.hpp"
#include "core/sha256.hpp"
#include "core/sql_script.hpp"
#include "core/transaction_control.hpp"
#include "core/transaction_mode.hpp"

#include <algorithm>
#include <chrono>
#include <random>
#include <thread>
#include <cstdio>

namespace rokso {
namespace {

using Clock = std::chrono::steady_clock;

std::string seconds_since(Clock::time_point start) {
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", std::chrono::duration<double>(Clock::now() - start).count());
  return text;
}

void check_sql_text(const std::string& sql) {
  if (sql.find('\0') != std::string::npos) {
    throw MigrationFailed("the SQL contains a NUL byte, which PostgreSQL cannot accept");
  }
}

// Runs one piece of SQL, showing it and its time with -v (roksopsql's "Executing>>").
template <typename Run>
void traced(const std::string& sql, Run run) {
  if (!out::verbose()) {
    run();
    return;
  }
  out::line("\nExecuting>>\n" + sql + "\n");
  const auto start = Clock::now();
  run();
  out::line("query completed successfully..\n>> Time taken: " + seconds_since(start) + " secs");
}

}  // namespace

void MigrationRunner::execute(pqxx::transaction_base& tx, const std::string& sql) {
  if (is_blank_sql(sql)) return;
  if (!out::verbose()) {
    tx.exec(sql);
    return;
  }
  for (const SqlStatement& statement : split_sql(sql)) {
    traced(statement.text, [&] { tx.exec(statement.text); });
  }
}

void MigrationRunner::drop_invalid_indexes_built(const std::vector<std::string>& names,
                                                 const std::vector<InvalidIndex>& before) {
  if (names.empty()) return;
  for (const InvalidIndex& index : invalid_indexes(db_)) {
    if (std::find(names.begin(), names.end(), index.name) == names.end()) continue;
    if (std::binary_search(before.begin(), before.end(), index)) continue;
    pqxx::nontransaction tx(db_.connection());
    tx.exec("DROP INDEX CONCURRENTLY IF EXISTS " + index.sql_name);
    out::line("   (dropped the invalid index " + index.sql_name + " the timed-out attempt left, before retrying)");
  }
}

void MigrationRunner::with_lock_retries(const std::string& what, const std::function<void()>& attempt,
                                        const std::function<void()>& before_retry) {
  std::random_device seed;
  std::mt19937 random(seed());
  for (int retry = 0;; ++retry) {
    try {
      attempt();
      return;
    } catch (const pqxx::sql_error& e) {
      if (e.sqlstate() != "55P03" || retry >= lock_retries_) throw;
      // Backoff 1 s, 2 s, 4 s ... with +-50% jitter, so competing sessions spread out.
      const double base = static_cast<double>(1u << std::min(retry, 10));
      const double pause = std::uniform_real_distribution<double>(0.5 * base, 1.5 * base)(random);
      char text[64];
      std::snprintf(text, sizeof text, "%.1f", pause);
      out::warning("lock timeout while " + what + " (another session holds a lock it needs); retry " +
                   std::to_string(retry + 1) + " of " + std::to_string(lock_retries_) + " in " + text + " s");
      std::this_thread::sleep_for(std::chrono::duration<double>(pause));
      if (before_retry) before_retry();
    }
  }
}

void MigrationRunner::run_with_bookkeeping(const std::string& what, const std::string& sql, bool transactional,
                                           const std::function<void(pqxx::transaction_base&)>& bookkeeping,
                                           const Progress& resume, const RecordProgress& record_progress) {
  check_sql_text(sql);
  if (transactional) {
    const std::string body = sql_to_run_in_transaction(sql);  // a wrapped body without its BEGIN/COMMIT
    guarded(what, [&] {
      with_lock_retries(what, [&] {
        pqxx::work tx(db_.connection());
        const std::string xid = db_.begin_migration(tx);
        execute(tx, body);
        guard_bookkeeping(tx, what, xid);
        bookkeeping(tx);
        tx.commit();
      });
    });
    return;
  }
  // Statements that refuse a transaction block (CREATE INDEX CONCURRENTLY, VACUUM ...)
  // run one by one in autocommit mode; the bookkeeping follows once they all succeeded.
  // Each committed statement counts as progress, so a failed run can be resumed.
  std::vector<std::string> statements;
  for (const SqlStatement& statement : split_sql(sql)) statements.push_back(statement.text);
  int done = 0;
  if (resume.statements_done > 0) {
    const int n = resume.statements_done;
    if (n <= static_cast<int>(statements.size()) && progress_checksum(statements, n) == resume.checksum) {
      done = n;
      out::line("   (resuming after statement " + std::to_string(n) + " of " + std::to_string(statements.size()) +
                ": those already ran in the failed attempt)");
    } else {
      out::warning("the first " + std::to_string(n) +
                   " statements that ran in the failed attempt have changed since; running all statements again");
    }
  }
  const int count = static_cast<int>(statements.size());
  for (; done < count; ++done) {
    const std::string& statement = statements[static_cast<std::size_t>(done)];
    // A CREATE INDEX CONCURRENTLY that hits the lock timeout once its index is in the
    // catalog leaves it invalid, and a retry would fail on the taken name: the invalid
    // index this very statement made is dropped before it is retried.
    const std::vector<std::string> builds = indexes_built_concurrently(statement);
    std::vector<InvalidIndex> invalid_before;
    if (!builds.empty()) invalid_before = invalid_indexes(db_);
    try {
      guarded(what, [&] {
        with_lock_retries(
            what,
            [&] {
              traced(statement, [&] {
                pqxx::nontransaction tx(db_.connection());
                tx.exec(statement);
              });
            },
            [&] { drop_invalid_indexes_built(builds, invalid_before); });
      });
    } catch (const MigrationFailed& e) {
      throw MigrationFailed(std::string(e.what()) + "\n(statement " + std::to_string(done + 1) + " of " +
                                std::to_string(count) + "; the " + std::to_string(done) +
                                " before it ran and stay applied)",
                            Progress{done, progress_checksum(statements, done)});
    }
    // Committed: recorded at once, so that a rokso killed before the next statement
    // resumes after this one instead of running it again. (After the last one the
    // migration's own row follows.)
    if (record_progress && done + 1 < count) {
      const Progress progress{done + 1, progress_checksum(statements, done + 1)};
      guarded(what, [&] {
        with_lock_retries(what, [&] {
          pqxx::work tx(db_.connection());
          guard_bookkeeping(tx, what, "");
          record_progress(tx, progress);
          tx.commit();
        });
      });
    }
  }
  guarded(what, [&] {
    with_lock_retries(what, [&] {
      pqxx::work tx(db_.connection());
      guard_bookkeeping(tx, what, "");
      bookkeeping(tx);
      tx.commit();
    });
  });
}

void MigrationRunner::guard_bookkeeping(pqxx::transaction_base& tx, const std::string& what, const std::string& xid) {
  const Database::BookkeepingCheck check = db_.protect_bookkeeping(tx, xid);
  if (!check.lock_held) {
    throw failure("the migration lock is no longer held while " + what +
                  " (its connection was lost, or the migration's SQL deleted the lease row); its transaction is "
                  "rolled back and nothing is recorded; stopping, so that two migrations never run at once");
  }
  if (!check.same_transaction) {
    throw MigrationFailed(
        "its SQL ended rokso's transaction (transaction control rokso could not see before running it, e.g. inside "
        "a procedure or in syntax newer than its parser): the statements before that may be committed, and it is "
        "not recorded as applied; check the database before retrying");
  }
}

void MigrationRunner::guarded(const std::string& what, const std::function<void()>& work) {
  try {
    work();
  } catch (const pqxx::broken_connection& e) {
    throw failure("lost the database connection while " + what + ": " + one_line(e.what()));
  } catch (const pqxx::in_doubt_error&) {
    throw failure("lost the database connection while committing (" + what +
                  "); run 'rokso status' to see whether it took effect");
  } catch (const pqxx::sql_error& e) {
    throw MigrationFailed(describe_sql_error(e));
  }
}

std::string progress_checksum(const std::vector<std::string>& statements, int count) {
  std::string text;
  for (int i = 0; i < count && i < static_cast<int>(statements.size()); ++i) {
    text += statements[static_cast<std::size_t>(i)];
    text += '\0';
  }
  return sha256_hex(text);
}

void MigrationRunner::apply(const std::string& identity, const Migration& migration,
                            const std::string& revision, bool replaces_failed_row, const Progress& resume) {
  refuse_transaction_control(identity, migration);
  const auto start = Clock::now();
  // The checksum of what is applied goes into the same INSERT as the row, as a parameter.
  const std::string checksum = migration_checksum(migration.apply_sql, migration.rollback_sql);
  const std::string what = "applying '" + identity + "'";
  with_session_reset(what, [&] {
    run_with_bookkeeping(what, migration.apply_sql, migration.transactional,
                         [&](pqxx::transaction_base& tx) {
                           const auto elapsed =
                               std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
                           table_.record(tx, identity, revision, kStatusComplete, replaces_failed_row,
                                         static_cast<long long>(elapsed.count()), 0, "", checksum);
                         },
                         resume, [&](pqxx::transaction_base& tx, const Progress& progress) {
                           table_.record(tx, identity, revision, kStatusError, replaces_failed_row, 0,
                                         progress.statements_done, progress.checksum);
                         });
  });
}

void MigrationRunner::with_session_reset(const std::string& what, const std::function<void()>& run) {
  try {
    run();
  } catch (const MigrationFailed&) {
    guarded(what, [this] { db_.reset_session(); });
    throw;
  }
  guarded(what, [this] { db_.reset_session(); });
}

void MigrationRunner::record_failure(const std::string& identity, const std::string& revision,
                                     bool replaces_failed_row, const Progress& progress) {
  try {
    pqxx::work tx(db_.connection());
    if (!db_.protect_bookkeeping(tx).lock_held) {
      throw failure("the migration lock is no longer held: the failure of '" + identity + "' is not recorded");
    }
    table_.record(tx, identity, revision, kStatusError, replaces_failed_row, 0, progress.statements_done,
                  progress.checksum);
    tx.commit();
  } catch (const pqxx::broken_connection& e) {
    throw failure("lost the database connection while recording the failure of '" + identity +
                  "': " + one_line(e.what()));
  } catch (const pqxx::sql_error& e) {
    throw failure("cannot record the failure of '" + identity + "': " + one_line(e.what()));
  }
}

void MigrationRunner::roll_back(long long row_id, const Migration& migration) {
  // The rollback may need autocommit even when the apply SQL did not (DROP INDEX CONCURRENTLY).
  const bool transactional = rollback_runs_in_transaction(migration);
  refuse_transaction_control("row " + std::to_string(row_id), "rollback SQL", migration.rollback_sql, transactional);
  with_session_reset("rolling back", [&] {
    run_with_bookkeeping("rolling back", migration.rollback_sql, transactional,
                         [&](pqxx::transaction_base& tx) {
                           traced("DELETE FROM " + table_.sql_name() + " WHERE id = " + std::to_string(row_id),
                                  [&] { table_.remove(tx, row_id); });
                         });
  });
}

}  // namespace rokso
