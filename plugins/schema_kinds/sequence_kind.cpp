#include "kind_support/simple_kind.hpp"

namespace {

class SequenceKind : public rokso::kinds::SimpleKind {
 public:
  SequenceKind()
      : SimpleKind({"sequence", "150.sequences", '\0', "Sequence", 6, "SEQUENCE",
                    "sequences that no table owns (owned ones live with their table)",
                    {"SEQUENCE", "SEQUENCE OWNED BY"}}) {}

 protected:
  std::string skeleton(const std::string& qualified) const override {
    return "CREATE SEQUENCE IF NOT EXISTS " + qualified + " AS bigint START WITH 1;";
  }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("sequence", SequenceKind)
