#include "yaml_reader.hpp"

#include "reader_text.hpp"

#include <rokso/format_error.hpp>
#include <rokso/utf8.hpp>

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace rokso::yaml {
namespace {

using format_support::kUtf8Bom;

const std::string kTagPrefix = "tag:yaml.org,2002:";

using format_support::code_point_name;
using format_support::hex_byte;

// `s` for a one-line message: control characters escaped, cut after 60 bytes.
std::string shown(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    if (out.size() >= 60) return out + "...";
    const std::size_t len = utf8_sequence_length(s, i);
    const unsigned char u = static_cast<unsigned char>(s[i]);
    if (len == 0 || u < 0x20 || u == 0x7F) {
      out += u == '\n' ? "\\n" : u == '\t' ? "\\t" : u == '\r' ? "\\r" : "\\x" + hex_byte(u).substr(2);
      i += len == 0 ? 1 : len;
    } else {
      out.append(s, i, len);
      i += len;
    }
  }
  return out;
}

// The text given to yaml-cpp and the mapping from its byte offsets to positions.
class Source : public format_support::Source {
 public:
  using format_support::Source::Source;
  using format_support::Source::fail;

  // yaml-cpp's marks count bytes of the text it was given, from 0; -1 when unknown.
  [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) const {
    if (mark.pos < 0) throw FormatError(0, 0, message);
    fail(static_cast<std::size_t>(mark.pos), message);
  }
};

// Everything yaml-cpp is not given: bytes that are not UTF-8, characters outside YAML's
// printable set (YAML 1.2, 5.1), and a CR that is not part of CRLF.
void check_text(const Source& source) {
  const std::string& text = source.text();
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0) source.fail(i, "null byte in the file");
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) source.fail(i, "invalid utf-8 (byte " + hex_byte(c) + ")");
    const std::uint32_t cp = decode_utf8_at(text, i, len);
    if (cp == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) {
      source.fail(i, "a carriage return that is not followed by a line feed; write \\r inside a double-quoted string");
    }
    const bool printable = cp == '\t' || cp == '\n' || cp == '\r' || (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 ||
                           (cp >= 0xA0 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) || cp >= 0x10000;
    if (!printable) {
      source.fail(i, "character " + code_point_name(cp) +
                         " is not allowed in a YAML file; write it as an escape inside a double-quoted string");
    }
    i += len;
  }
}

// A node of the document, as yaml-cpp reports it.
struct Node {
  enum class Kind { null, scalar, sequence, mapping };
  Kind kind = Kind::null;
  YAML::Mark mark;
  std::string tag;    // "?" plain scalar or untagged collection, "!" quoted or block scalar, else explicit
  std::string value;  // of a scalar
  std::vector<Node> children;  // a mapping's alternate keys and values
};

// Builds the document from yaml-cpp's events. This is the guard against yaml-cpp's
// recursion: its parser enters one nested call per collection level and reports each
// collection before entering it, so refusing here bounds its depth by kMaxNesting.
class Builder final : public YAML::EventHandler {
 public:
  explicit Builder(const Source& source) : source_(source) {}

  int documents() const { return documents_; }
  std::optional<Node>& root() { return root_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1) source_.fail(mark, "a second YAML document; a migration file holds one");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    no_anchor(mark, anchor);
    add(Node{Node::Kind::null, mark, "", "", {}});
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { no_anchor(mark, 1); }
  void OnAnchor(const YAML::Mark& mark, const std::string&) override { no_anchor(mark, 1); }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    no_anchor(mark, anchor);
    add(Node{Node::Kind::scalar, mark, tag, value, {}});
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, Node::Kind::sequence);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, tag, anchor, Node::Kind::mapping);
  }
  void OnMapEnd() override { close(); }

 private:
  void no_anchor(const YAML::Mark& mark, YAML::anchor_t anchor) const {
    if (anchor != YAML::NullAnchor) source_.fail(mark, "anchors and aliases are not allowed in a migration file");
  }

  void open(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor, Node::Kind kind) {
    no_anchor(mark, anchor);
    if (open_.size() >= static_cast<std::size_t>(kMaxNesting)) {
      source_.fail(mark, "collections nested deeper than " + std::to_string(kMaxNesting) + " levels");
    }
    open_.push_back(Node{kind, mark, tag, "", {}});
  }

  void close() {
    Node done = std::move(open_.back());
    open_.pop_back();
    add(std::move(done));
  }

  void add(Node node) {
    if (open_.empty()) {
      root_ = std::move(node);
    } else {
      open_.back().children.push_back(std::move(node));
    }
  }

  const Source& source_;
  int documents_ = 0;
  std::vector<Node> open_;  // the collections being read, outermost first
  std::optional<Node> root_;
};

