#include "core/error.hpp"

#include "core/text_util.hpp"

namespace rokso {

std::string escape_control_characters(const std::string& message) {
  return escape_for_display(message);
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
