// A static reader for the subset of Python that roksopsql migration modules use.
//
// Three stages, each linear in the input:
//   1. decode_source(): what CPython does to a module's bytes before tokenizing them
//      (importlib compiles the bytes): UTF-8 BOM, universal newlines (CRLF and CR
//      become LF, inside string literals too), PEP 263 coding cookie (utf-8, latin-1
//      and ascii only), strict UTF-8 validation, no NUL.
//   2. Lexer: CPython's tokenizer rules for what we accept — indentation (none at module
//      level), comments, backslash continuations, brackets (newlines inside them are
//      insignificant), string literals with prefixes, numbers, operators.
//   3. Parser: recursive descent over statements and literal expressions, evaluating as
//      it goes into immutable, shared Values bound to names.
// Whatever CPython would reject is rejected; whatever needs running code is refused.
// Where CPython 3.11 and 3.12 differ, the stricter reading is taken.

#include "py_reader.hpp"

#include <rokso/format_error.hpp>
#include <rokso/utf8.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rokso::py {
namespace {

constexpr const char* kNotRun = ": rokso reads .py files without running them";
// CPython's tokenizer refuses more than 200 nested brackets; the same bound keeps our
// recursion (and the values built from names) shallow.
constexpr int kMaxNesting = 200;
// Bounds the identities copied out of `requires`: names let a small file refer to one
// long string many times.
constexpr std::size_t kMaxRequiresBytes = 1u << 20;

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

// ---------------------------------------------------------------------------------
// The decoded, newline-normalised source and the mapping from offsets to positions.

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

// ---------------------------------------------------------------------------------
// Stage 1: bytes to text, as importlib.util.decode_source() does.

enum class Encoding { utf8, latin1, ascii };

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
  for (std::size_t i = bom ? 3 : 0; i < raw.size(); ++i) {
    if (raw[i] == '\r') {
      text += '\n';
      if (i + 1 < raw.size() && raw[i + 1] == '\n') ++i;
    } else {
      text += raw[i];
    }
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
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0) positions.fail(i, "null byte in the file");
    if (c >= 0x80 && encoding == Encoding::ascii) {
      positions.fail(i, "non-ascii byte " + hex_byte(c) + " in a file that declares encoding ascii");
    }
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) {
      positions.fail(i, "invalid utf-8 (byte " + hex_byte(c) +
                            "): a .py file is utf-8 unless it declares another encoding");
    }
    i += len;
  }
}

// ---------------------------------------------------------------------------------
// Stage 2: tokens.

enum class Kind { name, number, string, op, newline, end };

struct Token {
  Kind kind = Kind::end;
  std::size_t begin = 0;  // byte offsets into the source text
  std::size_t end = 0;
  // Strings only: the characters between the quotes and what the prefix says.
  std::size_t body_begin = 0;
  std::size_t body_end = 0;
  bool raw = false;
  bool fstring = false;
};

bool is_keyword(std::string_view w) {
  static const char* const keywords[] = {
      "False", "None",   "True",     "and",    "as",       "assert", "async",  "await",
      "break", "class",  "continue", "def",    "del",      "elif",   "else",   "except",
      "finally", "for",  "from",     "global", "if",       "import", "in",     "is",
      "lambda", "nonlocal", "not",   "or",     "pass",     "raise",  "return", "try",
      "while", "with",   "yield"};
  for (const char* k : keywords) {
    if (w == k) return true;
  }
  return false;
}

class Lexer {
 public:
  explicit Lexer(const Source& src) : src_(src), t_(src.text()) {}

  Token next() {
    for (;;) {
      if (at_line_start_) {
        at_line_start_ = false;
        measure_indentation();
      }
      while (pos_ < t_.size() && (t_[pos_] == ' ' || t_[pos_] == '\t' || t_[pos_] == '\f')) ++pos_;
      if (pos_ >= t_.size()) {
        if (!brackets_.empty()) {
          src_.fail(brackets_.back().second,
                    std::string("'") + brackets_.back().first + "' was never closed");
        }
        if (line_has_tokens_) {
          line_has_tokens_ = false;
          return simple(Kind::newline, pos_, pos_);
        }
        return simple(Kind::end, pos_, pos_);
      }
      const char c = t_[pos_];
      if (c == '#') {
        while (pos_ < t_.size() && t_[pos_] != '\n') ++pos_;
        continue;
      }
      if (c == '\\') {
        continuation();
        continue;
      }
      if (c == '\n') {
        const std::size_t at = pos_++;
        if (!brackets_.empty()) continue;
        at_line_start_ = true;
        if (line_has_tokens_) {
          line_has_tokens_ = false;
          return simple(Kind::newline, at, at + 1);
        }
        continue;
      }
      line_has_tokens_ = true;
      return token();
    }
  }

 private:
  static Token simple(Kind kind, std::size_t begin, std::size_t end) {
    Token tok;
    tok.kind = kind;
    tok.begin = begin;
    tok.end = end;
    return tok;
  }

  // A backslash outside a string must end its line and join the next one to it.
  void continuation() {
    const std::size_t at = pos_;
    if (pos_ + 1 >= t_.size()) {
      src_.fail(at, "unexpected end of file after line continuation character");
    }
    if (t_[pos_ + 1] != '\n') {
      src_.fail(at + 1, "unexpected character after line continuation character");
    }
    pos_ += 2;
    if (pos_ >= t_.size()) {
      src_.fail(at, "unexpected end of file after line continuation character");
    }
  }

