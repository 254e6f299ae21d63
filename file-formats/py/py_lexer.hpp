// Stage 2 of the .py reader: CPython's tokenizer rules for what rokso accepts —
// indentation (none at module level), comments, backslash continuations, brackets
// (newlines inside them are insignificant), string literals with prefixes, numbers,
// operators. String bodies are located here and decoded by the parser.
#pragma once

#include "py_source.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rokso::py {

// CPython's tokenizer refuses more than 200 nested brackets; the same bound keeps our
// recursion (and the values built from names) shallow.
constexpr int kMaxNesting = 200;

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

// A Python keyword (soft keywords such as match are names).
bool is_keyword(std::string_view w);

class Lexer {
 public:
  explicit Lexer(const Source& src) : src_(src), t_(src.text()), limit_(t_.size()) {}
  // The expression of an f-string placeholder, source bytes [begin, end): one logical
  // line in which newlines are insignificant, as inside brackets.
  Lexer(const Source& src, std::size_t begin, std::size_t end)
      : src_(src), t_(src.text()), limit_(end), pos_(begin), at_line_start_(false), nested_(true) {}

  Token next();

 private:
  static Token simple(Kind kind, std::size_t begin, std::size_t end);

  // A backslash outside a string must end its line and join the next one to it.
  void continuation();

  // CPython: a logical line's indentation is the column of its first backslash when
  // that is not 0, else the column reached through any continuation lines; blank and
  // comment-only lines do not count. At module level it must be 0.
  void measure_indentation();

  Token token();

  Token op_token(std::size_t begin);

  // Finds the end of a string literal; the body is decoded later by the parser.
  Token string_token(std::size_t begin, bool raw, bool fstring);

  static bool is_digit_in(char c, int base);

  // digit (_? digit)* ; returns false if there is no digit at pos_.
  bool digits(int base);

  // Python's number grammar. Only validity matters: numbers are accepted for helper
  // variables and never used. Anything glued to the end (1abc, 0b12) becomes another
  // token, which the parser then rejects as a syntax error.
  void number();

  const Source& src_;
  const std::string& t_;
  std::size_t limit_;  // where the text this lexer reads ends
  std::size_t pos_ = 0;
  bool at_line_start_ = true;
  bool nested_ = false;
  bool line_has_tokens_ = false;
  std::vector<std::pair<char, std::size_t>> brackets_;
};

}  // namespace rokso::py
