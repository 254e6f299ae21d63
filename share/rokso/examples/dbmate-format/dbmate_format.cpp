// The "dbmate" format: dbmate's single-file migrations, for bringing an existing dbmate
// db/migrations directory under rokso. An example of a rokso file-format plugin built
// outside the rokso tree (see README.md in this directory).
//
// A dbmate migration is one file, <version>_<name>.sql, whose SQL is split into sections
// by marker lines:
//
//   -- migrate:up
//   CREATE TABLE users (id bigint PRIMARY KEY);
//   -- migrate:down
//   DROP TABLE users;
//
// The rules, as dbmate applies them (pkg/dbmate/migration.go):
//  * a marker is a line that *starts* with "--", optional spaces or tabs, then
//    "migrate:up" or "migrate:down", then the end of the line or white space and
//    options ("transaction:false"). An indented "  -- migrate:down" is a comment.
//  * a marker is recognised wherever it is, even inside a dollar-quoted function body:
//    dbmate looks at lines, not at SQL. This plugin does the same, so a file means the
//    same thing to both tools; the duplicate-marker rule below turns the usual accident
//    (a marker line inside a body) into an error instead of a wrong split.
//  * only comments and blank lines may come before "-- migrate:up"; "-- migrate:down"
//    comes after it.
// Stricter than dbmate (each is an error with line and column, where dbmate would
// silently pick the first marker or ignore the word): a second up or down marker, an
// option other than transaction:true|false, an option that is not key:value.
// More lenient than dbmate: a file without "-- migrate:down" is read, with an empty
// rollback and a note saying so (dbmate refuses it).
// A UTF-8 byte-order mark at the very start is skipped; anything else that is not
// well-formed UTF-8, and NUL bytes (which PostgreSQL never accepts), are errors.

#include <rokso/file_text.hpp>
#include <rokso/format_error.hpp>
#include <rokso/format_plugin.hpp>
#include <rokso/utf8.hpp>

#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

// ---------------------------------------------------------------------------------------
// Reading

struct Option {
  std::string key;
  std::string value;
};

struct Marker {
  bool up = false;
  std::size_t line_begin = 0;     // offset of the "--"
  std::size_t section_begin = 0;  // offset just after the marker line's '\n' (or the end)
  int line = 0;
  bool transaction = true;        // false: "transaction:false"
};

// Go's \s (RE2): space, \t, \n, \f, \r; \n never occurs inside a line here.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\f' || c == '\r'; }

class Parser {
 public:
  explicit Parser(const std::string& text) : text_(text) {}
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  rokso::Migration parse() {
    check_encoding();

    Marker up, down;
    bool has_up = false, has_down = false;
    std::size_t first_statement = std::string::npos;  // SQL seen before any marker

    std::size_t pos = start_;
    for (int line = 1; pos < text_.size(); ++line) {
      std::size_t end = text_.find('\n', pos);
      const std::size_t next = end == std::string::npos ? text_.size() : end + 1;
      if (end == std::string::npos) end = text_.size();

      Marker marker;
      if (read_marker(pos, end, line, marker)) {
        marker.section_begin = next;
        if (marker.up) {
          if (has_up) fail_at(marker.line_begin, duplicate("up", up.line));
          if (first_statement != std::string::npos) {
            fail_at(first_statement, "SQL before the '-- migrate:up' line (line " + std::to_string(line) +
                                         "); only comments and blank lines may come before it");
          }
          up = marker;
          has_up = true;
        } else {
          if (has_down) fail_at(marker.line_begin, duplicate("down", down.line));
          if (!has_up) {
            fail_at(marker.line_begin, "'-- migrate:down' before '-- migrate:up'; the up section comes first");
          }
          down = marker;
          has_down = true;
        }
      } else if (!has_up && first_statement == std::string::npos) {
        const std::size_t content = first_non_space(pos, end);
        if (content < end && text_.compare(content, 2, "--") != 0) first_statement = content;
      }
      pos = next;
    }

    if (!has_up) {
      fail_at(first_statement == std::string::npos ? start_ : first_statement,
              "no '-- migrate:up' line; a dbmate migration puts its SQL after '-- migrate:up' "
              "(and what undoes it after '-- migrate:down')");
    }

    rokso::Migration m;
    const std::size_t up_end = has_down ? down.line_begin : text_.size();
    m.apply_sql = text_.substr(up.section_begin, up_end - up.section_begin);
    if (has_down) {
      m.rollback_sql = text_.substr(down.section_begin);
    } else {
      m.notes.push_back("no '-- migrate:down' section: rolling back only removes its row from the version table");
    }
    const bool down_transaction = has_down ? down.transaction : true;
    m.transactional = up.transaction && down_transaction;
    if (up.transaction != down_transaction) {
      m.notes.push_back(std::string("only the '-- migrate:") + (up.transaction ? "down" : "up") +
                        "' line says transaction:false, but rokso runs a migration's apply and its rollback "
                        "the same way: both run outside a transaction, statement by statement");
    }
    return m;
  }

