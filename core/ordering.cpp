#include "core/ordering.hpp"

#include <algorithm>

namespace rokso {
namespace {

class RoksopsqlOrder : public MigrationOrder {
 public:
  std::string name() const override { return "roksopsql"; }
  void sort(std::vector<std::string>& identities) const override {
    std::sort(identities.begin(), identities.end());
  }
  bool before(const std::string& a, const std::string& b) const override { return a < b; }
};

}  // namespace

std::unique_ptr<MigrationOrder> roksopsql_order() { return std::make_unique<RoksopsqlOrder>(); }

}  // namespace rokso
