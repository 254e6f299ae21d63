#include "py_lexer.hpp"

#include <rokso/utf8.hpp>

namespace rokso::py {

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

Token Lexer::next() {
  for (;;) {
    if (at_line_start_) {
      at_line_start_ = false;
      measure_indentation();
    }
    while (pos_ < limit_ && (t_[pos_] == ' ' || t_[pos_] == '\t' || t_[pos_] == '\f')) ++pos_;
    if (pos_ >= limit_) {
      if (!brackets_.empty()) {
        src_.fail(brackets_.back().second,
                  std::string("'") + brackets_.back().first + "' was never closed");
      }
      if (line_has_tokens_ && !nested_) {
        line_has_tokens_ = false;
        return simple(Kind::newline, pos_, pos_);
      }
      return simple(Kind::end, pos_, pos_);
    }
    const char c = t_[pos_];
    if (c == '#') {
      while (pos_ < limit_ && t_[pos_] != '\n') ++pos_;
      continue;
    }
    if (c == '\\') {
      continuation();
      continue;
    }
    if (c == '\n') {
      const std::size_t at = pos_++;
      if (!brackets_.empty() || nested_) continue;
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

Token Lexer::simple(Kind kind, std::size_t begin, std::size_t end) {
  Token tok;
  tok.kind = kind;
  tok.begin = begin;
  tok.end = end;
  return tok;
}

// A backslash outside a string must end its line and join the next one to it.
void Lexer::continuation() {
  const std::size_t at = pos_;
  if (pos_ + 1 >= limit_) {
    src_.fail(at, "unexpected end of file after line continuation character");
  }
  if (t_[pos_ + 1] != '\n') {
    src_.fail(at + 1, "unexpected character after line continuation character");
  }
  pos_ += 2;
  if (pos_ >= limit_) {
    src_.fail(at, "unexpected end of file after line continuation character");
  }
}

// CPython: a logical line's indentation is the column of its first backslash when
// that is not 0, else the column reached through any continuation lines; blank and
// comment-only lines do not count. At module level it must be 0.
void Lexer::measure_indentation() {
  long long column = 0;
  long long continued_at = 0;
  bool continued = false;
  while (pos_ < limit_) {
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
  if (pos_ >= limit_ || t_[pos_] == '#' || t_[pos_] == '\n') return;
  if ((continued_at != 0 ? continued_at : column) != 0) src_.fail(pos_, "unexpected indent");
}

Token Lexer::token() {
  const std::size_t begin = pos_;
  const char c = t_[pos_];
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') {
    while (pos_ < limit_ && is_name_char(t_[pos_])) ++pos_;
    if (pos_ < limit_ && (t_[pos_] == '\'' || t_[pos_] == '"')) {
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
      (c == '.' && pos_ + 1 < limit_ && t_[pos_ + 1] >= '0' && t_[pos_ + 1] <= '9')) {
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

Token Lexer::op_token(std::size_t begin) {
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
Token Lexer::string_token(std::size_t begin, bool raw, bool fstring) {
  const char q = t_[pos_];
  const bool triple = pos_ + 2 < limit_ && t_[pos_ + 1] == q && t_[pos_ + 2] == q;
  Token tok;
  tok.kind = Kind::string;
  tok.begin = begin;
  tok.raw = raw;
  tok.fstring = fstring;
  std::size_t i = pos_ + (triple ? 3 : 1);
  tok.body_begin = i;
  for (;;) {
    if (i >= limit_) {
      src_.fail(begin, triple ? "unterminated triple-quoted string" : "unterminated string literal");
    }
    const char c = t_[i];
    if (c == '\\') {  // in every kind of string, a backslash keeps the next character
      i += 2;
      continue;
    }
    if (!triple && c == '\n') src_.fail(begin, "unterminated string literal");
    if (c == q && (!triple || (i + 2 < limit_ && t_[i + 1] == q && t_[i + 2] == q))) break;
    ++i;
  }
  tok.body_end = i;
  pos_ = i + (triple ? 3 : 1);
  tok.end = pos_;
  return tok;
}

bool Lexer::is_digit_in(char c, int base) {
  if (base == 16) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
  return c >= '0' && c < static_cast<char>('0' + base);
}

// digit (_? digit)* ; returns false if there is no digit at pos_.
bool Lexer::digits(int base) {
  if (pos_ >= limit_ || !is_digit_in(t_[pos_], base)) return false;
  ++pos_;
  for (;;) {
    if (pos_ < limit_ && is_digit_in(t_[pos_], base)) {
      ++pos_;
    } else if (pos_ < limit_ && t_[pos_] == '_') {
      if (pos_ + 1 >= limit_ || !is_digit_in(t_[pos_ + 1], base)) {
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
void Lexer::number() {
  const std::size_t begin = pos_;
  if (t_[pos_] == '0' && pos_ + 1 < limit_) {
    const char k = static_cast<char>(t_[pos_ + 1] | 0x20);
    const int base = k == 'x' ? 16 : k == 'o' ? 8 : k == 'b' ? 2 : 0;
    if (base != 0) {
      pos_ += 2;
      if (pos_ < limit_ && t_[pos_] == '_') ++pos_;
      if (!digits(base)) src_.fail(begin, "invalid number literal");
      if (pos_ < limit_ && (is_name_char(t_[pos_]) || t_[pos_] == '.')) {
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
    if (pos_ < limit_ && t_[pos_] == '.') {
      ++pos_;
      is_float = true;
      digits(10);
    }
  } else {
    ++pos_;
    is_float = true;
    digits(10);
  }
  if (pos_ < limit_ && (t_[pos_] == 'e' || t_[pos_] == 'E')) {
    ++pos_;
    if (pos_ < limit_ && (t_[pos_] == '+' || t_[pos_] == '-')) ++pos_;
    if (!digits(10)) src_.fail(begin, "invalid number literal");
    is_float = true;
  }
  if (pos_ < limit_ && (t_[pos_] == 'j' || t_[pos_] == 'J')) {
    ++pos_;
    is_float = true;
  }
  if (!is_float && !only_zeros && t_[begin] == '0') {
    src_.fail(begin, "leading zeros in decimal integer literals are not permitted");
  }
  if (pos_ < limit_ && (is_name_char(t_[pos_]) || t_[pos_] == '.')) {
    src_.fail(begin, "invalid number literal");
  }
}

}  // namespace rokso::py
