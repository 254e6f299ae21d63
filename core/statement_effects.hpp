// What PostgreSQL really does when a migration runs, statement by statement, observed on
// a (throwaway) database for `rokso lint --explain`: the locks each statement takes on
// relations that exist before the migration (pg_locks of the own backend), the ones it
// rewrites (their pg_class.relfilenode changes), and how long it took. Everything runs
// in one transaction that is rolled back: the database is left as it was.
//
// Statements PostgreSQL refuses inside a transaction block (CREATE INDEX CONCURRENTLY,
// VACUUM, ...) are not run: rokso runs them on their own, each committed at once, so
// their locks cannot be read back afterwards. Transaction-control statements are not
// run either (rokso refuses them). A statement that fails ends the explanation of its
// migration, as it ends migrate.
#pragma once

#include "core/config.hpp"
#include "core/database.hpp"

#include <rokso/migration.hpp>

#include <string>
#include <vector>

namespace rokso {

struct RelationLock {
  std::string relation;  // schema-qualified, quoted as needed
  std::string kind;      // "table", "index", "sequence", "view", ...
  std::string mode;      // "ACCESS EXCLUSIVE", "SHARE", ... (the LOCK TABLE spelling)
};

struct RelationRewrite {
  std::string relation;
  std::string kind;
};

struct StatementEffects {
  enum class Outcome { ran, failed, not_run, not_reached };
  long line = 0;          // 1-based line of the statement in the apply SQL
  std::string statement;  // on one line, shortened
  Outcome outcome = Outcome::not_reached;
  std::string note;       // why it was not run, or the server's error
  // Locks it added on relations that existed before the migration (a mode the
  // transaction already held on a relation is not listed again), strongest first.
  std::vector<RelationLock> locks;
  // Relations that existed before the migration and got a new data file.
  std::vector<RelationRewrite> rewrites;
  double milliseconds = 0;

  bool takes_access_exclusive() const;
};

// "ran", "failed", "not_run", "not_reached".
const char* outcome_name(StatementEffects::Outcome outcome);

// Runs `migration`'s apply SQL on `db` (prepared with prepare_for_migrations(); each
// statement as migrate would send it, with rokso's lock_timeout/statement_timeout) in
// one transaction, observing each statement, then rolls the transaction back. Throws
// Error(kExitFailed) when the connection fails.
std::vector<StatementEffects> explain_statements(Database& db, const Migration& migration);

}  // namespace rokso
