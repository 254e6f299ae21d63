#include "core/lint.hpp"

#include "core/lint_script.hpp"
#include "core/sql_script.hpp"

#include <pg_query.h>

#include <algorithm>
#include <utility>

namespace rokso {

const char* lint_severity_name(LintSeverity severity) {
  switch (severity) {
    case LintSeverity::off: return "off";
    case LintSeverity::warning: return "warning";
    case LintSeverity::error: return "error";
  }
  return "error";
}

const std::vector<LintRule>& lint_rules() {
  using S = LintSeverity;
  static const std::vector<LintRule> rules = {
      {"require-concurrent-index-creation", S::error,
       "CREATE INDEX without CONCURRENTLY holds a SHARE lock on an existing table: every write waits for the whole build",
       "CREATE INDEX CONCURRENTLY (rokso then runs the migration outside a transaction by itself)"},
      {"require-concurrent-index-deletion", S::warning,
       "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the index's table",
       "DROP INDEX CONCURRENTLY (rokso then runs the migration outside a transaction by itself)"},
      {"constraint-missing-not-valid", S::error,
       "adding a FOREIGN KEY or CHECK constraint to an existing table checks every row while holding its lock",
       "ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in a later migration (it takes a lock that lets writes through)"},
      {"disallowed-unique-constraint", S::error,
       "ADD UNIQUE builds its index while holding an ACCESS EXCLUSIVE lock on an existing table",
       "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX"},
      {"adding-primary-key-constraint", S::error,
       "ADD PRIMARY KEY builds its index while holding an ACCESS EXCLUSIVE lock on an existing table",
       "CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX"},
      {"adding-not-nullable-field", S::error,
       "SET NOT NULL scans an existing table for NULLs while holding an ACCESS EXCLUSIVE lock",
       "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c (later); then SET NOT NULL "
       "(no scan: PostgreSQL 12+ uses the valid CHECK) and DROP CONSTRAINT c"},
      {"adding-required-field", S::error,
       "a NOT NULL column without a DEFAULT cannot be added to an existing table that has rows",
       "add it with a non-volatile DEFAULT, or nullable, fill it in batches, then the NOT NULL route"},
      {"adding-field-with-volatile-default", S::error,
       "a column with a volatile default (random(), gen_random_uuid(), clock_timestamp(), a serial, an identity or "
       "a stored generated column) rewrites an existing table under an ACCESS EXCLUSIVE lock",
       "add the column without default (or a constant one), set the default, then fill existing rows in batches"},
      {"changing-column-type", S::error,
       "changing a column's type rewrites an existing table (and its indexes) under an ACCESS EXCLUSIVE lock, "
       "except binary-compatible changes such as varchar(n) to text or a wider varchar",
       "add a new column, write both, backfill in batches, switch readers, drop the old one"},
      {"ban-vacuum-full", S::error,
       "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock: reads and writes wait until it ends",
       "plain VACUUM, or pg_repack outside migrations"},
      {"ban-cluster", S::error,
       "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock: reads and writes wait until it ends",
       "pg_repack outside migrations, or leave the physical order alone"},
      {"ban-lock-table", S::warning,
       "an explicit LOCK TABLE blocks other sessions for the rest of the migration's transaction",
       "rely on the locks the statements take themselves, with lock_timeout set"},
      {"ban-drop-column", S::error,
       "dropping a column of an existing table breaks the running code (and ORMs) that still reads or writes it",
       "stop using the column in a release first, then drop it in a later migration (suppress this rule there)"},
      {"ban-drop-table", S::error,
       "dropping an existing table breaks the running code that still uses it, and loses its data",
       "stop using the table in a release first, then drop it in a later migration (suppress this rule there)"},
      {"ban-drop-database", S::error, "DROP DATABASE in a migration destroys every object and row of that database",
       "drop databases by hand, not in a migration"},
      {"renaming-column", S::error,
       "renaming a column of an existing table breaks the running code that uses the old name",
       "add the new column, write both, backfill, switch readers, then drop the old one"},
      {"renaming-table", S::error, "renaming an existing table breaks the running code that uses the old name",
       "create the new table (or a view with the old name) and move over in steps"},
      {"transaction-control", S::error,
       "BEGIN, COMMIT, ROLLBACK ... in a migration end rokso's own transaction early, so part of it commits alone "
       "(rokso refuses to run it)",
       "remove them: rokso runs each migration in one transaction with its version row"},
      {"require-lock-timeout", S::error,
       "rokso's lock_timeout is off (0) and the migration sets none: a statement waiting for a busy table's lock "
       "queues every later query behind it",
       "SET lock_timeout = '5s'; at the top of the migration, or set \"migrations\": {\"lock_timeout\": \"5s\"} in config.json"},
      {"empty-rollback", S::warning,
       "the migration creates objects but its rollback is empty: rolling it back only removes its row and leaves them",
       "write the rollback SQL that drops what apply creates"},
      {"rollback-does-not-drop", S::warning,
       "the rollback does not drop an object that apply creates, so rolling back leaves it (and re-applying fails)",
       "DROP it in the rollback SQL (rokso verify proves a rollback on a throwaway database)"},
  };
  return rules;
}

const LintRule* find_lint_rule(std::string_view id) {
  for (const LintRule& rule : lint_rules()) {
    if (id == rule.id) return &rule;
  }
  return nullptr;
}

LintSeverity LintSettings::severity_of(const LintRule& rule) const {
  const auto it = severity.find(std::string_view(rule.id));
  return it == severity.end() ? rule.severity : it->second;
}

namespace lint {
namespace {

using nlohmann::json;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

std::string shortened(const std::string& s, std::size_t begin, std::size_t end) {
  std::string out;
  for (std::size_t i = begin; i < end && out.size() < 90; ++i) {
    const char c = s[i];
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ';')) out.pop_back();
  if (out.size() > 80) out = out.substr(0, 77) + "...";
  return out;
}

// The rule ids after each "rokso:ignore" in s[begin, end): ids separated by commas or
// blanks, up to the end of the line.
void read_ignores(const std::string& s, std::size_t begin, std::size_t end, std::vector<std::string>& ids) {
  static const std::string marker = "rokso:ignore";
  for (std::size_t at = s.find(marker, begin); at != std::string::npos && at < end; at = s.find(marker, at + 1)) {
    std::size_t i = at + marker.size();
    for (bool first = true;; first = false) {
      // Ids are separated by commas; what follows the last one is a free comment.
      while (i < end && (s[i] == ' ' || s[i] == '\t')) ++i;
      if (!first) {
        if (i >= end || s[i] != ',') break;
        ++i;
        while (i < end && (s[i] == ' ' || s[i] == '\t')) ++i;
      }
      const std::size_t word = i;
      while (i < end && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
                         (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_')) {
        ++i;
      }
      if (i == word) break;
      ids.push_back(s.substr(word, i - word));
    }
  }
}

std::size_t line_start(const std::string& s, std::size_t at) {
  while (at > 0 && s[at - 1] != '\n') --at;
  return at;
}
std::size_t line_end(const std::string& s, std::size_t at) {
  const std::size_t nl = s.find('\n', at);
  return nl == std::string::npos ? s.size() : nl;
}
// Whether s[from, to) holds only blanks before "--".
bool is_comment_line(const std::string& s, std::size_t from, std::size_t to) {
  while (from < to && (s[from] == ' ' || s[from] == '\t' || s[from] == '\r')) ++from;
  return from + 1 < to && s[from] == '-' && s[from + 1] == '-';
}

// The suppressions of a statement at s[begin, end): the comment lines right above it
// (a run of lines holding only a comment), and every line it spans (trailing comments).
std::vector<std::string> ignores_of(const std::string& s, std::size_t begin, std::size_t end) {
  std::vector<std::string> ids;
  if (s.find("rokso:ignore") == std::string::npos) return ids;
  const std::size_t first = line_start(s, begin);
  read_ignores(s, first, line_end(s, end > begin ? end - 1 : begin), ids);
  std::size_t above = first;
  while (above > 0) {
    const std::size_t prev = line_start(s, above - 1);
    if (!is_comment_line(s, prev, above - 1)) break;
    read_ignores(s, prev, above - 1, ids);
    above = prev;
  }
  return ids;
}

long line_of_offset(const std::string& s, std::size_t offset) {
  return 1 + static_cast<long>(std::count(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(std::min(offset, s.size())), '\n'));
}

// The 1-based line of the file where `sql` starts, when the file holds it verbatim.
long first_line_in(const std::string& file_text, const std::string& sql) {
  if (sql.empty() || file_text.empty()) return 0;
  const std::size_t at = file_text.find(sql);
  return at == std::string::npos ? 0 : line_of_offset(file_text, at);
}

}  // namespace

Script parse_script(const std::string& sql) {
  Script script;
  if (is_blank_sql(sql)) {
    script.parsed = true;
    return script;
  }
  PgQueryParseResult result = pg_query_parse(sql.c_str());
  if (result.error) {
    script.error = result.error->message ? result.error->message : "syntax error";
    const int cursor = result.error->cursorpos;
    script.error_line = cursor > 0 ? line_of_offset(sql, static_cast<std::size_t>(cursor - 1)) : 1;
  } else if (result.parse_tree) {
    // Subtrees no rule reads (positions, column lists, query bodies) are dropped while
    // parsing: most of the time of a lint is building this document.
    static const json::parser_callback_t skip_unread = [](int, json::parse_event_t event, json& parsed) {
      if (event != json::parse_event_t::key) return true;
      const std::string& key = parsed.get_ref<const std::string&>();
      return !(key == "location" || key == "tableElts" || key == "query" || key == "targetList" ||
               key == "fromClause" || key == "whereClause" || key == "returnType" || key == "parameters" ||
               key == "indexParams" || key == "coldeflist" || key == "vals" || key == "typmods" ||
               key == "inh" || key == "relpersistence");
    };
    json tree = json::parse(result.parse_tree, skip_unread, false);
    if (tree.is_discarded()) {
      script.error = "libpg_query returned a parse tree rokso cannot read";
    } else {
      script.parsed = true;
      json& stmts = tree["stmts"];
      if (stmts.is_array()) {
        std::size_t counted_to = 0;
        long line = 1;
        for (json& entry : stmts) {
          // libpg_query leaves out fields that are 0 (the first statement's location, the
          // last one's length when it runs to the end).
          const std::size_t location = std::min<std::size_t>(entry.value("stmt_location", 0), sql.size());
          const std::size_t length = entry.value("stmt_len", 0);
          const std::size_t chunk_end = length ? std::min(location + length, sql.size()) : sql.size();
          json& stmt = entry["stmt"];
          if (!stmt.is_object() || stmt.empty()) continue;
          Statement s;
          s.type = stmt.begin().key();
          s.node = std::move(stmt.begin().value());
          s.begin = statement_text_start(sql, location, chunk_end);
          line += static_cast<long>(std::count(sql.begin() + static_cast<std::ptrdiff_t>(counted_to),
                                               sql.begin() + static_cast<std::ptrdiff_t>(s.begin), '\n'));
          counted_to = s.begin;
          s.line = line;
          s.text = shortened(sql, s.begin, chunk_end);
          s.ignored = ignores_of(sql, s.begin, chunk_end);
          script.statements.push_back(std::move(s));
        }
      }
    }
  }
  pg_query_free_parse_result(result);
  return script;
}

Run::Run(const LintSource& source, const LintSettings& settings, const Migration& migration)
    : source_(source), settings_(settings) {
  apply_first_line_ = first_line_in(source.file_text, migration.apply_sql);
  rollback_first_line_ = first_line_in(source.file_text, migration.rollback_sql);
}

LintFinding Run::placed(long line, bool rollback) const {
  LintFinding f;
  f.file = source_.display_path;
  f.where = rollback ? "rollback" : "apply";
  const long first = rollback ? rollback_first_line_ : apply_first_line_;
  f.in_file = first > 0;
  f.line = first > 0 ? first + line - 1 : line;
  return f;
}

void Run::report(const char* rule_id, const Statement& statement, bool rollback, const std::string& message) {
  const LintRule* rule = find_lint_rule(rule_id);
  if (!rule) return;
  const LintSeverity severity = settings_.severity_of(*rule);
  if (severity == LintSeverity::off) return;
  if (std::find(statement.ignored.begin(), statement.ignored.end(), rule_id) != statement.ignored.end()) return;
  LintFinding f = placed(statement.line, rollback);
  f.rule = rule_id;
  f.severity = severity;
  f.statement = statement.text;
  f.message = message;
  f.fix = rule->fix;
  findings_.push_back(std::move(f));
}

void Run::report_problem(const char* kind, long line, bool rollback, const std::string& statement,
                         const std::string& message) {
  LintFinding f = placed(line, rollback);
  f.rule = kind;
  f.severity = kind == std::string(kLintUnknownIgnore) ? LintSeverity::warning : LintSeverity::error;
  f.statement = statement;
  f.message = message;
  findings_.push_back(std::move(f));
}

}  // namespace lint

std::vector<LintFinding> lint_migration(const Migration& migration, const LintSource& source,
                                        const LintSettings& settings) {
  lint::Run run(source, settings, migration);
  const lint::Script apply = lint::parse_script(migration.apply_sql);
  const lint::Script rollback = lint::parse_script(migration.rollback_sql);
  for (const auto* script : {&apply, &rollback}) {
    const bool is_rollback = script == &rollback;
    if (!script->parsed) {
      run.report_problem(kLintSyntaxError, script->error_line, is_rollback, "",
                         std::string(is_rollback ? "rollback" : "apply") + " SQL does not parse: " + script->error);
    }
    for (const lint::Statement& s : script->statements) {
      for (const std::string& id : s.ignored) {
        if (!find_lint_rule(id)) {
          run.report_problem(kLintUnknownIgnore, s.line, is_rollback, s.text,
                             "rokso:ignore names '" + id + "', which is no rule of rokso lint (rokso lint --rules)");
        }
      }
    }
  }
  lint::check_migration(migration, apply, rollback, run);
  // In reading order: the apply SQL's findings by line, then the rollback's.
  std::vector<LintFinding> findings = run.take();
  std::stable_sort(findings.begin(), findings.end(), [](const LintFinding& a, const LintFinding& b) {
    return std::make_pair(a.where == "rollback", a.line) < std::make_pair(b.where == "rollback", b.line);
  });
  return findings;
}

std::string lint_location(const LintFinding& f) {
  if (f.in_file) return f.file + ":" + std::to_string(f.line);
  return f.file + ": " + f.where + " SQL line " + std::to_string(f.line);
}

std::string format_lint_finding(const LintFinding& f) {
  std::string text = lint_location(f) + ": " + lint_severity_name(f.severity) + ": " + f.rule + ": " + f.message;
  if (!f.statement.empty()) text += "\n    " + f.statement;
  if (!f.fix.empty()) text += "\n    fix: " + f.fix;
  return text;
}

}  // namespace rokso
