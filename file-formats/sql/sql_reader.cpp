#include "sql_reader.hpp"

#include "reader_text.hpp"

#include <rokso/format_error.hpp>
#include <rokso/utf8.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rokso::sql {
namespace {

using format_support::kUtf8Bom;

const std::string kApplySuffix = ".apply.sql";
const std::string kRollbackSuffix = ".rollback.sql";
const std::string kUpSuffix = ".up.sql";
const std::string kDownSuffix = ".down.sql";

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

using format_support::code_point_name;
using format_support::hex_byte;

[[noreturn]] void fail(const std::string& text, std::size_t offset, const std::string& message) {
  const auto [line, column] = text_position(text, offset);
  throw FormatError(line, column, message);
}

std::string without_bom(const std::string& bytes) {
  return bytes.compare(0, kUtf8Bom.size(), kUtf8Bom) == 0 ? bytes.substr(kUtf8Bom.size()) : bytes;
}

// Refuses what PostgreSQL cannot take as query text: bytes that are not UTF-8, and NUL.
void check_text(const std::string& text) {
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == 0) fail(text, i, "null byte in the file");
    const std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) fail(text, i, "invalid utf-8 (byte " + hex_byte(c) + ")");
    i += len;
  }
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }

bool is_ident_start(char c) {
  const unsigned char u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || u >= 0x80;
}

bool is_ident_char(char c) { return is_ident_start(c) || (c >= '0' && c <= '9') || c == '$'; }

// The byte offsets of the lines of `sql` that begin outside any string literal, quoted
// identifier, dollar-quoted body or block comment: the only lines where a "--" comment
// of its own can start. Follows PostgreSQL's lexer (scan.l) closely enough for that:
// '' doubling, E'' strings with backslash escapes, "" doubling, $tag$ bodies, nested
// /* */ comments, -- comments ending at LF or CR, `$` inside identifiers.
std::vector<std::size_t> top_level_line_starts(const std::string& sql) {
  enum class State { normal, string, escape_string, quoted_identifier, dollar_quoted, block_comment };
  std::vector<std::size_t> starts;
  State state = State::normal;
  std::string delimiter;  // of the dollar-quoted body
  int depth = 0;          // of nested block comments
  const std::size_t n = sql.size();
  std::size_t i = 0;
  const auto at = [&](std::size_t k) { return k < n ? sql[k] : '\0'; };
  while (i < n) {
    if (state == State::normal && (i == 0 || sql[i - 1] == '\n')) starts.push_back(i);
    const char c = sql[i];
    switch (state) {
      case State::normal:
        if (c == '-' && at(i + 1) == '-') {
          while (i < n && sql[i] != '\n' && sql[i] != '\r') ++i;
        } else if (c == '/' && at(i + 1) == '*') {
          state = State::block_comment;
          depth = 1;
          i += 2;
        } else if (c == '\'') {
          state = State::string;
          ++i;
        } else if (c == '"') {
          state = State::quoted_identifier;
          ++i;
        } else if (c == '$') {
          std::size_t j = i + 1;
          if (is_ident_start(at(j))) {
            while (j < n && is_ident_char(sql[j]) && sql[j] != '$') ++j;
          }
          if (at(j) == '$') {
            delimiter = sql.substr(i, j + 1 - i);
            state = State::dollar_quoted;
            i = j + 1;
          } else {
            ++i;  // $1, or a stray $
          }
        } else if (is_ident_start(c) || (c >= '0' && c <= '9')) {
          // An identifier or keyword (whose `$`s are its own), or a number (after which
          // a `$` starts a dollar quote: `1$$...$$`).
          const bool number = c >= '0' && c <= '9';
          const std::size_t begin = i;
          while (i < n && is_ident_char(sql[i]) && !(number && sql[i] == '$')) ++i;
          if (i - begin == 1 && (sql[begin] == 'E' || sql[begin] == 'e') && at(i) == '\'') {
            state = State::escape_string;
            ++i;
          }
        } else {
          ++i;
        }
        break;
      case State::string:
      case State::quoted_identifier: {
        const char quote = state == State::string ? '\'' : '"';
        const std::size_t close = sql.find(quote, i);
        if (close == std::string::npos) {
          i = n;
        } else if (at(close + 1) == quote) {
          i = close + 2;
        } else {
          state = State::normal;
          i = close + 1;
        }
        break;
      }
      case State::escape_string:
        if (c == '\\') {
          i += 2;
        } else if (c == '\'') {
          if (at(i + 1) == '\'') {
            i += 2;
          } else {
            state = State::normal;
            ++i;
          }
        } else {
          ++i;
        }
        break;
      case State::dollar_quoted: {
        const std::size_t close = sql.find(delimiter, i);
        if (close == std::string::npos) {
          i = n;
        } else {
          state = State::normal;
          i = close + delimiter.size();
        }
        break;
      }
      case State::block_comment:
        if (c == '/' && at(i + 1) == '*') {
          ++depth;
          i += 2;
        } else if (c == '*' && at(i + 1) == '/') {
          if (--depth == 0) state = State::normal;
          i += 2;
        } else {
          ++i;
        }
        break;
    }
  }
  return starts;
}

// Where "rokso:" starts if the line at `start` is a "-- rokso:..." comment of its own.
std::size_t directive_prefix(const std::string& sql, std::size_t start) {
  std::size_t p = start;
  while (p < sql.size() && is_blank(sql[p])) ++p;
  if (sql.compare(p, 2, "--") != 0) return std::string::npos;
  p += 2;
  while (p < sql.size() && is_blank(sql[p])) ++p;
  return sql.compare(p, 6, "rokso:") == 0 ? p : std::string::npos;
}

