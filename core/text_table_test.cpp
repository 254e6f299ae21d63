#include "core/text_table.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(text_table)

// The empty history table, byte for byte as roksopsql's status printed it.
BOOST_AUTO_TEST_CASE(empty_table_matches_roksopsql) {
  rokso::TextTable t({"id", "filename", "version", "status", "scheduledat", "executedat"});
  BOOST_TEST(t.render() ==
             "id    filename    version    status    scheduledat    executedat\n"
             "----  ----------  ---------  --------  -------------  ------------\n");
}

BOOST_AUTO_TEST_CASE(numbers_align_right_text_left) {
  rokso::TextTable t({"id", "filename", "version"});
  t.add_row({"1", "offline/200.tables/a.py", "b23b4a2d"});
  t.add_row({"12", "x.py", "22d0747c"});
  BOOST_TEST(t.render() ==
             "  id  filename                 version\n"
             "----  -----------------------  ---------\n"
             "   1  offline/200.tables/a.py  b23b4a2d\n"
             "  12  x.py                     22d0747c\n");
}

BOOST_AUTO_TEST_CASE(pending_table_matches_roksopsql) {
  rokso::TextTable t({"filename", "version", "status"});
  t.add_row({"online/200.tables/website_user/2021_03_29__19_37_31_create_table_website_user.py", "NA", "pending"});
  const std::string rendered = t.render();
  BOOST_TEST(rendered.find("version    status") != std::string::npos);
  BOOST_TEST(rendered.find("  NA         pending\n") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(wide_and_combining_characters_take_their_columns) {
  BOOST_TEST(rokso::display_width("表格") == 4u);              // CJK: two columns each
  BOOST_TEST(rokso::display_width("e\xCC\x81") == 1u);          // e + combining acute
  BOOST_TEST(rokso::display_width("\xED\x95\x9C") == 2u);       // Hangul syllable
  BOOST_TEST(rokso::display_width("\xE2\x9C\x85 ok") == 5u);    // a wide emoji
  BOOST_TEST(rokso::display_width("a\xE2\x80\x8B" "b") == 2u);     // zero-width space
  BOOST_TEST(rokso::display_width("\xFF\xC3") == 2u);           // not UTF-8: one per byte
  rokso::TextTable t({"name", "v"});
  t.add_row({"用户表", "1"});
  t.add_row({"cafe\xCC\x81", "2"});
  BOOST_TEST(t.render() ==
             "name      v\n"
             "------  ---\n"
             "用户表    1\n"
             "cafe\xCC\x81      2\n");
}

BOOST_AUTO_TEST_CASE(unicode_is_measured_in_code_points) {
  BOOST_TEST(rokso::display_width("añb€") == 4u);
  rokso::TextTable t({"name"});
  t.add_row({"ñññññññ"});
  BOOST_TEST(t.render() == "name\n-------\nñññññññ\n");
}

BOOST_AUTO_TEST_SUITE_END()