 private:
  static std::string duplicate(const char* which, int first_line) {
    return std::string("a second '-- migrate:") + which + "' line (the first is on line " +
           std::to_string(first_line) +
           "); markers are lines, not SQL, so one inside a dollar-quoted body counts too "
           "(indent it to make it a comment)";
  }

  // UTF-8, no NUL; a leading byte-order mark is skipped (start_).
  void check_encoding() {
    if (text_.compare(0, 3, "\xEF\xBB\xBF") == 0) start_ = 3;
    for (std::size_t i = start_; i < text_.size();) {
      if (text_[i] == '\0') fail_at(i, "a NUL byte, which PostgreSQL never accepts in SQL");
      const std::size_t len = rokso::utf8_sequence_length(text_, i);
      if (len == 0) fail_at(i, "not valid UTF-8");
      i += len;
    }
  }

  std::size_t first_non_space(std::size_t pos, std::size_t end) const {
    while (pos < end && (is_space(text_[pos]) || text_[pos] == '\v')) ++pos;
    return pos;
  }

  // Whether the line [begin, end) is a marker; if so fills `marker`, checking its options.
  bool read_marker(std::size_t begin, std::size_t end, int line, Marker& marker) const {
    std::size_t p = begin;
    if (end - p < 2 || text_.compare(p, 2, "--") != 0) return false;
    p += 2;
    while (p < end && is_space(text_[p])) ++p;
    static const std::string kUp = "migrate:up", kDown = "migrate:down";
    bool up;
    if (end - p >= kUp.size() && text_.compare(p, kUp.size(), kUp) == 0) {
      up = true;
      p += kUp.size();
    } else if (end - p >= kDown.size() && text_.compare(p, kDown.size(), kDown) == 0) {
      up = false;
      p += kDown.size();
    } else {
      return false;
    }
    // "-- migrate:upgrade ..." is a comment: the keyword must end the line or be
    // followed by white space.
    if (p < end && !is_space(text_[p])) return false;
    marker.up = up;
    marker.line_begin = begin;
    marker.line = line;

    bool seen_transaction = false;
    while (p < end) {
      while (p < end && is_space(text_[p])) ++p;
      if (p == end) break;
      const std::size_t word = p;
      while (p < end && !is_space(text_[p])) ++p;
      const std::string token = text_.substr(word, p - word);
      const std::size_t colon = token.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == token.size() ||
          token.find(':', colon + 1) != std::string::npos) {
        fail_at(word, "'" + token + "' is not an option of the form key:value (e.g. transaction:false)");
      }
      const std::string key = token.substr(0, colon), value = token.substr(colon + 1);
      if (key != "transaction") {
        fail_at(word, "unknown option '" + key + "'; the only option is transaction:true|false");
      }
      if (seen_transaction) fail_at(word, "the option 'transaction' is given twice");
      seen_transaction = true;
      if (value == "false") {
        marker.transaction = false;
      } else if (value != "true") {
        fail_at(word + colon + 1, "'" + value + "' is not a value of 'transaction' (true or false)");
      }
    }
    return true;
  }

  // Throws FormatError at byte `offset`: 1-based line and column, the column counted in
  // code points (a tab is one), starting after a byte-order mark on line 1.
  [[noreturn]] void fail_at(std::size_t offset, const std::string& message) const {
    int line = 1;
    std::size_t line_start = start_;
    for (std::size_t i = start_; i < offset && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        line_start = i + 1;
      }
    }
    int column = 1;
    for (std::size_t i = line_start; i < offset && i < text_.size(); ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
    }
    throw rokso::FormatError(line, column, message);
  }

  const std::string& text_;
  std::size_t start_ = 0;  // 3 when the text starts with a byte-order mark
};

