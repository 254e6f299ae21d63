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

namespace {

struct Range {
  char32_t first, last;
};

// Zero columns: combining marks (an accent after its letter), zero-width spaces and
// joiners, variation selectors. Unicode 15's Mn/Me blocks that names and comments use.
constexpr Range kZeroWidth[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x0610, 0x061A}, {0x064B, 0x065F},
    {0x0E31, 0x0E31}, {0x0E34, 0x0E3A}, {0x0E47, 0x0E4E}, {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF},
    {0x200B, 0x200F}, {0x2028, 0x202E}, {0x2060, 0x2064}, {0x20D0, 0x20FF}, {0x302A, 0x302F},
    {0x3099, 0x309A}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xFEFF, 0xFEFF}, {0xE0100, 0xE01EF},
};

// Two columns: East Asian Wide and Fullwidth (CJK, Hangul, kana, fullwidth forms) and
// the emoji terminals draw wide.
constexpr Range kWide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},   {0x23F0, 0x23F0},
    {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},   {0x2648, 0x2653},   {0x267F, 0x267F},
    {0x2693, 0x2693},   {0x26A1, 0x26A1},   {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},
    {0x26CE, 0x26CE},   {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},   {0x2728, 0x2728},
    {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},   {0x2757, 0x2757},   {0x2795, 0x2797},
    {0x27B0, 0x27B0},   {0x27BF, 0x27BF},   {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},
    {0x2E80, 0x303E},   {0x3041, 0x3247},   {0x3250, 0x4DBF},   {0x4E00, 0xA4CF},   {0xA960, 0xA97F},
    {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},   {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},
    {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4}, {0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004},
    {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F64F},
    {0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD},
    {0x30000, 0x3FFFD},
};

template <std::size_t N>
bool in(const Range (&ranges)[N], char32_t c) {
  // Sorted, disjoint: binary search for the last range starting at or before c.
  std::size_t lo = 0, hi = N;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (ranges[mid].first <= c) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 && c <= ranges[lo - 1].last;
}

// The next code point of UTF-8 text at `at`, moving `at` past it; a byte that does not
// start a well-formed sequence counts as one code point of its own.
char32_t next_code_point(const std::string& text, std::size_t& at) {
  const unsigned char lead = static_cast<unsigned char>(text[at]);
  std::size_t length = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 0;
  if (length == 0 || at + length > text.size()) {
    ++at;
    return lead;
  }
  char32_t c = length == 1 ? lead : lead & (0x7F >> length);
  for (std::size_t i = 1; i < length; ++i) {
    const unsigned char b = static_cast<unsigned char>(text[at + i]);
    if ((b & 0xC0) != 0x80) {
      ++at;
      return lead;
    }
    c = (c << 6) | (b & 0x3F);
  }
  at += length;
  return c;
}

}  // namespace

std::size_t display_width(const std::string& text) {
  std::size_t n = 0;
  for (std::size_t at = 0; at < text.size();) {
    const char32_t c = next_code_point(text, at);
    if (in(kZeroWidth, c)) continue;
    n += in(kWide, c) ? 2 : 1;
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