// What a node is under the YAML 1.2 core schema.
enum class Type { null, boolean, number, string, sequence, mapping, unsupported };

bool all_of(const std::string& s, std::size_t from, bool (*pred)(char)) {
  if (from >= s.size()) return false;
  for (std::size_t i = from; i < s.size(); ++i) {
    if (!pred(s[i])) return false;
  }
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_octal(char c) { return c >= '0' && c <= '7'; }
bool is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool is_core_float(const std::string& s) {
  std::size_t i = s.size() > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
  const std::string rest = s.substr(i);
  if (rest == ".inf" || rest == ".Inf" || rest == ".INF") return true;
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  // [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
  std::size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    std::size_t fraction = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++fraction;
    if (digits == 0 && fraction == 0) return false;
  } else if (digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (!all_of(s, i, is_digit)) return false;
    i = s.size();
  }
  return i == s.size();
}

Type core_type(const std::string& plain) {
  if (plain.empty() || plain == "~" || plain == "null" || plain == "Null" || plain == "NULL") return Type::null;
  if (plain == "true" || plain == "True" || plain == "TRUE" || plain == "false" || plain == "False" ||
      plain == "FALSE") {
    return Type::boolean;
  }
  const std::size_t sign = plain[0] == '-' || plain[0] == '+' ? 1 : 0;
  if (all_of(plain, sign, is_digit)) return Type::number;
  if (plain.rfind("0o", 0) == 0 && all_of(plain, 2, is_octal)) return Type::number;
  if (plain.rfind("0x", 0) == 0 && all_of(plain, 2, is_hex)) return Type::number;
  if (is_core_float(plain)) return Type::number;
  return Type::string;
}

Type type_of(const Node& node) {
  switch (node.kind) {
    case Node::Kind::null:
      return Type::null;
    case Node::Kind::sequence:
      return node.tag == "?" || node.tag == kTagPrefix + "seq" ? Type::sequence : Type::unsupported;
    case Node::Kind::mapping:
      return node.tag == "?" || node.tag == kTagPrefix + "map" ? Type::mapping : Type::unsupported;
    case Node::Kind::scalar:
      break;
  }
  if (node.tag == "!" || node.tag == kTagPrefix + "str") return Type::string;
  if (node.tag == "?") return core_type(node.value);
  if (node.tag == kTagPrefix + "bool") return Type::boolean;
  if (node.tag == kTagPrefix + "int" || node.tag == kTagPrefix + "float") return Type::number;
  if (node.tag == kTagPrefix + "null") return Type::null;
  return Type::unsupported;
}

std::string describe(Type type) {
  switch (type) {
    case Type::null: return "null";
    case Type::boolean: return "a boolean";
    case Type::number: return "a number";
    case Type::string: return "a string";
    case Type::sequence: return "a sequence";
    case Type::mapping: return "a mapping";
    case Type::unsupported: break;
  }
  return "a value of an unsupported type";
}

