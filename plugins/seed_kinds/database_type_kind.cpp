#include "kind_support/simple_kind.hpp"

namespace {

class DatabaseTypeKind : public rokso::kinds::SimpleKind {
 public:
  DatabaseTypeKind()
      : SimpleKind({"database_type", "100.database_types", 'D', "[D]atabase Type", 5, "TYPE",
                  "composite, enum, domain and range types (roksopsql's 100.database_types)",
                  {"TYPE", "DOMAIN", "SHELL TYPE"}}) {}

 protected:
  std::string skeleton(const std::string& qualified) const override {
    return "-- a composite type; an enum is  CREATE TYPE " + qualified +
           " AS ENUM ('a', 'b');\n"
           "-- and a domain is  CREATE DOMAIN " + qualified +
           " AS text CHECK (VALUE <> '');\n"
           "CREATE TYPE " + qualified +
           " AS (\n"
           "    value text\n"
           ");";
  }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("database_type", DatabaseTypeKind)
