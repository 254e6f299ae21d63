#include "py_source.hpp"

#include <rokso/utf8.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace rokso::py {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

// CPython's get_coding_spec(): ^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+) with ASCII \w.

namespace {

enum class Encoding { utf8, latin1, ascii };

// `line` excludes its newline.
bool find_cookie(std::string_view line, std::string& name) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f')) ++i;
  if (i >= line.size() || line[i] != '#') return false;
  for (std::size_t at = line.find("coding", i); at != std::string_view::npos;
       at = line.find("coding", at + 1)) {
    std::size_t k = at + 6;
    if (k >= line.size() || (line[k] != ':' && line[k] != '=')) continue;
    ++k;
    while (k < line.size() && (line[k] == ' ' || line[k] == '\t')) ++k;
    const std::size_t begin = k;
    while (k < line.size() && (is_name_char(line[k]) || line[k] == '-' || line[k] == '.')) ++k;
    if (k > begin) {
      name = std::string(line.substr(begin, k - begin));
      return true;
    }
  }
  return false;
}

// A line that does not stop the search for a cookie: blank or a comment.
bool is_blank_or_comment(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\f')) ++i;
  return i >= line.size() || line[i] == '#';
}

// CPython's get_normal_name() followed by the codec lookup, for the codecs we support.
Encoding encoding_named(const std::string& declared, bool bom, int line) {
  std::string normal = lower_ascii(declared.substr(0, 12));
  std::replace(normal.begin(), normal.end(), '_', '-');
  std::string canonical = declared;
  if (normal == "utf-8" || normal.rfind("utf-8-", 0) == 0) {
    canonical = "utf-8";
  } else if (normal == "latin-1" || normal == "iso-8859-1" || normal == "iso-latin-1" ||
             normal.rfind("latin-1-", 0) == 0 || normal.rfind("iso-8859-1-", 0) == 0 ||
             normal.rfind("iso-latin-1-", 0) == 0) {
    canonical = "iso-8859-1";
  }
  if (bom && canonical != "utf-8") {
    throw FormatError(line, 1, "encoding problem: '" + declared + "' declared in a file that starts with a utf-8 bom");
  }
  if (canonical == "utf-8") return Encoding::utf8;
  if (canonical == "iso-8859-1") return Encoding::latin1;
  // codecs.lookup() normalisation: lowercase, '-' and ' ' as '_'.
  std::string key = lower_ascii(declared);
  std::replace(key.begin(), key.end(), '-', '_');
  static const char* const utf8_aliases[] = {"utf8", "utf_8", "u8", "utf", "cp65001",
                                             "utf8_ucs2", "utf8_ucs4"};
  static const char* const latin1_aliases[] = {"latin1", "latin_1", "l1", "latin", "iso8859_1",
                                               "iso_8859_1", "iso8859", "8859", "cp819"};
  static const char* const ascii_aliases[] = {"ascii", "us_ascii", "us", "646"};
  for (const char* a : utf8_aliases) {
    if (key == a) return Encoding::utf8;
  }
  for (const char* a : latin1_aliases) {
    if (key == a) return Encoding::latin1;
  }
  for (const char* a : ascii_aliases) {
    if (key == a) return Encoding::ascii;
  }
  throw FormatError(line, 1, "unsupported source encoding '" + declared +
                                 "': rokso reads utf-8, latin-1 and ascii .py files");
}

// Returns the module's text as UTF-8 with LF newlines; sets `encoding` to the declared one.
std::string decode_source(const std::string& raw, Encoding& encoding) {
  const bool bom = raw.size() >= 3 && raw.compare(0, 3, "\xEF\xBB\xBF") == 0;

  // Universal newlines first, as CPython's tokenizer does for bytes (decode_str()):
  // the coding cookie is then looked for in lines split at CR too.
  std::string text;
  text.reserve(raw.size());
  for (std::size_t i = bom ? 3 : 0; i < raw.size();) {
    // Whole lines between CRs at a time: most files have none.
    const std::size_t cr = std::min(raw.find('\r', i), raw.size());
    text.append(raw, i, cr - i);
    if (cr == raw.size()) break;
    text += '\n';
    i = cr + 1;
    if (i < raw.size() && raw[i] == '\n') ++i;
  }

  // CPython's translate_newlines() quirk: a final CRLF leaves an extra newline behind,
  // so a file ending in backslash-CRLF is valid while one ending in backslash-LF is not.
  if (raw.size() - (bom ? 3 : 0) >= 2 && raw.compare(raw.size() - 2, 2, "\r\n") == 0) text += '\n';

  // The cookie counts on line 1, or on line 2 when line 1 is blank or a comment.
  encoding = Encoding::utf8;
  std::size_t line_begin = 0;
  for (int line = 1; line <= 2 && (line == 1 || line_begin < text.size()); ++line) {
    const std::size_t nl = text.find('\n', line_begin);
    const std::size_t line_end = nl == std::string::npos ? text.size() : nl;
    const std::string_view content = std::string_view(text).substr(line_begin, line_end - line_begin);
    std::string declared;
    if (find_cookie(content, declared)) {
      encoding = encoding_named(declared, bom, line);
      break;
    }
    if (!is_blank_or_comment(content) || nl == std::string::npos) break;
    line_begin = nl + 1;
  }
  if (encoding == Encoding::latin1) {
    std::string utf8;
    utf8.reserve(text.size());
    for (const char c : text) append_utf8(utf8, static_cast<unsigned char>(c));
    text.swap(utf8);
  }
  return text;
}

// CPython refuses a module that is not valid in its encoding, comments and literals
// included, and one holding a NUL.
void check_text(const Source& positions, Encoding encoding) {
  const std::string& text = positions.text();
  // The first problem in the file is reported: a NUL, or a bad byte before it.
  const std::size_t nul = std::min(text.find('\0'), text.size());
  for (std::size_t i = 0; i < nul;) {
    // ASCII eight bytes at a time: most of a file is.
    while (i + sizeof(std::uint64_t) <= nul) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, sizeof word);
      if (word & 0x8080808080808080ULL) break;
      i += sizeof word;
    }
    if (i >= nul) break;
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (encoding == Encoding::ascii) {
      positions.fail(i, "non-ascii byte " + hex_byte(c) + " in a file that declares encoding ascii");
    }
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) {
      positions.fail(i, "invalid utf-8 (byte " + hex_byte(c) +
                            "): a .py file is utf-8 unless it declares another encoding");
    }
    i += len;
  }
  if (nul < text.size()) positions.fail(nul, "null byte in the file");
}

}  // namespace

Source decode_module(const std::string& raw) {
  Encoding encoding = Encoding::utf8;
  Source source(decode_source(raw, encoding));
  check_text(source, encoding);
  return source;
}

}  // namespace rokso::py
