#include "kind_support/simple_kind.hpp"

namespace {

class MaterializedViewKind : public rokso::kinds::SimpleKind {
 public:
  MaterializedViewKind()
      : SimpleKind({"materialized_view", "400.mat_views", 'M', "[M]aterialized View", 3, "MATERIALIZED VIEW",
                  "materialized views (roksopsql's 400.mat_views)",
                  {"MATERIALIZED VIEW"}}) {}

 protected:
  std::string skeleton(const std::string& qualified) const override {
    return "CREATE MATERIALIZED VIEW IF NOT EXISTS " + qualified +
           " AS\n"
           "SELECT 1 AS placeholder\n"
           "WITH DATA;";
  }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("materialized_view", MaterializedViewKind)
