#include "core/database.hpp"

#include <rokso/sql_identifier.hpp>

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(sql_identifier)

BOOST_AUTO_TEST_CASE(quotes_only_when_needed) {
  BOOST_TEST(rokso::quote_identifier("user_master") == "user_master");
  BOOST_TEST(rokso::quote_identifier("_x1") == "_x1");
  BOOST_TEST(rokso::quote_identifier("UserMaster") == "\"UserMaster\"");
  BOOST_TEST(rokso::quote_identifier("user") == "\"user\"");
  BOOST_TEST(rokso::quote_identifier("table") == "\"table\"");
  BOOST_TEST(rokso::quote_identifier("1abc") == "\"1abc\"");
  BOOST_TEST(rokso::quote_identifier("with space") == "\"with space\"");
  BOOST_TEST(rokso::quote_identifier("we\"ird") == "\"we\"\"ird\"");
  BOOST_TEST(rokso::quote_identifier("café") == "\"café\"");
  BOOST_TEST(rokso::qualified_name("offline", "order") == "offline.\"order\"");
}

// roksopsql spliced names unquoted, so PostgreSQL folded plain ones to lower case.
BOOST_AUTO_TEST_CASE(version_table_names_resolve_as_roksopsql_did) {
  BOOST_TEST(rokso::compatible_identifier("offline") == "\"offline\"");
  BOOST_TEST(rokso::compatible_identifier("Offline") == "\"offline\"");
  BOOST_TEST(rokso::compatible_identifier("my schema") == "\"my schema\"");
  BOOST_TEST(rokso::compatible_identifier("a\"b") == "\"a\"\"b\"");
}

BOOST_AUTO_TEST_SUITE_END()
