// The shape of kinds whose objects live on a table (foreign keys, triggers, rules,
// policies, constraints): filed under the table's name,
// migration/<schema>/<kind>/<table>/, and the skeleton `rokso create` writes names its
// object after the table ("<table><suffix>"). A kind gives its CREATE and DROP as
// functions of the quoted table and object names.
#pragma once

#include "kind_support/simple_kind.hpp"

#include <string>

namespace rokso::kinds {

class TableAttachedKind : public SimpleKind {
 public:
  using SqlFor = std::string (*)(const std::string& schema, const std::string& qualified_table,
                                 const std::string& object);

  TableAttachedKind(const KindSpec& spec, const char* object_suffix, SqlFor create, SqlFor drop)
      : SimpleKind(spec), object_suffix_(object_suffix), create_(create), drop_(drop) {}

  std::string default_rollback(const std::string& schema, const std::string& table) const override {
    return drop_(schema, qualified_name(schema, table), quote_identifier(table + object_suffix_));
  }

 protected:
  std::string skeleton_for(const std::string& schema, const std::string& table) const override {
    return create_(schema, qualified_name(schema, table), quote_identifier(table + object_suffix_));
  }

 private:
  const char* object_suffix_;
  SqlFor create_;
  SqlFor drop_;
};

}  // namespace rokso::kinds
