#include "reader_text.hpp"

namespace rokso::format_support {

std::string hex_byte(unsigned char c) {
  static const char digits[] = "0123456789abcdef";
  return std::string("0x") + digits[c >> 4] + digits[c & 15];
}

std::string code_point_name(std::uint32_t cp) {
  static const char digits[] = "0123456789ABCDEF";
  std::string hex;
  for (int shift = cp > 0xFFFF ? 20 : 12; shift >= 0; shift -= 4) hex += digits[(cp >> shift) & 15];
  return "U+" + hex;
}

}  // namespace rokso::format_support
