#include "core/transaction_mode.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(transaction_mode)

BOOST_AUTO_TEST_CASE(finds_statements_that_refuse_a_transaction_block) {
  const auto found = rokso::statements_refusing_transactions(
      "CREATE TABLE t (x int);\n"
      "CREATE INDEX CONCURRENTLY i ON t (x);\n"
      "DROP INDEX CONCURRENTLY i;\n"
      "REINDEX (CONCURRENTLY) TABLE t;\n"
      "REINDEX INDEX CONCURRENTLY i;\n"
      "VACUUM t;\n"
      "ANALYZE t;\n"
      "CREATE DATABASE d;\n"
      "ALTER SYSTEM SET work_mem = '8MB';\n"
      "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;\n");
  BOOST_TEST_REQUIRE(found.size() == 8u);
  BOOST_TEST(found[0] == "CREATE INDEX CONCURRENTLY (line 2)");
  BOOST_TEST(found[1] == "DROP INDEX CONCURRENTLY (line 3)");
  BOOST_TEST(found[2] == "REINDEX CONCURRENTLY (line 4)");
  BOOST_TEST(found[3] == "REINDEX CONCURRENTLY (line 5)");
  BOOST_TEST(found[4] == "VACUUM (line 6)");
  BOOST_TEST(found[5] == "CREATE DATABASE (line 8)");
  BOOST_TEST(found[6] == "ALTER SYSTEM (line 9)");
  BOOST_TEST(found[7] == "DETACH PARTITION CONCURRENTLY (line 10)");
}

BOOST_AUTO_TEST_CASE(an_enum_value_added_and_used_in_one_migration_needs_its_own_commit) {
  const auto found = rokso::statements_refusing_transactions(
      "ALTER TYPE mood ADD VALUE 'it''s ok';\n"
      "CREATE TABLE t (m mood DEFAULT 'it''s ok');\n");
  BOOST_TEST_REQUIRE(found.size() == 1u);
  BOOST_TEST(found[0] == "ALTER TYPE ... ADD VALUE 'it''s ok' (line 1) used by a later statement (line 2)");
  // Added but not used here, or only renamed: one transaction is fine.
  BOOST_TEST(rokso::statements_refusing_transactions("ALTER TYPE mood ADD VALUE 'x';\nCREATE TABLE u (y int);").empty());
  BOOST_TEST(rokso::statements_refusing_transactions(
                 "ALTER TYPE mood RENAME VALUE 'a' TO 'b';\nSELECT 'b'::mood;").empty());
}

BOOST_AUTO_TEST_CASE(ordinary_and_unparsable_scripts_stay_transactional) {
  BOOST_TEST(rokso::statements_refusing_transactions("CREATE INDEX i ON t (x); DROP INDEX i; ANALYZE t;").empty());
  BOOST_TEST(rokso::statements_refusing_transactions("SELECT 'CREATE INDEX CONCURRENTLY'").empty());
  BOOST_TEST(rokso::statements_refusing_transactions("CREATE INDEX CONCURRENTLY oops(").empty());
  // Hidden inside a function body it is the function's business, not the migration's.
  BOOST_TEST(rokso::statements_refusing_transactions(
                 "DO $$ BEGIN EXECUTE 'VACUUM t'; END $$").empty());
}

BOOST_AUTO_TEST_CASE(detection_marks_the_migration_and_says_why) {
  rokso::Migration m;
  m.apply_sql = "\n\nCREATE INDEX CONCURRENTLY i ON t (x);";
  rokso::detect_transaction_mode(m);
  BOOST_TEST(!m.transactional);
  BOOST_TEST_REQUIRE(m.notes.size() == 1u);
  BOOST_TEST(m.notes[0].find("CREATE INDEX CONCURRENTLY (line 3)") != std::string::npos);

  rokso::Migration plain;
  plain.apply_sql = "CREATE TABLE t (x int);";
  rokso::detect_transaction_mode(plain);
  BOOST_TEST(plain.transactional);
  BOOST_TEST(plain.notes.empty());
}

BOOST_AUTO_TEST_CASE(keywords_are_found_in_any_case_and_scripts_without_them_refuse_nothing) {
  // Scripts without any refusing keyword are not parsed (the common case, fast); the
  // keywords in any case still are.
  BOOST_TEST(rokso::statements_refusing_transactions("CREATE TABLE t (x int); CREATE INDEX i ON t (x);").empty());
  const auto found = rokso::statements_refusing_transactions("create index CoNcUrReNtLy i on t (x);\nVaCuUm t;");
  BOOST_TEST_REQUIRE(found.size() == 2u);
  BOOST_TEST(found[0] == "CREATE INDEX CONCURRENTLY (line 1)");
  BOOST_TEST(found[1] == "VACUUM (line 2)");
  const auto enum_value = rokso::statements_refusing_transactions(
      "ALTER TYPE mood ADD VaLuE 'meh';\nINSERT INTO t VALUES ('meh');");
  BOOST_TEST(enum_value.size() == 1u);
  // A keyword ends where an identifier would: VALUE'x' and VALUE/**/ are the keyword,
  // VALUES is not (and an INSERT alone is not parsed).
  BOOST_TEST(rokso::statements_refusing_transactions("ALTER TYPE mood ADD VALUE'meh';\nSELECT 'meh'::mood;").size() == 1u);
  BOOST_TEST(rokso::statements_refusing_transactions("ALTER TYPE mood ADD VALUE/**/'meh';\nSELECT 'meh'::mood;").size() == 1u);
  BOOST_TEST(rokso::statements_refusing_transactions("INSERT INTO t VALUES ('meh'); VACUUM").size() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
