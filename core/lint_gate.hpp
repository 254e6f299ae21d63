// `migrate --lint=off|warn|error`: the lint findings of what migrate is about to run,
// printed on stderr before anything runs; with `error`, a finding of severity error
// stops the run (exit 1) before the first migration.
#pragma once

#include "core/command.hpp"

#include <string>
#include <utility>
#include <vector>

namespace rokso {

// Throws Error(kExitUsage) unless `mode` is off, warn or error.
void check_lint_mode(const std::string& mode);

// Lints `planned` (files of session.tree(), read) with the project's settings. Prints
// each finding as a warning (mode warn, or error with no error finding) or an error, then
// throws Error(kExitFailed) when mode is error and a finding is an error.
void lint_before_migrate(Session& session, const std::string& mode,
                         const std::vector<std::pair<const MigrationFile*, const Migration*>>& planned);

}  // namespace rokso
