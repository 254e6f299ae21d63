#include "kind_support/table_attached_kind.hpp"

namespace {

std::string create_sql(const std::string&, const std::string& table, const std::string& name) {
  return "CREATE POLICY " + name + " ON " + table + " USING (true);";
}

std::string drop_sql(const std::string&, const std::string& table, const std::string& name) {
  return "DROP POLICY IF EXISTS " + name + " ON " + table + ";";
}

class PolicyKind : public rokso::kinds::TableAttachedKind {
 public:
  PolicyKind()
      : TableAttachedKind({"policy", "720.policies", '\0', "", 22, "",
                           "row-level security policies, by table",
                           {"POLICY"}},
                          "_visible", create_sql, drop_sql) {}
};

}  // namespace

ROKSO_DECLARE_PLUGIN("policy", PolicyKind)
