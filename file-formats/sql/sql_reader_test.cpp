// Unit tests of the .sql pair reader: bytes kept as they are, directives, positions.
// Positions are 1-based line:column, the column counting characters (code points).
// Where a line starts outside SQL text was also checked, off line, against PostgreSQL's
// own lexer (libpg_query's pg_query_scan) on some 85,000 generated inputs.
#define BOOST_TEST_MODULE sql_reader
#include <boost/test/unit_test.hpp>

#include "sql_reader.hpp"

#include <rokso/format_error.hpp>

#include <optional>
#include <string>
#include <vector>

using rokso::sql::read_directives;
using rokso::sql::read_sql_migration;

namespace {

// The migration of an apply file with an (empty unless given) rollback file beside it.
rokso::Migration read_pair(const std::string& apply, const std::string& rollback = "") {
  return read_sql_migration(apply, rollback, "m.rollback.sql");
}

struct Failure {
  int line = -1;
  int column = -1;
  std::string message;
};

Failure failure_of(const std::string& apply, const std::optional<std::string>& rollback = std::string()) {
  try {
    const rokso::Migration m = read_sql_migration(apply, rollback, "m.rollback.sql");
    BOOST_ERROR("accepted: " << apply);
  } catch (const rokso::FormatError& e) {
    return Failure{e.line(), e.column(), e.what()};
  }
  return Failure{};
}

}  // namespace

#define CHECK_FAILURE(failure, expected_line, expected_column, expected_message) \
  do {                                                                          \
    const Failure f_ = (failure);                                               \
    BOOST_TEST(f_.line == (expected_line));                                     \
    BOOST_TEST(f_.column == (expected_column));                                 \
    BOOST_TEST(f_.message == (expected_message));                               \
  } while (0)

// =====================================================================================
BOOST_AUTO_TEST_SUITE(bytes)

BOOST_AUTO_TEST_CASE(files_are_the_sql_byte_for_byte) {
  const std::string apply = "CREATE TABLE t (\r\n  id int  \r\n);\n\n\t-- done   \n\n";
  const std::string rollback = "DROP TABLE t;";
  const rokso::Migration m = read_pair(apply, rollback);
  BOOST_TEST(m.apply_sql == apply);
  BOOST_TEST(m.rollback_sql == rollback);
  BOOST_TEST(m.transactional);
  BOOST_TEST(m.requires_identities.empty());
  BOOST_TEST(m.description == "");
  BOOST_TEST(m.notes.empty());
}

BOOST_AUTO_TEST_CASE(nothing_is_trimmed_or_translated) {
  for (const std::string sql : {"", "\n", " ", "\r", "\r\n", "a\rb", "\n\n\n", "  x  ", "\\", "'", "\f\v\x1b\x7f"}) {
    const rokso::Migration m = read_pair(sql, sql);
    BOOST_TEST(m.apply_sql == sql);
    BOOST_TEST(m.rollback_sql == sql);
  }
}

BOOST_AUTO_TEST_CASE(a_leading_bom_is_dropped_from_each_file) {
  const rokso::Migration m = read_pair("\xEF\xBB\xBFSELECT 1;", "\xEF\xBB\xBF");
  BOOST_TEST(m.apply_sql == "SELECT 1;");
  BOOST_TEST(m.rollback_sql == "");
  // Only one, and only at the start.
  BOOST_TEST(read_pair("\xEF\xBB\xBF\xEF\xBB\xBFx").apply_sql == "\xEF\xBB\xBFx");
  BOOST_TEST(read_pair("x\xEF\xBB\xBF").apply_sql == "x\xEF\xBB\xBF");
  BOOST_TEST(read_pair("", "\xEF\xBB\xBF\xEF\xBB\xBF").rollback_sql == "\xEF\xBB\xBF");
}

BOOST_AUTO_TEST_CASE(unicode_is_kept) {
  const std::string sql = "SELECT '\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80', '\xE2\x80\xA8';";
  BOOST_TEST(read_pair(sql, sql).rollback_sql == sql);
}