  // CPython: a logical line's indentation is the column of its first backslash when
  // that is not 0, else the column reached through any continuation lines; blank and
  // comment-only lines do not count. At module level it must be 0.
  void measure_indentation() {
    long long column = 0;
    long long continued_at = 0;
    bool continued = false;
    while (pos_ < t_.size()) {
      const char c = t_[pos_];
      if (c == ' ' || c == '\t') {
        ++column;
        ++pos_;
      } else if (c == '\f') {
        column = 0;
        ++pos_;
      } else if (c == '\\') {
        if (!continued) continued_at = column;
        continued = true;
        continuation();
      } else {
        break;
      }
    }
    if (pos_ >= t_.size() || t_[pos_] == '#' || t_[pos_] == '\n') return;
    if ((continued_at != 0 ? continued_at : column) != 0) src_.fail(pos_, "unexpected indent");
  }

  Token token() {
    const std::size_t begin = pos_;
    const char c = t_[pos_];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
      while (pos_ < t_.size() && is_name_char(t_[pos_])) ++pos_;
      if (pos_ < t_.size() && (t_[pos_] == '\'' || t_[pos_] == '"')) {
        const std::string prefix = lower_ascii(std::string_view(t_).substr(begin, pos_ - begin));
        if (prefix == "b" || prefix == "br" || prefix == "rb") {
          src_.fail(begin, "bytes literals are not supported: migration SQL must be a str literal");
        }
        if (prefix == "r" || prefix == "u" || prefix == "f" || prefix == "fr" || prefix == "rf") {
          return string_token(begin, prefix.find('r') != std::string::npos,
                              prefix.find('f') != std::string::npos);
        }
      }
      return simple(Kind::name, begin, pos_);
    }
    if (c == '\'' || c == '"') return string_token(begin, false, false);
    if ((c >= '0' && c <= '9') ||
        (c == '.' && pos_ + 1 < t_.size() && t_[pos_ + 1] >= '0' && t_[pos_ + 1] <= '9')) {
      number();
      return simple(Kind::number, begin, pos_);
    }
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x80) {
      const std::size_t len = utf8_sequence_length(t_, pos_);  // valid: checked in stage 1
      src_.fail(begin, "non-ascii character '" + t_.substr(pos_, len) + "' (" +
                           code_point_name(decode_utf8_at(t_, pos_, len)) +
                           ") outside a string literal is not supported");
    }
    if (u < 0x20 || u == 0x7F) {
      src_.fail(begin, "invalid non-printable character " + code_point_name(u));
    }
    return op_token(begin);
  }

  Token op_token(std::size_t begin) {
    static const char* const three[] = {"**=", "//=", ">>=", "<<=", "..."};
    static const char* const two[] = {"!=", "%=", "&=", "**", "*=", "+=", "-=", "->", "//", "/=",
                                      ":=", "<<", "<=", "==", ">=", ">>", "@=", "^=", "|="};
    const std::string_view rest = std::string_view(t_).substr(pos_);
    for (const char* op : three) {
      if (rest.compare(0, 3, op) == 0) {
        pos_ += 3;
        return simple(Kind::op, begin, pos_);
      }
    }
    for (const char* op : two) {
      if (rest.compare(0, 2, op) == 0) {
        pos_ += 2;
        return simple(Kind::op, begin, pos_);
      }
    }
    const char c = t_[pos_];
    if (std::string_view("%&*+,-./:;<=>@^|~").find(c) != std::string_view::npos) {
      ++pos_;
      return simple(Kind::op, begin, pos_);
    }
    if (c == '(' || c == '[' || c == '{') {
      if (brackets_.size() >= static_cast<std::size_t>(kMaxNesting)) {
        src_.fail(begin, "too many nested parentheses");
      }
      brackets_.emplace_back(c, begin);
      ++pos_;
      return simple(Kind::op, begin, pos_);
    }
    if (c == ')' || c == ']' || c == '}') {
      if (brackets_.empty()) src_.fail(begin, std::string("unmatched '") + c + "'");
      const char open = brackets_.back().first;
      const char expected = open == '(' ? ')' : open == '[' ? ']' : '}';
      if (c != expected) {
        src_.fail(begin, std::string("closing parenthesis '") + c +
                             "' does not match opening parenthesis '" + open + "'");
      }
      brackets_.pop_back();
      ++pos_;
      return simple(Kind::op, begin, pos_);
    }
    src_.fail(begin, std::string("invalid character '") + c + "' (" +
                         code_point_name(static_cast<unsigned char>(c)) + ")");
  }

  // Finds the end of a string literal; the body is decoded later by the parser.
  Token string_token(std::size_t begin, bool raw, bool fstring) {
    const char q = t_[pos_];
    const bool triple = pos_ + 2 < t_.size() && t_[pos_ + 1] == q && t_[pos_ + 2] == q;
    Token tok;
    tok.kind = Kind::string;
    tok.begin = begin;
    tok.raw = raw;
    tok.fstring = fstring;
    std::size_t i = pos_ + (triple ? 3 : 1);
    tok.body_begin = i;
    for (;;) {
      if (i >= t_.size()) {
        src_.fail(begin, triple ? "unterminated triple-quoted string" : "unterminated string literal");
      }
      const char c = t_[i];
      if (c == '\\') {  // in every kind of string, a backslash keeps the next character
        i += 2;
        continue;
      }
      if (!triple && c == '\n') src_.fail(begin, "unterminated string literal");
      if (c == q && (!triple || (i + 2 < t_.size() && t_[i + 1] == q && t_[i + 2] == q))) break;
      ++i;
    }
    tok.body_end = i;
    pos_ = i + (triple ? 3 : 1);
    tok.end = pos_;
    return tok;
  }

  static bool is_digit_in(char c, int base) {
    if (base == 16) {
      return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
    return c >= '0' && c < static_cast<char>('0' + base);
  }

  // digit (_? digit)* ; returns false if there is no digit at pos_.
  bool digits(int base) {
    if (pos_ >= t_.size() || !is_digit_in(t_[pos_], base)) return false;
    ++pos_;
    for (;;) {
      if (pos_ < t_.size() && is_digit_in(t_[pos_], base)) {
        ++pos_;
      } else if (pos_ < t_.size() && t_[pos_] == '_') {
        if (pos_ + 1 >= t_.size() || !is_digit_in(t_[pos_ + 1], base)) {
          src_.fail(pos_, "invalid number literal");
        }
        pos_ += 2;
      } else {
        return true;
      }
    }
  }

  // Python's number grammar. Only validity matters: numbers are accepted for helper
  // variables and never used. Anything glued to the end (1abc, 0b12) becomes another
  // token, which the parser then rejects as a syntax error.
  void number() {
    const std::size_t begin = pos_;
    if (t_[pos_] == '0' && pos_ + 1 < t_.size()) {
      const char k = static_cast<char>(t_[pos_ + 1] | 0x20);
      const int base = k == 'x' ? 16 : k == 'o' ? 8 : k == 'b' ? 2 : 0;
      if (base != 0) {
        pos_ += 2;
        if (pos_ < t_.size() && t_[pos_] == '_') ++pos_;
        if (!digits(base)) src_.fail(begin, "invalid number literal");
        if (pos_ < t_.size() && (is_name_char(t_[pos_]) || t_[pos_] == '.')) {
          src_.fail(begin, "invalid number literal");
        }
        return;
      }
    }
    bool is_float = false;
    bool only_zeros = true;
    if (t_[pos_] != '.') {
      const std::size_t int_begin = pos_;
      digits(10);
      for (std::size_t i = int_begin; i < pos_; ++i) {
        if (t_[i] != '0' && t_[i] != '_') only_zeros = false;
      }
      if (pos_ < t_.size() && t_[pos_] == '.') {
        ++pos_;
        is_float = true;
        digits(10);
      }
    } else {
      ++pos_;
      is_float = true;
      digits(10);
    }
    if (pos_ < t_.size() && (t_[pos_] == 'e' || t_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < t_.size() && (t_[pos_] == '+' || t_[pos_] == '-')) ++pos_;
      if (!digits(10)) src_.fail(begin, "invalid number literal");
      is_float = true;
    }
    if (pos_ < t_.size() && (t_[pos_] == 'j' || t_[pos_] == 'J')) {
      ++pos_;
      is_float = true;
    }
    if (!is_float && !only_zeros && t_[begin] == '0') {
      src_.fail(begin, "leading zeros in decimal integer literals are not permitted");
    }
    if (pos_ < t_.size() && (is_name_char(t_[pos_]) || t_[pos_] == '.')) {
      src_.fail(begin, "invalid number literal");
    }
  }

  const Source& src_;
  const std::string& t_;
  std::size_t pos_ = 0;
  bool at_line_start_ = true;
  bool line_has_tokens_ = false;
  std::vector<std::pair<char, std::size_t>> brackets_;
};

