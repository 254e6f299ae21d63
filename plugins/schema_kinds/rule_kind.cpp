#include "kind_support/simple_kind.hpp"

namespace {

// Filed under the name of the table it lives on: migration/<schema>/710.rules/<table>/.
class RuleKind : public rokso::kinds::SimpleKind {
 public:
  RuleKind()
      : SimpleKind({"rule", "710.rules", '\0', "", 21, "",
                    "rewrite rules, by the table or view they are on",
                    {"RULE"}}) {}

  std::string default_rollback(const std::string& schema, const std::string& table) const override {
    const std::string qualified = rokso::qualified_name(schema, table);
    const std::string name = rokso::quote_identifier(object_name(table));
    return "DROP RULE IF EXISTS " + name + " ON " + qualified + ";";
  }

 protected:
  std::string skeleton_for(const std::string& schema, const std::string& table) const override {
    const std::string qualified = rokso::qualified_name(schema, table);
    const std::string name = rokso::quote_identifier(object_name(table));
    return "CREATE RULE " + name + " AS ON DELETE TO " + qualified + " DO INSTEAD NOTHING;";
  }

 private:
  static std::string object_name(const std::string& table) { return table + "_protect"; }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("rule", RuleKind)
