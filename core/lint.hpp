// rokso lint: dangerous DDL in a migration, found before it runs, from PostgreSQL's own
// parse tree (libpg_query). Each rule has an id, a one-line why, the safe rewrite and a
// severity (README: "rokso lint"). No database is read: "an existing table" is one the
// same migration did not create earlier.
//
// Suppression: `-- rokso:ignore <rule>[,<rule>]` on a line of its own just before a
// statement, or on any line of the statement itself (a trailing comment), in any
// format (the comment is part of the SQL text); per project in config.json's "lint"
// object (core/lint_config.hpp).
//
// Stateless and thread-safe; linear in the size of the SQL.
#pragma once

#include <rokso/migration.hpp>

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace rokso {

enum class LintSeverity { off, warning, error };

const char* lint_severity_name(LintSeverity severity);

struct LintRule {
  const char* id;         // kebab-case, squawk's name where squawk has the rule
  LintSeverity severity;  // the default
  const char* why;        // one line: what goes wrong in production
  const char* fix;        // one line: the safe rewrite
};

// Every rule, in the order the README lists them.
const std::vector<LintRule>& lint_rules();
// nullptr for an unknown id.
const LintRule* find_lint_rule(std::string_view id);

// Findings that are not rules: a file that cannot be read, SQL that does not parse, an
// unknown rule named in a rokso:ignore comment. Always reported, never suppressed.
inline constexpr char kLintUnreadable[] = "unreadable-migration";
inline constexpr char kLintSyntaxError[] = "syntax-error";
inline constexpr char kLintUnknownIgnore[] = "unknown-rule-in-ignore";

struct LintSettings {
  // Overrides of the rules' default severities (config.json; `off` disables a rule).
  std::map<std::string, LintSeverity, std::less<>> severity;
  // rokso's own lock_timeout for migrations is 0 (off): require-lock-timeout applies.
  bool lock_timeout_off = false;

  LintSeverity severity_of(const LintRule& rule) const;
};

struct LintFinding {
  std::string rule;
  LintSeverity severity = LintSeverity::error;
  std::string file;  // as shown: migration/<identity>, or the path named
  // 1-based line in `file` when the SQL was found verbatim in it (`in_file`), else the
  // line within the apply or rollback SQL (`where` says which).
  long line = 0;
  bool in_file = false;
  std::string where;      // "apply" or "rollback"
  std::string statement;  // the statement, on one line, shortened
  std::string message;    // what is wrong here, naming the object
  std::string fix;
};

// Where a migration came from, for the findings' positions.
struct LintSource {
  std::string display_path;  // shown in findings
  std::string file_text;     // the migration file's bytes, to place its SQL ("" if unknown)
};

// The findings for one migration, in SQL order (apply, then rollback), suppressed ones
// and rules set `off` left out.
std::vector<LintFinding> lint_migration(const Migration& migration, const LintSource& source,
                                        const LintSettings& settings);

// "migration/x.sql:12", or "migration/x.yaml: apply SQL line 3" when the SQL was not
// found verbatim in the file.
std::string lint_location(const LintFinding& finding);

// "migration/x.sql:12: error: require-concurrent-index-creation: <message>" and its
// indented statement and fix lines.
std::string format_lint_finding(const LintFinding& finding);

}  // namespace rokso