bool is_blank_or_break(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Refuses the scalars yaml-cpp 0.7 reads otherwise than YAML defines them (each found by
// differential testing against another YAML implementation), rather than passing on a
// wrong value:
//  * a quoted scalar left open at the end of the file, after a line break: yaml-cpp
//    takes it as closed there (a truncated file is not a guess);
//  * a quoted scalar ending in blank lines: yaml-cpp keeps at most one of them;
//  * a folded block scalar (>) with keep chomping (+): yaml-cpp drops trailing breaks;
//  * a folded block scalar in a file ending in a line of blanks without a line break:
//    yaml-cpp folds that line into a space.
void check_scalar_sources(const Source& source, const Node& node) {
  for (const Node& child : node.children) check_scalar_sources(source, child);  // depth <= kMaxNesting
  if (node.kind != Node::Kind::scalar || node.tag == "?" || node.mark.pos < 0) return;
  const std::string& text = source.text();
  const std::size_t n = text.size();
  std::size_t p = static_cast<std::size_t>(node.mark.pos);
  // Past the node's properties (a tag; anchors are refused), to the scalar itself.
  while (p < n && text[p] == '!') {
    while (p < n && !is_blank_or_break(text[p])) ++p;
    for (;;) {
      while (p < n && is_blank_or_break(text[p])) ++p;
      if (p >= n || text[p] != '#') break;
      while (p < n && text[p] != '\n') ++p;
    }
  }
  if (p >= n) return;
  if (text[p] == '>') {
    std::size_t i = p + 1;
    while (i < n && (text[i] == '+' || text[i] == '-' || (text[i] >= '1' && text[i] <= '9'))) {
      if (text[i++] == '+') {
        source.fail(p, "a folded block scalar with keep chomping ('>+'): yaml-cpp 0.7 loses its final line "
                       "breaks; write a literal block ('|+') instead");
      }
    }
    const std::size_t last_break = text.rfind('\n');
    const std::size_t last_line = last_break == std::string::npos ? 0 : last_break + 1;
    if (last_line < n && text.find_first_not_of(" \t", last_line) == std::string::npos) {
      source.fail(p, "a folded block scalar ('>') in a file that ends in blanks without a line break: "
                     "yaml-cpp 0.7 reads it wrongly; end the file with a line break");
    }
    return;
  }
  if (text[p] != '"' && text[p] != '\'') return;  // a literal block scalar
  const char quote = text[p];
  bool significant = false;  // anything but blanks and line breaks seen yet
  int breaks = 0;            // line breaks since the last significant character
  for (std::size_t i = p + 1; i < n; ++i) {
    const char c = text[i];
    if (quote == '"' && c == '\\') {
      ++i;  // an escape, even of a line break, is content
    } else if (c == quote && !(quote == '\'' && i + 1 < n && text[i + 1] == '\'')) {
      if (breaks >= (significant ? 3 : 2)) {
        source.fail(p, "a quoted string that ends in blank lines: yaml-cpp 0.7 drops them; write them as \\n or "
                       "use a literal block ('|+')");
      }
      return;
    } else if (c == '\n') {
      ++breaks;
      continue;
    } else if (is_blank_or_break(c)) {
      continue;
    } else if (c == quote) {
      ++i;  // '' in a single-quoted scalar
    }
    significant = true;
    breaks = 0;
  }
  source.fail(p, "invalid YAML: a quoted string that is never closed");
}

class Reader {
 public:
  explicit Reader(const Source& source) : source_(source) {}

  rokso::Migration read(const Node& root) {
    const Type root_type = checked_type(root);
    if (root_type != Type::mapping) {
      source_.fail(root.mark, "expected a mapping with an 'apply' key, found " + describe(root_type));
    }
    rokso::Migration migration;
    std::map<std::string, int> seen;  // key -> its line
    for (std::size_t i = 0; i + 1 < root.children.size(); i += 2) {
      const Node& key = root.children[i];
      const Node& value = root.children[i + 1];
      const Type key_type = checked_type(key);
      if (key.kind != Node::Kind::scalar || key_type == Type::null) {
        source_.fail(key.mark, "expected a key (apply, rollback, transaction, requires or description), found " +
                                   describe(key_type));
      }
      const std::string& name = key.value;
      if (name != "apply" && name != "rollback" && name != "transaction" && name != "requires" &&
          name != "description") {
        source_.fail(key.mark, "unknown key '" + shown(name) +
                                   "': the keys are apply, rollback, transaction, requires and description");
      }
      const int line = source_.position(static_cast<std::size_t>(std::max(key.mark.pos, 0))).first;
      const auto [first, inserted] = seen.emplace(name, line);
      if (!inserted) {
        source_.fail(key.mark, "duplicate key '" + name + "' (the first is on line " + std::to_string(first->second) + ")");
      }
      if (name == "apply") {
        migration.apply_sql = string_value(key, value, "'apply' must be a string");
      } else if (name == "rollback") {
        migration.rollback_sql = string_value(key, value, "'rollback' must be a string");
      } else if (name == "description") {
        migration.description = string_value(key, value, "'description' must be a string");
      } else if (name == "transaction") {
        migration.transactional = bool_value(key, value, "'transaction' must be true or false");
      } else {
        const Type type = checked_type(value);
        if (type != Type::sequence) {
          source_.fail(where(key, value), "'requires' must be a sequence of identities, not " + describe(type));
        }
        for (const Node& entry : value.children) {
          std::string identity = string_value(entry, entry, "each entry of 'requires' must be a string");
          if (identity.empty()) source_.fail(entry.mark, "empty identity in 'requires'");
          migration.requires_identities.push_back(std::move(identity));
        }
      }
    }
    if (!seen.count("apply")) source_.fail(root.mark, "missing key 'apply' (the SQL the migration runs)");
    if (!seen.count("rollback")) migration.notes.push_back("no 'rollback' key: rolling back only removes its row");
    return migration;
  }

 private:
  // Where to point at a wrong value: a null one may be an absent one, whose mark is
  // that of whatever follows; its key is where the user looks.
  static const YAML::Mark& where(const Node& key, const Node& value) {
    return value.kind == Node::Kind::null ? key.mark : value.mark;
  }

  Type checked_type(const Node& node) const {
    const Type type = type_of(node);
    if (type == Type::unsupported) source_.fail(node.mark, "unsupported tag '" + shown(node.tag) + "'");
    return type;
  }

  std::string string_value(const Node& key, const Node& value, const std::string& rule) const {
    const Type type = checked_type(value);
    if (type != Type::string) source_.fail(where(key, value), rule + ", not " + describe(type));
    if (!valid_utf8(value.value)) {
      // yaml-cpp 0.7 decodes \N and \_ to single bytes, not to UTF-8.
      source_.fail(value.mark, "the string is not valid utf-8 after its escapes are decoded (yaml-cpp 0.7 gets "
                               "\\N and \\_ wrong: write \\u0085 and \\u00A0)");
    }
    if (value.value.find('\0') != std::string::npos) {
      source_.fail(value.mark, "the string holds a NUL character, which SQL text cannot hold");
    }
    return value.value;
  }

  bool bool_value(const Node& key, const Node& value, const std::string& rule) const {
    const Type type = checked_type(value);
    if (type != Type::boolean) source_.fail(where(key, value), rule + ", not " + describe(type));
    const std::string& v = value.value;
    if (v == "true" || v == "True" || v == "TRUE") return true;
    if (v == "false" || v == "False" || v == "FALSE") return false;
    source_.fail(value.mark, rule + ", not '" + shown(v) + "'");
  }

  const Source& source_;
};

}  // namespace

rokso::Migration read_yaml_migration(const std::string& text) {
  // A BOM may start the stream; yaml-cpp would skip it without counting it in its marks.
  std::size_t start = 0;
  while (text.compare(start, kUtf8Bom.size(), kUtf8Bom) == 0) start += kUtf8Bom.size();
  const Source source(text.substr(start));
  check_text(source);

  Builder builder(source);
  try {
    std::istringstream in(source.text());
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YAML::Exception& e) {
    source.fail(e.mark, "invalid YAML: " + e.msg);
  }
  if (builder.documents() == 0 || !builder.root()) {
    throw FormatError(1, 1, "no YAML document in the file; expected a mapping with an 'apply' key");
  }
  check_scalar_sources(source, *builder.root());
  return Reader(source).read(*builder.root());
}

}  // namespace rokso::yaml
