// The rules of rokso lint (ids, why and fix in core/lint.cpp's table): what each
// statement of a migration's apply SQL does to tables that exist before it, and what its
// rollback leaves of what it creates. Names are compared as the parser folds them
// (unquoted to lower case), without their schema: static, and deliberately cheap.
#include "core/lint_script.hpp"
#include "core/transaction_control.hpp"

#include <set>
#include <utility>

namespace rokso::lint {
namespace {

using nlohmann::json;

const json& field(const json& node, const char* key) {
  static const json null;
  if (!node.is_object()) return null;
  const auto it = node.find(key);
  return it == node.end() ? null : *it;
}
std::string text_of(const json& node, const char* key) {
  const json& v = field(node, key);
  return v.is_string() ? v.get<std::string>() : std::string();
}
bool flag(const json& node, const char* key) {
  const json& v = field(node, key);
  return v.is_boolean() && v.get<bool>();
}
std::string relname(const json& range_var) { return text_of(range_var, "relname"); }

// The last name of a list of {"String": {"sval": ...}} nodes (a qualified name).
std::string last_name(const json& names) {
  if (!names.is_array() || names.empty()) return "";
  return text_of(field(names.back(), "String"), "sval");
}

// The name a DropStmt object stands for, whatever its node: List, String, TypeName,
// ObjectWithArgs.
std::string dropped_name(const json& object) {
  if (object.contains("List")) return last_name(field(object["List"], "items"));
  if (object.contains("String")) return text_of(object["String"], "sval");
  if (object.contains("TypeName")) return last_name(field(object["TypeName"], "names"));
  if (object.contains("ObjectWithArgs")) return last_name(field(object["ObjectWithArgs"], "objname"));
  return "";
}

std::string quoted(const std::string& name) { return "\"" + name + "\""; }

// Functions whose every call may return another value: a column default calling one is
// evaluated per existing row, so adding such a column rewrites the table.
bool is_volatile_function(const std::string& name) {
  static const std::set<std::string> names = {
      "random", "gen_random_uuid", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
      "clock_timestamp", "timeofday", "nextval", "setseed", "txid_current", "pg_current_xact_id"};
  return names.count(name) > 0;
}
bool calls_volatile_function(const json& node) {
  if (node.is_object()) {
    const auto call = node.find("FuncCall");
    if (call != node.end() && is_volatile_function(last_name(field(*call, "funcname")))) return true;
    for (const auto& item : node.items()) {
      if (calls_volatile_function(item.value())) return true;
    }
  } else if (node.is_array()) {
    for (const json& item : node) {
      if (calls_volatile_function(item)) return true;
    }
  }
  return false;
}

bool is_serial_type(const json& type_name) {
  static const std::set<std::string> serials = {"serial", "bigserial", "smallserial", "serial2", "serial4", "serial8"};
  return serials.count(last_name(field(type_name, "names"))) > 0;
}

// Something the apply creates, for the rollback checks.
enum class Kind { relation, index, function, type, schema, column };
struct Created {
  Kind kind;
  std::string name;
  std::string table;  // an index's or a column's table
  std::string what;   // "table \"t\"", for the message
  const Statement* statement;
};

// What the rollback drops.
struct Dropped {
  std::set<std::string> relations, functions, types, schemas;
  std::set<std::pair<std::string, std::string>> columns;  // (table, column)
  bool cascade_schema = false;  // DROP SCHEMA ... CASCADE: takes everything in it
  bool opaque = false;          // DO blocks or function calls the check cannot see into
};

Dropped what_rollback_drops(const Script& rollback) {
  Dropped d;
  for (const Statement& s : rollback.statements) {
    const json& n = s.node;
    if (s.type == "DropStmt") {
      const std::string type = text_of(n, "removeType");
      for (const json& object : field(n, "objects")) {
        const std::string name = dropped_name(object);
        if (type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE" || type == "OBJECT_ROUTINE") {
          d.functions.insert(name);
        } else if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
          d.types.insert(name);
        } else if (type == "OBJECT_SCHEMA") {
          d.schemas.insert(name);
          if (text_of(n, "behavior") == "DROP_CASCADE") d.cascade_schema = true;
        } else {
          d.relations.insert(name);
        }
      }
    } else if (s.type == "AlterTableStmt") {
      const std::string table = relname(field(n, "relation"));
      for (const json& cmd : field(n, "cmds")) {
        const json& c = field(cmd, "AlterTableCmd");
        if (text_of(c, "subtype") == "AT_DropColumn") d.columns.insert({table, text_of(c, "name")});
      }
    } else if (s.type == "DoStmt" || s.type == "SelectStmt" || s.type == "CallStmt") {
      d.opaque = true;
    }
  }
  return d;
}

bool is_dropped(const Created& c, const Dropped& d) {
  if (d.cascade_schema) return true;
  switch (c.kind) {
    case Kind::relation: return d.relations.count(c.name) > 0;
    case Kind::index: return d.relations.count(c.name) > 0 || d.relations.count(c.table) > 0;
    case Kind::column: return d.columns.count({c.table, c.name}) > 0 || d.relations.count(c.table) > 0;
    case Kind::function: return d.functions.count(c.name) > 0;
    case Kind::type: return d.types.count(c.name) > 0 || d.relations.count(c.name) > 0;
    case Kind::schema: return d.schemas.count(c.name) > 0;
  }
  return false;
}

// A lock_timeout the migration sets itself (SET [LOCAL] lock_timeout, set_config(...)).
bool sets_lock_timeout(const Statement& s) {
  if (s.type == "VariableSetStmt") {
    if (text_of(s.node, "name") != "lock_timeout") return false;
    // SET lock_timeout = 0 turns it off: not a bound.
    const json& args = field(s.node, "args");
    if (args.is_array() && args.size() == 1) {
      const json& value = field(args[0], "A_Const");
      const json& ival = field(value, "ival");
      if (ival.is_object() && field(ival, "ival").is_null()) return false;
      const std::string sval = text_of(field(value, "sval"), "sval");
      if (sval == "0" || sval == "0s" || sval == "0ms") return false;
    }
    return true;
  }
  return s.type == "SelectStmt" && s.text.find("lock_timeout") != std::string::npos &&
         s.text.find("set_config") != std::string::npos;
}

class ApplyChecker {
 public:
  ApplyChecker(const Migration& migration, const Script& apply, Run& run)
      : migration_(migration), apply_(apply), run_(run) {}

