// rokso lint [<file>...] [--all] [--format text|json] [--rules]: dangerous DDL in the
// pending migrations (in the order migrate applies them), in the whole tree (--all), or
// in the files named, found before it runs (core/lint.hpp). Exit 1 when a finding is an
// error, 0 with warnings only, 2 on a usage mistake. The pending migrations need the
// database's version table; --all and named files read files only.
#include "core/command.hpp"
#include "core/dependency_order.hpp"
#include "core/error.hpp"
#include "core/lint.hpp"
#include "core/lint_config.hpp"
#include "core/migration_explainer.hpp"
#include "core/output.hpp"
#include "core/text_util.hpp"
#include "core/throwaway_database.hpp"
#include "core/transaction_control.hpp"
#include "core/transaction_mode.hpp"

#include <nlohmann/json.hpp>
#include <rokso/format_error.hpp>

#include <algorithm>
#include <cstdio>
#include <atomic>
#include <filesystem>
#include <optional>
#include <thread>
#include <utility>

namespace {

// Bump when the JSON shape changes incompatibly (README: "rokso lint").
constexpr int kLintJsonVersion = 1;

// One migration to lint: where it is, and what reading it gave.
struct Target {
  std::string path;     // on disk
  std::string display;  // migration/<identity>, or the path as named
  std::string identity;  // in the tree; "" for a file outside it
  std::optional<rokso::Migration> migration;
  std::string read_error;  // when it could not be read
  std::vector<std::string> requires_identities;
  const rokso::MigrationFile* unread = nullptr;  // a tree file still to read (--all: read by the workers)
};

Target tree_target(const rokso::MigrationTree& tree, const rokso::MigrationFile& file) {
  return Target{tree.path_of(file), "migration/" + file.identity, file.identity, std::nullopt, {}, {}, &file};
}

void read_target(const rokso::MigrationTree& tree, Target& t) {
  const rokso::MigrationFile* file = std::exchange(t.unread, nullptr);
  if (!file) return;
  try {
    t.migration = tree.read(*file);
    t.requires_identities = t.migration->requires_identities;
  } catch (const rokso::Error& e) {
    t.read_error = rokso::one_line(e.what());
  }
}

Target read_tree_file(const rokso::MigrationTree& tree, const rokso::MigrationFile& file) {
  Target t = tree_target(tree, file);
  read_target(tree, t);
  return t;
}

// A file named on the command line: one of the tree's, or any file a loaded format claims.
Target read_named_file(rokso::Session& session, const std::string& named) {
  const rokso::MigrationTree& tree = session.tree();
  if (const rokso::MigrationFile* file = tree.resolve(named)) return read_tree_file(tree, *file);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(named, ec)) {
    throw rokso::usage_error("'" + named + "' is no migration under migration/ and no file");
  }
  const std::string name = std::filesystem::path(named).filename().string();
  for (const rokso::FormatPlugin* format : session.plugins().formats()) {
    if (format->claim(name) != rokso::FileClaim::migration) continue;
    Target t{named, named, "", std::nullopt, {}, {}, nullptr};
    try {
      rokso::Migration m = format->read(named);
      rokso::detect_transaction_mode(m);
      rokso::note_wrapped_bodies(m);
      t.migration = std::move(m);
    } catch (const rokso::FormatError& e) {
      const std::string where = e.line() > 0 ? ":" + std::to_string(e.line()) + ":" + std::to_string(e.column()) : "";
      t.read_error = named + where + ": " + rokso::one_line(e.what());
    } catch (const std::exception& e) {
      t.read_error = named + ": " + rokso::one_line(e.what());
    }
    return t;
  }
  throw rokso::usage_error("'" + named + "' is not a migration file any loaded format reads");
}

// What migrate would run next: the failed migrations (retried first) and the pending
// ones, in the order migrate applies them.
std::vector<Target> pending_targets(rokso::Session& session) {
  const rokso::MigrationTree& tree = session.tree();
  const rokso::History history = session.version_table().read_history(0, false);
  using State = rokso::History::State;
  std::vector<Target> targets;
  for (const rokso::VersionRow& row : history.failed()) {
    if (const rokso::MigrationFile* file = tree.find(row.filename)) targets.push_back(read_tree_file(tree, *file));
  }
  const std::size_t failed = targets.size();
  for (const rokso::MigrationFile& file : tree.files()) {
    if (history.state_of(file.identity) == State::absent) targets.push_back(read_tree_file(tree, file));
  }
  std::vector<rokso::DependencyNode> nodes;
  for (std::size_t i = failed; i < targets.size(); ++i) {
    nodes.push_back({targets[i].identity, &targets[i].requires_identities});
  }
  std::vector<std::size_t> order;
  try {
    order = rokso::dependency_order(
        nodes, [&history](std::string_view identity) { return history.state_of(identity) != State::absent; });
  } catch (const rokso::Error& e) {
    // migrate would stop on this too; the files are still worth linting, in tree order.
    rokso::out::warning(std::string(e.what()) + " (linted in the tree's order)");
    return targets;
  }
  std::vector<Target> ordered;
  ordered.reserve(targets.size());
  for (std::size_t i = 0; i < failed; ++i) ordered.push_back(std::move(targets[i]));
  for (std::size_t i : order) ordered.push_back(std::move(targets[failed + i]));
  return ordered;
}