// The end of the line at `start`, without its LF and a CR just before it.
std::size_t content_end(const std::string& sql, std::size_t start) {
  std::size_t end = sql.find('\n', start);
  if (end == std::string::npos) end = sql.size();
  if (end > start && sql[end - 1] == '\r') --end;
  return end;
}

bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

// The value of `-- rokso:<name> <value>`: the rest of the line after the blanks that
// follow the name, without trailing blanks.
std::string directive_value(const std::string& sql, std::size_t after_name, std::size_t end,
                            const std::string& name, const std::string& what) {
  const std::string usage = "write '-- rokso:" + name + " <" + what + ">'";
  if (after_name < end && !is_blank(sql[after_name])) {
    fail(sql, after_name, "expected a blank after 'rokso:" + name + "'; " + usage);
  }
  std::size_t begin = after_name;
  while (begin < end && is_blank(sql[begin])) ++begin;
  std::size_t stop = end;
  while (stop > begin && is_blank(sql[stop - 1])) --stop;
  if (begin == stop) fail(sql, begin, "'rokso:" + name + "' needs " + (what == "identity" ? "an " : "a ") + what + "; " + usage);
  for (std::size_t i = begin; i < stop;) {
    const std::size_t len = utf8_sequence_length(sql, i);
    const unsigned char u = static_cast<unsigned char>(sql[i]);
    if ((u < 0x20 && u != '\t') || u == 0x7F) {
      fail(sql, i, "control character " + code_point_name(u) + " in 'rokso:" + name + "'");
    }
    i += len;
  }
  return sql.substr(begin, stop - begin);
}

}  // namespace

Directives read_directives(const std::string& sql) {
  Directives directives;
  int description_line = 0;
  for (const std::size_t start : top_level_line_starts(sql)) {
    const std::size_t prefix = directive_prefix(sql, start);
    if (prefix == std::string::npos) continue;
    const std::size_t end = content_end(sql, start);
    const std::size_t word = prefix + 6;
    std::size_t after = word;
    while (after < end && is_word_char(sql[after])) ++after;
    const std::string name = sql.substr(word, after - word);
    if (name.empty()) {
      fail(sql, word, "expected a directive name after 'rokso:' (no-transaction, requires or description)");
    }
    if (name == "no-transaction") {
      std::size_t rest = after;
      while (rest < end && is_blank(sql[rest])) ++rest;
      if (rest < end) fail(sql, rest, "unexpected text after 'rokso:no-transaction'");
      directives.no_transaction = true;
    } else if (name == "requires") {
      directives.requires_identities.push_back(directive_value(sql, after, end, name, "identity"));
    } else if (name == "description") {
      if (directives.has_description) {
        fail(sql, word, "a second 'rokso:description' (the first is on line " + std::to_string(description_line) + ")");
      }
      directives.description = directive_value(sql, after, end, name, "text");
      directives.has_description = true;
      description_line = text_position(sql, word).first;
    } else if (name == "ignore") {
      // `-- rokso:ignore <rule>,...`: a suppression for `rokso lint` (core/lint.hpp), which
      // reads it from the SQL; nothing for the reader to do.
    } else {
      fail(sql, word,
           "unknown directive 'rokso:" + name + "': the directives are no-transaction, requires and description");
    }
  }
  return directives;
}

int first_directive_line(const std::string& sql) {
  for (const std::size_t start : top_level_line_starts(sql)) {
    if (directive_prefix(sql, start) != std::string::npos) return text_position(sql, start).first;
  }
  return 0;
}

rokso::Migration read_sql_migration(const std::string& apply_bytes,
                                    const std::optional<std::string>& rollback_bytes,
                                    const std::string& rollback_file_name) {
  rokso::Migration migration;
  migration.apply_sql = without_bom(apply_bytes);
  check_text(migration.apply_sql);
  Directives directives = read_directives(migration.apply_sql);
  migration.transactional = !directives.no_transaction;
  migration.requires_identities = std::move(directives.requires_identities);
  migration.description = std::move(directives.description);

  if (!rollback_bytes) {
    migration.notes.push_back("no rollback file '" + rollback_file_name + "': rolling back only removes its row");
    return migration;
  }
  migration.rollback_sql = without_bom(*rollback_bytes);
  try {
    check_text(migration.rollback_sql);
  } catch (const FormatError& e) {
    throw FormatError(0, 0,
                      "rollback file '" + rollback_file_name + "', line " + std::to_string(e.line()) + ", column " +
                          std::to_string(e.column()) + ": " + e.what());
  }
  if (const int line = first_directive_line(migration.rollback_sql)) {
    migration.notes.push_back("'" + rollback_file_name + "' line " + std::to_string(line) +
                              ": rokso directives are read from the apply file only; this one is ignored");
  }
  return migration;
}

std::string rollback_file_name_for(const std::string& apply_file_name) {
  if (ends_with(apply_file_name, kApplySuffix)) {
    return apply_file_name.substr(0, apply_file_name.size() - kApplySuffix.size()) + kRollbackSuffix;
  }
  if (ends_with(apply_file_name, kUpSuffix)) {
    return apply_file_name.substr(0, apply_file_name.size() - kUpSuffix.size()) + kDownSuffix;
  }
  return "";
}

std::string apply_file_name_for(const std::string& rollback_file_name) {
  if (ends_with(rollback_file_name, kRollbackSuffix)) {
    return rollback_file_name.substr(0, rollback_file_name.size() - kRollbackSuffix.size()) + kApplySuffix;
  }
  if (ends_with(rollback_file_name, kDownSuffix)) {
    return rollback_file_name.substr(0, rollback_file_name.size() - kDownSuffix.size()) + kUpSuffix;
  }
  return "";
}

}  // namespace rokso::sql