rokso::Migration parse_dbmate(const std::string& text) {
  Parser parser(text);
  return parser.parse();
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// ---------------------------------------------------------------------------------------
// The plugin

class DbmateFormat final : public rokso::FormatPlugin {
 public:
  std::string name() const override { return "dbmate"; }
  std::string version() const override { return "1.0.0"; }
  std::string summary() const override {
    return "dbmate's <version>_<name>.sql files with '-- migrate:up' and '-- migrate:down' sections";
  }

  // ^[0-9]+_.+\.sql$, except the names of rokso's built-in .sql pair format.
  rokso::FileClaim claim(const std::string& file_name) const override {
    std::size_t digits = 0;
    while (digits < file_name.size() && file_name[digits] >= '0' && file_name[digits] <= '9') ++digits;
    const std::string ext = ".sql";
    if (digits == 0 || digits >= file_name.size() || file_name[digits] != '_' ||
        file_name.size() < digits + 1 + 1 + ext.size() || !ends_with(file_name, ext) ||
        file_name.find_first_of("\n\r") != std::string::npos) {
      return rokso::FileClaim::none;
    }
    for (const char* pair_suffix : {".apply.sql", ".rollback.sql", ".up.sql", ".down.sql"}) {
      if (ends_with(file_name, pair_suffix)) return rokso::FileClaim::none;
    }
    return rokso::FileClaim::migration;
  }

  rokso::Migration read(const std::string& path) const override { return parse_dbmate(rokso::read_file_text(path)); }

  // <stem>.sql in dbmate's layout. Refuses (std::invalid_argument) what the layout
  // cannot hold, rather than write a file that would read back differently.
  std::vector<rokso::RenderedFile> render(const std::string& stem,
                                          const rokso::Migration& migration) const override {
    const std::string file_name = stem + ".sql";
    if (claim(file_name) != rokso::FileClaim::migration) {
      throw std::invalid_argument("'" + file_name +
                                  "' is not a dbmate migration name (<digits>_<name>.sql, not ending in "
                                  ".up.sql, .down.sql, .apply.sql or .rollback.sql)");
    }
    if (!migration.requires_identities.empty()) {
      throw std::invalid_argument("a dbmate migration cannot declare 'requires'; use the yaml format");
    }
    const auto with_newline = [](const std::string& sql) {
      return sql.empty() || sql.back() == '\n' ? sql : sql + "\n";
    };
    const std::string options = migration.transactional ? "" : " transaction:false";
    std::string content;
    // The description, if any, as comment lines above the up marker (where dbmate
    // allows only comments).
    std::string description = migration.description;
    while (!description.empty() && (description.back() == '\n' || description.back() == '\r')) {
      description.pop_back();
    }
    for (std::size_t pos = 0; !description.empty() && pos <= description.size();) {
      std::size_t end = description.find('\n', pos);
      if (end == std::string::npos) end = description.size();
      const std::string line = description.substr(pos, end - pos);
      content += line.empty() ? "--\n" : "-- " + line + "\n";
      pos = end + 1;
    }
    const std::string apply = with_newline(migration.apply_sql);
    const std::string rollback = with_newline(migration.rollback_sql);
    content += "-- migrate:up" + options + "\n" + apply + "-- migrate:down" + options + "\n" + rollback;

    // What we wrote must read back as what we were given.
    rokso::Migration back;
    try {
      back = parse_dbmate(content);
    } catch (const rokso::FormatError& e) {
      throw std::invalid_argument("this migration cannot be written in dbmate's layout (line " +
                                  std::to_string(e.line()) + ": " + e.what() + ")");
    }
    if (back.apply_sql != apply || back.rollback_sql != rollback ||
        back.transactional != migration.transactional) {
      throw std::invalid_argument(
          "this migration cannot be written in dbmate's layout: its SQL holds a line that reads as a "
          "'-- migrate:up' or '-- migrate:down' marker");
    }
    return {rokso::RenderedFile{file_name, content}};
  }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("dbmate", DbmateFormat)