std::string rules_text() {
  std::string text;
  for (const rokso::LintRule& rule : rokso::lint_rules()) {
    text += std::string(rule.id) + " (" + rokso::lint_severity_name(rule.severity) + ")\n    " + rule.why +
            "\n    fix: " + rule.fix + "\n";
  }
  text.pop_back();
  return text;
}

// --explain: the applied part of the tree (in the order it was applied) replayed on a
// throwaway database, then each target run there statement by statement and rolled back.
std::vector<rokso::ExplainedMigration> explain(rokso::Session& session, const std::vector<Target>& targets) {
  // Nothing to run: no throwaway database, no replay.
  if (std::none_of(targets.begin(), targets.end(), [](const Target& t) { return t.migration.has_value(); })) return {};
  const rokso::MigrationTree& tree = session.tree();
  std::vector<rokso::TreeMigration> applied;
  for (const rokso::VersionRow& row : session.version_table().read()) {
    if (row.status != "complete") continue;
    const rokso::MigrationFile* file = tree.find(row.filename);
    if (!file) {
      rokso::out::warning("'" + rokso::escape_for_display(row.filename) +
                          "' is applied but no longer in the tree: not replayed for --explain");
      continue;
    }
    applied.push_back({file, tree.read(*file)});
  }
  std::vector<rokso::MigrationToExplain> to_explain;
  for (const Target& t : targets) {
    if (!t.migration) continue;
    const rokso::MigrationFile* file = t.identity.empty() ? nullptr : tree.find(t.identity);
    for (const rokso::TreeMigration& m : applied) {
      if (m.file == file) {
        throw rokso::usage_error("'" + t.display + "' is applied already: --explain runs migrations that are not");
      }
    }
    to_explain.push_back({file, &*t.migration});
  }
  const std::optional<std::string> dev_url =
      session.has("dev-url") ? std::optional<std::string>(session.get<std::string>("dev-url")) : std::nullopt;
  return rokso::explain_migrations(rokso::throwaway_server(dev_url, session.project()), session.project().config,
                                   session.migration_settings(), applied, to_explain);
}

std::string lock_list(const rokso::StatementEffects& s) {
  std::string text;
  for (const rokso::RelationLock& l : s.locks) {
    text += (text.empty() ? "" : ", ") + l.mode + " on " + l.kind + " " + l.relation;
  }
  return text;
}

std::string rewrite_list(const rokso::StatementEffects& s) {
  std::string text;
  for (const rokso::RelationRewrite& r : s.rewrites) text += (text.empty() ? "" : ", ") + r.kind + " " + r.relation;
  return text;
}

std::string milliseconds(double ms) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f ms", ms);
  return buffer;
}

