#include "core/lint_gate.hpp"

#include "core/error.hpp"
#include "core/lint_config.hpp"
#include "core/output.hpp"

namespace rokso {

void check_lint_mode(const std::string& mode) {
  if (mode != "off" && mode != "warn" && mode != "error") {
    throw usage_error("unknown --lint mode '" + mode + "' (off, warn or error)");
  }
}

void lint_before_migrate(Session& session, const std::string& mode,
                         const std::vector<std::pair<const MigrationFile*, const Migration*>>& planned) {
  check_lint_mode(mode);
  if (mode == "off") return;
  const LintSettings settings =
      load_lint_settings(session.project().config_file(), session.migration_settings());
  std::vector<LintFinding> findings;
  std::size_t errors = 0;
  for (const auto& [file, migration] : planned) {
    const LintSource source = lint_source(session.tree().path_of(*file), "migration/" + file->identity);
    for (LintFinding& f : lint_migration(*migration, source, settings)) {
      if (f.severity == LintSeverity::error) ++errors;
      findings.push_back(std::move(f));
    }
  }
  const bool refuse = mode == "error" && errors > 0;
  for (const LintFinding& f : findings) {
    // The funnel's prefix says whether it stops this run; the rule's severity is named.
    const std::string text = "lint: " + lint_location(f) + ": " + f.rule + " (" + lint_severity_name(f.severity) +
                             "): " + f.message + (f.fix.empty() ? "" : "; fix: " + f.fix);
    if (refuse && f.severity == LintSeverity::error) {
      out::error(text);
    } else {
      out::warning(text);
    }
  }
  if (refuse) {
    throw failure("lint found " + std::to_string(errors) +
                  " error(s) in the migrations to run; nothing was applied (fix them, suppress one with "
                  "'-- rokso:ignore <rule>', or run with --lint=warn)");
  }
}

}  // namespace rokso
