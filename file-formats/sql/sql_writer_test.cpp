// Unit tests of the .sql pair writer: its layout, what it refuses, and the round trip
// over many generated migrations.
#include <boost/test/unit_test.hpp>

#include "sql_reader.hpp"
#include "sql_writer.hpp"

#include <rokso/format_error.hpp>
#include <rokso/utf8.hpp>

#include <cstdint>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using rokso::sql::read_sql_migration;
using rokso::sql::render_sql_migration;

namespace {

rokso::Migration migration(const std::string& apply, const std::string& rollback) {
  rokso::Migration m;
  m.apply_sql = apply;
  m.rollback_sql = rollback;
  return m;
}

std::string printable(const std::string& s) {
  std::ostringstream out;
  for (const char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F && c != '\\') {
      out << c;
    } else {
      static const char digits[] = "0123456789abcdef";
      out << "\\x" << digits[u >> 4] << digits[u & 15];
    }
  }
  return out.str();
}

rokso::Migration read_back(const rokso::sql::SqlFiles& files) {
  return read_sql_migration(files.apply, files.rollback, "m.rollback.sql");
}

// The directive lines the writer puts before the apply SQL of `m` (whose SQL has none).
std::string expected_header(const rokso::Migration& m) {
  std::string header;
  if (!m.description.empty()) header += "-- rokso:description " + m.description + "\n";
  for (const std::string& identity : m.requires_identities) header += "-- rokso:requires " + identity + "\n";
  if (!m.transactional) header += "-- rokso:no-transaction\n";
  return header;
}

// Checks that every field of `m` survives render -> read, the apply SQL gaining exactly
// `header`, and that the migration read back is a fixed point: it renders to the same
// files, which read back to the same migration.
void check_round_trip(const rokso::Migration& m, const std::string& header) {
  const rokso::sql::SqlFiles files = render_sql_migration(m);
  rokso::Migration back;
  try {
    back = read_back(files);
  } catch (const rokso::FormatError& e) {
    BOOST_ERROR("rendered files rejected at " << e.line() << ":" << e.column() << ": " << e.what() << "\n"
                                              << printable(files.apply) << "\n" << printable(files.rollback));
    return;
  }
  BOOST_TEST(back.apply_sql == header + m.apply_sql, "apply: " << printable(m.apply_sql));
  BOOST_TEST(back.rollback_sql == m.rollback_sql, "rollback: " << printable(m.rollback_sql));
  BOOST_TEST(back.transactional == m.transactional);
  BOOST_TEST(back.description == m.description, "description: " << printable(m.description));
  BOOST_TEST(back.requires_identities == m.requires_identities, boost::test_tools::per_element());
  BOOST_TEST(back.notes.empty() == (rokso::sql::first_directive_line(m.rollback_sql) == 0));

  const rokso::sql::SqlFiles again = render_sql_migration(back);
  BOOST_TEST(printable(again.apply) == printable(files.apply));
  BOOST_TEST(printable(again.rollback) == printable(files.rollback));
  const rokso::Migration twice = read_back(again);
  BOOST_TEST(twice.apply_sql == back.apply_sql);
  BOOST_TEST(twice.rollback_sql == back.rollback_sql);
  BOOST_TEST(twice.transactional == back.transactional);
  BOOST_TEST(twice.description == back.description);
  BOOST_TEST(twice.requires_identities == back.requires_identities, boost::test_tools::per_element());
}

void check_round_trip(const rokso::Migration& m) { check_round_trip(m, expected_header(m)); }

// Random valid UTF-8 without NUL, heavy on what SQL files and directives are made of.
std::string random_sql(std::mt19937& rng) {
  static const std::string pieces[] = {
      "\n", "\r\n", "\r", "\t", " ", "  ", "'", "''", "\"", "E'", "\\", "$$", "$x$", "$1", "/*", "*/", "--", "-- ",
      "-- rokso:", "rokso:", "-- note\n", ";", "SELECT 1", "a", "\xEF\xBB\xBF", "\xC3\xA9", "\xE2\x80\xA8", "\f", "\x7f"};
  std::uniform_int_distribution<int> length(0, 24);
  std::uniform_int_distribution<int> kind(0, 9);
  std::uniform_int_distribution<std::size_t> piece(0, sizeof pieces / sizeof pieces[0] - 1);
  std::uniform_int_distribution<std::uint32_t> ascii(1, 0x7F);
  std::uniform_int_distribution<std::uint32_t> any(0x80, 0x10FFFF);
  std::string s;
  const int n = length(rng);
  for (int i = 0; i < n; ++i) {
    const int k = kind(rng);
    if (k < 5) {
      s += pieces[piece(rng)];
    } else if (k < 8) {
      rokso::append_utf8(s, ascii(rng));
    } else {
      std::uint32_t cp = any(rng);
      if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFEFF;
      rokso::append_utf8(s, cp);
    }
  }
  return s;
}

// A random value a directive line can carry: no control character but tab, no blank at
// either end, not empty.
std::string random_value(std::mt19937& rng) {
  std::string s;
  for (const char c : random_sql(rng)) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u != 0x7F) s += c;
    if (c == '\t') s += c;
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.erase(0, 1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
  return s.empty() ? "x" : s;
}

