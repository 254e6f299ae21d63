#include "kind_support/table_attached_kind.hpp"

namespace {

std::string create_sql(const std::string&, const std::string& table, const std::string& name) {
  return "CREATE RULE " + name + " AS ON DELETE TO " + table + " DO INSTEAD NOTHING;";
}

std::string drop_sql(const std::string&, const std::string& table, const std::string& name) {
  return "DROP RULE IF EXISTS " + name + " ON " + table + ";";
}

class RuleKind : public rokso::kinds::TableAttachedKind {
 public:
  RuleKind()
      : TableAttachedKind({"rule", "710.rules", '\0', "", 21, "",
                           "rewrite rules, by the table or view they are on",
                           {"RULE"}},
                          "_protect", create_sql, drop_sql) {}
};

}  // namespace

ROKSO_DECLARE_PLUGIN("rule", RuleKind)
