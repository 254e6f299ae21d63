#include "kind_support/simple_kind.hpp"

namespace {

// Filed under the name of the table it lives on: migration/<schema>/720.policies/<table>/.
class PolicyKind : public rokso::kinds::SimpleKind {
 public:
  PolicyKind()
      : SimpleKind({"policy", "720.policies", '\0', "", 22, "",
                    "row-level security policies, by table",
                    {"POLICY"}}) {}

  std::string default_rollback(const std::string& schema, const std::string& table) const override {
    const std::string qualified = rokso::qualified_name(schema, table);
    const std::string name = rokso::quote_identifier(object_name(table));
    return "DROP POLICY IF EXISTS " + name + " ON " + qualified + ";";
  }

 protected:
  std::string skeleton_for(const std::string& schema, const std::string& table) const override {
    const std::string qualified = rokso::qualified_name(schema, table);
    const std::string name = rokso::quote_identifier(object_name(table));
    return "CREATE POLICY " + name + " ON " + qualified + " USING (true);";
  }

 private:
  static std::string object_name(const std::string& table) { return table + "_visible"; }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("policy", PolicyKind)
