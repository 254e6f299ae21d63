// Unit tests of the .py writer: its layout, its escaping, and the round trip
// read_py_migration(render_py_migration(m)) == m over many generated migrations.
#include <boost/test/unit_test.hpp>

#include "py_reader.hpp"
#include "py_writer.hpp"

#include <rokso/format_error.hpp>
#include <rokso/utf8.hpp>

#include <cstdint>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using rokso::py::read_py_migration;
using rokso::py::render_py_migration;

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

// Checks that `m` survives render -> read unchanged; on failure shows the file.
void check_round_trip(const rokso::Migration& m) {
  const std::string file = render_py_migration(m);
  rokso::Migration back;
  try {
    back = read_py_migration(file);
  } catch (const rokso::FormatError& e) {
    BOOST_ERROR("rendered file rejected at " << e.line() << ":" << e.column() << ": " << e.what() << "\n"
                                             << printable(file));
    return;
  }
  BOOST_TEST(back.apply_sql == m.apply_sql, "apply: " << printable(m.apply_sql) << "\nfile: " << printable(file));
  BOOST_TEST(back.rollback_sql == m.rollback_sql, "rollback: " << printable(m.rollback_sql));
  BOOST_TEST(back.transactional == m.transactional);
  BOOST_TEST(back.description == m.description, "description: " << printable(m.description));
  BOOST_TEST(back.requires_identities == m.requires_identities, boost::test_tools::per_element());
}

// Random valid UTF-8, heavy on what is hard to quote: quotes, backslashes, newlines,
// CR, control characters, braces, '#', and code points of every UTF-8 length.
std::string random_text(std::mt19937& rng) {
  static const std::string pieces[] = {
      "\"", "\"\"", "\"\"\"", "'", "'''", "\\", "\\\\", "\n", "\r", "\r\n", "\t", "{", "}", "#",
      "\\N{DASH}", "\\x41", "\\u00e9", "\\\n", " ", "SELECT 1;", "a", "%s", "{0}", "\f", "\v",
      std::string(1, '\0')};
  std::uniform_int_distribution<int> length(0, 24);
  std::uniform_int_distribution<int> kind(0, 9);
  std::uniform_int_distribution<std::size_t> piece(0, sizeof pieces / sizeof pieces[0] - 1);
  std::uniform_int_distribution<std::uint32_t> ascii(0, 0x7F);
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
      if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFEFF;  // no surrogates in UTF-8
      rokso::append_utf8(s, cp);
    }
  }
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(writer)

BOOST_AUTO_TEST_CASE(ordinary_sql_is_written_as_is) {
  const std::string file = render_py_migration(migration("CREATE TABLE t (\n    id int\n);\n", "DROP TABLE t;"));
  BOOST_TEST(file ==
             "apply_sql = \"\"\"\\\n"
             "CREATE TABLE t (\n"
             "    id int\n"
             ");\n"
             "\"\"\"\n"
             "\n"
             "rollback_sql = \"\"\"\\\n"
             "DROP TABLE t;\"\"\"\n"
             "\n"
             "migrations = {\n"
             "    \"apply\": apply_sql,\n"
             "    \"rollback\": rollback_sql\n"
             "}\n");
}

BOOST_AUTO_TEST_CASE(roksopsql_layout_when_the_sql_starts_with_a_newline) {
  const std::string file =
      render_py_migration(migration("\nCREATE TABLE IF NOT EXISTS offline.t (id serial);\n", "\nDROP TABLE t;\n"));
  BOOST_TEST(file ==
             "apply_sql = \"\"\"\n"
             "CREATE TABLE IF NOT EXISTS offline.t (id serial);\n"
             "\"\"\"\n"
             "\n"
             "rollback_sql = \"\"\"\n"
             "DROP TABLE t;\n"
             "\"\"\"\n"
             "\n"
             "migrations = {\n"
             "    \"apply\": apply_sql,\n"
             "    \"rollback\": rollback_sql\n"
             "}\n");
}

BOOST_AUTO_TEST_CASE(empty_sql_is_an_empty_literal) {
  const std::string file = render_py_migration(migration("SELECT 1;", ""));
  BOOST_TEST(file.find("rollback_sql = \"\"\n") != std::string::npos, file);
  check_round_trip(migration("", ""));
}

