// What every format reader of this repository shares to read a file's text and report
// where it is wrong: the text with its offset -> line:column mapping (Source), and the
// wording of a bad byte or character in a FormatError message.
//
// A static library the readers link (rokso_format_support), not part of the plugin SDK:
// nothing here crosses the plugin boundary (each plugin carries its own copy, and the
// host only ever sees the FormatError the SDK defines), so it can change without
// touching the SDK's interface version or an outside plugin's build.
#pragma once

#include <rokso/format_error.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

namespace rokso::format_support {

// A file's text as a reader checks it, and the mapping from byte offsets to positions.
class Source {
 public:
  explicit Source(std::string text) : text_(std::move(text)) {}
  const std::string& text() const { return text_; }

  // 1-based line and column (in code points) of byte `offset`, computed only when an
  // error is reported.
  std::pair<int, int> position(std::size_t offset) const { return text_position(text_, offset); }

  [[noreturn]] void fail(std::size_t offset, const std::string& message) const {
    const auto [line, column] = position(offset);
    throw FormatError(line, column, message);
  }

 private:
  std::string text_;
};

// The UTF-8 byte order mark an editor may put before a file's first line.
inline const std::string kUtf8Bom = "\xEF\xBB\xBF";

std::string hex_byte(unsigned char c);          // "0x41"
std::string code_point_name(std::uint32_t cp);  // "U+0041"

}  // namespace rokso::format_support
