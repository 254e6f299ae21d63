#include "py_writer.hpp"

#include <rokso/utf8.hpp>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace rokso::py {
namespace {

void require_utf8(const std::string& s, const char* what) {
  if (!rokso::valid_utf8(s)) {
    throw std::invalid_argument(std::string("cannot write a .py migration: the ") + what +
                                " is not valid utf-8");
  }
}

// Control characters other than LF and TAB are written as \xNN: CR would be turned
// into LF by Python's newline translation and NUL is not allowed in source at all;
// the others would be invisible.
bool append_control_escape(std::string& out, char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  if (c == '\r') {
    out += "\\r";
    return true;
  }
  if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7F) {
    static const char digits[] = "0123456789abcdef";
    out += "\\x";
    out += digits[u >> 4];
    out += digits[u & 15];
    return true;
  }
  return false;
}

// A """...""" literal. Ordinary SQL is written as is: the text starts on the line after
// the opening quotes (a backslash-newline, which Python drops, puts it there unless it
// already starts with a newline) and the closing quotes follow its last character.
std::string triple_quoted(const std::string& s) {
  if (s.empty()) return "\"\"";
  std::string out = "\"\"\"";
  if (s[0] != '\n') out += "\\\n";
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      // Escaped when it would start a """ inside the text or touch the closing quotes.
      const bool closes = i + 1 == s.size() || (i + 2 < s.size() && s[i + 1] == '"' && s[i + 2] == '"');
      out += closes ? "\\\"" : "\"";
    } else if (!append_control_escape(out, c)) {
      out += c;
    }
  }
  return out + "\"\"\"";
}

// A one-line "..." literal.
std::string double_quoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (!append_control_escape(out, c)) {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

std::string render_py_migration(const rokso::Migration& migration) {
  require_utf8(migration.apply_sql, "apply SQL");
  require_utf8(migration.rollback_sql, "rollback SQL");
  require_utf8(migration.description, "description");
  for (const std::string& identity : migration.requires_identities) require_utf8(identity, "required identity");

  std::string out;
  if (!migration.description.empty()) out += "description = " + double_quoted(migration.description) + "\n";
  if (!migration.requires_identities.empty()) {
    out += "requires = [\n";
    for (const std::string& identity : migration.requires_identities) {
      out += "    " + double_quoted(identity) + ",\n";
    }
    out += "]\n";
  }
  if (!migration.transactional) out += "transaction = False  # run outside a transaction block\n";
  if (!out.empty()) out += "\n";

  out += "apply_sql = " + triple_quoted(migration.apply_sql) + "\n\n";
  out += "rollback_sql = " + triple_quoted(migration.rollback_sql) + "\n\n";
  out +=
      "migrations = {\n"
      "    \"apply\": apply_sql,\n"
      "    \"rollback\": rollback_sql\n"
      "}\n";
  return out;
}

}  // namespace rokso::py
