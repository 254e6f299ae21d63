#include "kind_support/simple_kind.hpp"

namespace {

// Filed under the name of the table it lives on: migration/<schema>/260.constraints/<table>/.
class ConstraintKind : public rokso::kinds::SimpleKind {
 public:
  ConstraintKind()
      : SimpleKind({"constraint", "260.constraints", '\0', "", 20, "",
                    "primary key, unique, exclusion and check constraints that cannot live in their table's file",
                    {"CONSTRAINT", "CHECK CONSTRAINT"}}) {}

  std::string default_rollback(const std::string& schema, const std::string& table) const override {
    const std::string qualified = rokso::qualified_name(schema, table);
    const std::string name = rokso::quote_identifier(object_name(table));
    return "ALTER TABLE IF EXISTS " + qualified + " DROP CONSTRAINT IF EXISTS " + name + ";";
  }

 protected:
  std::string skeleton_for(const std::string& schema, const std::string& table) const override {
    const std::string qualified = rokso::qualified_name(schema, table);
    const std::string name = rokso::quote_identifier(object_name(table));
    return "ALTER TABLE " + qualified + " ADD CONSTRAINT " + name + " CHECK (true);";
  }

 private:
  static std::string object_name(const std::string& table) { return table + "_check"; }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("constraint", ConstraintKind)
