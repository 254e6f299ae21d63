#include "core/ignore_rules.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(ignore_rules)

BOOST_AUTO_TEST_CASE(no_patterns_ignore_nothing) {
  const rokso::IgnoreRules rules;
  BOOST_TEST(!rules.ignores_file("offline/x.sql", "x.sql"));
  BOOST_TEST(!rules.ignores_directory("offline", "offline"));
}

BOOST_AUTO_TEST_CASE(a_name_pattern_matches_at_any_depth) {
  const rokso::IgnoreRules rules({"*.mig"});
  BOOST_TEST(rules.ignores_file("a.mig", "a.mig"));
  BOOST_TEST(rules.ignores_file("offline/200.tables/t/a.mig", "a.mig"));
  BOOST_TEST(!rules.ignores_file("offline/200.tables/t/a.mig.py", "a.mig.py"));
  BOOST_TEST(rules.ignores_directory("offline/x.mig", "x.mig"));
}

BOOST_AUTO_TEST_CASE(a_path_pattern_is_anchored_and_star_stays_in_one_directory) {
  const rokso::IgnoreRules rules({"offline/*.sql"});
  BOOST_TEST(rules.ignores_file("offline/x.sql", "x.sql"));
  BOOST_TEST(!rules.ignores_file("offline/200.tables/x.sql", "x.sql"));
  BOOST_TEST(!rules.ignores_file("online/offline/x.sql", "x.sql"));
}

BOOST_AUTO_TEST_CASE(a_trailing_slash_matches_directories_only) {
  const rokso::IgnoreRules rules({"drafts/", "offline/legacy/"});
  BOOST_TEST(rules.ignores_directory("offline/drafts", "drafts"));
  BOOST_TEST(!rules.ignores_file("offline/drafts", "drafts"));
  BOOST_TEST(rules.ignores_directory("offline/legacy", "legacy"));
  BOOST_TEST(!rules.ignores_directory("online/legacy", "legacy"));
}

BOOST_AUTO_TEST_CASE(documentation_is_not_a_migration) {
  BOOST_TEST(rokso::IgnoreRules::is_documentation("README"));
  BOOST_TEST(rokso::IgnoreRules::is_documentation("README.txt"));
  BOOST_TEST(rokso::IgnoreRules::is_documentation("NOTES.md"));
  BOOST_TEST(!rokso::IgnoreRules::is_documentation("x.md.py"));
  BOOST_TEST(!rokso::IgnoreRules::is_documentation(".md"));
  BOOST_TEST(!rokso::IgnoreRules::is_documentation("readme.sql"));
}

BOOST_AUTO_TEST_SUITE_END()