// ---------------------------------------------------------------------------------
// Stage 3: values and the parser.

struct Value;
using ValuePtr = std::shared_ptr<const Value>;

// A value and where the expression that produced it starts.
struct Item {
  ValuePtr value;
  std::size_t pos = 0;
};

struct DictEntry {
  Item value;
  std::size_t key_pos = 0;
};

// Immutable once built, shared between every name bound to it, so copying a name is
// O(1) whatever the value's size.
struct Value {
  enum class Type { str, boolean, none, number, tuple, list, dict } type = Type::none;
  std::string str;
  bool boolean = false;
  std::vector<Item> items;                   // tuple, list
  std::map<std::string, DictEntry> entries;  // dict
  int depth = 0;                             // nesting of containers
};

const char* type_name(const Value& v) {
  switch (v.type) {
    case Value::Type::str: return "a string";
    case Value::Type::boolean: return "a bool";
    case Value::Type::none: return "None";
    case Value::Type::number: return "a number";
    case Value::Type::tuple: return "a tuple";
    case Value::Type::list: return "a list";
    case Value::Type::dict: return "a dict";
  }
  return "a value";
}

// A name's binding. `value` is null for a name bound by an import.
struct Binding {
  ValuePtr value;
  std::size_t pos = 0;
};

// An evaluated expression. `plain_str`: a string made of literals none of which is an
// f-string — the only kind of expression CPython takes as a docstring.
struct Expr {
  ValuePtr value;
  std::size_t pos = 0;
  bool plain_str = false;
};

class Parser {
 public:
  explicit Parser(const Source& src) : src_(src), t_(src.text()), lexer_(src) {}

  Migration parse() {
    while (peek().kind != Kind::end) statement_line();
    return result();
  }

