#include "core/text_util.hpp"

#include <algorithm>
#include <ctime>
#include <utility>
#include <vector>

namespace rokso {

std::string trim(const std::string& s) {
  const std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  const std::size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

std::string file_timestamp_now(bool local) {
  std::time_t now = std::time(nullptr);
  std::tm broken_down{};
  if (local) {
    localtime_r(&now, &broken_down);
  } else {
    gmtime_r(&now, &broken_down);
  }
  char text[32];
  std::strftime(text, sizeof text, "%Y_%m_%d__%H_%M_%S", &broken_down);
  return text;
}

std::string escape_for_display(const std::string& text, bool keep_line_breaks) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) {  // not UTF-8: the byte, as a byte
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
      ++i;
      continue;
    }
    const std::uint32_t cp = decode_utf8_at(text, i, len);
    if (cp == '\n') {
      out += keep_line_breaks ? "\n" : "\\n";
    } else if (cp == '\r' && keep_line_breaks && i + 1 < text.size() && text[i + 1] == '\n') {
      out += '\r';  // a CRLF line break, e.g. of SQL shown with -v
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 && cp != '\t') {
      out += "\\x";
      out += hex[cp >> 4];
      out += hex[cp & 0xf];
    } else if (cp >= 0x7f && cp <= 0x9f) {
      out += "\\u00";
      out += hex[cp >> 4];
      out += hex[cp & 0xf];
    } else {
      out.append(text, i, len);
    }
    i += len;
  }
  return out;
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

}  // namespace rokso