  void check() {
    const bool wrapped = migration_.transactional && is_wrapped_body(migration_.apply_sql);
    for (std::size_t i = 0; i < apply_.statements.size(); ++i) {
      const Statement& s = apply_.statements[i];
      const bool outer = wrapped && (i == 0 || i + 1 == apply_.statements.size());
      if (s.type == "TransactionStmt" && !outer) check_transaction_control(s, false);
      if (sets_lock_timeout(s)) lock_timeout_set_ = true;
      const bool locks = check_statement(s);
      if (locks && run_.settings().lock_timeout_off && !lock_timeout_set_ && !lock_timeout_reported_) {
        run_.report("require-lock-timeout", s, false,
                    "this statement waits for a lock on an existing table with no lock_timeout (rokso's is 0)");
        lock_timeout_reported_ = true;
      }
    }
  }

  void check_transaction_control(const Statement& s, bool rollback) {
    const std::string kind = text_of(s.node, "kind");
    // Savepoints stay inside the transaction.
    if (kind == "TRANS_STMT_SAVEPOINT" || kind == "TRANS_STMT_RELEASE" || kind == "TRANS_STMT_ROLLBACK_TO") return;
    run_.report("transaction-control", s, rollback, "transaction control in the " +
                                                        std::string(rollback ? "rollback" : "apply") + " SQL");
  }

