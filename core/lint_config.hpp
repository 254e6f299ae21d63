// rokso lint's project settings: config.json's optional "lint" object, and whether
// rokso's own lock_timeout is off.
//
//   "lint": {
//     "ignore":   ["ban-drop-column"],                    // rules never reported
//     "severity": {"renaming-column": "warning",          // error | warning | off
//                  "require-concurrent-index-deletion": "error"}
//   }
//
// Read here rather than in core/config.cpp: only lint and `migrate --lint` need it, and
// a mistake in it (an unknown rule, a bad severity) is a usage error (exit 2) of those.
#pragma once

#include "core/config.hpp"
#include "core/lint.hpp"

#include <filesystem>
#include <string>

namespace rokso {

// Throws Error(kExitUsage) naming the file and the mistake.
LintSettings load_lint_settings(const std::filesystem::path& config_file, const MigrationSettings& migrations);

// Whether a PostgreSQL duration as config.json takes it ("0", "0s", "0ms" ...) is zero.
bool is_zero_duration(const std::string& duration);

// The source of a migration file for lint_migration(): its bytes (to place the SQL at
// file lines), shown as `display_path`. A file that cannot be read gives no bytes.
LintSource lint_source(const std::string& path, const std::string& display_path);

}  // namespace rokso
