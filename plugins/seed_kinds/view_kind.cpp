#include "kind_support/simple_kind.hpp"

namespace {

class ViewKind : public rokso::kinds::SimpleKind {
 public:
  ViewKind()
      : SimpleKind({"view", "300.views", 'V', "[V]iew", 2, "VIEW", "views (roksopsql's 300.views)",
                    {"VIEW"}}) {}

 protected:
  std::string skeleton(const std::string& qualified) const override {
    return "CREATE OR REPLACE VIEW " + qualified +
           " AS\n"
           "SELECT 1 AS placeholder;";
  }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("view", ViewKind)