  const std::vector<Created>& created() const { return created_; }

 private:
  bool exists(const std::string& table) const { return created_tables_.count(table) == 0; }

  void create(Kind kind, std::string name, std::string table, const std::string& what, const Statement& s) {
    if (name.empty()) return;
    if (kind == Kind::relation) created_tables_.insert(name);
    const std::string label = what + " " + quoted(kind == Kind::column ? table + "." + name : name);
    created_.push_back({kind, std::move(name), std::move(table), label, &s});
  }

  // Checks one apply statement; true when it takes a lock on an existing table that
  // blocks its readers or writers (what require-lock-timeout is about).
  bool check_statement(const Statement& s) {
    const json& n = s.node;
    if (s.type == "CreateStmt") {
      create(Kind::relation, relname(field(n, "relation")), "", "table", s);
    } else if (s.type == "CreateTableAsStmt") {
      const bool matview = text_of(n, "objtype") == "OBJECT_MATVIEW";
      create(Kind::relation, relname(field(field(n, "into"), "rel")), "", matview ? "materialized view" : "table", s);
    } else if (s.type == "ViewStmt") {
      create(Kind::relation, relname(field(n, "view")), "", "view", s);
    } else if (s.type == "CreateSeqStmt") {
      create(Kind::relation, relname(field(n, "sequence")), "", "sequence", s);
    } else if (s.type == "CreateFunctionStmt") {
      create(Kind::function, last_name(field(n, "funcname")), "", flag(n, "is_procedure") ? "procedure" : "function", s);
    } else if (s.type == "CreateEnumStmt") {
      create(Kind::type, last_name(field(n, "typeName")), "", "type", s);
    } else if (s.type == "CompositeTypeStmt") {
      create(Kind::type, relname(field(n, "typevar")), "", "type", s);
    } else if (s.type == "CreateDomainStmt") {
      create(Kind::type, last_name(field(n, "domainname")), "", "domain", s);
    } else if (s.type == "CreateSchemaStmt") {
      create(Kind::schema, text_of(n, "schemaname"), "", "schema", s);
    } else if (s.type == "IndexStmt") {
      return check_index(s);
    } else if (s.type == "AlterTableStmt") {
      return check_alter_table(s);
    } else if (s.type == "RenameStmt") {
      const std::string type = text_of(n, "renameType");
      const std::string table = relname(field(n, "relation"));
      if (table.empty()) return false;
      if (!exists(table)) {
        // A table created here and renamed: the rollback drops it by its new name.
        if (type == "OBJECT_TABLE") renamed_created_table(table, text_of(n, "newname"));
        return false;
      }
      if (type == "OBJECT_COLUMN") {
        run_.report("renaming-column", s, false,
                    "renames column " + quoted(table + "." + text_of(n, "subname")) + " of an existing table");
      } else if (type == "OBJECT_TABLE") {
        run_.report("renaming-table", s, false, "renames the existing table " + quoted(table));
      }
      return true;
    } else if (s.type == "DropStmt") {
      return check_drop(s);
    } else if (s.type == "DropdbStmt") {
      run_.report("ban-drop-database", s, false, "drops the database " + quoted(text_of(n, "dbname")));
    } else if (s.type == "VacuumStmt") {
      for (const json& option : field(n, "options")) {
        if (text_of(field(option, "DefElem"), "defname") == "full") {
          run_.report("ban-vacuum-full", s, false, "VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock");
          return true;
        }
      }
    } else if (s.type == "ClusterStmt") {
      const std::string table = relname(field(n, "relation"));
      run_.report("ban-cluster", s, false, table.empty() ? "CLUSTER rewrites every clustered table"
                                                         : "CLUSTER rewrites the table " + quoted(table));
      return table.empty() || exists(table);
    } else if (s.type == "LockStmt") {
      run_.report("ban-lock-table", s, false, "an explicit LOCK TABLE");
      return true;
    } else if (s.type == "TruncateStmt" || s.type == "CreateTrigStmt" ||
               (s.type == "RefreshMatViewStmt" && !flag(n, "concurrent"))) {
      const json& relations = field(n, "relations");
      if (relations.is_array()) {
        for (const json& r : relations) {
          if (exists(relname(field(r, "RangeVar")))) return true;
        }
        return false;
      }
      return exists(relname(field(n, "relation")));
    }
    return false;
  }

