// rokso plugin SDK: the error a format plugin throws for a malformed file.
#pragma once

#include <rokso/plugin.hpp>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

namespace rokso {

// A file that cannot be read as a migration. The host prints it as
// `<file>:<line>:<column>: <message>`; line and column are 1-based, 0 when unknown.
class ROKSO_PLUGIN_EXPORT FormatError : public std::runtime_error {
 public:
  FormatError(int line, int column, const std::string& message)
      : std::runtime_error(message), line_(line), column_(column) {}
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  int line_;
  int column_;
};

// 1-based line and column (in code points) of byte `offset` of `text`, for a
// FormatError. A scan from the start: call it only when reporting an error.
inline std::pair<int, int> text_position(const std::string& text, std::size_t offset) {
  offset = std::min(offset, text.size());
  long long line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  long long column = 1;
  for (std::size_t i = line_start; i < offset; ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) ++column;
  }
  const auto clamp = [](long long v) { return static_cast<int>(std::min<long long>(v, 0x7FFFFFFF)); };
  return {clamp(line), clamp(column)};
}

}  // namespace rokso
