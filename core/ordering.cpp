#include "core/ordering.hpp"

#include "core/byte_order.hpp"

#include <algorithm>
#include <cstddef>

namespace rokso {
namespace {

class RoksopsqlOrder : public MigrationOrder {
 public:
  std::string name() const override { return "roksopsql"; }
  bool before(std::string_view a, std::string_view b) const override { return a < b; }
  std::vector<std::uint32_t> application_order(const std::vector<std::string_view>& identities) const override {
    return byte_order(identities);
  }
};

}  // namespace

std::vector<std::uint32_t> MigrationOrder::application_order(const std::vector<std::string_view>& identities) const {
  std::vector<std::uint32_t> order(identities.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return before(identities[a], identities[b]); });
  return order;
}

std::unique_ptr<MigrationOrder> roksopsql_order() { return std::make_unique<RoksopsqlOrder>(); }

}  // namespace rokso