// Whether `sql` has a line that reads as a directive (of the lines the reader looks at).
bool has_directive_line(const std::string& sql) { return rokso::sql::first_directive_line(sql) != 0; }

}  // namespace

BOOST_AUTO_TEST_SUITE(writer)

BOOST_AUTO_TEST_CASE(plain_sql_is_written_as_is) {
  const rokso::sql::SqlFiles files = render_sql_migration(migration("CREATE TABLE t (\n    id int\n);\n", "DROP TABLE t;"));
  BOOST_TEST(files.apply == "CREATE TABLE t (\n    id int\n);\n");
  BOOST_TEST(files.rollback == "DROP TABLE t;");
  const rokso::sql::SqlFiles empty = render_sql_migration(migration("", ""));
  BOOST_TEST(empty.apply == "");
  BOOST_TEST(empty.rollback == "");
}

BOOST_AUTO_TEST_CASE(directive_lines_first_for_fields_that_are_not_default) {
  rokso::Migration m = migration("CREATE INDEX CONCURRENTLY i ON t (c);\n", "DROP INDEX CONCURRENTLY i;\n");
  m.transactional = false;
  m.requires_identities = {"public/200.tables/t/a.apply.sql", "public/200.tables/t/b.py"};
  m.description = "index t.c \"fast\"";
  const rokso::sql::SqlFiles files = render_sql_migration(m);
  BOOST_TEST(files.apply ==
             "-- rokso:description index t.c \"fast\"\n"
             "-- rokso:requires public/200.tables/t/a.apply.sql\n"
             "-- rokso:requires public/200.tables/t/b.py\n"
             "-- rokso:no-transaction\n"
             "CREATE INDEX CONCURRENTLY i ON t (c);\n");
  BOOST_TEST(files.rollback == "DROP INDEX CONCURRENTLY i;\n");
  check_round_trip(m);
}

BOOST_AUTO_TEST_CASE(directives_the_sql_states_are_not_repeated) {
  rokso::Migration m = migration("-- rokso:no-transaction\n-- rokso:requires b\nVACUUM;\n", "");
  m.transactional = false;
  m.requires_identities = {"a", "b"};
  m.description = "d";
  const rokso::sql::SqlFiles files = render_sql_migration(m);
  BOOST_TEST(files.apply == "-- rokso:description d\n-- rokso:requires a\n-- rokso:no-transaction\n-- rokso:requires b\nVACUUM;\n");
  check_round_trip(m, "-- rokso:description d\n-- rokso:requires a\n");
  // A migration read from files renders to the same bytes.
  const rokso::Migration read = read_sql_migration(files.apply, files.rollback, "m.rollback.sql");
  BOOST_TEST(render_sql_migration(read).apply == files.apply);
}

BOOST_AUTO_TEST_CASE(a_bom_at_the_start_of_the_sql_is_kept) {
  const rokso::sql::SqlFiles files = render_sql_migration(migration("\xEF\xBB\xBFSELECT 1;", "\xEF\xBB\xBF"));
  BOOST_TEST(files.apply == "\xEF\xBB\xBF\xEF\xBB\xBFSELECT 1;");
  BOOST_TEST(files.rollback == "\xEF\xBB\xBF\xEF\xBB\xBF");
  check_round_trip(migration("\xEF\xBB\xBFSELECT 1;", "\xEF\xBB\xBF"));
  rokso::Migration m = migration("\xEF\xBB\xBF", "");
  m.transactional = false;
  BOOST_TEST(render_sql_migration(m).apply == "-- rokso:no-transaction\n\xEF\xBB\xBF");
  check_round_trip(m);
}

