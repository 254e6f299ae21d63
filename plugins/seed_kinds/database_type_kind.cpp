#include "seed_kind.hpp"

namespace {

class DatabaseTypeKind : public rokso::seed::SeedKind {
 public:
  DatabaseTypeKind()
      : SeedKind({"database_type", "100.database_types", 'D', "[D]atabase Type", 5, "TYPE",
                  "composite, enum and domain types (roksopsql's 100.database_types)"}) {}

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
