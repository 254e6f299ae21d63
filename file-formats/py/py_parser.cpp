#include "py_parser.hpp"

#include "py_lexer.hpp"
#include "py_string_ops.hpp"
#include "py_value.hpp"

#include <rokso/format_error.hpp>
#include <rokso/utf8.hpp>

#include <algorithm>
#include <cmath>
#include <cstdlib>
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

constexpr const char* kNotRun = ": rokso reads .py files without running them (--py-evaluate runs such a file with python3)";
// Bounds every string a fold produces: `s = s + s` twenty times over is a small file.
constexpr std::size_t kMaxStringBytes = 64u << 20;
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
  explicit Parser(const Source& src) : src_(src), t_(src.text()), main_lexer_(src), lexer_(&main_lexer_) {}

  Migration parse() {
    while (peek().kind != Kind::end) statement_line();
    return result();
  }

 private:
  // ---- tokens
  const Token& peek(std::size_t k = 0) {
    while (lookahead_.size() <= k) lookahead_.push_back(lexer_->next());
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
    if (is_augmented_assignment(tok)) refuse_augmented(tok, "a target must be a plain name");
    unexpected(tok);
  }

  bool is_augmented_assignment(const Token& tok) const {
    if (tok.kind != Kind::op) return false;
    const std::string_view op = text_of(tok);
    return op.size() >= 2 && op.back() == '=' && op != "==" && op != "<=" && op != ">=" && op != "!=" &&
           op != ":=";
  }
  [[noreturn]] void refuse_augmented(const Token& tok, const std::string& why) const {
    fail(tok.begin, "augmented assignment ('" + std::string(text_of(tok)) + "') is not supported: " + why);
  }

  // NAME ('+=' | '*=' | '%=') expression_list: NAME = NAME <op> value, for the values
  // rokso folds (str and int, which CPython rebinds rather than mutates).
  void augmented_assignment() {
    const Token target = take();
    check_target(target);
    const Token op = take();
    const std::string_view text = text_of(op);
    if (text != "+=" && text != "*=" && text != "%=") {
      refuse_augmented(op, "rokso folds '+=', '*=' and '%='" + std::string(kNotRun));
    }
    const auto found = names_.find(std::string(text_of(target)));
    if (found == names_.end() || !found->second.value) {
      fail(target.begin, "name '" + std::string(text_of(target)) + "' is not assigned a value before this point");
    }
    const Expr left{found->second.value, found->second.pos, false};
    const Expr right = expression_list();
    if (left.value->type != Value::Type::str && left.value->type != Value::Type::integer) {
      refuse_augmented(op, std::string("rokso folds it on a string or an int, not on ") + type_name(*left.value) +
                               kNotRun);
    }
    bind(target, Expr{binary(text.substr(0, 1), op, left, right), target.begin, false});
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
        if (is_augmented_assignment(second)) {
          augmented_assignment();
          future_allowed_ = false;
          return;
        }
        if (word == "print" && is_op(second, "(") && !names_.count("print")) {
          print_statement();
          future_allowed_ = false;
          return;
        }
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
    skipped(first.begin, first_statement && e.plain_str ? "a docstring" : "an expression statement");
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
    skipped(target.begin, "the annotation of '" + std::string(text_of(target)) + "'");
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
    const Token import = take();
    skipped_import(import);
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
    if (!future) {
      future_allowed_ = false;
      skipped_import(from);
    }
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

  // ---- skipped statements, listed in one note

  void skipped(std::size_t pos, const std::string& what) {
    skipped_.push_back(what + " (line " + std::to_string(src_.position(pos).first) + ")");
  }

  // The statement as written, up to the end of its logical line, shortened.
  void skipped_import(const Token& first) {
    std::size_t end = first.end;
    for (std::size_t k = 0; peek(k).kind != Kind::newline && peek(k).kind != Kind::end && !is_op(peek(k), ";"); ++k) {
      end = peek(k).end;
    }
    std::string text;
    for (std::size_t i = first.begin; i < end; ++i) {
      const char c = t_[i];
      if (c == '\n' || c == '\\') continue;
      if (c == ' ' && !text.empty() && text.back() == ' ') continue;
      text += c;
    }
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    skipped(first.begin, text);
  }

  // print(...) as a statement: not evaluated, so its arguments may name what rokso cannot
  // fold (__file__, an import), as long as nothing in them can rebind or mutate a value:
  // no ':=', and no call other than of the pure builtins and str methods rokso folds.
  void print_statement() {
    const Token print = take();
    const Token open = take();  // '('
    std::size_t depth = 1;
    Token before_previous;
    Token previous = open;
    while (depth > 0) {
      const Token tok = take();
      if (tok.kind == Kind::end || tok.kind == Kind::newline) unexpected(tok);
      if (is_op(tok, "(") || is_op(tok, "[") || is_op(tok, "{")) ++depth;
      if (is_op(tok, ")") || is_op(tok, "]") || is_op(tok, "}")) --depth;
      if (is_op(tok, ":=")) refuse_dynamic(tok, "':=' assignment expression");
      if (is_word(tok, "lambda") || is_word(tok, "yield") || is_word(tok, "await")) unexpected(tok);
      if (tok.kind == Kind::string && tok.fstring && text_of(tok).find(":=") != std::string_view::npos) {
        refuse_dynamic(tok, "':=' in an f-string placeholder");
      }
      if (is_op(tok, "(") && previous.kind != Kind::op && previous.kind != Kind::string) {
        const std::string callee(text_of(previous));
        const bool method = is_op(before_previous, ".");
        const bool pure = method ? is_folded_str_method(callee) : (is_folded_builtin(callee) && !names_.count(callee));
        if (previous.kind != Kind::name || !pure) {
          refuse_dynamic(tok, "call of '" + callee + "' inside print(), which could change a value");
        }
      }
      if ((is_op(tok, "(") || is_op(tok, "[")) && (is_op(previous, ")") || is_op(previous, "]"))) {
        refuse_dynamic(tok, "call inside print(), which could change a value");
      }
      before_previous = previous;
      previous = tok;
    }
    const Token& next = peek();
    if (next.kind != Kind::newline && next.kind != Kind::end && !is_op(next, ";")) {
      check_follow(next);
      unexpected(next);
    }
    skipped(print.begin, "print(...)");
  }

  // ---- expressions

  static ValuePtr make(Value v) { return std::make_shared<const Value>(std::move(v)); }

  static ValuePtr make_str(std::string s) {
    Value v;
    v.type = Value::Type::str;
    v.str = std::move(s);
    return make(std::move(v));
  }

  static ValuePtr make_int(long long n) {
    Value v;
    v.type = Value::Type::integer;
    v.integer = n;
    return make(std::move(v));
  }

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

  // Adds `key: value` to a dict being built; CPython keeps the first key's place and
  // the last value.
  static void dict_set(Value& dict, const std::string& key, const Item& value, std::size_t key_pos) {
    DictEntry& entry = dict.entries[key];
    if (!entry.value.value) {
      entry.key_pos = key_pos;
      dict.keys.push_back(key);
    }
    entry.value = value;
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
    if (op == "(") return "call";
    if (op == "[") return "subscript";
    if (op == ":=") return "':=' assignment expression";
    if (op == ".") return "attribute access";
    static const char* const binary_ops[] = {"-", "+", "*", "%", "/", "//", "**", "@", "<<", ">>", "&",
                                             "|", "^", "<", ">", "<=", ">=", "==", "!="};
    for (const char* b : binary_ops) {
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
    Expr e = arithmetic();
    check_follow(peek());
    return e;
  }

  // term (('+' | '-') term)*
  Expr arithmetic() {
    Expr left = term();
    while (is_op(peek(), "+") || is_op(peek(), "-")) {
      const Token op = take();
      const Nest nest(*this, op.begin);
      const Expr right = term();
      left = Expr{binary(text_of(op), op, left, right), left.pos, false};
    }
    return left;
  }

  // unary (('*' | '%' | '//') unary)*
  Expr term() {
    Expr left = unary();
    while (is_op(peek(), "*") || is_op(peek(), "%") || is_op(peek(), "//")) {
      const Token op = take();
      const Nest nest(*this, op.begin);
      const Expr right = unary();
      left = Expr{binary(text_of(op), op, left, right), left.pos, false};
    }
    return left;
  }

  static bool is_int(const Value& v) { return v.type == Value::Type::integer || v.type == Value::Type::boolean; }
  static long long int_of(const Value& v) { return v.type == Value::Type::boolean ? (v.boolean ? 1 : 0) : v.integer; }
  static bool is_real(const Value& v) { return is_int(v) || v.type == Value::Type::floating; }
  static double real_of(const Value& v) {
    return v.type == Value::Type::floating ? v.floating : static_cast<double>(int_of(v));
  }

  ValuePtr checked_int(long long n, bool overflow, const Token& op) const {
    if (overflow) fail(op.begin, "an int beyond 64 bits is not folded" + std::string(kNotRun));
    return make_int(n);
  }

  ValuePtr checked_str(std::string s, const Token& op) const {
    if (s.size() > kMaxStringBytes) fail(op.begin, "a string longer than 64 MiB is not folded");
    return make_str(std::move(s));
  }

  static ValuePtr make_float(double d) {
    Value v;
    v.type = Value::Type::floating;
    v.floating = d;
    return make(std::move(v));
  }

  // left <op> right for op in + - * % //, as CPython computes it on str, int and float.
  ValuePtr binary(std::string_view op, const Token& at, const Expr& left_expr, const Expr& right_expr) const {
    const Value& l = *left_expr.value;
    const Value& r = *right_expr.value;
    const bool strs = l.type == Value::Type::str && r.type == Value::Type::str;
    if (op == "+") {
      if (strs) {
        if (l.str.size() + r.str.size() > kMaxStringBytes) fail(at.begin, "a string longer than 64 MiB is not folded");
        return make_str(l.str + r.str);
      }
      if (is_int(l) && is_int(r)) {
        long long n = 0;
        return checked_int(n, __builtin_add_overflow(int_of(l), int_of(r), &n), at) ;
      }
      if (is_real(l) && is_real(r)) return make_float(real_of(l) + real_of(r));
    } else if (op == "-") {
      if (is_int(l) && is_int(r)) {
        long long n = 0;
        return checked_int(n, __builtin_sub_overflow(int_of(l), int_of(r), &n), at);
      }
      if (is_real(l) && is_real(r)) return make_float(real_of(l) - real_of(r));
    } else if (op == "*") {
      if ((l.type == Value::Type::str && is_int(r)) || (is_int(l) && r.type == Value::Type::str)) {
        const std::string& s = l.type == Value::Type::str ? l.str : r.str;
        const long long times = l.type == Value::Type::str ? int_of(r) : int_of(l);
        if (times <= 0 || s.empty()) return make_str("");
        if (static_cast<unsigned long long>(times) > kMaxStringBytes / s.size()) {
          fail(at.begin, "a string longer than 64 MiB is not folded");
        }
        std::string out;
        out.reserve(s.size() * static_cast<std::size_t>(times));
        for (long long k = 0; k < times; ++k) out += s;
        return make_str(std::move(out));
      }
      if (is_int(l) && is_int(r)) {
        long long n = 0;
        return checked_int(n, __builtin_mul_overflow(int_of(l), int_of(r), &n), at);
      }
      if (is_real(l) && is_real(r)) return make_float(real_of(l) * real_of(r));
    } else if (op == "%") {
      if (l.type == Value::Type::str) {
        try {
          return checked_str(percent_format(l.str, r), at);
        } catch (const FoldError& e) {
          fail(at.begin, std::string("'%' formatting: ") + e.what());
        }
      }
      if (is_int(l) && is_int(r)) {
        if (int_of(r) == 0) fail(at.begin, "integer modulo by zero");
        if (int_of(r) == -1) return make_int(0);
        long long m = int_of(l) % int_of(r);
        if (m != 0 && ((m < 0) != (int_of(r) < 0))) m += int_of(r);
        return make_int(m);
      }
    } else if (op == "//") {
      if (is_int(l) && is_int(r)) {
        if (int_of(r) == 0) fail(at.begin, "integer division or modulo by zero");
        if (int_of(r) == -1) {
          long long n = 0;
          return checked_int(n, __builtin_sub_overflow(0LL, int_of(l), &n), at);
        }
        long long q = int_of(l) / int_of(r);
        if ((int_of(l) % int_of(r) != 0) && ((int_of(l) < 0) != (int_of(r) < 0))) --q;
        return make_int(q);
      }
    }
    refuse_dynamic(at, "'" + std::string(op) + "' on " + type_name(l) + " and " + type_name(r));
  }

  Expr unary() {
    const Token& tok = peek();
    if (is_op(tok, "-") || is_op(tok, "+")) {
      const Token sign = take();
      const Nest nest(*this, sign.begin);
      const Expr operand = unary();
      const Value& v = *operand.value;
      const bool minus = is_op(sign, "-");
      if (is_int(v)) {
        long long n = 0;
        const bool overflow = minus && __builtin_sub_overflow(0LL, int_of(v), &n);
        if (!minus) n = int_of(v);
        return Expr{checked_int(n, overflow, sign), sign.begin, false};
      }
      if (v.type == Value::Type::floating) return Expr{make_float(minus ? -v.floating : v.floating), sign.begin, false};
      if (v.type == Value::Type::number) return Expr{operand.value, sign.begin, false};
      refuse_dynamic(sign, "unary '" + std::string(text_of(sign)) + "' on " + type_name(v));
    }
    if (is_op(tok, "~")) refuse_dynamic(tok, "'~' operator");
    if (is_op(tok, "*") || is_op(tok, "**")) {
      fail(tok.begin, "unpacking ('" + std::string(text_of(tok)) + "') is not supported" + kNotRun);
    }
    return primary();
  }

  static bool is_folded_builtin(std::string_view name) {
    return name == "dict" || name == "str" || name == "repr" || name == "ascii" || name == "format" || name == "len";
  }

  struct Arguments {
    std::vector<ValuePtr> positional;
    Keywords keywords;
  };

  // '(' [argument (',' argument)* [',']] ')' where argument is expression or NAME '=' expression.
  Arguments call_arguments() {
    const Token open = take();  // '('
    const Nest nest(*this, open.begin);
    Arguments args;
    while (!is_op(peek(), ")")) {
      if (is_op(peek(), "*") || is_op(peek(), "**")) {
        fail(peek().begin, "unpacking ('" + std::string(text_of(peek())) + "') in a call is not supported" + kNotRun);
      }
      if (peek().kind == Kind::name && is_op(peek(1), "=")) {
        const Token name = take();
        check_target(name);
        take();  // '='
        const std::string key(text_of(name));
        for (const auto& [k, v] : args.keywords) {
          if (k == key) fail(name.begin, "keyword argument repeated: " + key);
        }
        args.keywords.emplace_back(key, expression().value);
      } else {
        if (!args.keywords.empty()) fail(peek().begin, "positional argument follows keyword argument");
        args.positional.push_back(expression().value);
      }
      if (!is_op(peek(), ",")) break;
      take();
    }
    expect_op(")");
    return args;
  }

  // dict(k=v, ...), str(x), repr(x), ascii(x), format(x[, spec]), len(x).
  Expr builtin_call() {
    const Token name = take();
    const std::string_view word = text_of(name);
    const Arguments args = call_arguments();
    const auto fold_failed = [&](const FoldError& e) { fail(name.begin, std::string(word) + "(): " + e.what()); };
    if (word == "dict") {
      if (!args.positional.empty()) {
        refuse_dynamic(name, "dict() with positional arguments: rokso folds dict(key=value, ...)");
      }
      Value v;
      v.type = Value::Type::dict;
      int depth = 0;
      for (const auto& [key, value] : args.keywords) {
        dict_set(v, key, Item{value, name.begin}, name.begin);
        depth = std::max(depth, value->depth);
      }
      v.depth = depth + 1;
      if (v.depth > kMaxNesting) fail(name.begin, "value nested too deeply");
      return Expr{make(std::move(v)), name.begin, false};
    }
    if (!args.keywords.empty()) fail(name.begin, std::string(word) + "() with keyword arguments is not folded");
    const std::size_t max = word == "format" ? 2 : 1;
    const std::size_t min = word == "str" ? 0 : 1;
    if (args.positional.size() < min || args.positional.size() > max) {
      fail(name.begin, std::string(word) + "() takes " + std::to_string(min) + (max != min ? " to " + std::to_string(max) : "") +
                           " arguments (" + std::to_string(args.positional.size()) + " given)");
    }
    try {
      if (word == "str") return Expr{make_str(args.positional.empty() ? "" : to_str(*args.positional[0])), name.begin, false};
      if (word == "repr") return Expr{make_str(to_repr(*args.positional[0])), name.begin, false};
      if (word == "ascii") return Expr{make_str(to_ascii(*args.positional[0])), name.begin, false};
      if (word == "format") {
        std::string spec;
        if (args.positional.size() == 2) {
          if (args.positional[1]->type != Value::Type::str) fail(name.begin, "format() argument 2 must be str");
          spec = args.positional[1]->str;
        }
        return Expr{make_str(format_value(*args.positional[0], spec)), name.begin, false};
      }
      const Value& v = *args.positional[0];  // len
      if (v.type == Value::Type::str) return Expr{make_int(static_cast<long long>(char_count(v.str))), name.begin, false};
      if (v.type == Value::Type::list || v.type == Value::Type::tuple) {
        return Expr{make_int(static_cast<long long>(v.items.size())), name.begin, false};
      }
      if (v.type == Value::Type::dict) return Expr{make_int(static_cast<long long>(v.keys.size())), name.begin, false};
      fail(name.begin, std::string("object of type ") + type_name(v) + " has no len()");
    } catch (const FoldError& e) {
      fold_failed(e);
    }
    return Expr{};  // not reached
  }

  // atom trailer*: str methods are folded; other calls, subscripts and attributes are not.
  Expr primary() {
    const Token& tok = peek();
    if (tok.kind == Kind::name && is_op(peek(1), "(") && !is_keyword(text_of(tok)) &&
        is_folded_builtin(text_of(tok)) && !names_.count(std::string(text_of(tok)))) {
      return builtin_call();
    }
    Expr e = atom();
    while (is_op(peek(), ".")) {
      const Token dot = peek();
      if (e.value->type != Value::Type::str || peek(1).kind != Kind::name || !is_op(peek(2), "(")) {
        refuse_dynamic(dot, "attribute access");
      }
      const std::string method(text_of(peek(1)));
      if (!is_folded_str_method(method)) refuse_dynamic(dot, "str." + method + "() call");
      take();
      take();
      const Arguments args = call_arguments();
      try {
        Value v = str_method(e.value->str, method, args.positional, args.keywords);
        if (v.str.size() > kMaxStringBytes) fail(dot.begin, "a string longer than 64 MiB is not folded");
        e = Expr{make(std::move(v)), e.pos, false};
      } catch (const FoldError& error) {
        fail(dot.begin, "str." + method + "(): " + error.what());
      }
    }
    return e;
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
    if (tok.kind == Kind::number) return Expr{number_value(take()), pos, false};
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
      e.plain_str = false;
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

  // The value of a number literal the lexer validated: an int when it fits 64 bits, a
  // float, else a number rokso keeps but does not fold (a complex, a larger int).
  ValuePtr number_value(const Token& tok) const {
    std::string digits;
    for (const char c : text_of(tok)) {
      if (c != '_') digits += c;
    }
    Value v;
    v.type = Value::Type::number;
    const char last = static_cast<char>(digits.back() | 0x20);
    const bool prefixed = digits.size() > 1 && digits[0] == '0' &&
                          ((digits[1] | 0x20) == 'x' || (digits[1] | 0x20) == 'o' || (digits[1] | 0x20) == 'b');
    if (last == 'j') return make(std::move(v));
    if (!prefixed && digits.find_first_of(".eE") != std::string::npos) {
      v.type = Value::Type::floating;
      v.floating = std::strtod(digits.c_str(), nullptr);
      return make(std::move(v));
    }
    const int base = !prefixed ? 10 : (digits[1] | 0x20) == 'x' ? 16 : (digits[1] | 0x20) == 'o' ? 8 : 2;
    unsigned long long n = 0;
    for (std::size_t i = prefixed ? 2 : 0; i < digits.size(); ++i) {
      const char c = static_cast<char>(digits[i] | 0x20);
      const unsigned d = static_cast<unsigned>(c >= 'a' ? c - 'a' + 10 : c - '0');
      if (n > (static_cast<unsigned long long>(INT64_MAX) - d) / static_cast<unsigned>(base)) return make(std::move(v));
      n = n * static_cast<unsigned>(base) + d;
    }
    v.type = Value::Type::integer;
    v.integer = static_cast<long long>(n);
    return make(std::move(v));
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
    if (found == names_.end()) {
      // `[s for s in ...]`, `(y := ...)`: the construct is the better thing to point at.
      if (is_op(peek(), "(")) refuse_dynamic(peek(), "call of '" + std::string(word) + "'");
      if (is_op(peek(), ":=") || peek().kind == Kind::name) check_follow(peek());
      fail(tok.begin, "name '" + std::string(word) + "' is not assigned a value before this point");
    }
    if (!found->second.value) {
      fail(tok.begin, "name '" + std::string(word) + "' is bound by an import (line " +
                          std::to_string(src_.position(found->second.pos).first) +
                          "), and an import used in a value is not supported" + kNotRun);
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
      dict_set(v, key.value->str, Item{value.value, value.pos}, key.pos);
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

  std::uint32_t hex_escape(std::size_t backslash, std::size_t first, std::size_t end, int count,
                           const char* name) const {
    std::uint32_t cp = 0;
    for (int k = 0; k < count; ++k) {
      const std::size_t at = first + static_cast<std::size_t>(k);
      const char c = at < end ? t_[at] : '\0';
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
    std::size_t i = tok.body_begin;
    if (tok.raw && !tok.fstring) {
      out.append(t_, i, end - i);
      return;
    }
    // The run of characters up to the next backslash (or brace of an f-string) is taken
    // as it is, in one append: a literal of a hundred megabytes is one copy, not a
    // hundred million appends.
    // Searched within the literal only: up to the end of the file, a module of many
    // literals would be read once per literal.
    const char* const specials = tok.fstring ? "\\{}" : "\\";
    const std::string_view literal = std::string_view(t_).substr(0, end);
    while (i < end) {
      const std::size_t next = std::min(literal.find_first_of(specials, i), end);
      if (next > i) {
        out.append(t_, i, next - i);
        i = next;
        if (i == end) break;
      }
      const char c = t_[i];
      if (tok.fstring && (c == '{' || c == '}')) {
        if (i + 1 < end && t_[i + 1] == c) {
          out += c;
          i += 2;
          continue;
        }
        if (c == '{') {
          i = placeholder(i, end, out);
          continue;
        }
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
          append_utf8(out, hex_escape(at, i, end, 2, "\\xXX"));
          i += 2;
          break;
        case 'u':
        case 'U': {
          const int count = d == 'u' ? 4 : 8;
          const std::uint32_t cp = hex_escape(at, i, end, count, d == 'u' ? "\\uXXXX" : "\\UXXXXXXXX");
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

  // Skips a string literal inside an f-string placeholder starting at `i`; returns the
  // offset after it. CPython 3.11: it cannot hold the enclosing quote or a backslash.
  std::size_t skip_nested_string(std::size_t i, std::size_t end) const {
    const char q = t_[i];
    const bool triple = i + 2 < end && t_[i + 1] == q && t_[i + 2] == q;
    const std::size_t open = i;
    i += triple ? 3 : 1;
    for (;;) {
      if (i >= end) fail(open, "f-string: unterminated string");
      if (t_[i] == '\\') fail(i, "f-string expression part cannot include a backslash");
      if (t_[i] == q && (!triple || (i + 2 < end && t_[i + 1] == q && t_[i + 2] == q))) return i + (triple ? 3 : 1);
      ++i;
    }
  }

  // An f-string placeholder `{expression[=][!conversion][:spec]}` starting at `open`;
  // appends its text and returns the offset after its '}'.
  std::size_t placeholder(std::size_t open, std::size_t end, std::string& out) {
    const Nest nest(*this, open);
    std::size_t i = open + 1;
    const std::size_t expr_begin = i;
    std::size_t expr_end = std::string::npos;
    std::size_t debug_end = std::string::npos;  // `{x=}`: the text printed before the value
    int depth = 0;
    while (expr_end == std::string::npos) {
      if (i >= end) fail(open, "f-string: expecting '}'");
      const char c = t_[i];
      if (c == '\\') fail(i, "f-string expression part cannot include a backslash");
      if (c == '#') fail(i, "f-string expression part cannot include '#'");
      if (c == '\'' || c == '"') {
        i = skip_nested_string(i, end);
        continue;
      }
      if (c == '(' || c == '[' || c == '{') {
        ++depth;
      } else if (c == ')' || c == ']' || (c == '}' && depth > 0)) {
        if (depth == 0) fail(i, std::string("f-string: unmatched '") + c + "'");
        --depth;
      } else if (depth == 0 && (c == '}' || c == ':' || (c == '!' && !(i + 1 < end && t_[i + 1] == '=')))) {
        expr_end = i;
        break;
      } else if (depth == 0 && c == '=' && !(i + 1 < end && t_[i + 1] == '=') && i > expr_begin &&
                 std::string_view("=!<>").find(t_[i - 1]) == std::string_view::npos) {
        expr_end = i;
        ++i;
        while (i < end && (t_[i] == ' ' || t_[i] == '\t' || t_[i] == '\n')) ++i;
        debug_end = i;
        break;
      }
      ++i;
    }
    if (debug_end == std::string::npos) i = expr_end;
    bool blank = true;
    for (std::size_t k = expr_begin; k < expr_end; ++k) {
      if (t_[k] != ' ' && t_[k] != '\t' && t_[k] != '\n') blank = false;
    }
    if (blank) fail(open, "f-string: empty expression not allowed");

    // The expression, read by a lexer of its own over the same source text.
    Lexer inner(src_, expr_begin, expr_end);
    Lexer* const outer_lexer = lexer_;
    std::deque<Token> outer_lookahead;
    outer_lookahead.swap(lookahead_);
    lexer_ = &inner;
    const Expr value = expression_list();
    if (peek().kind != Kind::end) unexpected(peek());
    lexer_ = outer_lexer;
    lookahead_.swap(outer_lookahead);

    char conversion = 0;
    if (i < end && t_[i] == '!') {
      if (i + 1 >= end || (t_[i + 1] != 'r' && t_[i + 1] != 's' && t_[i + 1] != 'a')) {
        fail(i, "f-string: invalid conversion character: expected 's', 'r', or 'a'");
      }
      conversion = t_[i + 1];
      i += 2;
      if (i >= end || (t_[i] != ':' && t_[i] != '}')) fail(i, "f-string: expecting '}'");
    }
    std::string spec;
    const bool has_spec = i < end && t_[i] == ':';
    if (has_spec) {
      const std::size_t spec_begin = ++i;
      while (i < end && t_[i] != '}') {
        if (t_[i] == '{') fail(i, "a nested placeholder in an f-string format spec is not supported" + std::string(kNotRun));
        if (t_[i] == '\\') fail(i, "a backslash in an f-string format spec is not supported");
        ++i;
      }
      spec = t_.substr(spec_begin, i - spec_begin);
    }
    if (i >= end || t_[i] != '}') fail(open, "f-string: expecting '}'");
    ++i;

    if (debug_end != std::string::npos) {
      out.append(t_, expr_begin, debug_end - expr_begin);
      if (conversion == 0 && !has_spec) conversion = 'r';
    }
    try {
      std::string text;
      if (conversion == 0) {
        text = format_value(*value.value, spec);
      } else {
        Value converted;
        converted.type = Value::Type::str;
        converted.str = conversion == 's' ? to_str(*value.value)
                        : conversion == 'r' ? to_repr(*value.value)
                                            : to_ascii(*value.value);
        text = format_value(converted, spec);
      }
      if (out.size() + text.size() > kMaxStringBytes) fail(open, "a string longer than 64 MiB is not folded");
      out += text;
    } catch (const FoldError& e) {
      fail(open, std::string("f-string placeholder: ") + e.what());
    }
    return i;
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
      fail(item.pos, what + (dict_entry ? " is not" : " is not assigned") + " a string (it is " +
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
      requires_item = item_of(*b, "requires", "a list");
      requires_ptr = &requires_item;
    }
    if (const Binding* b = binding("transaction")) {
      transaction_item = item_of(*b, "transaction", "True or False");
      transaction_ptr = &transaction_item;
    }
    if (const Binding* b = binding("description")) {
      description_item = item_of(*b, "description", "a string");
      description_ptr = &description_item;
    }
    apply_extras(m, requires_ptr, transaction_ptr, description_ptr, "'", "'");

    const Binding* b = binding("migrations");
    if (!b) {
      throw FormatError(0, 0, "no 'migrations' found: a roksopsql .py migration assigns "
                              "migrations = {\"apply\": ..., \"rollback\": ...}");
    }
    const Item dict = item_of(*b, "migrations", "a dict");
    if (dict.value->type != Value::Type::dict) {
      fail(dict.pos, std::string("'migrations' is not assigned a dict (it is ") + type_name(*dict.value) + ")");
    }
    const Value& entries = *dict.value;
    std::string ignored;
    for (const std::string& key : entries.keys) {
      if (key != "apply" && key != "rollback" && key != "requires" && key != "transaction" && key != "description") {
        ignored += (ignored.empty() ? "\"" : ", \"") + key + "\"";
      }
    }
    const auto entry = [&](const char* key) -> const Item* {
      const auto found = entries.entries.find(key);
      return found == entries.entries.end() ? nullptr : &found->second.value;
    };
    const Item* apply = entry("apply");
    if (!apply) fail(dict.pos, "'migrations' has no \"apply\" key");
    m.apply_sql = string_of(*apply, "'migrations[\"apply\"]'");
    const Item* rollback = entry("rollback");
    if (!rollback) {
      m.notes.push_back(kNoRollbackNote + std::string("'migrations' has no \"rollback\" key"));
    } else if (rollback->value->type == Value::Type::none) {
      m.notes.push_back(kNoRollbackNote + std::string("'migrations[\"rollback\"]' is None"));
    } else {
      m.rollback_sql = string_of(*rollback, "'migrations[\"rollback\"]'");
    }
    if (entry("requires")) m.requires_identities.clear();
    apply_extras(m, entry("requires"), entry("transaction"), entry("description"), "'migrations[\"", "\"]'");
    if (!ignored.empty()) {
      m.notes.push_back("ignored key" + std::string(ignored.find(',') != std::string::npos ? "s " : " ") + ignored +
                        " of 'migrations' (rokso reads apply, rollback, requires, transaction, description)");
    }
    if (!skipped_.empty()) {
      std::string note = "skipped, as they cannot change the values: ";
      for (std::size_t i = 0; i < skipped_.size(); ++i) note += (i > 0 ? ", " : "") + skipped_[i];
      m.notes.push_back(note);
    }
    return m;
  }

  const Source& src_;
  const std::string& t_;
  Lexer main_lexer_;
  Lexer* lexer_;  // main_lexer_, or the lexer of the f-string placeholder being read
  std::deque<Token> lookahead_;
  std::vector<std::string> skipped_;  // statements skipped, for the note
  std::map<std::string, Binding> names_;
  int nesting_ = 0;
  bool seen_statement_ = false;
  bool future_allowed_ = true;
};

}  // namespace

Migration parse_module(const Source& src) {
  Parser parser(src);
  return parser.parse();
}

}  // namespace rokso::py