 private:
  // ---- tokens
  const Token& peek(std::size_t k = 0) {
    while (lookahead_.size() <= k) lookahead_.push_back(lexer_.next());
    return lookahead_[k];
  }
  Token take() {
    peek();
    Token tok = lookahead_.front();
    lookahead_.pop_front();
    return tok;
  }
  std::string_view text_of(const Token& tok) const {
    return std::string_view(t_).substr(tok.begin, tok.end - tok.begin);
  }
  bool is_op(const Token& tok, std::string_view op) const {
    return tok.kind == Kind::op && text_of(tok) == op;
  }
  bool is_word(const Token& tok, std::string_view word) const {
    return tok.kind == Kind::name && text_of(tok) == word;
  }
  std::string describe(const Token& tok) const {
    switch (tok.kind) {
      case Kind::newline: return "end of line";
      case Kind::end: return "end of file";
      case Kind::string: return "string literal";
      case Kind::number: return "number '" + std::string(text_of(tok)) + "'";
      default: return "'" + std::string(text_of(tok)) + "'";
    }
  }
  [[noreturn]] void fail(std::size_t pos, const std::string& message) const { src_.fail(pos, message); }
  [[noreturn]] void unexpected(const Token& tok) const {
    fail(tok.begin, "invalid syntax: unexpected " + describe(tok));
  }
  void expect_op(std::string_view op) {
    if (!is_op(peek(), op)) unexpected(peek());
    take();
  }

  // Guards the recursion of the expression parser.
  struct Nest {
    Parser& p;
    Nest(Parser& parser, std::size_t pos) : p(parser) {
      if (++p.nesting_ > kMaxNesting) p.fail(pos, "expression nested too deeply");
    }
    ~Nest() { --p.nesting_; }
    Nest(const Nest&) = delete;
    Nest& operator=(const Nest&) = delete;
  };

  // ---- statements
  void statement_line() {
    simple_statement();
    while (is_op(peek(), ";")) {
      take();
      if (peek().kind == Kind::newline || peek().kind == Kind::end) break;
      simple_statement();
    }
    const Token& tok = peek();
    if (tok.kind == Kind::newline) {
      take();
      return;
    }
    if (tok.kind == Kind::end) return;
    if (is_augmented_assignment(tok)) refuse_augmented(tok);
    unexpected(tok);
  }

  bool is_augmented_assignment(const Token& tok) const {
    if (tok.kind != Kind::op) return false;
    const std::string_view op = text_of(tok);
    return op.size() >= 2 && op.back() == '=' && op != "==" && op != "<=" && op != ">=" && op != "!=" &&
           op != ":=";
  }
  [[noreturn]] void refuse_augmented(const Token& tok) const {
    fail(tok.begin, "augmented assignment ('" + std::string(text_of(tok)) + "') is not supported" + kNotRun);
  }

  void simple_statement() {
    const Token first = peek();
    const bool first_statement = !seen_statement_;
    seen_statement_ = true;
    if (first.kind == Kind::name) {
      const std::string_view word = text_of(first);
      if (word == "import") {
        import_statement();
        future_allowed_ = false;
        return;
      }
      if (word == "from") {
        from_statement();
        return;
      }
      if (word == "pass") {
        take();
        future_allowed_ = false;
        return;
      }
      static const char* const statements[] = {
          "if",    "elif",   "else",     "for",   "while",  "def",   "class",
          "with",  "try",    "except",   "finally", "return", "raise", "assert",
          "del",   "global", "nonlocal", "break", "continue", "async"};
      for (const char* s : statements) {
        if (word == s) fail(first.begin, "'" + std::string(word) + "' statement not supported" + kNotRun);
      }
      if ((word == "match" || word == "case" || word == "type") &&
          (peek(1).kind == Kind::name || peek(1).kind == Kind::string || peek(1).kind == Kind::number)) {
        fail(first.begin, "'" + std::string(word) + "' statement not supported" + kNotRun);
      }
      if (!is_keyword(word)) {
        const Token& second = peek(1);
        if (is_op(second, "=")) {
          assignment();
          future_allowed_ = false;
          return;
        }
        if (is_op(second, ":")) {
          annotated_assignment();
          future_allowed_ = false;
          return;
        }
        if (is_augmented_assignment(second)) refuse_augmented(second);
        if (is_op(second, ",")) {  // a, b = ... : say so before evaluating names it binds
          std::size_t k = 0;
          while (peek(k).kind == Kind::name && !is_keyword(text_of(peek(k))) && is_op(peek(k + 1), ",")) k += 2;
          if (is_op(peek(k), "=") ||
              (peek(k).kind == Kind::name && !is_keyword(text_of(peek(k))) && is_op(peek(k + 1), "="))) {
            fail(first.begin, "assignment to several targets (unpacking) is not supported" + std::string(kNotRun));
          }
        }
      }
    }
    if (is_op(first, "(")) {  // (x) = ... : valid Python, but say what is refused
      std::size_t depth = 0;
      while (is_op(peek(depth), "(")) ++depth;
      std::size_t k = depth + 1;
      while (k <= 2 * depth && is_op(peek(k), ")")) ++k;
      if (peek(depth).kind == Kind::name && k == 2 * depth + 1 && is_op(peek(k), "=")) {
        fail(first.begin, "parenthesised assignment targets are not supported: write a plain name");
      }
    }
    // An expression statement: evaluated (so it must be static) and discarded.
    const Expr e = expression_list();
    if (is_op(peek(), "=")) {
      if (e.value->type == Value::Type::tuple) {
        fail(e.pos, "assignment to several targets (unpacking) is not supported" + std::string(kNotRun));
      }
      fail(e.pos, "cannot assign to this expression: a target must be a plain name");
    }
    if (!(first_statement && e.plain_str)) future_allowed_ = false;
  }

