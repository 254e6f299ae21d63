#include "core/revision_id.hpp"

#include <boost/test/unit_test.hpp>

#include <unordered_set>

BOOST_AUTO_TEST_SUITE(revision_id)

BOOST_AUTO_TEST_CASE(fresh_ids_are_eight_lowercase_hex) {
  for (int i = 0; i < 1000; ++i) {
    const std::string id = rokso::new_revision_id([](const std::string&) { return false; });
    BOOST_TEST(rokso::is_revision_id(id), id);
  }
}

BOOST_AUTO_TEST_CASE(fresh_ids_avoid_taken_ones) {
  std::unordered_set<std::string> taken;
  for (int i = 0; i < 2000; ++i) {
    const std::string id = rokso::new_revision_id([&taken](const std::string& candidate) { return taken.count(candidate) > 0; });
    BOOST_TEST(!taken.count(id));
    taken.insert(id);
  }
}

BOOST_AUTO_TEST_CASE(shape_check) {
  BOOST_TEST(rokso::is_revision_id("b23b4a2d"));
  BOOST_TEST(!rokso::is_revision_id("B23B4A2D"));
  BOOST_TEST(!rokso::is_revision_id("b23b4a2"));
  BOOST_TEST(!rokso::is_revision_id("b23b4a2d0"));
  BOOST_TEST(!rokso::is_revision_id("g23b4a2d"));
  BOOST_TEST(!rokso::is_revision_id("' OR 1=1"));
}

BOOST_AUTO_TEST_SUITE_END()