BOOST_AUTO_TEST_CASE(what_no_directive_line_can_carry_is_refused) {
  const auto refused = [](const rokso::Migration& m, const std::string& message) {
    try {
      render_sql_migration(m);
      BOOST_ERROR("accepted");
    } catch (const std::invalid_argument& e) {
      BOOST_TEST(std::string(e.what()) == message);
    }
  };
  rokso::Migration m = migration("SELECT 1;", "");
  m.description = "two\nlines";
  refused(m, "cannot write a .sql migration: the description holds a line break or another control character");
  m.description = " padded";
  refused(m, "cannot write a .sql migration: the description starts or ends with a blank");
  m.description = "tab\t";
  refused(m, "cannot write a .sql migration: the description starts or ends with a blank");
  m.description = "cr\r";
  refused(m, "cannot write a .sql migration: the description holds a line break or another control character");
  m.description.clear();
  m.requires_identities = {""};
  refused(m, "cannot write a .sql migration: the required identity is empty");
  m.requires_identities = {"a\x01"};
  refused(m, "cannot write a .sql migration: the required identity holds a line break or another control character");
  m.requires_identities.clear();

  refused(migration("\xFF", ""), "cannot write a .sql migration: the apply SQL is not valid utf-8");
  refused(migration("", "\xC3"), "cannot write a .sql migration: the rollback SQL is not valid utf-8");
  refused(migration(std::string("a\0b", 3), ""), "cannot write a .sql migration: the apply SQL holds a NUL character");
  refused(migration("", std::string(1, '\0')), "cannot write a .sql migration: the rollback SQL holds a NUL character");
  m.description = "\xED\xA0\x80";
  refused(m, "cannot write a .sql migration: the description is not valid utf-8");
  m.description.clear();

  // Apply SQL whose own directives are malformed or say something else.
  refused(migration("-- rokso:bogus\n", ""),
          "cannot write a .sql migration: the apply SQL has a bad directive at line 1, column 10: unknown directive "
          "'rokso:bogus': the directives are no-transaction, requires and description");
  refused(migration("-- rokso:no-transaction\n", ""),
          "cannot write a .sql migration: the apply SQL says '-- rokso:no-transaction' but the migration is transactional");
  refused(migration("-- rokso:requires a\n", ""),
          "cannot write a .sql migration: the apply SQL's '-- rokso:requires' lines are not the last of the required "
          "identities");
  m = migration("-- rokso:requires a\n", "");
  m.requires_identities = {"a", "b"};
  refused(m, "cannot write a .sql migration: the apply SQL's '-- rokso:requires' lines are not the last of the required "
             "identities");
  m = migration("-- rokso:description a\n", "");
  m.description = "b";
  refused(m, "cannot write a .sql migration: the apply SQL's '-- rokso:description' line differs from the description");
}

BOOST_AUTO_TEST_CASE(hard_cases_round_trip) {
  const std::vector<std::string> cases = {
      "",   "\n",   "\r\n", "\r",  " ",    "\t",  "'",        "\"",  "$$",     "--",     "-- rokso",
      "/*", "*/",   "\\",   "\f",  "\x7f", "\xEF\xBB\xBF", "\xEF\xBB\xBF\xEF\xBB\xBF", "SELECT 1;\n",
      "x\xEF\xBB\xBF", "\xE2\x80\xA8", "'\n-- rokso:bogus\n'", "$$\n-- rokso:x\n$$", "/*\n-- rokso:x\n*/",
      "SELECT 1; -- rokso:no-transaction", "\n\n\n  \n", "\xF4\x8F\xBF\xBF"};
  for (const std::string& sql : cases) {
    BOOST_TEST_CONTEXT("sql " << printable(sql)) {
      check_round_trip(migration(sql, sql));
      rokso::Migration m = migration(sql, sql + "\n");
      m.description = "a description with 'quotes' and -- dashes";
      m.requires_identities = {"public/200.tables/t/x.apply.sql", "o/100.database_types/\xC3\xA9/y.py"};
      m.transactional = false;
      check_round_trip(m);
    }
  }
}

BOOST_AUTO_TEST_CASE(round_trip_property) {
  std::mt19937 rng(20240301u);
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    rokso::Migration m = migration(random_sql(rng), random_sql(rng));
    if (has_directive_line(m.apply_sql)) continue;  // its own directives: see the next test
    if (i % 3 == 0) m.description = random_value(rng);
    if (i % 4 == 0) m.requires_identities = {random_value(rng), random_value(rng)};
    if (i % 5 == 0) m.transactional = false;
    check_round_trip(m);
    ++checked;
  }
  BOOST_TEST(checked > 10000);
}

// Any file the reader accepts is a fixed point: read -> render -> read gives it back.
BOOST_AUTO_TEST_CASE(accepted_files_are_fixed_points) {
  std::mt19937 rng(7u);
  static const std::string lines[] = {"-- rokso:no-transaction\n", "-- rokso:requires a/b.py\n",
                                      "  -- rokso:requires c d \n", "-- rokso:description x\n",
                                      "-- rokso:bogus\n", "-- rokso:\n"};
  std::uniform_int_distribution<std::size_t> line(0, sizeof lines / sizeof lines[0] - 1);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string apply = random_sql(rng);
    if (i % 2 == 0) apply = lines[line(rng)] + apply + lines[line(rng)];
    const std::string rollback = random_sql(rng);
    rokso::Migration m;
    try {
      m = read_sql_migration(apply, rollback, "m.rollback.sql");
    } catch (const rokso::FormatError&) {
      continue;
    }
    ++accepted;
    const rokso::sql::SqlFiles files = render_sql_migration(m);
    const std::string bom = "\xEF\xBB\xBF";
    BOOST_TEST(printable(files.apply) == printable(apply.compare(0, 3, bom) == 0 && apply.compare(3, 3, bom) != 0
                                                       ? apply.substr(3)
                                                       : apply));
    const rokso::Migration back = read_sql_migration(files.apply, files.rollback, "m.rollback.sql");
    BOOST_TEST(back.apply_sql == m.apply_sql);
    BOOST_TEST(back.rollback_sql == m.rollback_sql);
    BOOST_TEST(back.transactional == m.transactional);
    BOOST_TEST(back.description == m.description);
    BOOST_TEST(back.requires_identities == m.requires_identities, boost::test_tools::per_element());
  }
  BOOST_TEST(accepted > 10000);
}

BOOST_AUTO_TEST_SUITE_END()