  void check_target(const Token& name) const {
    const std::string_view word = text_of(name);
    if (is_keyword(word)) fail(name.begin, "cannot assign to '" + std::string(word) + "'");
    if (word == "__debug__") fail(name.begin, "cannot assign to __debug__");
  }

  // NAME '=' (NAME '=')* expression_list
  void assignment() {
    std::vector<Token> targets;
    while (peek().kind == Kind::name && is_op(peek(1), "=")) {
      targets.push_back(take());
      check_target(targets.back());
      take();  // '='
    }
    const Expr value = expression_list();
    if (is_op(peek(), "=")) fail(value.pos, "cannot assign to this expression: a target must be a plain name");
    for (const Token& target : targets) bind(target, value);
  }

  // NAME ':' annotation ['=' expression_list]. The annotation is not evaluated; it must
  // be something whose evaluation cannot fail: a string, a bound name or a builtin type.
  void annotated_assignment() {
    const Token target = take();
    check_target(target);
    take();  // ':'
    const Token& ann = peek();
    if (ann.kind == Kind::string) {
      string_literals();
    } else if (ann.kind == Kind::name && !is_keyword(text_of(ann))) {
      static const char* const builtins[] = {"str", "int", "float", "bool", "list", "dict", "tuple", "object"};
      const std::string name(text_of(ann));
      bool known = names_.count(name) != 0;
      for (const char* b : builtins) known = known || name == b;
      if (!known) fail(ann.begin, "annotation '" + name + "' is not supported: use str or leave it out");
      take();
    } else {
      fail(ann.begin, "annotation not supported: use str or leave it out");
    }
    check_follow(peek());
    if (!is_op(peek(), "=")) return;  // `x: str` binds nothing
    take();
    const Expr value = expression_list();
    bind(target, value);
  }

  void bind(const Token& name, const Expr& value) {
    names_[std::string(text_of(name))] = Binding{value.value, value.pos};
  }
  void bind_import(const Token& name) { names_[std::string(text_of(name))] = Binding{nullptr, name.begin}; }

  Token import_name() {
    const Token& tok = peek();
    if (tok.kind != Kind::name || is_keyword(text_of(tok))) unexpected(tok);
    return take();
  }

  // 'import' dotted_name ['as' NAME] (',' ...)*  — binds names we cannot know.
  void import_statement() {
    take();  // 'import'
    for (;;) {
      const Token head = import_name();
      while (is_op(peek(), ".")) {
        take();
        import_name();
      }
      if (is_word(peek(), "as")) {
        take();
        bind_import(import_name());
      } else {
        bind_import(head);
      }
      if (!is_op(peek(), ",")) return;
      take();
    }
  }

  // 'from' ('.' | '...')* [dotted_name] 'import' ('*' | '(' names [','] ')' | names)
  void from_statement() {
    const Token from = take();
    std::size_t dots = 0;
    while (is_op(peek(), ".") || is_op(peek(), "...")) {
      take();
      ++dots;
    }
    std::string module;
    if (!(dots > 0 && is_word(peek(), "import"))) {
      module = std::string(text_of(import_name()));
      while (is_op(peek(), ".")) {
        take();
        module += "." + std::string(text_of(import_name()));
      }
    }
    if (!is_word(peek(), "import")) unexpected(peek());
    take();
    const bool future = dots == 0 && module == "__future__";
    if (future && !future_allowed_) {
      fail(from.begin, "from __future__ imports must occur at the beginning of the file");
    }
    if (!future) future_allowed_ = false;
    if (is_op(peek(), "*")) {
      fail(peek().begin, "'from ... import *' is not supported: it may rebind any name");
    }
    const bool parenthesised = is_op(peek(), "(");
    if (parenthesised) take();
    for (;;) {
      const Token name = import_name();
      if (future) check_future_feature(name);
      if (is_word(peek(), "as")) {
        take();
        bind_import(import_name());
      } else {
        bind_import(name);
      }
      if (!is_op(peek(), ",")) break;
      const Token comma = take();
      if (parenthesised && is_op(peek(), ")")) break;
      if (!parenthesised && (peek().kind == Kind::newline || peek().kind == Kind::end || is_op(peek(), ";"))) {
        fail(comma.begin, "trailing comma not allowed without surrounding parentheses");
      }
    }
    if (parenthesised) expect_op(")");
  }

  void check_future_feature(const Token& name) const {
    static const char* const features[] = {"nested_scopes",   "generators",     "division",
                                           "absolute_import", "with_statement", "print_function",
                                           "unicode_literals", "barry_as_FLUFL", "generator_stop",
                                           "annotations"};
    const std::string_view word = text_of(name);
    for (const char* f : features) {
      if (word == f) return;
    }
    if (word == "braces") fail(name.begin, "not a chance");
    fail(name.begin, "future feature " + std::string(word) + " is not defined");
  }

  // ---- expressions

  static ValuePtr make(Value v) { return std::make_shared<const Value>(std::move(v)); }

  ValuePtr container(Value::Type type, std::vector<Item> items, std::size_t pos) {
    Value v;
    v.type = type;
    int depth = 0;
    for (const Item& item : items) depth = std::max(depth, item.value->depth);
    v.depth = depth + 1;
    if (v.depth > kMaxNesting) fail(pos, "value nested too deeply");
    v.items = std::move(items);
    return make(std::move(v));
  }

