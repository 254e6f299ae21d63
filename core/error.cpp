#include "core/error.hpp"

namespace rokso {

std::string escape_control_characters(const std::string& message) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(message.size());
  for (char ch : message) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string one_line(const std::string& message) {
  std::string out;
  bool pending_separator = false;
  std::size_t i = 0;
  while (i < message.size()) {
    std::size_t end = message.find('\n', i);
    if (end == std::string::npos) end = message.size();
    std::size_t b = i, e = end;
    while (b < e && (message[b] == ' ' || message[b] == '\t' || message[b] == '\r')) ++b;
    while (e > b && (message[e - 1] == ' ' || message[e - 1] == '\t' || message[e - 1] == '\r')) --e;
    if (e > b) {
      if (pending_separator) out += "; ";
      out.append(message, b, e - b);
      pending_separator = true;
    }
    i = end + 1;
  }
  return out;
}

}  // namespace rokso
