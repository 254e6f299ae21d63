#include "kind_support/table_attached_kind.hpp"

namespace {

std::string create_sql(const std::string& schema, const std::string& table, const std::string& name) {
  return "ALTER TABLE " + table + " ADD CONSTRAINT " + name + " FOREIGN KEY (other_id) REFERENCES " +
         rokso::qualified_name(schema, "other") + " (id);";
}

std::string drop_sql(const std::string&, const std::string& table, const std::string& name) {
  return "ALTER TABLE IF EXISTS " + table + " DROP CONSTRAINT IF EXISTS " + name + ";";
}

class ForeignKeyKind : public rokso::kinds::TableAttachedKind {
 public:
  ForeignKeyKind()
      : TableAttachedKind({"foreign_key", "600.foreign_keys", '\0', "Foreign key", 10, "",
                           "foreign keys, by the table that holds them: applied after every table",
                           {"FK CONSTRAINT"}},
                          "_other_id_fkey", create_sql, drop_sql) {}
};

}  // namespace

ROKSO_DECLARE_PLUGIN("foreign_key", ForeignKeyKind)
