#include "kind_support/simple_kind.hpp"

namespace {

class AggregateKind : public rokso::kinds::SimpleKind {
 public:
  AggregateKind()
      : SimpleKind({"aggregate", "520.aggregates", '\0', "Aggregate", 8, "AGGREGATE",
                    "aggregate functions", {"AGGREGATE"}}) {}

 protected:
  std::string skeleton(const std::string& qualified) const override {
    return "CREATE AGGREGATE " + qualified +
           " (text) (\n"
           "    SFUNC = textcat,\n"
           "    STYPE = text,\n"
           "    INITCOND = ''\n"
           ");";
  }
  std::string drop_suffix() const override { return "(text)"; }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("aggregate", AggregateKind)
