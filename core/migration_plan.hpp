// The migration policy, in one place: what `migrate` applies and in which order (also
// for --dry-run and --check), what `status` shows as pending, and what `rollback`
// undoes. No database: it works on the tree and on the History or rows read before,
// so it is unit-tested without PostgreSQL (core/migration_plan_test.cpp).
//
// The rules (roksopsql's, with rokso's `requires`):
// - A failed migration is retried by a plain `migrate`; while one exists, only the
//   failed ones run (by id), the next run does the rest. `--migration` accepts only the
//   first failed file then.
// - Otherwise every file with no row runs, in the tree's order adjusted by `requires`
//   (core/dependency_order.hpp); `--to` stops after the file named.
// - `status` shows as pending the files with no row: a failed file is shown as failed,
//   not also as pending.
#pragma once

#include "core/migration_runner.hpp"
#include "core/migration_tree.hpp"
#include "core/version_table.hpp"

#include <rokso/migration.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace rokso {

// One migration a run applies.
struct PlannedMigration {
  const MigrationFile* file;
  bool retry;       // a row with status `error` exists for it
  Progress resume;  // how far its failed non-transactional attempt got
  Migration migration;
  // Filled by the command as it runs, for --format json: planned, applied, failed,
  // checked, not_checked or not_run; and how long it took (-1: it did not run).
  std::string result = "not_run";
  long long duration_ms = -1;
};

// What the user asked migrate for: nothing (every pending file), --migration or --to,
// each a file as named on the command line (identity or path).
struct PendingSelector {
  std::optional<std::string> only;
  std::optional<std::string> up_to;
};

// What migrate applies, in order. Every file is read and checked (transaction control it
// refuses, requirements), and the order computed, before anything runs. Throws
// Error(kExitUsage) for a selector that names no file or is not allowed now, and
// Error(kExitFailed) for files that cannot be read or ordered.
std::vector<PlannedMigration> plan_pending(const MigrationTree& tree, const History& history,
                                           const PendingSelector& selector = {});

// A file status shows as pending, read so status tells what migrate would stumble on.
struct PendingFile {
  std::string identity;
  std::vector<std::string> notes;
  std::vector<std::string> requires_identities;
  std::string error;  // why it cannot be read; empty when it reads fine
};
struct PendingList {
  std::vector<PendingFile> files;  // in the order migrate applies them
  // Why they cannot be ordered (an unknown requirement, a cycle): then they are in the
  // tree's order. Empty when they can.
  std::string order_error;
  bool malformed = false;  // a file cannot be read, or the order cannot be computed
};
PendingList list_pending(const MigrationTree& tree, const History& history);

// What the user asked rollback for: nothing (the revision of the newest row),
// --version, --steps or --to-date.
struct RollbackSelector {
  std::optional<std::string> after_revision;
  std::optional<std::size_t> steps;
  // --to-date: the ids of the complete rows executed after it (asked of the server,
  // only when there is a complete row).
  std::function<std::set<long long>()> executed_after;
};

// The rows to undo, newest first, from every row by id. Without a selector: every row of
// the revision of the newest row, so right after a failed run it is that run; with
// after_revision: every row after that revision's last one, by id. Those two take
// `error` rows too (rollback only clears them). steps and executed_after count applied
// (complete) migrations only. Throws Error(kExitUsage) for an unknown revision or too
// many steps.
std::vector<const VersionRow*> plan_rollback(const std::vector<VersionRow>& rows, const RollbackSelector& selector);

}  // namespace rokso