  bool starts_expression(const Token& tok) const {
    switch (tok.kind) {
      case Kind::string:
      case Kind::number: return true;
      case Kind::name: {
        const std::string_view w = text_of(tok);
        return !is_keyword(w) || w == "True" || w == "False" || w == "None" || w == "not" ||
               w == "lambda" || w == "await" || w == "yield";
      }
      case Kind::op: {
        const std::string_view op = text_of(tok);
        return op == "(" || op == "[" || op == "{" || op == "-" || op == "+" || op == "~" ||
               op == "*" || op == "**" || op == "...";
      }
      default: return false;
    }
  }

  // expression (',' expression)* [','] — a tuple as soon as there is a comma.
  Expr expression_list() {
    const Expr first = expression();
    if (!is_op(peek(), ",")) return first;
    std::vector<Item> items{Item{first.value, first.pos}};
    while (is_op(peek(), ",")) {
      take();
      if (!starts_expression(peek())) break;
      const Expr e = expression();
      items.push_back(Item{e.value, e.pos});
    }
    return Expr{container(Value::Type::tuple, std::move(items), first.pos), first.pos, false};
  }

  // What makes `tok`, following a complete operand, a dynamic expression; empty if it
  // does not continue one.
  std::string dynamic_after(const Token& tok) {
    if (tok.kind == Kind::name) {
      const std::string_view w = text_of(tok);
      if (w == "if") return "conditional expression";
      if (w == "for" || w == "async") return "comprehension";
      if (w == "and" || w == "or" || w == "not" || w == "in" || w == "is") return "'" + std::string(w) + "' operator";
      return {};
    }
    if (tok.kind != Kind::op) return {};
    const std::string_view op = text_of(tok);
    if (op == "%") return "'%' formatting";
    if (op == "+") return "'+' concatenation";
    if (op == "(") return "call";
    if (op == "[") return "subscript";
    if (op == ":=") return "':=' assignment expression";
    if (op == ".") {
      return is_word(peek(1), "format") ? std::string("'.format()' call") : std::string("attribute access");
    }
    static const char* const binary[] = {"-",  "*",  "/",  "//", "**", "@",  "<<", ">>", "&",
                                         "|",  "^",  "<",  ">",  "<=", ">=", "==", "!="};
    for (const char* b : binary) {
      if (op == b) return "'" + std::string(op) + "' operator";
    }
    return {};
  }

  [[noreturn]] void refuse_dynamic(const Token& tok, const std::string& what) const {
    fail(tok.begin, "dynamic expression (" + what + ") is not supported" + kNotRun);
  }

  void check_follow(const Token& tok) {
    const std::string what = dynamic_after(tok);
    if (!what.empty()) refuse_dynamic(tok, what);
  }

  Expr expression() {
    Expr e = unary();
    check_follow(peek());
    return e;
  }

  Expr unary() {
    const Token& tok = peek();
    if (is_op(tok, "-") || is_op(tok, "+")) {
      const Token sign = take();
      const Nest nest(*this, sign.begin);
      const Expr operand = unary();
      if (operand.value->type != Value::Type::number) {
        refuse_dynamic(sign, "unary '" + std::string(text_of(sign)) + "' on " + type_name(*operand.value));
      }
      return Expr{operand.value, sign.begin, false};
    }
    if (is_op(tok, "~")) refuse_dynamic(tok, "'~' operator");
    if (is_op(tok, "*") || is_op(tok, "**")) {
      fail(tok.begin, "unpacking ('" + std::string(text_of(tok)) + "') is not supported" + kNotRun);
    }
    return atom();
  }

  Expr atom() {
    const Token& tok = peek();
    const std::size_t pos = tok.begin;
    if (tok.kind == Kind::string) {
      bool plain = true;
      Value v;
      v.type = Value::Type::str;
      string_literals(&v.str, &plain);
      return Expr{make(std::move(v)), pos, plain};
    }
    if (tok.kind == Kind::number) {
      take();
      Value v;
      v.type = Value::Type::number;
      return Expr{make(std::move(v)), pos, false};
    }
    if (tok.kind == Kind::name) return name_atom();
    if (is_op(tok, "(")) {
      const Nest nest(*this, pos);
      take();
      if (is_op(peek(), ")")) {
        take();
        return Expr{container(Value::Type::tuple, {}, pos), pos, false};
      }
      Expr e = expression_list();
      expect_op(")");
      return e;
    }
    if (is_op(tok, "[")) {
      const Nest nest(*this, pos);
      take();
      std::vector<Item> items;
      while (!is_op(peek(), "]")) {
        const Expr e = expression();
        items.push_back(Item{e.value, e.pos});
        if (!is_op(peek(), ",")) break;
        take();
      }
      expect_op("]");
      return Expr{container(Value::Type::list, std::move(items), pos), pos, false};
    }
    if (is_op(tok, "{")) return dict_atom();
    if (is_op(tok, "...")) fail(pos, "'...' (Ellipsis) is not supported");
    unexpected(tok);
  }

