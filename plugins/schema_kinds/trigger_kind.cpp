#include "kind_support/table_attached_kind.hpp"

namespace {

std::string create_sql(const std::string& schema, const std::string& table, const std::string& name) {
  return "CREATE TRIGGER " + name + " BEFORE UPDATE ON " + table + " FOR EACH ROW EXECUTE FUNCTION " +
         rokso::qualified_name(schema, "set_updated_at") + "();";
}

std::string drop_sql(const std::string&, const std::string& table, const std::string& name) {
  return "DROP TRIGGER IF EXISTS " + name + " ON " + table + ";";
}

class TriggerKind : public rokso::kinds::TableAttachedKind {
 public:
  TriggerKind()
      : TableAttachedKind({"trigger", "700.triggers", '\0', "Trigger", 11, "",
                           "triggers, by the table they fire on",
                           {"TRIGGER"}},
                          "_set_updated_at", create_sql, drop_sql) {}
};

}  // namespace

ROKSO_DECLARE_PLUGIN("trigger", TriggerKind)