BOOST_AUTO_TEST_CASE(optional_fields_only_when_set) {
  rokso::Migration m = migration("CREATE INDEX CONCURRENTLY i ON t (c);", "DROP INDEX i;");
  BOOST_TEST(render_py_migration(m).find("requires") == std::string::npos);
  BOOST_TEST(render_py_migration(m).find("transaction") == std::string::npos);
  BOOST_TEST(render_py_migration(m).find("description") == std::string::npos);
  m.transactional = false;
  m.requires_identities = {"public/200.tables/t/a.py", "public/200.tables/t/b.py"};
  m.description = "index t.c \"fast\"";
  const std::string file = render_py_migration(m);
  BOOST_TEST(file.rfind(
                 "description = \"index t.c \\\"fast\\\"\"\n"
                 "requires = [\n"
                 "    \"public/200.tables/t/a.py\",\n"
                 "    \"public/200.tables/t/b.py\",\n"
                 "]\n"
                 "transaction = False  # run outside a transaction block\n"
                 "\n"
                 "apply_sql = ",
                 0) == 0u,
             file);
  check_round_trip(m);
}

BOOST_AUTO_TEST_CASE(what_is_escaped) {
  // Backslashes, quotes that would close the literal, CR and control characters.
  BOOST_TEST(render_py_migration(migration("a\\b", "")).find("\"\"\"\\\na\\\\b\"\"\"") != std::string::npos);
  BOOST_TEST(render_py_migration(migration("say \"hi\"", "")).find("say \"hi\\\"\"\"\"") != std::string::npos);
  BOOST_TEST(render_py_migration(migration("a\"\"\"b", "")).find("a\\\"\"\"b\"\"\"") != std::string::npos);
  BOOST_TEST(render_py_migration(migration("a\r\nb", "")).find("a\\r\nb") != std::string::npos);
  BOOST_TEST(render_py_migration(migration(std::string("a\0b\x1b\x7f", 5), "")).find("a\\x00b\\x1b\\x7f") !=
             std::string::npos);
  // Left alone: tabs, single quotes, braces, '#', non-ASCII.
  const std::string plain = "\tit's {x} # \xC3\xA9\xF0\x9F\x98\x80 '''";
  BOOST_TEST(render_py_migration(migration(plain, "")).find(plain + "\"\"\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(hard_cases_round_trip) {
  const std::vector<std::string> cases = {
      "",       "\"",        "\"\"",        "\"\"\"",      "\"\"\"\"",  "\"\"\"\"\"\"\"", "\\",     "\\\\",
      "\\\"",   "a\\",       "a\"",         "\"a",         "\n",        "\n\n",           "\r",     "\r\n",
      "\n\r",   "\\\n",      "'''",         "'",           "\t",        "\\N{DASH}",      "{}",     "{{x}}",
      "#",      "\xEF\xBB\xBF" "bom",       std::string(1, '\0'),        std::string("\0\0", 2),   " \\ \" ",
      "\x0c",   "\x0b",      "\x7f",        "\xE2\x80\xA8 line separator", "\xC2\x85 nel",      "x\\\r\ny",
      "\"\n\"", "\n\"\"\"\n", "SELECT '\\';", "SELECT E'\\n', $$\"\"\"$$;"};
  for (const std::string& sql : cases) {
    BOOST_TEST_CONTEXT("sql " << printable(sql)) {
      check_round_trip(migration(sql, sql));
      rokso::Migration m = migration("\n" + sql, sql + "\n");
      m.description = sql;
      m.requires_identities = {sql, sql + "x"};
      m.transactional = false;
      check_round_trip(m);
    }
  }
}

BOOST_AUTO_TEST_CASE(round_trip_property) {
  std::mt19937 rng(20240229u);
  for (int i = 0; i < 20000; ++i) {
    rokso::Migration m = migration(random_text(rng), random_text(rng));
    if (i % 3 == 0) m.description = random_text(rng);
    if (i % 4 == 0) m.requires_identities = {random_text(rng), random_text(rng)};
    if (i % 5 == 0) m.transactional = false;
    check_round_trip(m);
  }
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_refused) {
  BOOST_CHECK_THROW(render_py_migration(migration("\xFF", "")), std::invalid_argument);
  BOOST_CHECK_THROW(render_py_migration(migration("", "\xC3")), std::invalid_argument);
  BOOST_CHECK_THROW(render_py_migration(migration("", "\xED\xA0\x80")), std::invalid_argument);  // surrogate
  rokso::Migration m = migration("", "");
  m.description = "\xC0\xAF";
  BOOST_CHECK_THROW(render_py_migration(m), std::invalid_argument);
  m.description.clear();
  m.requires_identities = {"a", "\xF5"};
  BOOST_CHECK_THROW(render_py_migration(m), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
