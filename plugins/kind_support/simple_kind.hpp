// The shape every built-in kind shares: a kind is its directory, its menu entry, the
// skeleton `rokso create` writes, the DROP that undoes it, and the pg_dump entries
// `rokso remap` files under it. Header-only, so each kind stays its own module built
// from the SDK alone.
#pragma once

#include <rokso/object_kind_plugin.hpp>
#include <rokso/sql_identifier.hpp>

#include <initializer_list>
#include <string>
#include <vector>

namespace rokso::kinds {

struct KindSpec {
  const char* name;          // "table"
  const char* directory;     // "200.tables"
  char letter;               // 'T'; '\0' when `rokso create` does not offer it
  const char* menu_label;    // "[T]able"
  int menu_position;         // roksopsql's menu order: T, V, M, F, D, then the others
  const char* drop_keyword;  // "TABLE": DROP <keyword> IF EXISTS <name>
  const char* summary;
  std::initializer_list<const char*> remap_entry_types;  // pg_dump's types: {"TABLE"}
};

class SimpleKind : public ObjectKindPlugin {
 public:
  explicit SimpleKind(const KindSpec& spec)
      : spec_(spec), remap_entry_types_(spec.remap_entry_types.begin(), spec.remap_entry_types.end()) {}

  std::string name() const override { return spec_.name; }
  std::string version() const override { return "1.0.0"; }
  std::string summary() const override { return spec_.summary; }
  std::string directory() const override { return spec_.directory; }
  char letter() const override { return spec_.letter; }
  std::string menu_label() const override { return spec_.menu_label; }
  int menu_position() const override { return spec_.menu_position; }

  Migration create_template(const std::string& schema, const std::string& object) const override {
    Migration m;
    m.apply_sql = skeleton_for(schema, object);
    m.rollback_sql = default_rollback(schema, object);
    return m;
  }

  std::vector<std::string> remap_entry_types() const override { return remap_entry_types_; }

  std::string default_rollback(const std::string& schema, const std::string& object) const override {
    return std::string("DROP ") + spec_.drop_keyword + " IF EXISTS " + qualified_name(schema, object) +
           drop_suffix() + ";";
  }

 protected:
  // The apply SQL `rokso create` writes for the object `qualified` (already quoted).
  virtual std::string skeleton(const std::string& qualified) const { (void)qualified; return ""; }
  // The same, for kinds that need the parts: those living on a table (triggers,
  // foreign keys...) are filed under the table's name and name their own objects
  // after it.
  virtual std::string skeleton_for(const std::string& schema, const std::string& object) const {
    return skeleton(qualified_name(schema, object));
  }
  // After the name in DROP, e.g. "()" for a function without arguments.
  virtual std::string drop_suffix() const { return ""; }

 private:
  KindSpec spec_;
  std::vector<std::string> remap_entry_types_;
};

}  // namespace rokso::kinds
