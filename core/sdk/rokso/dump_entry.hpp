// rokso plugin SDK: one object as `rokso remap` found it in the database.
//
// remap runs pg_dump once and reads its archive's table of contents: each entry is one
// object (a table, an index, a comment...) with the exact DDL PostgreSQL's own dumper
// writes for it. A kind plugin decides which entries it files and how they roll back.
#pragma once

#include <cstring>
#include <string>
#include <vector>

namespace rokso {

struct DumpEntry {
  // pg_dump's description of the entry: "TABLE", "INDEX", "FK CONSTRAINT", "FUNCTION",
  // "COMMENT", "DEFAULT", "SEQUENCE OWNED BY", ...
  std::string type;
  std::string schema;
  // pg_dump's tag, unquoted: "user_master", "add(integer, integer)", and for objects
  // that live on a table, "<table> <name>" (e.g. "orders orders_pkey").
  std::string name;
  std::string create_sql;  // the DDL, one or more statements, each ending in ";\n"
  std::string drop_sql;    // the DROP pg_dump pairs with it (no IF EXISTS); may be empty
};

// `entry.drop_sql` made safe to run when the object is already gone: IF EXISTS put
// where PostgreSQL accepts it, exactly as `pg_restore --if-exists` does it.
inline std::string drop_if_exists(const DumpEntry& entry) {
  std::string drop = entry.drop_sql;
  if (drop.empty() || drop.compare(0, 2, "--") == 0) return drop;
  std::string out;
  if (drop.compare(0, 11, "ALTER TABLE") == 0) {
    out = "ALTER TABLE IF EXISTS";
    drop.erase(0, 11);
  }
  // ALTER COLUMN .. DROP DEFAULT has no IF EXISTS; a CREATE OR REPLACE VIEW "drop"
  // restores a placeholder view and stays as it is.
  if (entry.type == "DEFAULT" || drop.compare(0, 22, "CREATE OR REPLACE VIEW") == 0) return out + drop;
  const bool constraint = entry.type == "CONSTRAINT" || entry.type == "CHECK CONSTRAINT" ||
                          entry.type == "FK CONSTRAINT";
  const std::string keyword = constraint ? "DROP CONSTRAINT" : "DROP " + entry.type;
  const std::size_t mark = drop.find(keyword);
  if (mark == std::string::npos) return out + drop;
  return out + drop.substr(0, mark) + keyword + " IF EXISTS" + drop.substr(mark + keyword.size());
}

// The rollback of a file holding `entries` (in the order they are applied): their
// drops, newest first, each with IF EXISTS.
inline std::string drop_all_if_exists(const std::vector<DumpEntry>& entries) {
  std::string sql;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) sql += drop_if_exists(*it);
  return sql;
}

}  // namespace rokso