BOOST_AUTO_TEST_CASE(invalid_utf8_in_the_apply_file) {
  CHECK_FAILURE(failure_of("\xFF"), 1, 1, "invalid utf-8 (byte 0xff)");
  CHECK_FAILURE(failure_of("SELECT 1;\n  '\xC3\xA9\xC3'"), 2, 5, "invalid utf-8 (byte 0xc3)");
  CHECK_FAILURE(failure_of("\xED\xA0\x80"), 1, 1, "invalid utf-8 (byte 0xed)");  // a surrogate
  CHECK_FAILURE(failure_of("\xC0\xAF"), 1, 1, "invalid utf-8 (byte 0xc0)");      // overlong
  CHECK_FAILURE(failure_of("ab\x80"), 1, 3, "invalid utf-8 (byte 0x80)");
  // The BOM does not count as a column.
  CHECK_FAILURE(failure_of("\xEF\xBB\xBFx\xFE"), 1, 2, "invalid utf-8 (byte 0xfe)");
}

BOOST_AUTO_TEST_CASE(nul_in_the_apply_file) {
  CHECK_FAILURE(failure_of(std::string("SELECT\n\t1\0;", 11)), 2, 3, "null byte in the file");
}

BOOST_AUTO_TEST_CASE(problems_in_the_rollback_file_name_it) {
  CHECK_FAILURE(failure_of("SELECT 1;", std::string("DROP\nTABLE t;\n \xE2\x82")), 0, 0,
                "rollback file 'm.rollback.sql', line 3, column 2: invalid utf-8 (byte 0xe2)");
  CHECK_FAILURE(failure_of("SELECT 1;", std::string("\0", 1)), 0, 0,
                "rollback file 'm.rollback.sql', line 1, column 1: null byte in the file");
  // The apply file is checked first.
  CHECK_FAILURE(failure_of("\xFF", std::string("\xFF")), 1, 1, "invalid utf-8 (byte 0xff)");
}

BOOST_AUTO_TEST_CASE(a_missing_rollback_file_is_an_empty_rollback_with_a_note) {
  const rokso::Migration m = read_sql_migration("SELECT 1;", std::nullopt, "x.rollback.sql");
  BOOST_TEST(m.rollback_sql == "");
  BOOST_TEST_REQUIRE(m.notes.size() == 1u);
  BOOST_TEST(m.notes[0] == "no rollback file 'x.rollback.sql': rolling back only removes its row");
  const rokso::Migration up = read_sql_migration("SELECT 1;", std::nullopt, "x.down.sql");
  BOOST_TEST(up.notes.at(0) == "no rollback file 'x.down.sql': rolling back only removes its row");
  // An empty file is no note: the author said "nothing to undo".
  BOOST_TEST(read_sql_migration("SELECT 1;", std::string(), "x.rollback.sql").notes.empty());
}

BOOST_AUTO_TEST_CASE(directives_in_the_rollback_file_are_sql_with_a_note) {
  const rokso::Migration m = read_pair("SELECT 1;", "DROP INDEX CONCURRENTLY i;\n  -- rokso:no-transaction\n");
  BOOST_TEST(m.transactional);
  BOOST_TEST(m.rollback_sql == "DROP INDEX CONCURRENTLY i;\n  -- rokso:no-transaction\n");
  BOOST_TEST_REQUIRE(m.notes.size() == 1u);
  BOOST_TEST(m.notes[0] ==
             "'m.rollback.sql' line 2: rokso directives are read from the apply file only; this one is ignored");
  // Not an error even when it would be one in the apply file.
  BOOST_TEST(read_pair("", "-- rokso:bogus\n").notes.size() == 1u);
  BOOST_TEST(read_pair("", "SELECT '\n-- rokso:bogus\n';").notes.empty());
}

BOOST_AUTO_TEST_SUITE_END()

// =====================================================================================
BOOST_AUTO_TEST_SUITE(directives)

