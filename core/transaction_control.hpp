// Transaction control (BEGIN, COMMIT, ROLLBACK, PREPARE TRANSACTION ...) inside a
// migration's SQL, found with PostgreSQL's own parser (libpg_query).
//
// rokso commits each transactional migration together with its version row, so a COMMIT
// or ROLLBACK of the migration's own would end rokso's transaction early: half of it
// committed, or nothing of it while its row says complete. Such statements are refused
// before anything runs. One exception keeps the common golang-migrate/dbmate style
// working as meant: a body wrapped in exactly one leading BEGIN (or START TRANSACTION)
// and one trailing COMMIT (or END) is unwrapped, and its statements run in rokso's
// transaction. SAVEPOINT, RELEASE and ROLLBACK TO stay inside the transaction and are
// allowed. A non-transactional migration runs each statement as its own transaction
// and records progress after each, so a transaction of its own spanning statements
// would make that progress lie: there BEGIN, COMMIT and the like are refused too.
#pragma once

#include <rokso/migration.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace rokso {

// One transaction-control statement of a script.
struct TransactionControlStatement {
  std::string kind;    // libpg_query's TransactionStmt kind, e.g. "TRANS_STMT_COMMIT"
  std::string text;    // the statement as written, on one line, shortened
  long line = 0;       // 1-based line of its first character in the script
  std::size_t begin = 0, end = 0;  // its bytes in the script, with its ';'
  bool chain = false;  // COMMIT/ROLLBACK AND CHAIN
  bool options = false;  // BEGIN with an isolation level, READ ONLY ...
};

struct TransactionControlScan {
  bool parsed = false;  // false: the parser could not read the script (the server will say why)
  std::vector<TransactionControlStatement> statements;
  // The first statement is a plain BEGIN/START TRANSACTION, the last a plain COMMIT/END,
  // and no other transaction control is in between that ends the transaction.
  bool wrapped = false;
};

TransactionControlScan scan_transaction_control(const std::string& sql);

// The statements of `sql` rokso refuses in a migration that runs (`transactional`) in
// its transaction or (not) statement by statement, as "line 3: COMMIT". The outer
// BEGIN/COMMIT of a wrapped body is not refused in a transactional migration.
std::vector<std::string> refused_transaction_control(const std::string& sql, bool transactional);

// What rokso sends for `sql` in a transaction: `sql` itself, or for a wrapped body the
// same text with the outer BEGIN and COMMIT blanked out (line numbers in the server's
// errors stay those of the file).
std::string sql_to_run_in_transaction(const std::string& sql);

// Whether a transactional migration's `sql` is a wrapped body that rokso unwraps.
bool is_wrapped_body(const std::string& sql);

// Adds the note "outer BEGIN/COMMIT unwrapped ..." to a transactional migration whose
// apply (or rollback) SQL is a wrapped body; show, status and migrate --dry-run print it.
void note_wrapped_bodies(Migration& migration);

// Throws Error(kExitFailed) naming `name`, the SQL (apply or rollback), the line and the
// statement, when `sql` holds transaction control refused by refused_transaction_control().
void refuse_transaction_control(const std::string& name, const char* which_sql, const std::string& sql,
                                bool transactional);

// Both of a migration's scripts, as they will run: the apply SQL (as `transactional`)
// and the rollback SQL (transactional unless it needs autocommit, see
// rollback_runs_in_transaction()).
void refuse_transaction_control(const std::string& name, const Migration& migration);

// Whether the rollback SQL of `migration` runs in a transaction: the migration is
// transactional and its rollback holds nothing PostgreSQL refuses in a transaction block
// (DROP INDEX CONCURRENTLY).
bool rollback_runs_in_transaction(const Migration& migration);

}  // namespace rokso
