#include "core/migration_verifier.hpp"

#include "core/error.hpp"

namespace rokso {

namespace {

// The rollback problems in the changes from the schema before apply to the one after rollback.
void rollback_problems(const std::vector<SchemaChange>& changes, std::vector<VerifyProblem>& problems) {
  VerifyProblem leaves{"rollback_leaves", "rollback leaves behind what apply made", {}};
  VerifyProblem removes{"rollback_removes", "rollback removes more than apply made", {}};
  VerifyProblem alters{"rollback_changes", "rollback does not restore what apply changed", {}};
  for (const SchemaChange& c : changes) {
    VerifyProblem& p = c.type == SchemaChange::Type::added ? leaves : c.type == SchemaChange::Type::removed ? removes : alters;
    p.changes.push_back(c);
  }
  for (VerifyProblem* p : {&leaves, &removes, &alters}) {
    if (!p->changes.empty()) problems.push_back(std::move(*p));
  }
}

}  // namespace

std::vector<VerifyResult> verify_migrations(ReplayDatabase& db, const std::vector<TreeMigration>& migrations,
                                            std::size_t skip,
                                            const std::function<void(const VerifyResult&)>& report) {
  std::vector<VerifyResult> results;
  results.reserve(migrations.size());
  bool stopped = false;
  SchemaSnapshot before;
  bool have_before = false;
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    const TreeMigration& m = migrations[i];
    VerifyResult r{&m, "passed", {}};
    if (stopped) {
      r.result = "not_verified";
    } else if (i < skip) {
      db.apply(m);  // what --from starts after: a failure here is the run's
      r.result = "applied";
    } else {
      if (!have_before) before = db.snapshot();
      have_before = false;
      try {
        db.apply(m);
      } catch (const MigrationFailed& e) {
        r.problems.push_back({"apply_failed", "apply fails: " + one_line(e.what()), {}});
        stopped = true;
      }
      if (!stopped) {
        SchemaSnapshot applied = db.snapshot();
        bool rolled_back = true;
        try {
          db.roll_back(m);
        } catch (const MigrationFailed& e) {
          r.problems.push_back({"rollback_failed", "rollback fails: " + one_line(e.what()), {}});
          rolled_back = false;  // its transaction undone: the database is as after apply
        }
        if (rolled_back) {
          rollback_problems(compare_snapshots(before, db.snapshot()), r.problems);
          try {
            db.apply(m);
          } catch (const MigrationFailed& e) {
            r.problems.push_back({"reapply_failed", "applying again after rollback fails: " + one_line(e.what()), {}});
            stopped = true;
          }
          if (!stopped) {
            before = db.snapshot();  // the next migration's "before"
            have_before = true;
            std::vector<SchemaChange> changes = compare_snapshots(applied, before);
            if (!changes.empty()) {
              r.problems.push_back({"reapply_differs", "applying again after rollback gives another schema",
                                    std::move(changes)});
            }
          }
        } else {
          before = std::move(applied);
          have_before = true;
        }
      }
      if (!r.problems.empty()) r.result = "failed";
    }
    results.push_back(std::move(r));
    if (report) report(results.back());
  }
  return results;
}

}  // namespace rokso
