#include "core/revision_id.hpp"

#include <random>

namespace rokso {

std::string new_revision_id(const std::function<bool(const std::string&)>& taken) {
  static const char digits[] = "0123456789abcdef";
  std::random_device entropy;
  for (;;) {
    std::uint32_t value = entropy();
    std::string id(8, '0');
    for (int i = 7; i >= 0; --i) {
      id[static_cast<std::size_t>(i)] = digits[value & 0xf];
      value >>= 4;
    }
    if (!taken(id)) return id;
  }
}

bool is_revision_id(const std::string& text) {
  if (text.size() != 8) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace rokso
