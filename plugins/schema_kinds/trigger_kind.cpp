#include "kind_support/simple_kind.hpp"

namespace {

// Filed under the name of the table it lives on: migration/<schema>/700.triggers/<table>/.
class TriggerKind : public rokso::kinds::SimpleKind {
 public:
  TriggerKind()
      : SimpleKind({"trigger", "700.triggers", '\0', "Trigger", 11, "",
                    "triggers, by the table they fire on",
                    {"TRIGGER"}}) {}

  std::string default_rollback(const std::string& schema, const std::string& table) const override {
    const std::string qualified = rokso::qualified_name(schema, table);
    const std::string name = rokso::quote_identifier(object_name(table));
    return "DROP TRIGGER IF EXISTS " + name + " ON " + qualified + ";";
  }

 protected:
  std::string skeleton_for(const std::string& schema, const std::string& table) const override {
    const std::string qualified = rokso::qualified_name(schema, table);
    const std::string name = rokso::quote_identifier(object_name(table));
    return "CREATE TRIGGER " + name + " BEFORE UPDATE ON " + qualified +
           " FOR EACH ROW EXECUTE FUNCTION " + rokso::qualified_name(schema, "set_updated_at") + "();";
  }

 private:
  static std::string object_name(const std::string& table) { return table + "_set_updated_at"; }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("trigger", TriggerKind)
