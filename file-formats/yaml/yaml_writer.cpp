#include "yaml_writer.hpp"

#include <rokso/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace rokso::yaml {
namespace {

void require_text(const std::string& s, const std::string& what) {
  if (!rokso::valid_utf8(s)) throw std::invalid_argument("cannot write a .yaml migration: the " + what + " is not valid utf-8");
  if (s.find('\0') != std::string::npos) {
    throw std::invalid_argument("cannot write a .yaml migration: the " + what + " holds a NUL character");
  }
}

// Characters written as they are, in a block or plain scalar: those YAML calls
// printable, less the ones other YAML readers take as line breaks or byte order marks
// and the C1 controls, which are better seen as escapes.
bool writes_as_is(std::uint32_t cp) {
  return cp == '\t' || (cp >= 0x20 && cp <= 0x7E) ||
         (cp >= 0xA0 && cp <= 0xFFFD && cp != 0x2028 && cp != 0x2029 && cp != 0xFEFF && !(cp >= 0xD800 && cp <= 0xDFFF)) ||
         cp >= 0x10000;
}

template <typename Visit>
void for_each_code_point(const std::string& s, Visit visit) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = utf8_sequence_length(s, i);
    visit(decode_utf8_at(s, i, len), i, len);
    i += len;
  }
}

bool block_can_hold(const std::string& s) {
  bool ok = true;
  for_each_code_point(s, [&](std::uint32_t cp, std::size_t, std::size_t) { ok = ok && (cp == '\n' || writes_as_is(cp)); });
  return ok;
}

// A literal block scalar for the value of a key at column 0 (content indented by 2).
std::string literal_block(const std::string& s) {
  std::size_t trailing = 0;
  while (trailing < s.size() && s[s.size() - 1 - trailing] == '\n') ++trailing;
  const bool only_newlines = trailing == s.size();
  // Clip keeps one final line break, strip none, keep all (and clip of nothing but
  // line breaks gives the empty string, so those need keep too).
  const char* chomp = trailing == 0 ? "-" : (trailing == 1 && !only_newlines) ? "" : "+";

  std::vector<std::string> lines;
  std::size_t begin = 0;
  for (;;) {
    const std::size_t end = s.find('\n', begin);
    if (end == std::string::npos) {
      lines.push_back(s.substr(begin));
      break;
    }
    lines.push_back(s.substr(begin, end - begin));
    begin = end + 1;
  }
  // s ends with a line break (or is empty): that break closes the last line, no new one.
  if (!lines.empty() && lines.back().empty() && (s.empty() || s.back() == '\n')) lines.pop_back();

  // Without an indicator the indentation is that of the first line that is not empty:
  // one starting with a space would be taken as more indentation.
  std::string indicator;
  for (const std::string& line : lines) {
    if (line.empty()) continue;
    if (line[0] == ' ') indicator = "2";
    break;
  }

  std::string out = "|" + indicator + chomp + "\n";
  for (const std::string& line : lines) out += line.empty() ? "\n" : "  " + line + "\n";
  return out;
}

std::string double_quoted(const std::string& s) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out = "\"";
  for_each_code_point(s, [&](std::uint32_t cp, std::size_t i, std::size_t len) {
    if (cp == '"') {
      out += "\\\"";
    } else if (cp == '\\') {
      out += "\\\\";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (writes_as_is(cp)) {
      out.append(s, i, len);
    } else if (cp < 0x80) {
      out += "\\x";
      out += digits[cp >> 4];
      out += digits[cp & 15];
    } else {
      out += "\\u";
      for (int shift = 12; shift >= 0; shift -= 4) out += digits[(cp >> shift) & 15];
    }
  });
  return out + "\"";
}

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Whether `s` can be written as a plain scalar and read back as the same string by any
// YAML reader: words of letters, digits and a few punctuation marks, starting with a
// letter, '_' or '/', which no YAML 1.1 or 1.2 schema reads as null, boolean or number.
bool plain_can_hold(const std::string& s) {
  if (s.empty() || s.back() == ' ') return false;
  const unsigned char first = static_cast<unsigned char>(s[0]);
  if (!is_ascii_letter(s[0]) && s[0] != '_' && s[0] != '/' && first < 0x80) return false;
  bool ok = true;
  for_each_code_point(s, [&](std::uint32_t cp, std::size_t, std::size_t) {
    const bool ascii_ok = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9') ||
                          cp == ' ' || cp == '_' || cp == '.' || cp == '/' || cp == '-' || cp == ',' || cp == '(' ||
                          cp == ')' || cp == '\'';
    ok = ok && (ascii_ok || (cp >= 0xA0 && writes_as_is(cp)));
  });
  if (!ok) return false;
  std::string lower;
  for (const char c : s) lower += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  static const char* const special[] = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"};
  for (const char* word : special) {
    if (lower == word) return false;
  }
  return true;
}

// The value of a key at column 0: a word plain, SQL and other multi-line text in a
// literal block, anything else double-quoted.
std::string scalar(const std::string& s, bool prefer_block) {
  if (s.empty()) return "\"\"\n";
  if (!prefer_block && plain_can_hold(s)) return s + "\n";
  if ((prefer_block || s.find('\n') != std::string::npos) && block_can_hold(s)) return literal_block(s);
  return double_quoted(s) + "\n";
}

}  // namespace

std::string render_yaml_migration(const rokso::Migration& migration) {
  require_text(migration.apply_sql, "apply SQL");
  require_text(migration.rollback_sql, "rollback SQL");
  require_text(migration.description, "description");
  for (const std::string& identity : migration.requires_identities) {
    require_text(identity, "required identity");
    if (identity.empty()) throw std::invalid_argument("cannot write a .yaml migration: a required identity is empty");
  }

  std::string out;
  if (!migration.description.empty()) out += "description: " + scalar(migration.description, false);
  if (!migration.requires_identities.empty()) {
    out += "requires:\n";
    for (const std::string& identity : migration.requires_identities) {
      out += "  - " + (plain_can_hold(identity) ? identity : double_quoted(identity)) + "\n";
    }
  }
  if (!migration.transactional) out += "transaction: false  # run outside a transaction block\n";
  out += "apply: " + scalar(migration.apply_sql, true);
  out += "rollback: " + scalar(migration.rollback_sql, true);
  return out;
}

}  // namespace rokso::yaml
