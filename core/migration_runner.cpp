#include "core/migration_runner.hpp"

#include "core/error.hpp"
#include "core/output.hpp"
#include "core/sql_script.hpp"

#include <chrono>
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

void MigrationRunner::apply(const std::string& identity, const Migration& migration,
                            const std::string& revision, bool replaces_failed_row) {
  check_sql_text(migration.apply_sql);
  const auto start = Clock::now();
  auto elapsed_ms = [&] {
    return static_cast<long long>(
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
  };
  try {
    if (migration.transactional) {
      pqxx::work tx(db_.connection());
      execute(tx, migration.apply_sql);
      table_.record(tx, identity, revision, kStatusComplete, replaces_failed_row, elapsed_ms());
      tx.commit();
      return;
    }
    // Statements that refuse a transaction block (CREATE INDEX CONCURRENTLY, VACUUM ...)
    // run one by one in autocommit mode; the row is written once they all succeeded.
    for (const SqlStatement& statement : split_sql(migration.apply_sql)) {
      traced(statement.text, [&] {
        pqxx::nontransaction tx(db_.connection());
        tx.exec(statement.text);
      });
    }
    pqxx::work tx(db_.connection());
    table_.record(tx, identity, revision, kStatusComplete, replaces_failed_row, elapsed_ms());
    tx.commit();
  } catch (const pqxx::broken_connection& e) {
    throw failure("lost the database connection while applying '" + identity + "': " + one_line(e.what()));
  } catch (const pqxx::in_doubt_error& e) {
    throw failure("lost the database connection while committing '" + identity +
                  "'; run 'rokso status' to see whether it was applied");
  } catch (const pqxx::sql_error& e) {
    throw MigrationFailed(describe_sql_error(e));
  }
}

void MigrationRunner::record_failure(const std::string& identity, const std::string& revision,
                                     bool replaces_failed_row) {
  try {
    pqxx::work tx(db_.connection());
    table_.record(tx, identity, revision, kStatusError, replaces_failed_row, 0);
    tx.commit();
  } catch (const pqxx::broken_connection& e) {
    throw failure("lost the database connection while recording the failure of '" + identity +
                  "': " + one_line(e.what()));
  } catch (const pqxx::sql_error& e) {
    throw failure("cannot record the failure of '" + identity + "': " + one_line(e.what()));
  }
}

void MigrationRunner::roll_back(long long row_id, const Migration& migration) {
  check_sql_text(migration.rollback_sql);
  try {
    if (migration.transactional) {
      pqxx::work tx(db_.connection());
      execute(tx, migration.rollback_sql);
      traced("DELETE FROM " + table_.sql_name() + " WHERE id = " + std::to_string(row_id),
             [&] { table_.remove(tx, row_id); });
      tx.commit();
      return;
    }
    for (const SqlStatement& statement : split_sql(migration.rollback_sql)) {
      traced(statement.text, [&] {
        pqxx::nontransaction tx(db_.connection());
        tx.exec(statement.text);
      });
    }
    pqxx::work tx(db_.connection());
    table_.remove(tx, row_id);
    tx.commit();
  } catch (const pqxx::broken_connection& e) {
    throw failure("lost the database connection during rollback: " + one_line(e.what()));
  } catch (const pqxx::in_doubt_error& e) {
    throw failure("lost the database connection while committing a rollback; run 'rokso status'");
  } catch (const pqxx::sql_error& e) {
    throw MigrationFailed(describe_sql_error(e));
  }
}

}  // namespace rokso
