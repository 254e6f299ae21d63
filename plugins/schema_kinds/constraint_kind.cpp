#include "kind_support/table_attached_kind.hpp"

namespace {

std::string create_sql(const std::string&, const std::string& table, const std::string& name) {
  return "ALTER TABLE " + table + " ADD CONSTRAINT " + name + " CHECK (true);";
}

std::string drop_sql(const std::string&, const std::string& table, const std::string& name) {
  return "ALTER TABLE IF EXISTS " + table + " DROP CONSTRAINT IF EXISTS " + name + ";";
}

class ConstraintKind : public rokso::kinds::TableAttachedKind {
 public:
  ConstraintKind()
      : TableAttachedKind({"constraint", "260.constraints", '\0', "", 20, "",
                           "primary key, unique, exclusion and check constraints that cannot live in their table's file",
                           {"CONSTRAINT", "CHECK CONSTRAINT"}},
                          "_check", create_sql, drop_sql) {}
};

}  // namespace

ROKSO_DECLARE_PLUGIN("constraint", ConstraintKind)
