// The shape the five seed kinds share: a kind is its directory, its menu entry, the
// skeleton `rokso create` writes and the DROP that undoes it. Header-only, so each kind
// stays its own module built from the SDK alone.
#pragma once

#include <rokso/object_kind_plugin.hpp>
#include <rokso/sql_identifier.hpp>

#include <string>

namespace rokso::seed {

struct KindSpec {
  const char* name;          // "table"
  const char* directory;     // "200.tables"
  char letter;               // 'T'
  const char* menu_label;    // "[T]able"
  int menu_position;         // roksopsql's menu order: T, V, M, F, D
  const char* drop_keyword;  // "TABLE": DROP <keyword> IF EXISTS <name>
  const char* summary;
};

class SeedKind : public ObjectKindPlugin {
 public:
  explicit SeedKind(const KindSpec& spec) : spec_(spec) {}

  std::string name() const override { return spec_.name; }
  std::string version() const override { return "1.0.0"; }
  std::string summary() const override { return spec_.summary; }
  std::string directory() const override { return spec_.directory; }
  char letter() const override { return spec_.letter; }
  std::string menu_label() const override { return spec_.menu_label; }
  int menu_position() const override { return spec_.menu_position; }

  Migration create_template(const std::string& schema, const std::string& object) const override {
    Migration m;
    m.apply_sql = skeleton(qualified_name(schema, object));
    m.rollback_sql = default_rollback(schema, object);
    return m;
  }

  std::string default_rollback(const std::string& schema, const std::string& object) const override {
    return std::string("DROP ") + spec_.drop_keyword + " IF EXISTS " + qualified_name(schema, object) +
           drop_suffix() + ";";
  }

 protected:
  // The apply SQL `rokso create` writes for the object `qualified` (already quoted).
  virtual std::string skeleton(const std::string& qualified) const = 0;
  // After the name in DROP, e.g. "()" for a function without arguments.
  virtual std::string drop_suffix() const { return ""; }

 private:
  KindSpec spec_;
};

}  // namespace rokso::seed