  bool check_index(const Statement& s) {
    const json& n = s.node;
    const std::string table = relname(field(n, "relation"));
    create(Kind::index, text_of(n, "idxname"), table, "index", s);
    if (flag(n, "concurrent") || !exists(table)) return false;
    run_.report("require-concurrent-index-creation", s, false,
                "builds an index on the existing table " + quoted(table) + " without CONCURRENTLY");
    return true;
  }

  bool check_alter_table(const Statement& s) {
    const std::string table = relname(field(s.node, "relation"));
    if (!exists(table)) return false;
    for (const json& cmd : field(s.node, "cmds")) {
      const json& c = field(cmd, "AlterTableCmd");
      const std::string subtype = text_of(c, "subtype");
      const std::string column = text_of(c, "name");
      if (subtype == "AT_AddConstraint") {
        check_constraint(s, table, field(field(c, "def"), "Constraint"));
      } else if (subtype == "AT_SetNotNull") {
        run_.report("adding-not-nullable-field", s, false,
                    "SET NOT NULL on column " + quoted(table + "." + column) + " of an existing table");
      } else if (subtype == "AT_AlterColumnType") {
        run_.report("changing-column-type", s, false,
                    "changes the type of column " + quoted(table + "." + column) + " of an existing table");
      } else if (subtype == "AT_DropColumn") {
        run_.report("ban-drop-column", s, false,
                    "drops column " + quoted(table + "." + column) + " of an existing table");
      } else if (subtype == "AT_AddColumn") {
        check_add_column(s, table, field(field(c, "def"), "ColumnDef"));
      }
    }
    return true;
  }

  void check_constraint(const Statement& s, const std::string& table, const json& constraint) {
    const std::string type = text_of(constraint, "contype");
    const std::string name = text_of(constraint, "conname");
    const std::string named = name.empty() ? "" : " " + quoted(name);
    if ((type == "CONSTR_FOREIGN" || type == "CONSTR_CHECK") && !flag(constraint, "skip_validation")) {
      run_.report("constraint-missing-not-valid", s, false,
                  std::string(type == "CONSTR_FOREIGN" ? "foreign key" : "CHECK") + named + " added to the existing table " +
                      quoted(table) + " without NOT VALID");
    } else if (type == "CONSTR_UNIQUE" && field(constraint, "indexname").is_null()) {
      run_.report("disallowed-unique-constraint", s, false,
                  "UNIQUE constraint" + named + " built on the existing table " + quoted(table));
    } else if (type == "CONSTR_PRIMARY" && field(constraint, "indexname").is_null()) {
      run_.report("adding-primary-key-constraint", s, false,
                  "PRIMARY KEY" + named + " built on the existing table " + quoted(table));
    }
  }

