// rokso lint --explain: on a throwaway database, the project's applied migrations are
// replayed, then each migration to explain runs statement by statement in a transaction
// that is rolled back (core/statement_effects.hpp), and is then applied as migrate would
// apply it, so the next one finds what it expects. The database is dropped at the end.
#pragma once

#include "core/config.hpp"
#include "core/replay_database.hpp"
#include "core/statement_effects.hpp"

#include <string>
#include <vector>

namespace rokso {

struct MigrationToExplain {
  const MigrationFile* file;     // in the tree; nullptr for a file outside it (not applied after)
  const Migration* migration;
};

struct ExplainedMigration {
  std::vector<StatementEffects> statements;
  // When it could not be applied after its explanation (the later ones are explained
  // without it), what went wrong; else "".
  std::string note;
};

// `server` is where the throwaway database is made (throwaway_server()). Throws
// Error(kExitFailed) when an applied migration cannot be replayed.
std::vector<ExplainedMigration> explain_migrations(const DatabaseSettings& server, const Config& config,
                                                   const MigrationSettings& settings,
                                                   const std::vector<TreeMigration>& applied,
                                                   const std::vector<MigrationToExplain>& targets);

}  // namespace rokso