// The 1-based line of the file where the apply SQL starts when the file holds it
// verbatim (.sql, most .py and YAML), else 0: explained statements are placed as lint's
// findings are.
long apply_sql_first_line(const Target& t) {
  const std::string text = rokso::lint_source(t.path, t.display).file_text;
  const std::string& sql = t.migration->apply_sql;
  const std::size_t at = sql.empty() ? std::string::npos : text.find(sql);
  if (at == std::string::npos) return 0;
  return 1 + static_cast<long>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

std::string place(long first_line, long line) {
  return first_line > 0 ? "line " + std::to_string(first_line + line - 1) : "apply SQL line " + std::to_string(line);
}

void print_explained(const Target& t, const rokso::ExplainedMigration& e) {
  const long first_line = apply_sql_first_line(t);
  rokso::out::line(t.display + (t.migration->transactional
                                    ? " (explained in one transaction, rolled back)"
                                    : " (runs outside a transaction; explained in one, rolled back)"));
  if (e.statements.empty()) rokso::out::line("    no statement");
  for (const rokso::StatementEffects& s : e.statements) {
    rokso::out::line("  " + place(first_line, s.line) + ": " + s.statement);
    using O = rokso::StatementEffects::Outcome;
    if (s.outcome == O::ran) {
      if (s.takes_access_exclusive()) {
        rokso::out::line("    ACCESS EXCLUSIVE: reads and writes of the table wait while it runs");
      }
      rokso::out::line("    locks: " + (s.locks.empty() ? std::string("none on an existing relation") : lock_list(s)));
      if (!s.rewrites.empty()) rokso::out::line("    rewrote: " + rewrite_list(s));
      rokso::out::line("    took " + milliseconds(s.milliseconds) + " (on the throwaway database's data)");
    } else if (s.outcome == O::failed) {
      rokso::out::line("    failed: " + s.note);
    } else if (s.outcome == O::not_run) {
      rokso::out::line("    not run: " + s.note);
    } else {
      rokso::out::line("    not reached: an earlier statement failed");
    }
  }
  if (!e.note.empty()) rokso::out::line("  note: " + e.note);
}

nlohmann::ordered_json explained_json(const std::vector<Target>& targets, const std::vector<rokso::ExplainedMigration>& all) {
  using json = nlohmann::ordered_json;
  json list = json::array();
  std::size_t k = 0;
  for (const Target& t : targets) {
    if (!t.migration) continue;
    const rokso::ExplainedMigration& e = all[k++];
    const long first_line = apply_sql_first_line(t);
    json statements = json::array();
    for (const rokso::StatementEffects& s : e.statements) {
      json locks = json::array();
      for (const rokso::RelationLock& l : s.locks) locks.push_back({{"relation", l.relation}, {"kind", l.kind}, {"mode", l.mode}});
      json rewrites = json::array();
      for (const rokso::RelationRewrite& r : s.rewrites) rewrites.push_back({{"relation", r.relation}, {"kind", r.kind}});
      const bool ran = s.outcome == rokso::StatementEffects::Outcome::ran || s.outcome == rokso::StatementEffects::Outcome::failed;
      statements.push_back({{"line", first_line > 0 ? first_line + s.line - 1 : s.line},
                            {"line_in", first_line > 0 ? "file" : "apply_sql"},
                            {"statement", s.statement},
                            {"outcome", rokso::outcome_name(s.outcome)},
                            {"note", s.note.empty() ? json(nullptr) : json(s.note)},
                            {"access_exclusive", s.takes_access_exclusive()},
                            {"locks", locks},
                            {"rewrites", rewrites},
                            {"milliseconds", ran ? json(static_cast<double>(static_cast<long long>(s.milliseconds * 10)) / 10) : json(nullptr)}});
    }
    list.push_back({{"file", t.display},
                    {"transactional", t.migration->transactional},
                    {"statements", statements},
                    {"note", e.note.empty() ? json(nullptr) : json(e.note)}});
  }
  return list;
}

int lint(rokso::Session& session) {
  if (session.has("rules")) {
    // Text only: with --format json stdout is one document (status --drift does the same).
    if (session.json()) throw rokso::usage_error("--rules prints text; it takes no --format json");
    rokso::out::line(rules_text());
    return rokso::kExitOk;
  }
  const std::vector<std::string> named =
      session.has("file") ? session.get<std::vector<std::string>>("file") : std::vector<std::string>();
  if (!named.empty() && session.has("all")) throw rokso::usage_error("--all and file names exclude each other");
  const bool explaining = session.has("explain");
  if (explaining && session.has("all")) {
    throw rokso::usage_error("--explain runs the pending or the named migrations, not --all");
  }
  if (session.has("dev-url") && !explaining) throw rokso::usage_error("--dev-url goes with --explain");
  const rokso::LintSettings settings =
      rokso::load_lint_settings(session.project().config_file(), session.migration_settings());

  std::vector<Target> targets;
  if (!named.empty()) {
    for (const std::string& n : named) targets.push_back(read_named_file(session, n));
  } else if (session.has("all")) {
    for (const rokso::MigrationFile& file : session.tree().files()) targets.push_back(tree_target(session.tree(), file));
  } else {
    targets = pending_targets(session);
  }

  // Reading (the format plugins are stateless, see rokso/format_plugin.hpp) and
  // lint_migration() are pure: the files are read and linted on every core (10,000 in < 2 s
  // is the goal; most of the time is libpg_query and its JSON, then the reads), their
  // findings kept in file order.
  std::vector<std::vector<rokso::LintFinding>> per_target(targets.size());
  std::atomic<std::size_t> next{0};
  const rokso::MigrationTree& tree = session.tree();
  auto worker = [&] {
    for (std::size_t i = next++; i < targets.size(); i = next++) {
      Target& t = targets[i];
      read_target(tree, t);
      if (t.migration) per_target[i] = rokso::lint_migration(*t.migration, rokso::lint_source(t.path, t.display), settings);
    }
  };
  const std::size_t threads = std::min<std::size_t>(std::max(1u, std::thread::hardware_concurrency()), 8);
  std::vector<std::thread> workers;
  for (std::size_t k = 1; k < threads && k * 64 < targets.size(); ++k) workers.emplace_back(worker);
  worker();
  for (std::thread& w : workers) w.join();

  std::vector<rokso::LintFinding> findings;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    const Target& t = targets[i];
    if (!t.migration) {
      rokso::LintFinding f;
      f.rule = rokso::kLintUnreadable;
      f.file = t.display;
      f.message = t.read_error;
      findings.push_back(std::move(f));
      continue;
    }
    for (rokso::LintFinding& f : per_target[i]) findings.push_back(std::move(f));
  }
  std::size_t errors = 0, warnings = 0;
  for (const rokso::LintFinding& f : findings) (f.severity == rokso::LintSeverity::error ? errors : warnings)++;

  std::vector<rokso::ExplainedMigration> explained;
  std::size_t failed_statements = 0;
  if (explaining) {
    explained = explain(session, targets);
    for (const rokso::ExplainedMigration& e : explained) {
      for (const rokso::StatementEffects& s : e.statements) failed_statements += s.outcome == rokso::StatementEffects::Outcome::failed;
    }
  }

  if (session.json()) {
    using json = rokso::Json;
    json list = json::array();
    for (const rokso::LintFinding& f : findings) {
      list.push_back({
          {"file", f.file},
          {"line", f.line > 0 ? json(f.line) : json(nullptr)},
          {"line_in", f.line <= 0 ? json(nullptr) : json(f.in_file ? "file" : f.where + "_sql")},
          {"sql", f.where.empty() ? json(nullptr) : json(f.where)},
          {"rule", f.rule},
          {"severity", rokso::lint_severity_name(f.severity)},
          {"message", f.message},
          {"statement", f.statement.empty() ? json(nullptr) : json(f.statement)},
          {"fix", f.fix.empty() ? json(nullptr) : json(f.fix)},
      });
    }
    json doc = {
        {"rokso_lint_version", kLintJsonVersion},
        {"migrations", targets.size()},
        {"errors", errors},
        {"warnings", warnings},
        {"findings", list},
    };
    if (explaining) doc["explain"] = explained_json(targets, explained);
    rokso::print_json_as_is(doc);
  } else {
    for (const rokso::LintFinding& f : findings) {
      if (f.rule == rokso::kLintUnreadable) {
        rokso::out::line(f.file + ": error: " + f.rule + ": " + f.message);
      } else {
        rokso::out::line(rokso::format_lint_finding(f));
      }
    }
    std::size_t k = 0;
    for (const Target& t : targets) {
      if (t.migration && explaining) print_explained(t, explained[k++]);
    }
    if (targets.empty()) {
      rokso::out::line("lint: nothing to lint (no pending migration)");
    } else {
      rokso::out::line("lint: " + std::to_string(targets.size()) + " migration(s), " + std::to_string(errors) +
                       " error(s), " + std::to_string(warnings) + " warning(s)");
    }
  }
  if (failed_statements > 0) {
    rokso::out::error("lint --explain: " + std::to_string(failed_statements) +
                      " statement(s) failed on the throwaway database");
  }
  return errors > 0 || failed_statements > 0 ? rokso::kExitFailed : rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "lint";
  command.synopsis = "[<file>... | --all] [--explain [--dev-url <url>]] [--format text|json] [--rules]";
  command.options.add_options()
      ("file", rokso::po::value<std::vector<std::string>>()->value_name("<file>"),
       "lint these migrations (identities or paths) instead of the pending ones")
      ("all", "lint every migration of the tree, applied or not (reads no database)")
      ("rules", "list the rules with their default severity, why and fix")
      ("explain", "also run the migrations on a throwaway database, rolled back, and report each statement's "
                  "locks, table rewrites and time")
      ("dev-url", rokso::po::value<std::string>()->value_name("<url>"),
       "with --explain: make the throwaway database on this server instead of the project's dev server");
  command.positional.add("file", -1);
  command.run = lint;
  return rokso::run_command(argc, argv, command);
}