BOOST_AUTO_TEST_CASE(no_transaction) {
  const std::string sql = "-- rokso:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (c);\n";
  const rokso::Migration m = read_pair(sql);
  BOOST_TEST(!m.transactional);
  BOOST_TEST(m.apply_sql == sql);  // the directive stays: it is a comment
  BOOST_TEST(!read_pair("SELECT 1;\n  \t--   rokso:no-transaction  \t\r\n").transactional);
  BOOST_TEST(!read_pair("--rokso:no-transaction").transactional);
  BOOST_TEST(!read_pair("-- rokso:no-transaction\n-- rokso:no-transaction\n").transactional);
}

BOOST_AUTO_TEST_CASE(requires_in_order) {
  const rokso::Migration m = read_pair(
      "-- rokso:requires public/200.tables/a/x.apply.sql\n"
      "CREATE VIEW v AS SELECT 1;\n"
      "\t-- rokso:requires   other/100.database_types/e/2021_01_01__00_00_00_e.py  \r\n"
      "-- rokso:requires public/200.tables/a/x.apply.sql\n");
  const std::vector<std::string> expected = {"public/200.tables/a/x.apply.sql",
                                             "other/100.database_types/e/2021_01_01__00_00_00_e.py",
                                             "public/200.tables/a/x.apply.sql"};
  BOOST_TEST(m.requires_identities == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(an_identity_is_the_rest_of_the_line) {
  BOOST_TEST(read_pair("-- rokso:requires a b\tc.sql \n").requires_identities.at(0) == "a b\tc.sql");
  BOOST_TEST(read_pair("-- rokso:requires \xC3\xA9t\xC3\xA9/x.py").requires_identities.at(0) == "\xC3\xA9t\xC3\xA9/x.py");
}

BOOST_AUTO_TEST_CASE(description) {
  const rokso::Migration m = read_pair("-- rokso:description  Adds the users' table -- finally #1 \nSELECT 1;");
  BOOST_TEST(m.description == "Adds the users' table -- finally #1");
  BOOST_TEST(m.transactional);
}

BOOST_AUTO_TEST_CASE(every_directive_together) {
  const rokso::Migration m = read_pair(
      "-- rokso:description index t.c\n-- rokso:requires a/b.py\n-- rokso:no-transaction\n"
      "CREATE INDEX CONCURRENTLY i ON t (c);\n",
      "DROP INDEX CONCURRENTLY i;\n");
  BOOST_TEST(m.description == "index t.c");
  BOOST_TEST(m.requires_identities == std::vector<std::string>{"a/b.py"}, boost::test_tools::per_element());
  BOOST_TEST(!m.transactional);
  BOOST_TEST(m.rollback_sql == "DROP INDEX CONCURRENTLY i;\n");
}

BOOST_AUTO_TEST_CASE(only_comments_of_their_own_line_count) {
  // After SQL on the same line: an ordinary comment.
  BOOST_TEST(read_pair("SELECT 1; -- rokso:no-transaction\n").transactional);
  BOOST_TEST(read_pair("SELECT 1; -- rokso:bogus\n").transactional);
  // Not "rokso:" right after the dashes (and blanks).
  BOOST_TEST(read_pair("-- note: rokso:no-transaction\n").transactional);
  BOOST_TEST(read_pair("-- ROKSO:no-transaction\n").transactional);
  BOOST_TEST(read_pair("---- rokso:bogus\n").transactional);
  BOOST_TEST(read_pair("- - rokso:bogus\n").transactional);
  BOOST_TEST(read_pair("/* -- rokso:bogus */\n").transactional);
  BOOST_TEST(read_pair("\f-- rokso:bogus\n").transactional);  // only spaces and tabs lead
}

BOOST_AUTO_TEST_CASE(lines_inside_sql_text_do_not_count) {
  const std::vector<std::string> texts = {
      "SELECT '\n-- rokso:bogus\n';",
      "SELECT 'it''s\n-- rokso:bogus\n';",
      "SELECT E'\\'\n-- rokso:bogus\n';",
      "SELECT e'\\\\', '\n-- rokso:bogus\n';",
      "SELECT \"a\"\"\n-- rokso:bogus\n\";",
      "CREATE FUNCTION f() RETURNS int AS $$\n-- rokso:bogus\nSELECT 1 $$ LANGUAGE sql;",
      "CREATE FUNCTION f() RETURNS int AS $body$\n$$\n-- rokso:bogus\n$body$ LANGUAGE sql;",
      "CREATE FUNCTION f() RETURNS int AS $\xC3\xA9$\n-- rokso:bogus\n$\xC3\xA9$ LANGUAGE sql;",
      "SELECT 1$$\n-- rokso:bogus\n$$;",  // after a number, $$ starts a dollar quote
      "/*\n-- rokso:bogus\n*/",
      "/* /* */\n-- rokso:bogus\n*/",
      "SELECT 'unterminated\n-- rokso:bogus\n",
      "SELECT $$unterminated\n-- rokso:bogus\n",
      "/* unterminated\n-- rokso:bogus\n",
  };
  for (const std::string& sql : texts) {
    BOOST_TEST_CONTEXT(sql) {
      try {
        const rokso::Migration m = read_pair(sql);
        BOOST_TEST(m.transactional);
        BOOST_TEST(m.apply_sql == sql);
      } catch (const rokso::FormatError& e) {
        BOOST_ERROR("refused: " << e.what());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(lines_after_sql_text_count_again) {
  const std::vector<std::string> texts = {
      "SELECT 'a\n';\n-- rokso:no-transaction\n",
      "SELECT E'\\'';\n-- rokso:no-transaction\n",
      "SELECT 'x' 'y', 'E''';\n-- rokso:no-transaction\n",  // '' inside, then a plain E
      "SELECT \"E\"'a';\n-- rokso:no-transaction\n",
      "SELECT $1, $2;\n-- rokso:no-transaction\n",            // parameters, not dollar quotes
      "SELECT a$b$c FROM t;\n-- rokso:no-transaction\n",      // $ inside an identifier
      "SELECT a$$, _$x$ FROM t;\n-- rokso:no-transaction\n",
      "DO $x$ BEGIN END $x$;\n-- rokso:no-transaction\n",
      "DO $$ $x$ $$;\n-- rokso:no-transaction\n",
      "/* a /* b */ c */\n-- rokso:no-transaction\n",
      "SELECT 1; -- it's\n-- rokso:no-transaction\n",       // a quote inside a comment
      "SELECT 1 /* it's */;\n-- rokso:no-transaction\n",
      "SELECT 'a'\n-- rokso:no-transaction\n",
  };
  for (const std::string& sql : texts) {
    BOOST_TEST_CONTEXT(sql) {
      try {
        BOOST_TEST(!read_pair(sql).transactional);
      } catch (const rokso::FormatError& e) {
        BOOST_ERROR("refused: " << e.what());
      }
    }
  }
  // A CR ends a -- comment, as in PostgreSQL, but lines end at LF only: a "-- rokso:"
  // after a lone CR is not at the start of a line.
  BOOST_TEST(read_pair("SELECT 1; -- a\r-- rokso:bogus\n").transactional);
  BOOST_TEST(!read_pair("SELECT 1; -- it's\r\n-- rokso:no-transaction\n").transactional);
}

BOOST_AUTO_TEST_CASE(unknown_directives_are_errors) {
  CHECK_FAILURE(failure_of("SELECT 1;\n  -- rokso:no_transaction\n"), 2, 12,
                "unknown directive 'rokso:no_transaction': the directives are no-transaction, requires and description");
  CHECK_FAILURE(failure_of("-- rokso:No-Transaction"), 1, 10,
                "unknown directive 'rokso:No-Transaction': the directives are no-transaction, requires and description");
  CHECK_FAILURE(failure_of("--rokso:require x"), 1, 9,
                "unknown directive 'rokso:require': the directives are no-transaction, requires and description");
  CHECK_FAILURE(failure_of("\xC3\xA9\n\t--\trokso:x"), 2, 11,
                "unknown directive 'rokso:x': the directives are no-transaction, requires and description");
}

BOOST_AUTO_TEST_CASE(malformed_directives_are_errors) {
  CHECK_FAILURE(failure_of("-- rokso:"), 1, 10,
                "expected a directive name after 'rokso:' (no-transaction, requires or description)");
  CHECK_FAILURE(failure_of("-- rokso: no-transaction"), 1, 10,
                "expected a directive name after 'rokso:' (no-transaction, requires or description)");
  CHECK_FAILURE(failure_of("-- rokso:requires\n"), 1, 18,
                "'rokso:requires' needs an identity; write '-- rokso:requires <identity>'");
  CHECK_FAILURE(failure_of("-- rokso:requires  \t \r\n"), 1, 22,
                "'rokso:requires' needs an identity; write '-- rokso:requires <identity>'");
  CHECK_FAILURE(failure_of("-- rokso:requires=a.sql"), 1, 18,
                "expected a blank after 'rokso:requires'; write '-- rokso:requires <identity>'");
  CHECK_FAILURE(failure_of("-- rokso:description"), 1, 21,
                "'rokso:description' needs a text; write '-- rokso:description <text>'");
  CHECK_FAILURE(failure_of("-- rokso:description: x"), 1, 21,
                "expected a blank after 'rokso:description'; write '-- rokso:description <text>'");
  CHECK_FAILURE(failure_of("-- rokso:no-transaction please"), 1, 25, "unexpected text after 'rokso:no-transaction'");
  CHECK_FAILURE(failure_of("-- rokso:no-transaction!"), 1, 24, "unexpected text after 'rokso:no-transaction'");
  CHECK_FAILURE(failure_of("-- rokso:requires a\rb"), 1, 20, "control character U+000D in 'rokso:requires'");
  CHECK_FAILURE(failure_of("-- rokso:description a\x1b"), 1, 23, "control character U+001B in 'rokso:description'");
  CHECK_FAILURE(failure_of("-- rokso:description a\x7f"), 1, 23, "control character U+007F in 'rokso:description'");
  CHECK_FAILURE(failure_of("-- rokso:description a\n\n-- rokso:description b\n"), 3, 10,
                "a second 'rokso:description' (the first is on line 1)");
}

BOOST_AUTO_TEST_CASE(the_first_error_wins) {
  CHECK_FAILURE(failure_of("-- rokso:x\n-- rokso:y\n"), 1, 10,
                "unknown directive 'rokso:x': the directives are no-transaction, requires and description");
}

BOOST_AUTO_TEST_CASE(read_directives_alone) {
  const rokso::sql::Directives d = read_directives("-- rokso:description d\n-- rokso:requires r\n");
  BOOST_TEST(d.has_description);
  BOOST_TEST(d.description == "d");
  BOOST_TEST(d.requires_identities.size() == 1u);
  BOOST_TEST(!d.no_transaction);
  BOOST_TEST(!read_directives("").has_description);
  BOOST_TEST(rokso::sql::first_directive_line("a\n'\n-- rokso:x\n'\n -- rokso:y") == 5);
  BOOST_TEST(rokso::sql::first_directive_line("-- rokso") == 0);
}

BOOST_AUTO_TEST_SUITE_END()

// =====================================================================================
BOOST_AUTO_TEST_SUITE(file_names)

BOOST_AUTO_TEST_CASE(pairs) {
  using rokso::sql::apply_file_name_for;
  using rokso::sql::rollback_file_name_for;
  BOOST_TEST(rollback_file_name_for("2024_01_01__00_00_00_t.apply.sql") == "2024_01_01__00_00_00_t.rollback.sql");
  BOOST_TEST(rollback_file_name_for("x.up.sql") == "x.down.sql");
  BOOST_TEST(rollback_file_name_for("x.sql") == "");
  BOOST_TEST(rollback_file_name_for("x.rollback.sql") == "");
  BOOST_TEST(apply_file_name_for("x.rollback.sql") == "x.apply.sql");
  BOOST_TEST(apply_file_name_for("x.down.sql") == "x.up.sql");
  BOOST_TEST(apply_file_name_for("x.apply.sql") == "");
  BOOST_TEST(apply_file_name_for("x.sql") == "");
}

BOOST_AUTO_TEST_SUITE_END()
