#include "kind_support/simple_kind.hpp"

namespace {

// Filed under the name of the table it lives on: migration/<schema>/600.foreign_keys/<table>/.
class ForeignKeyKind : public rokso::kinds::SimpleKind {
 public:
  ForeignKeyKind()
      : SimpleKind({"foreign_key", "600.foreign_keys", '\0', "Foreign key", 10, "",
                    "foreign keys, by the table that holds them: applied after every table",
                    {"FK CONSTRAINT"}}) {}

  std::string default_rollback(const std::string& schema, const std::string& table) const override {
    const std::string qualified = rokso::qualified_name(schema, table);
    const std::string name = rokso::quote_identifier(object_name(table));
    return "ALTER TABLE IF EXISTS " + qualified + " DROP CONSTRAINT IF EXISTS " + name + ";";
  }

 protected:
  std::string skeleton_for(const std::string& schema, const std::string& table) const override {
    const std::string qualified = rokso::qualified_name(schema, table);
    const std::string name = rokso::quote_identifier(object_name(table));
    return "ALTER TABLE " + qualified + " ADD CONSTRAINT " + name +
           " FOREIGN KEY (other_id) REFERENCES " + rokso::qualified_name(schema, "other") + " (id);";
  }

 private:
  static std::string object_name(const std::string& table) { return table + "_other_id_fkey"; }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("foreign_key", ForeignKeyKind)