  Expr name_atom() {
    const Token tok = take();
    const std::string_view word = text_of(tok);
    Value v;
    if (word == "True" || word == "False") {
      v.type = Value::Type::boolean;
      v.boolean = word == "True";
      return Expr{make(std::move(v)), tok.begin, false};
    }
    if (word == "None") return Expr{make(std::move(v)), tok.begin, false};
    if (word == "not") refuse_dynamic(tok, "'not' operator");
    if (word == "lambda") refuse_dynamic(tok, "lambda");
    if (word == "await" || word == "yield") refuse_dynamic(tok, "'" + std::string(word) + "'");
    if (is_keyword(word)) unexpected(tok);
    if (peek().kind == Kind::string && peek().begin == tok.end) {
      fail(tok.begin, "invalid string prefix '" + std::string(word) + "'");
    }
    const auto found = names_.find(std::string(word));
    if (found == names_.end() || !found->second.value) {
      // `fmt % args`, `name(...)`: the operation is the better thing to point at.
      check_follow(peek());
      if (found == names_.end()) {
        fail(tok.begin, "name '" + std::string(word) + "' is not assigned a literal before this point");
      }
      fail(tok.begin, "name '" + std::string(word) + "' is bound by an import, not assigned a literal");
    }
    return Expr{found->second.value, tok.begin, false};
  }

  // '{' [key ':' value (',' key ':' value)* [',']] '}' with string keys.
  Expr dict_atom() {
    const Token open = take();
    const Nest nest(*this, open.begin);
    Value v;
    v.type = Value::Type::dict;
    int depth = 0;
    while (!is_op(peek(), "}")) {
      if (is_op(peek(), "**")) {
        fail(peek().begin, "'**' unpacking in a dict is not supported" + std::string(kNotRun));
      }
      const Expr key = expression();
      if (!is_op(peek(), ":")) {
        if (is_op(peek(), ",") || is_op(peek(), "}")) fail(open.begin, "set displays are not supported");
        unexpected(peek());
      }
      take();
      const Expr value = expression();
      if (key.value->type != Value::Type::str) {
        fail(key.pos, std::string("dict keys must be strings, not ") + type_name(*key.value));
      }
      depth = std::max(depth, value.value->depth);
      DictEntry& entry = v.entries[key.value->str];
      if (!entry.value.value) entry.key_pos = key.pos;  // CPython keeps the first key
      entry.value = Item{value.value, value.pos};
      if (!is_op(peek(), ",")) break;
      take();
    }
    expect_op("}");
    v.depth = depth + 1;
    if (v.depth > kMaxNesting) fail(open.begin, "value nested too deeply");
    return Expr{make(std::move(v)), open.begin, false};
  }

  // STRING+ : adjacent literals are one string (implicit concatenation).
  void string_literals(std::string* out = nullptr, bool* plain = nullptr) {
    std::string scratch;
    while (peek().kind == Kind::string) {
      const Token tok = take();
      if (plain && tok.fstring) *plain = false;
      decode_string(tok, out ? *out : scratch);
    }
  }

