#include "py_parser.hpp"

#include "py_lexer.hpp"
#include "py_value.hpp"

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
// Bounds the identities copied out of `requires`: names let a small file refer to one
// long string many times.
constexpr std::size_t kMaxRequiresBytes = 1u << 20;

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

Migration parse_module(const Source& src) {
  Parser parser(src);
  return parser.parse();
}

}  // namespace rokso::py
