#include "core/ordering.hpp"

#include "core/byte_order.hpp"

#include <algorithm>
#include <cstddef>

namespace rokso {
namespace {

class RoksopsqlOrder : public MigrationOrder {
 public:
  std::string name() const override { return "roksopsql"; }
  void sort(std::vector<std::string>& identities) const override {
    std::sort(identities.begin(), identities.end());
  }
  bool before(const std::string& a, const std::string& b) const override { return a < b; }
  std::vector<std::uint32_t> application_order(const std::vector<std::string_view>& identities) const override {
    return byte_order(identities);
  }
};

}  // namespace

std::vector<std::uint32_t> MigrationOrder::application_order(const std::vector<std::string_view>& identities) const {
  const std::vector<std::string> copies(identities.begin(), identities.end());
  std::vector<std::uint32_t> order(copies.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return before(copies[a], copies[b]); });
  return order;
}

std::unique_ptr<MigrationOrder> roksopsql_order() { return std::make_unique<RoksopsqlOrder>(); }

}  // namespace rokso
