#include "core/schema_ddl.hpp"

#include <algorithm>
#include <cctype>
#include <set>

namespace rokso {

namespace {

// The order objects are created in (and dropped in, reversed): what others depend on first.
int creation_rank(const SchemaObject& o) {
  if (o.kind == "schema") return 0;
  if (o.kind == "extension") return 1;
  if (o.kind == "type") return 2;
  if (o.kind == "sequence") return 3;
  if (o.kind == "function" || o.kind == "procedure") return 4;
  if (o.kind == "table") return 5;
  if (o.kind == "column") return 6;
  if (o.kind == "constraint") return o.definition.find(" FOREIGN KEY ") == std::string::npos ? 7 : 9;
  if (o.kind == "index") return 8;
  if (o.kind == "view") return 10;
  if (o.kind == "materialized view") return 11;
  if (o.kind == "trigger") return 12;
  return 13;
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

std::string create_ddl(const SchemaObject& o) {
  std::string sql = o.definition;
  while (!sql.empty() && (sql.back() == '\n' || sql.back() == ' ' || sql.back() == ';')) sql.pop_back();
  return sql + ";";
}

std::string drop_ddl(const SchemaObject& o, bool if_exists) {
  const std::string maybe = if_exists ? "IF EXISTS " : "";
  if (o.kind == "column") return "ALTER TABLE " + o.parent + " DROP COLUMN " + maybe + o.local + ";";
  if (o.kind == "constraint") return "ALTER TABLE " + o.parent + " DROP CONSTRAINT " + maybe + o.local + ";";
  if (o.kind == "trigger") return "DROP TRIGGER " + maybe + o.local + " ON " + o.parent + ";";
  if (o.kind == "type" && starts_with(o.definition, "CREATE DOMAIN")) return "DROP DOMAIN " + maybe + o.name + ";";
  std::string kind = o.kind;
  std::transform(kind.begin(), kind.end(), kind.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return "DROP " + kind + " " + maybe + o.name + ";";
}

// A column that changed in place (type, default, NOT NULL) is altered, keeping its data
// and what depends on it; "" when it cannot be (identity or generated changed).
std::string alter_column(const SchemaObject& from, const SchemaObject& to) {
  if (from.parts.size() != 5 || to.parts.size() != 5 || from.parts[2] != to.parts[2]) return "";
  const std::string alter = "ALTER TABLE " + to.parent + " ALTER COLUMN " + to.local;
  std::string sql;
  if (from.parts[0] != to.parts[0] || from.parts[1] != to.parts[1]) {
    sql += alter + " TYPE " + to.parts[0] + (to.parts[1].empty() ? "" : " COLLATE " + to.parts[1]) + " USING " +
           to.local + "::" + to.parts[0] + ";\n";
  }
  if (from.parts[3] != to.parts[3] && to.parts[2].find('s') == std::string::npos) {
    sql += alter + (to.parts[3].empty() ? " DROP DEFAULT;\n" : " SET DEFAULT " + to.parts[3] + ";\n");
  }
  if (from.parts[4] != to.parts[4]) sql += alter + (to.parts[4] == "true" ? " SET NOT NULL;\n" : " DROP NOT NULL;\n");
  return sql;
}

std::string ddl_script(const std::vector<SchemaChange>& changes) {
  std::vector<const SchemaObject*> drops, creates;
  std::set<std::string> dropped_tables;
  std::string altered;
  for (const SchemaChange& c : changes) {
    if (c.type == SchemaChange::Type::changed && c.before.kind == "column") {
      const std::string sql = alter_column(c.before, c.after);
      if (!sql.empty()) {
        altered += sql;
        continue;
      }
    }
    if (c.type != SchemaChange::Type::added) drops.push_back(&c.before);
    if (c.type != SchemaChange::Type::removed) creates.push_back(&c.after);
    if (c.type != SchemaChange::Type::added && c.before.kind == "table") dropped_tables.insert(c.before.name);
  }
  auto by_rank = [](const SchemaObject* a, const SchemaObject* b) { return creation_rank(*a) < creation_rank(*b); };
  std::stable_sort(drops.begin(), drops.end(), [&](auto a, auto b) { return by_rank(b, a); });
  std::stable_sort(creates.begin(), creates.end(), by_rank);
  std::string script;
  for (const SchemaObject* o : drops) {
    if (!o->parent.empty() && dropped_tables.count(o->parent)) continue;  // gone with its table
    script += drop_ddl(*o, true) + "\n";  // IF EXISTS: a sequence goes with the table owning it
  }
  // Altered columns between drops and creations: an index or constraint dropped for
  // them is gone, those made again come after.
  script += altered;
  for (const SchemaObject* o : creates) script += create_ddl(*o) + "\n";
  return script;
}

}  // namespace rokso
