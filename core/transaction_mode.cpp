#include "core/transaction_mode.hpp"

#include <pg_query.h>

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

namespace rokso {
namespace {

using nlohmann::json;

bool flag(const json& node, const char* key) { return node.is_object() && node.value(key, false); }

// What a parsed statement is, if PostgreSQL refuses it inside a transaction block.
// libpg_query leaves out fields that are false/empty, hence value(..., default).
std::string refusal(const json& stmt) {
  if (!stmt.is_object() || stmt.empty()) return "";
  const std::string type = stmt.begin().key();
  const json& node = stmt.begin().value();
  if (type == "IndexStmt" && flag(node, "concurrent")) return "CREATE INDEX CONCURRENTLY";
  if (type == "DropStmt" && flag(node, "concurrent")) return "DROP INDEX CONCURRENTLY";
  if (type == "ReindexStmt") {
    for (const json& param : node.value("params", json::array())) {
      if (param.contains("DefElem") && param["DefElem"].value("defname", "") == "concurrently") {
        return "REINDEX CONCURRENTLY";
      }
    }
  }
  if (type == "VacuumStmt" && flag(node, "is_vacuumcmd")) return "VACUUM";
  if (type == "AlterTableStmt") {
    for (const json& cmd : node.value("cmds", json::array())) {
      const json def = cmd.value("AlterTableCmd", json::object()).value("def", json::object());
      if (flag(def.value("PartitionCmd", json::object()), "concurrent")) return "DETACH PARTITION CONCURRENTLY";
    }
  }
  static const std::pair<const char*, const char*> always[] = {
      {"CreatedbStmt", "CREATE DATABASE"},           {"DropdbStmt", "DROP DATABASE"},
      {"AlterSystemStmt", "ALTER SYSTEM"},           {"CreateTableSpaceStmt", "CREATE TABLESPACE"},
      {"DropTableSpaceStmt", "DROP TABLESPACE"},     {"CreateSubscriptionStmt", "CREATE SUBSCRIPTION"},
      {"DropSubscriptionStmt", "DROP SUBSCRIPTION"},
  };
  for (const auto& entry : always) {
    if (type == entry.first) return entry.second;
  }
  return "";
}

// Every statement refusal() names, and ALTER TYPE ... ADD VALUE, holds one of these
// keywords (any case; a keyword is never split or escaped): a script without any of them
// is not parsed at all. Most scripts hold none, and this runs for every migration read.
// A keyword ends where an identifier would: "value" is not found in INSERT ... VALUES.
bool may_refuse_transactions(const std::string& sql) {
  static const char* const words[] = {"concurrently", "vacuum", "database", "system",
                                      "tablespace", "subscription", "value"};
  std::string lower = sql;
  for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  const auto ends_word = [&lower](std::size_t at) {
    if (at >= lower.size()) return true;
    const unsigned char c = static_cast<unsigned char>(lower[at]);
    return !((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80);
  };
  for (const char* word : words) {
    const std::size_t length = std::strlen(word);
    for (std::size_t at = lower.find(word); at != std::string::npos; at = lower.find(word, at + 1)) {
      if (ends_word(at + length)) return true;
    }
  }
  return false;
}

}  // namespace

std::vector<std::string> statements_refusing_transactions(const std::string& sql) {
  std::vector<std::string> found;
  if (!may_refuse_transactions(sql)) return found;
  PgQueryParseResult result = pg_query_parse(sql.c_str());
  if (!result.error && result.parse_tree) {
    const json tree = json::parse(result.parse_tree, nullptr, false);
    if (!tree.is_discarded()) {
      // Enum values added by ALTER TYPE ... ADD VALUE: PostgreSQL accepts that in a
      // transaction, but refuses to use the new value before the transaction commits. It
      // matters only when a later statement of the same migration uses it.
      std::vector<std::pair<std::string, long>> added_values;  // quoted literal, line
      for (const json& entry : tree.value("stmts", json::array())) {
        const json& stmt = entry.value("stmt", json::object());
        const std::size_t start = std::min<std::size_t>(entry.value("stmt_location", 0), sql.size());
        const std::size_t length = entry.value("stmt_len", 0);
        const std::string text = length ? sql.substr(start, length) : sql.substr(start);
        // The line of the statement's first non-blank character.
        std::size_t at = start;
        while (at < sql.size() && (sql[at] == ' ' || sql[at] == '\t' || sql[at] == '\n' || sql[at] == '\r')) ++at;
        const long line = 1 + std::count(sql.begin(), sql.begin() + static_cast<std::ptrdiff_t>(at), '\n');
        for (auto it = added_values.begin(); it != added_values.end();) {
          if (text.find(it->first) == std::string::npos) {
            ++it;
            continue;
          }
          found.push_back("ALTER TYPE ... ADD VALUE " + it->first + " (line " + std::to_string(it->second) +
                          ") used by a later statement (line " + std::to_string(line) + ")");
          it = added_values.erase(it);
        }
        const json& alter_enum = stmt.value("AlterEnumStmt", json::object());
        if (alter_enum.contains("newVal") && !alter_enum.contains("oldVal")) {
          std::string literal = "'";
          for (char c : alter_enum.value("newVal", std::string())) literal += c == '\'' ? std::string("''") : std::string(1, c);
          added_values.emplace_back(literal + "'", line);
        }
        const std::string what = refusal(stmt);
        if (!what.empty()) found.push_back(what + " (line " + std::to_string(line) + ")");
      }
    }
  }
  pg_query_free_parse_result(result);
  return found;
}

std::vector<std::string> indexes_built_concurrently(const std::string& sql) {
  std::vector<std::string> names;
  PgQueryParseResult result = pg_query_parse(sql.c_str());
  if (!result.error && result.parse_tree) {
    const json tree = json::parse(result.parse_tree, nullptr, false);
    if (!tree.is_discarded()) {
      for (const json& entry : tree.value("stmts", json::array())) {
        const json index = entry.value("stmt", json::object()).value("IndexStmt", json::object());
        if (flag(index, "concurrent") && index.contains("idxname")) names.push_back(index.value("idxname", ""));
      }
    }
  }
  pg_query_free_parse_result(result);
  return names;
}

void detect_transaction_mode(Migration& migration) {
  if (!migration.transactional) return;
  const std::vector<std::string> refusing = statements_refusing_transactions(migration.apply_sql);
  if (refusing.empty()) return;
  migration.transactional = false;
  std::string list;
  for (const auto& r : refusing) list += (list.empty() ? "" : ", ") + r;
  migration.notes.push_back("runs outside a transaction, statement by statement: " + list +
                            " cannot run inside a transaction block");
}

}  // namespace rokso
