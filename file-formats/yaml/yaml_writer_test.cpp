// Unit tests of the .yaml writer: its layout, its choice of scalar styles, and the round
// trip read_yaml_migration(render_yaml_migration(m)) == m over many generated migrations.
#include <boost/test/unit_test.hpp>

#include "yaml_reader.hpp"
#include "yaml_writer.hpp"

#include <rokso/format_error.hpp>
#include <rokso/utf8.hpp>

#include <cstdint>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using rokso::yaml::read_yaml_migration;
using rokso::yaml::render_yaml_migration;

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
    if ((u >= 0x20 && u < 0x7F && c != '\\') || c == '\n') {
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
  const std::string file = render_yaml_migration(m);
  rokso::Migration back;
  try {
    back = read_yaml_migration(file);
  } catch (const rokso::FormatError& e) {
    BOOST_ERROR("rendered file rejected at " << e.line() << ":" << e.column() << ": " << e.what() << "\n"
                                             << printable(file));
    return;
  }
  BOOST_TEST(back.apply_sql == m.apply_sql, "apply: " << printable(m.apply_sql) << "\nfile:\n" << printable(file));
  BOOST_TEST(back.rollback_sql == m.rollback_sql, "rollback: " << printable(m.rollback_sql) << "\nfile:\n"
                                                               << printable(file));
  BOOST_TEST(back.transactional == m.transactional);
  BOOST_TEST(back.description == m.description, "description: " << printable(m.description) << "\nfile:\n"
                                                                 << printable(file));
  BOOST_TEST(back.requires_identities == m.requires_identities, boost::test_tools::per_element());
  BOOST_TEST(back.notes.empty());
}

const std::vector<std::string>& hard_pieces() {
  static const std::vector<std::string> pieces = {
      " ",    "  ",  "\n",   "\n\n",  "\t",   "\r",   "\r\n", "#",    " #",  ": ",   ":",    "- ",   "-",
      "---",  "...", "--- ", "? ",    "|",    ">",    "'",    "\"",   "\\",  "&a",   "*a",   "!",    "!!str",
      "%",    "@",   "`",    "[",     "]",    "{",    "}",    ",",    "~",   "null", "true", "no",   "5",
      "0x1",  ".5",  "1e3",  ".inf",  "SELECT 1;", "a",  "\xC3\xA9", "\xF0\x9F\x98\x80", "\xEF\xBB\xBF",
      "\xC2\x85", "\xE2\x80\xA8", "\xE2\x80\xA9", "\xC2\xA0", "\x01", "\x1b", "\x7f", "\xC2\x80",
      "\xEF\xBF\xBE", "\xEF\xBF\xBF", "\x0b", "\x0c"};
  return pieces;
}

