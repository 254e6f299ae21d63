// Internal to rokso lint (core/lint*.cpp): a migration script as libpg_query parses it,
// statement by statement with its place and its rokso:ignore comments, and the run that
// collects one migration's findings.
#pragma once

#include "core/lint.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace rokso::lint {

struct Statement {
  std::string type;        // the parse node's type: "IndexStmt", "AlterTableStmt" ...
  nlohmann::json node;     // that node's body
  std::size_t begin = 0;   // its first byte in the script, past leading blanks and comments
  long line = 0;           // 1-based line of `begin` in the script
  std::string text;        // on one line, shortened
  std::vector<std::string> ignored;  // rule ids its rokso:ignore comments name
};

struct Script {
  bool parsed = false;
  std::string error;       // the parser's message when !parsed
  long error_line = 0;
  std::vector<Statement> statements;
};

// Parses `sql` (empty or comments only: parsed, no statements).
Script parse_script(const std::string& sql);

// One migration's lint: where its scripts sit in the file, the settings, the findings.
class Run {
 public:
  Run(const LintSource& source, const LintSettings& settings, const Migration& migration);

  const LintSettings& settings() const { return settings_; }
  // Reports `rule` at `statement` of the apply (or rollback) script, unless the rule is
  // off or the statement's comments ignore it.
  void report(const char* rule, const Statement& statement, bool rollback, const std::string& message);
  // A finding that is not a rule's (syntax errors, unknown ids in rokso:ignore).
  void report_problem(const char* kind, long line, bool rollback, const std::string& statement,
                      const std::string& message);
  std::vector<LintFinding> take() { return std::move(findings_); }

 private:
  LintFinding placed(long line, bool rollback) const;

  const LintSource& source_;
  const LintSettings& settings_;
  long apply_first_line_ = 0, rollback_first_line_ = 0;  // 0: not found verbatim in the file
  std::vector<LintFinding> findings_;
};

// The rules (core/lint_rules.cpp): the apply script's statements, then what the rollback
// does against what the apply creates.
void check_migration(const Migration& migration, const Script& apply, const Script& rollback, Run& run);

}  // namespace rokso::lint
