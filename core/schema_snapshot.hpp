// A database's schema as a set of named objects, each with the DDL that makes it,
// read from the catalogs in one query and normalised by the server's own deparsers
// (pg_get_indexdef, pg_get_constraintdef, pg_get_viewdef, pg_get_functiondef, ...), so
// two snapshots compare equal exactly when the schemas are the same.
//
// Covered: schemas, tables (persistence, partitioning), columns (type, collation,
// NOT NULL, default, identity, generated), constraints, indexes, views, materialized
// views, sequences, functions and procedures, enum/domain/range/composite types,
// triggers, extensions. Not covered: owners, privileges, comments, policies, rules,
// statistics objects, foreign tables, aggregates, operators. Objects an extension owns
// are left out (the extension stands for them), and so is rokso's version table.
#pragma once

#include "core/database.hpp"

#include <map>
#include <string>
#include <vector>

namespace rokso {

struct SchemaObject {
  std::string kind;        // "table", "column", "index", ...
  std::string name;        // schema-qualified, quoted as SQL needs: public.t, public.t.c
  std::string definition;  // the DDL that makes it as it is
  // For a column, constraint, index or trigger: its table (quoted, qualified) and its
  // own name (quoted); empty for other kinds.
  std::string parent;
  std::string local;
  // For a column: type, collation ("" for the type's), identity and generated flags
  // (attidentity || attgenerated), default expression (""), "true"/"false" for NOT NULL.
  std::vector<std::string> parts;
};

// Objects keyed by "<kind> <name>", so they compare in a stable order.
using SchemaSnapshot = std::map<std::string, SchemaObject>;

struct SnapshotScope {
  // The schemas to read; empty reads every schema but PostgreSQL's own.
  std::vector<std::string> schemas;
  // rokso's version table (and what belongs to it: its sequence, index, lock table),
  // left out. Names as stored in the catalog (not quoted).
  std::string version_schema;
  std::string version_table;
};

// One round trip. Throws pqxx errors as they come.
SchemaSnapshot take_snapshot(pqxx::connection_base& connection, const SnapshotScope& scope);

// The schemas a snapshot holds objects in (from its "schema" objects), catalog names.
std::vector<std::string> snapshot_schemas(const SchemaSnapshot& snapshot);

struct SchemaChange {
  enum class Type { added, removed, changed };
  Type type;
  SchemaObject before;  // empty for added
  SchemaObject after;   // empty for removed
  const SchemaObject& object() const { return type == Type::removed ? before : after; }
};

// What turns `from` into `to`, in key order.
std::vector<SchemaChange> compare_snapshots(const SchemaSnapshot& from, const SchemaSnapshot& to);

// "added", "removed", "changed"
const char* change_name(SchemaChange::Type type);
// One readable line per change: "+ column public.t.c: ALTER TABLE ... ADD COLUMN ...",
// "- table public.u", "~ index public.i: <before> -> <after>".
std::string describe_change(const SchemaChange& change);

}  // namespace rokso
