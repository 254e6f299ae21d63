#include "kind_support/simple_kind.hpp"

namespace {

// What no other kind takes: collations, text search configurations, operators, extended
// statistics, conversions... `rokso create` does not offer it: write these as the
// kind they are closest to, or here by hand.
class OtherObjectKind : public rokso::kinds::SimpleKind {
 public:
  OtherObjectKind()
      : SimpleKind({"other_object", "900.other_objects", '\0', "", 30, "",
                    "every other object pg_dump emits for a schema (collations, operators, ...)",
                    {"*"}}) {}

  std::string default_rollback(const std::string&, const std::string&) const override { return ""; }

 protected:
  std::string skeleton(const std::string& qualified) const override {
    return "-- an object of another kind, e.g.\n-- CREATE COLLATION " + qualified + " (provider = icu, locale = 'und');";
  }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("other_object", OtherObjectKind)