  void check_add_column(const Statement& s, const std::string& table, const json& column) {
    const std::string name = text_of(column, "colname");
    const std::string qualified = quoted(table + "." + name);
    create(Kind::column, name, table, "column", s);
    bool has_default = false, not_null = false, rewrites = is_serial_type(field(column, "typeName"));
    for (const json& item : field(column, "constraints")) {
      const json& c = field(item, "Constraint");
      const std::string type = text_of(c, "contype");
      if (type == "CONSTR_DEFAULT") {
        has_default = true;
        if (calls_volatile_function(field(c, "raw_expr"))) rewrites = true;
      } else if (type == "CONSTR_GENERATED" || type == "CONSTR_IDENTITY") {
        has_default = true;
        rewrites = true;
      } else if (type == "CONSTR_NOTNULL" || type == "CONSTR_PRIMARY") {
        not_null = true;
      } else if (type == "CONSTR_FOREIGN") {
        run_.report("constraint-missing-not-valid", s, false,
                    "column " + qualified + " is added with a REFERENCES constraint, validated at once");
      }
    }
    if (rewrites) {
      run_.report("adding-field-with-volatile-default", s, false,
                  "column " + qualified + " is added to an existing table with a value computed per row");
    } else if (not_null && !has_default) {
      run_.report("adding-required-field", s, false,
                  "column " + qualified + " is added NOT NULL without a DEFAULT to an existing table");
    }
  }

  bool check_drop(const Statement& s) {
    const json& n = s.node;
    const std::string type = text_of(n, "removeType");
    bool locks = false;
    for (const json& object : field(n, "objects")) {
      const std::string name = dropped_name(object);
      if (type == "OBJECT_TABLE" && exists(name)) {
        run_.report("ban-drop-table", s, false, "drops the existing table " + quoted(name));
        locks = true;
      } else if (type == "OBJECT_INDEX" && !flag(n, "concurrent") && !created_index(name)) {
        run_.report("require-concurrent-index-deletion", s, false,
                    "drops the index " + quoted(name) + " without CONCURRENTLY");
        locks = true;
      } else if ((type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW" || type == "OBJECT_SEQUENCE") && exists(name)) {
        locks = true;
      }
    }
    return locks;
  }

  void renamed_created_table(const std::string& from, const std::string& to) {
    created_tables_.erase(from);
    created_tables_.insert(to);
    for (Created& c : created_) {
      if (c.kind == Kind::relation && c.name == from) c.name = to;
      if ((c.kind == Kind::index || c.kind == Kind::column) && c.table == from) c.table = to;
    }
  }

  bool created_index(const std::string& name) const {
    for (const Created& c : created_) {
      if (c.kind == Kind::index && c.name == name) return true;
    }
    return false;
  }

  const Migration& migration_;
  const Script& apply_;
  Run& run_;
  std::set<std::string> created_tables_;
  std::vector<Created> created_;
  bool lock_timeout_set_ = false;
  bool lock_timeout_reported_ = false;
};

}  // namespace

void check_migration(const Migration& migration, const Script& apply, const Script& rollback, Run& run) {
  ApplyChecker checker(migration, apply, run);
  if (apply.parsed) checker.check();

  if (rollback.parsed) {
    const bool in_transaction = rollback_runs_in_transaction(migration);
    const bool wrapped = in_transaction && is_wrapped_body(migration.rollback_sql);
    for (std::size_t i = 0; i < rollback.statements.size(); ++i) {
      const Statement& s = rollback.statements[i];
      const bool outer = wrapped && (i == 0 || i + 1 == rollback.statements.size());
      if (s.type == "TransactionStmt" && !outer) checker.check_transaction_control(s, true);
    }
  }

  const std::vector<Created>& created = checker.created();
  if (created.empty() || !rollback.parsed) return;
  if (rollback.statements.empty()) {
    // One finding, at the first thing created: suppressing it there is suppressing it.
    const Created& first = created.front();
    run.report("empty-rollback", *first.statement, false,
               defines_no_rollback(migration)
                   ? "creates " + first.what + " but defines no rollback (rokso rollback refuses it)"
                   : "creates " + first.what + " but its rollback SQL is empty");
    return;
  }
  const Dropped dropped = what_rollback_drops(rollback);
  if (dropped.opaque) return;
  for (const Created& c : created) {
    if (!is_dropped(c, dropped)) {
      run.report("rollback-does-not-drop", *c.statement, false, "the rollback does not drop " + c.what);
    }
  }
}

}  // namespace rokso::lint
