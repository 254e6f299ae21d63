// rokso verify's proof that every migration rolls back: on a throwaway database, for
// each migration in migrate's order, snapshot the schema, apply, snapshot, roll back,
// snapshot (must equal the first), apply again (must succeed and equal the second).
#pragma once

#include "core/replay_database.hpp"
#include "core/schema_snapshot.hpp"

#include <functional>
#include <string>
#include <vector>

namespace rokso {

struct VerifyProblem {
  // apply_failed, rollback_failed, rollback_leaves (something apply made is still
  // there), rollback_removes (something that was there before is gone),
  // rollback_changes (something that was there is different), reapply_failed,
  // reapply_differs
  std::string problem;
  std::string message;  // one line, for people
  std::vector<SchemaChange> changes;  // the differences, for the rollback_* and reapply_differs problems
};

struct VerifyResult {
  const TreeMigration* migration;
  // passed, failed, applied (before --from, not checked), not_verified (after a
  // failure that left the database in no state to go on from)
  std::string result;
  std::vector<VerifyProblem> problems;
};

// Verifies `migrations` (in order) on `db`; the first `skip` are only applied (--from).
// Calls `report` for each result as it is known. Stops early when a failure leaves the
// database where later migrations cannot meaningfully run (apply or re-apply failed);
// the rest are reported not_verified. Errors other than a migration's (a lost
// connection) are thrown.
std::vector<VerifyResult> verify_migrations(ReplayDatabase& db, const std::vector<TreeMigration>& migrations,
                                            std::size_t skip,
                                            const std::function<void(const VerifyResult&)>& report);

}  // namespace rokso