  std::uint32_t hex_escape(std::size_t backslash, std::size_t first, int count, const char* name) const {
    std::uint32_t cp = 0;
    for (int k = 0; k < count; ++k) {
      const std::size_t at = first + static_cast<std::size_t>(k);
      const char c = at < current_body_end_ ? t_[at] : '\0';
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) fail(backslash, std::string("truncated ") + name + " escape");
      cp = cp * 16 + static_cast<std::uint32_t>(d);
    }
    return cp;
  }

  // Appends the value of a string literal, decoded as CPython does.
  void decode_string(const Token& tok, std::string& out) {
    const std::size_t end = tok.body_end;
    current_body_end_ = end;
    std::size_t i = tok.body_begin;
    if (tok.raw && !tok.fstring) {
      out.append(t_, i, end - i);
      return;
    }
    while (i < end) {
      const char c = t_[i];
      if (tok.fstring && (c == '{' || c == '}')) {
        if (i + 1 < end && t_[i + 1] == c) {
          out += c;
          i += 2;
          continue;
        }
        if (c == '{') fail(i, "f-string placeholder is not supported" + std::string(kNotRun));
        fail(i, "single '}' is not allowed in an f-string");
      }
      if (c != '\\' || tok.raw) {
        out += c;
        ++i;
        continue;
      }
      const std::size_t at = i;
      const char d = i + 1 < end ? t_[i + 1] : '\0';
      i += 2;
      switch (d) {
        case '\n': break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'v': out += '\v'; break;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
          std::uint32_t cp = static_cast<std::uint32_t>(d - '0');
          for (int k = 0; k < 2 && i < end && t_[i] >= '0' && t_[i] <= '7'; ++k, ++i) {
            cp = cp * 8 + static_cast<std::uint32_t>(t_[i] - '0');
          }
          append_utf8(out, cp);
          break;
        }
        case 'x':
          append_utf8(out, hex_escape(at, i, 2, "\\xXX"));
          i += 2;
          break;
        case 'u':
        case 'U': {
          const int count = d == 'u' ? 4 : 8;
          const std::uint32_t cp = hex_escape(at, i, count, d == 'u' ? "\\uXXXX" : "\\UXXXXXXXX");
          i += static_cast<std::size_t>(count);
          if (cp > 0x10FFFF) fail(at, "illegal unicode character in \\U escape");
          if (cp >= 0xD800 && cp <= 0xDFFF) {
            fail(at, "escape " + std::string(t_, at, static_cast<std::size_t>(count) + 2) +
                         " is a lone surrogate, which utf-8 cannot encode");
          }
          append_utf8(out, cp);
          break;
        }
        case 'N':
          fail(at, "\\N{...} escapes are not supported: rokso has no unicode name table; use \\u or \\U");
        default:
          // Unknown escapes keep their backslash; so does one before an f-string brace,
          // which is then read as a brace (CPython's fstring_find_literal()).
          out += '\\';
          i = at + 1;
          break;
      }
    }
  }

  // ---- the result

  const Binding* binding(const char* name) const {
    const auto found = names_.find(name);
    return found == names_.end() ? nullptr : &found->second;
  }

  // Converts `item` to a string, or fails naming `what`.
  std::string string_of(const Item& item, const std::string& what) const {
    if (item.value->type != Value::Type::str) {
      const bool dict_entry = what.rfind("'migrations[", 0) == 0;
      fail(item.pos, what + (dict_entry ? " is not" : " is not assigned") + " a string literal (it is " +
                         type_name(*item.value) + ")");
    }
    return item.value->str;
  }

  Item item_of(const Binding& b, const std::string& name, const char* expected) const {
    if (!b.value) fail(b.pos, "'" + name + "' is bound by an import, not assigned " + expected);
    return Item{b.value, b.pos};
  }

  void apply_extras(Migration& m, const Item* requires_item, const Item* transaction_item,
                    const Item* description_item, const std::string& prefix,
                    const std::string& suffix) const {
    if (requires_item) {
      const Value& v = *requires_item->value;
      if (v.type != Value::Type::list && v.type != Value::Type::tuple) {
        fail(requires_item->pos, prefix + "requires" + suffix + " must be a list of strings, not " + type_name(v));
      }
      std::size_t total = 0;
      for (const Item& entry : v.items) {
        if (entry.value->type != Value::Type::str) {
          fail(entry.pos, prefix + "requires" + suffix + " entries must be strings, not " + type_name(*entry.value));
        }
        total += entry.value->str.size();
        if (total > kMaxRequiresBytes) fail(requires_item->pos, prefix + "requires" + suffix + " is too large");
        m.requires_identities.push_back(entry.value->str);
      }
    }
    if (transaction_item) {
      if (transaction_item->value->type != Value::Type::boolean) {
        fail(transaction_item->pos, prefix + "transaction" + suffix + " must be True or False, not " +
                                        type_name(*transaction_item->value));
      }
      m.transactional = transaction_item->value->boolean;
    }
    if (description_item) {
      m.description = string_of(*description_item, prefix + "description" + suffix);
    }
  }

  Migration result() const {
    Migration m;
    Item requires_item, transaction_item, description_item;
    const Item* requires_ptr = nullptr;
    const Item* transaction_ptr = nullptr;
    const Item* description_ptr = nullptr;
    if (const Binding* b = binding("requires")) {
      requires_item = item_of(*b, "requires", "a list literal");
      requires_ptr = &requires_item;
    }
    if (const Binding* b = binding("transaction")) {
      transaction_item = item_of(*b, "transaction", "True or False");
      transaction_ptr = &transaction_item;
    }
    if (const Binding* b = binding("description")) {
      description_item = item_of(*b, "description", "a string literal");
      description_ptr = &description_item;
    }
    apply_extras(m, requires_ptr, transaction_ptr, description_ptr, "'", "'");

    if (const Binding* b = binding("migrations")) {
      const Item dict = item_of(*b, "migrations", "a dict literal");
      if (dict.value->type != Value::Type::dict) {
        fail(dict.pos, std::string("'migrations' is not assigned a dict literal (it is ") +
                           type_name(*dict.value) + ")");
      }
      const auto& entries = dict.value->entries;
      for (const auto& [key, entry] : entries) {
        if (key != "apply" && key != "rollback" && key != "requires" && key != "transaction" &&
            key != "description") {
          fail(entry.key_pos, "unknown key \"" + key + "\" in 'migrations': expected \"apply\", \"rollback\", "
                              "\"requires\", \"transaction\" or \"description\"");
        }
      }
      const auto entry = [&](const char* key) -> const Item* {
        const auto found = entries.find(key);
        return found == entries.end() ? nullptr : &found->second.value;
      };
      const Item* apply = entry("apply");
      if (!apply) fail(dict.pos, "'migrations' has no \"apply\" key");
      const Item* rollback = entry("rollback");
      if (!rollback) fail(dict.pos, "'migrations' has no \"rollback\" key");
      m.apply_sql = string_of(*apply, "'migrations[\"apply\"]'");
      m.rollback_sql = string_of(*rollback, "'migrations[\"rollback\"]'");
      if (entry("requires")) m.requires_identities.clear();
      apply_extras(m, entry("requires"), entry("transaction"), entry("description"), "'migrations[\"",
                   "\"]'");
      return m;
    }

    const Binding* apply = binding("apply_sql");
    if (!apply) throw FormatError(0, 0, "no 'apply_sql' or 'migrations[\"apply\"]' found");
    m.apply_sql = string_of(item_of(*apply, "apply_sql", "a string literal"), "'apply_sql'");
    const Binding* rollback = binding("rollback_sql");
    if (!rollback) throw FormatError(0, 0, "no 'rollback_sql' or 'migrations[\"rollback\"]' found");
    m.rollback_sql = string_of(item_of(*rollback, "rollback_sql", "a string literal"), "'rollback_sql'");
    return m;
  }

  const Source& src_;
  const std::string& t_;
  Lexer lexer_;
  std::deque<Token> lookahead_;
  std::map<std::string, Binding> names_;
  int nesting_ = 0;
  bool seen_statement_ = false;
  bool future_allowed_ = true;
  std::size_t current_body_end_ = 0;
};

}  // namespace

Migration read_py_migration(const std::string& text) {
  Encoding encoding = Encoding::utf8;
  const Source source(decode_source(text, encoding));
  check_text(source, encoding);
  Parser parser(source);
  return parser.parse();
}

}  // namespace rokso::py
