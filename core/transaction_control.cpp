#include "core/transaction_control.hpp"

#include "core/error.hpp"
#include "core/sql_script.hpp"
#include "core/transaction_mode.hpp"

#include <pg_query.h>

#include <algorithm>
#include <nlohmann/json.hpp>

namespace rokso {
namespace {

using nlohmann::json;

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// The statement on one line, blanks collapsed, at most 60 bytes.
std::string one_line_statement(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (is_space(c)) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > 60) out = out.substr(0, 57) + "...";
  return out;
}

bool is_begin(const TransactionControlStatement& s) {
  return (s.kind == "TRANS_STMT_BEGIN" || s.kind == "TRANS_STMT_START") && !s.options;
}
bool is_commit(const TransactionControlStatement& s) { return s.kind == "TRANS_STMT_COMMIT" && !s.chain; }
// Stays inside the transaction it runs in.
bool is_savepoint_command(const TransactionControlStatement& s) {
  return s.kind == "TRANS_STMT_SAVEPOINT" || s.kind == "TRANS_STMT_RELEASE" || s.kind == "TRANS_STMT_ROLLBACK_TO";
}

// Every transaction-control statement starts with one of these words (any case); most
// scripts hold none of them, and then are not parsed at all.
bool may_hold_transaction_control(const std::string& sql) {
  static const char* const words[] = {"begin", "start", "commit", "end", "rollback", "abort", "prepare"};
  std::string lower = sql;
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (const char* word : words) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

std::string describe(const TransactionControlStatement& s) { return "line " + std::to_string(s.line) + ": " + s.text; }

}  // namespace

TransactionControlScan scan_transaction_control(const std::string& sql) {
  TransactionControlScan scan;
  if (!may_hold_transaction_control(sql)) {
    scan.parsed = true;
    return scan;
  }
  PgQueryParseResult result = pg_query_parse(sql.c_str());
  if (!result.error && result.parse_tree) {
    const json tree = json::parse(result.parse_tree, nullptr, false);
    if (!tree.is_discarded()) {
      scan.parsed = true;
      const json stmts = tree.value("stmts", json::array());
      bool first_is_begin = false, last_is_commit = false;
      for (std::size_t i = 0; i < stmts.size(); ++i) {
        const json& entry = stmts[i];
        const json stmt = entry.value("stmt", json::object());
        if (!stmt.is_object() || !stmt.contains("TransactionStmt")) continue;
        const json& node = stmt["TransactionStmt"];
        // libpg_query leaves out fields that are 0/false/empty (TRANS_STMT_BEGIN is 0).
        const std::size_t location = std::min<std::size_t>(entry.value("stmt_location", 0), sql.size());
        const std::size_t length = entry.value("stmt_len", 0);
        const std::size_t chunk_end = length ? std::min(location + length, sql.size()) : sql.size();
        TransactionControlStatement s;
        s.kind = node.value("kind", std::string("TRANS_STMT_BEGIN"));
        s.chain = node.value("chain", false);
        s.options = node.contains("options");
        s.begin = statement_text_start(sql, location, chunk_end);
        s.text = one_line_statement(sql.substr(s.begin, chunk_end - s.begin));
        s.line = 1 + std::count(sql.begin(), sql.begin() + static_cast<std::ptrdiff_t>(s.begin), '\n');
        // Its ';' belongs to it (blanked with it when unwrapped).
        s.end = chunk_end;
        std::size_t after = chunk_end;
        while (after < sql.size() && is_space(sql[after])) ++after;
        if (after < sql.size() && sql[after] == ';') s.end = after + 1;
        if (i == 0) first_is_begin = is_begin(s);
        if (i + 1 == stmts.size()) last_is_commit = is_commit(s);
        scan.statements.push_back(std::move(s));
      }
      // Between the two, only what stays inside the transaction.
      bool inner_stays = true;
      for (std::size_t k = 1; k + 1 < scan.statements.size(); ++k) {
        if (!is_savepoint_command(scan.statements[k])) inner_stays = false;
      }
      scan.wrapped = first_is_begin && last_is_commit && scan.statements.size() >= 2 && inner_stays;
    }
  }
  pg_query_free_parse_result(result);
  return scan;
}

std::vector<std::string> refused_transaction_control(const std::string& sql, bool transactional) {
  std::vector<std::string> refused;
  const TransactionControlScan scan = scan_transaction_control(sql);
  for (std::size_t i = 0; i < scan.statements.size(); ++i) {
    const TransactionControlStatement& s = scan.statements[i];
    // Savepoints stay inside the transaction; outside one the server itself refuses them.
    if (is_savepoint_command(s)) continue;
    if (transactional && scan.wrapped && (i == 0 || i + 1 == scan.statements.size())) continue;
    refused.push_back(describe(s));
  }
  return refused;
}

std::string sql_to_run_in_transaction(const std::string& sql) {
  const TransactionControlScan scan = scan_transaction_control(sql);
  if (!scan.wrapped) return sql;
  std::string body = sql;
  for (const TransactionControlStatement* s : {&scan.statements.front(), &scan.statements.back()}) {
    for (std::size_t i = s->begin; i < s->end; ++i) {
      if (body[i] != '\n') body[i] = ' ';
    }
  }
  return body;
}

bool is_wrapped_body(const std::string& sql) { return scan_transaction_control(sql).wrapped; }

void note_wrapped_bodies(Migration& migration) {
  if (migration.transactional && is_wrapped_body(migration.apply_sql)) {
    migration.notes.push_back(
        "outer BEGIN/COMMIT unwrapped: its statements run in rokso's transaction, with its version row");
  }
  if (rollback_runs_in_transaction(migration) && is_wrapped_body(migration.rollback_sql)) {
    migration.notes.push_back("rollback: outer BEGIN/COMMIT unwrapped: its statements run in rokso's transaction");
  }
}

void refuse_transaction_control(const std::string& name, const char* which_sql, const std::string& sql,
                                bool transactional) {
  const std::vector<std::string> refused = refused_transaction_control(sql, transactional);
  if (refused.empty()) return;
  std::string list;
  for (const std::string& r : refused) list += (list.empty() ? "" : "; ") + r;
  if (transactional) {
    throw failure("'" + name + "': transaction control in its " + which_sql + " (" + list +
                  "): rokso runs the migration in its own transaction and commits it with its version row, so this "
                  "would commit or end part of it on its own; remove it (only one BEGIN at the start and one COMMIT "
                  "at the end, around the whole body, are accepted)");
  }
  throw failure("'" + name + "': transaction control in its " + which_sql + " (" + list +
                "): it runs outside a transaction, statement by statement, each committed on its own, so a "
                "transaction spanning statements cannot be kept; remove it");
}

bool rollback_runs_in_transaction(const Migration& migration) {
  return migration.transactional && statements_refusing_transactions(migration.rollback_sql).empty();
}

void refuse_transaction_control(const std::string& name, const Migration& migration) {
  refuse_transaction_control(name, "apply SQL", migration.apply_sql, migration.transactional);
  refuse_transaction_control(name, "rollback SQL", migration.rollback_sql, rollback_runs_in_transaction(migration));
}

}  // namespace rokso