// Random valid UTF-8 without NUL, heavy on what YAML scalars find hard.
std::string random_text(std::mt19937& rng) {
  const std::vector<std::string>& pieces = hard_pieces();
  std::uniform_int_distribution<int> length(0, 20);
  std::uniform_int_distribution<int> kind(0, 9);
  std::uniform_int_distribution<std::size_t> piece(0, pieces.size() - 1);
  std::uniform_int_distribution<std::uint32_t> ascii(1, 0x7F);
  std::uniform_int_distribution<std::uint32_t> any(0x80, 0x10FFFF);
  std::string s;
  const int n = length(rng);
  for (int i = 0; i < n; ++i) {
    const int k = kind(rng);
    if (k < 6) {
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

}  // namespace

BOOST_AUTO_TEST_SUITE(writer)

BOOST_AUTO_TEST_CASE(ordinary_sql_in_literal_blocks) {
  const std::string file = render_yaml_migration(migration("CREATE TABLE t (\n    id int\n);\n", "DROP TABLE t;"));
  BOOST_TEST(file ==
             "apply: |\n"
             "  CREATE TABLE t (\n"
             "      id int\n"
             "  );\n"
             "rollback: |-\n"
             "  DROP TABLE t;\n");
}

BOOST_AUTO_TEST_CASE(chomping_and_indentation_indicators) {
  BOOST_TEST(render_yaml_migration(migration("a\n\n", "")) == "apply: |+\n  a\n\nrollback: \"\"\n");
  BOOST_TEST(render_yaml_migration(migration("\n", "\n\n")) == "apply: |+\n\nrollback: |+\n\n\n");
  BOOST_TEST(render_yaml_migration(migration("  a\nb\n", "")) == "apply: |2\n    a\n  b\nrollback: \"\"\n");
  BOOST_TEST(render_yaml_migration(migration("\n\n  a", "")) == "apply: |2-\n\n\n    a\nrollback: \"\"\n");
  BOOST_TEST(render_yaml_migration(migration("\ta\n", "")) == "apply: |\n  \ta\nrollback: \"\"\n");
  BOOST_TEST(render_yaml_migration(migration("a\n\nb  \n", "")) == "apply: |\n  a\n\n  b  \nrollback: \"\"\n");
}

BOOST_AUTO_TEST_CASE(double_quoted_when_a_block_cannot_hold_it) {
  BOOST_TEST(render_yaml_migration(migration("a\r\nb", "")) == "apply: \"a\\r\\nb\"\nrollback: \"\"\n");
  BOOST_TEST(render_yaml_migration(migration("a\x01\x7f\"\\\t\n", "")) ==
             "apply: \"a\\x01\\x7F\\\"\\\\\\t\\n\"\nrollback: \"\"\n");
  BOOST_TEST(render_yaml_migration(migration("\xEF\xBB\xBF\xC2\x85\xE2\x80\xA8\xE2\x80\xA9\xC2\x80\xEF\xBF\xBF", "")) ==
             "apply: \"\\uFEFF\\u0085\\u2028\\u2029\\u0080\\uFFFF\"\nrollback: \"\"\n");
}

BOOST_AUTO_TEST_CASE(optional_fields_only_when_set) {
  rokso::Migration m = migration("CREATE INDEX CONCURRENTLY i ON t (c);\n", "DROP INDEX CONCURRENTLY i;\n");
  BOOST_TEST(render_yaml_migration(m).find("requires") == std::string::npos);
  BOOST_TEST(render_yaml_migration(m).find("transaction") == std::string::npos);
  BOOST_TEST(render_yaml_migration(m).find("description") == std::string::npos);
  m.transactional = false;
  m.requires_identities = {"public/200.tables/t/2024_01_01__00_00_00_t.yaml", "o/200.tables/a b/x.py", "yes", "#x"};
  m.description = "Index t.c, concurrently";
  BOOST_TEST(render_yaml_migration(m) ==
             "description: Index t.c, concurrently\n"
             "requires:\n"
             "  - public/200.tables/t/2024_01_01__00_00_00_t.yaml\n"
             "  - o/200.tables/a b/x.py\n"
             "  - \"yes\"\n"
             "  - \"#x\"\n"
             "transaction: false  # run outside a transaction block\n"
             "apply: |\n"
             "  CREATE INDEX CONCURRENTLY i ON t (c);\n"
             "rollback: |\n"
             "  DROP INDEX CONCURRENTLY i;\n");
  check_round_trip(m);
}

BOOST_AUTO_TEST_CASE(descriptions) {
  rokso::Migration m = migration("", "");
  m.description = "true";
  BOOST_TEST(render_yaml_migration(m).rfind("description: \"true\"\n", 0) == 0u);
  m.description = "a: b";
  BOOST_TEST(render_yaml_migration(m).rfind("description: \"a: b\"\n", 0) == 0u);
  m.description = "two\nlines";
  BOOST_TEST(render_yaml_migration(m).rfind("description: |-\n  two\n  lines\n", 0) == 0u);
  m.description = "\xC3\xA9t\xC3\xA9 2024";
  BOOST_TEST(render_yaml_migration(m).rfind("description: \xC3\xA9t\xC3\xA9 2024\n", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(hard_cases_round_trip) {
  std::vector<std::string> cases = hard_pieces();
  for (const std::string& a : hard_pieces()) {
    cases.push_back(a + "x");
    cases.push_back("x" + a);
    cases.push_back("x\n" + a);
    cases.push_back(a + "\nx");
    cases.push_back(a + a);
    cases.push_back("  " + a + "\n");
  }
  cases.insert(cases.end(), {"", "\n\n\n", " \n", "\n ", " \n \n", "\t\n", "\n\t", "  \n\n  x", "x\n  \n",
                             "x\n\n  ", "--- |\n", "...\n", "key: value", "- item", "# comment\n",
                             "\xEF\xBB\xBFSELECT 1;", "SELECT 1;\xEF\xBB\xBF"});
  for (const std::string& text : cases) {
    BOOST_TEST_CONTEXT("text " << printable(text)) {
      check_round_trip(migration(text, text));
      rokso::Migration m = migration("\n" + text, text + "\n");
      m.description = text;
      if (!text.empty()) m.requires_identities = {text, text + "x"};
      m.transactional = false;
      check_round_trip(m);
    }
  }
}

BOOST_AUTO_TEST_CASE(round_trip_property) {
  std::mt19937 rng(20240302u);
  for (int i = 0; i < 20000; ++i) {
    rokso::Migration m = migration(random_text(rng), random_text(rng));
    if (i % 3 == 0) m.description = random_text(rng);
    if (i % 4 == 0) m.requires_identities = {random_text(rng) + "a", "b" + random_text(rng)};
    if (i % 5 == 0) m.transactional = false;
    check_round_trip(m);
  }
}

BOOST_AUTO_TEST_CASE(what_the_reader_refuses_is_refused) {
  const auto refused = [](const rokso::Migration& m, const std::string& message) {
    try {
      render_yaml_migration(m);
      BOOST_ERROR("accepted");
    } catch (const std::invalid_argument& e) {
      BOOST_TEST(std::string(e.what()) == message);
    }
  };
  refused(migration("\xFF", ""), "cannot write a .yaml migration: the apply SQL is not valid utf-8");
  refused(migration("", "\xED\xA0\x80"), "cannot write a .yaml migration: the rollback SQL is not valid utf-8");
  refused(migration(std::string("a\0", 2), ""), "cannot write a .yaml migration: the apply SQL holds a NUL character");
  rokso::Migration m = migration("", "");
  m.description = "\xC3";
  refused(m, "cannot write a .yaml migration: the description is not valid utf-8");
  m.description.clear();
  m.requires_identities = {""};
  refused(m, "cannot write a .yaml migration: a required identity is empty");
  m.requires_identities = {std::string(1, '\0')};
  refused(m, "cannot write a .yaml migration: the required identity holds a NUL character");
}

BOOST_AUTO_TEST_SUITE_END()
