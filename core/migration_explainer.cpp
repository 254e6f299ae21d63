#include "core/migration_explainer.hpp"

#include "core/database.hpp"
#include "core/error.hpp"
#include "core/migration_runner.hpp"
#include "core/throwaway_database.hpp"

namespace rokso {

std::vector<ExplainedMigration> explain_migrations(const DatabaseSettings& server, const Config& config,
                                                   const MigrationSettings& settings,
                                                   const std::vector<TreeMigration>& applied,
                                                   const std::vector<MigrationToExplain>& targets) {
  ThrowawayDatabase scratch(server, "explain");
  std::vector<ExplainedMigration> explained;
  {
    ReplayDatabase replay(scratch.settings(), config, settings);
    for (const TreeMigration& m : applied) {
      try {
        replay.apply(m);
      } catch (const MigrationFailed& e) {
        throw failure("cannot replay the applied migration '" + m.file->identity +
                      "' on the throwaway database: " + one_line(e.what()));
      }
    }
    // A connection of its own: its pg_locks are the explained statements' only.
    Database db(scratch.settings());
    db.prepare_for_migrations(settings);
    for (const MigrationToExplain& target : targets) {
      ExplainedMigration e;
      e.statements = explain_statements(db, *target.migration);
      if (target.file) {
        try {
          replay.apply(TreeMigration{target.file, *target.migration});
        } catch (const MigrationFailed& failed) {
          e.note = "it fails when applied on the throwaway database (" + one_line(failed.what()) +
                   "): the migrations after it are explained without it";
        } catch (const Error& failed) {
          e.note = "it cannot be applied on the throwaway database (" + one_line(failed.what()) +
                   "): the migrations after it are explained without it";
        }
      }
      explained.push_back(std::move(e));
    }
  }
  scratch.drop();
  return explained;
}

}  // namespace rokso
