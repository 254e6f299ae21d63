#include "core/text_table.hpp"

#include "core/text_util.hpp"

#include <algorithm>

namespace rokso {
namespace {

// tabulate pads every header by two columns at least.
constexpr std::size_t kMinPadding = 2;

bool is_number(const std::string& s) {
  if (s.empty()) return false;
  std::size_t i = (s[0] == '-') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

void pad(std::string& line, const std::string& text, std::size_t width, bool right) {
  std::size_t w = display_width(text);
  std::size_t fill = width > w ? width - w : 0;
  if (right) line.append(fill, ' ');
  line += text;
  if (!right) line.append(fill, ' ');
}

void finish(std::string& out, std::string& line) {
  while (!line.empty() && line.back() == ' ') line.pop_back();
  out += line;
  out += '\n';
  line.clear();
}

}  // namespace

std::size_t display_width(const std::string& text) {
  std::size_t n = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

void TextTable::add_row(std::vector<std::string> cells) {
  for (std::string& cell : cells) cell = escape_for_display(cell);
  rows_.push_back(std::move(cells));
}

std::string TextTable::render() const {
  const std::size_t columns = headers_.size();
  std::vector<std::size_t> width(columns);
  std::vector<bool> numeric(columns, !rows_.empty());
  for (std::size_t c = 0; c < columns; ++c) {
    width[c] = display_width(headers_[c]) + kMinPadding;
    for (const auto& row : rows_) {
      width[c] = std::max(width[c], display_width(row[c]));
      if (!is_number(row[c])) numeric[c] = false;
    }
  }
  std::string out, line;
  for (std::size_t c = 0; c < columns; ++c) {
    if (c) line += "  ";
    pad(line, headers_[c], width[c], numeric[c]);
  }
  finish(out, line);
  for (std::size_t c = 0; c < columns; ++c) {
    if (c) line += "  ";
    line.append(width[c], '-');
  }
  finish(out, line);
  for (const auto& row : rows_) {
    for (std::size_t c = 0; c < columns; ++c) {
      if (c) line += "  ";
      pad(line, row[c], width[c], numeric[c]);
    }
    finish(out, line);
  }
  return out;
}

}  // namespace rokso
