#include "core/migration_runner.hpp"

#include "core/checksum.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/sha256.hpp"
#include "core/sql_script.hpp"
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

void MigrationRunner::with_lock_retries(const std::string& what, const std::function<void()>& attempt) {
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
    }
  }
}

void MigrationRunner::run_with_bookkeeping(const std::string& what, const std::string& sql, bool transactional,
                                           const std::function<void(pqxx::transaction_base&)>& bookkeeping,
                                           const Progress& resume) {
  check_sql_text(sql);
  if (transactional) {
    guarded(what, [&] {
      with_lock_retries(what, [&] {
        pqxx::work tx(db_.connection());
        db_.apply_transaction_settings(tx);  // behind a pooler: SET LOCAL, else nothing
        execute(tx, sql);
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
  for (; done < static_cast<int>(statements.size()); ++done) {
    const std::string& statement = statements[static_cast<std::size_t>(done)];
    try {
      guarded(what, [&] {
        with_lock_retries(what, [&] {
          traced(statement, [&] {
            pqxx::nontransaction tx(db_.connection());
            tx.exec(statement);
          });
        });
      });
    } catch (const MigrationFailed& e) {
      throw MigrationFailed(std::string(e.what()) + "\n(statement " + std::to_string(done + 1) + " of " +
                                std::to_string(statements.size()) + "; the " + std::to_string(done) +
                                " before it ran and stay applied)",
                            Progress{done, progress_checksum(statements, done)});
    }
  }
  guarded(what, [&] {
    with_lock_retries(what, [&] {
      pqxx::work tx(db_.connection());
      bookkeeping(tx);
      tx.commit();
    });
  });
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
  const auto start = Clock::now();
  // The checksum of what is applied goes into the same INSERT as the row, as a parameter.
  const std::string checksum = migration_checksum(migration.apply_sql, migration.rollback_sql);
  run_with_bookkeeping("applying '" + identity + "'", migration.apply_sql, migration.transactional,
                       [&](pqxx::transaction_base& tx) {
                         const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
                         table_.record(tx, identity, revision, kStatusComplete, replaces_failed_row,
                                       static_cast<long long>(elapsed.count()), 0, "", checksum);
                       },
                       resume);
}

void MigrationRunner::record_failure(const std::string& identity, const std::string& revision,
                                     bool replaces_failed_row, const Progress& progress) {
  try {
    pqxx::work tx(db_.connection());
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
  const bool transactional = migration.transactional && statements_refusing_transactions(migration.rollback_sql).empty();
  run_with_bookkeeping("rolling back", migration.rollback_sql, transactional,
                       [&](pqxx::transaction_base& tx) {
                         traced("DELETE FROM " + table_.sql_name() + " WHERE id = " + std::to_string(row_id),
                                [&] { table_.remove(tx, row_id); });
                       });
}

}  // namespace rokso
