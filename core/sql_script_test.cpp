#include "core/sql_script.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(sql_script)

BOOST_AUTO_TEST_CASE(splits_on_semicolons_outside_strings_and_bodies) {
  const std::string sql =
      "-- leading comment\n"
      "CREATE TABLE a (x text DEFAULT ';');\n"
      "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$;\n"
      "/* block; comment */ SELECT 1";
  auto statements = rokso::split_sql(sql);
  BOOST_TEST_REQUIRE(statements.size() == 3u);
  BOOST_TEST(statements[0].text == "CREATE TABLE a (x text DEFAULT ';')");
  BOOST_TEST(statements[1].text == "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$ BEGIN RETURN 1; END; $$");
  BOOST_TEST(statements[2].text == "SELECT 1");
}

BOOST_AUTO_TEST_CASE(blank_scripts) {
  BOOST_TEST(rokso::is_blank_sql(""));
  BOOST_TEST(rokso::is_blank_sql("  \n-- nothing\n/* at all */ ;\n"));
  BOOST_TEST(!rokso::is_blank_sql("-- x\nSELECT 1"));
  BOOST_TEST(rokso::split_sql(" ; ;\n").empty());
}

BOOST_AUTO_TEST_CASE(unsplittable_script_stays_whole_for_the_server_to_judge) {
  auto statements = rokso::split_sql("SELECT 'unterminated");
  BOOST_TEST_REQUIRE(statements.size() == 1u);
  BOOST_TEST(statements[0].text == "SELECT 'unterminated");
}

BOOST_AUTO_TEST_SUITE_END()
