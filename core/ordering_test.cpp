#include "core/ordering.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(ordering)

// roksopsql's order: schema, then kind rank, then object, then timestamp.
BOOST_AUTO_TEST_CASE(roksopsql_order_is_by_relative_path) {
  std::vector<std::string> ids = {
      "online/200.tables/website_user/2021_03_29__19_37_31_create_table_website_user.py",
      "offline/500.functions/generate_booking_number/2021_03_29__19_34_09_create_function.py",
      "offline/200.tables/user_master/2021_03_29__19_14_28_create_table_user_master.py",
      "offline/100.database_types/mood/2022_01_01__00_00_00_create_type.py",
      "offline/200.tables/user_master/2021_03_28__10_00_00_earlier.py",
  };
  rokso::roksopsql_order()->sort(ids);
  BOOST_TEST(ids[0] == "offline/100.database_types/mood/2022_01_01__00_00_00_create_type.py");
  BOOST_TEST(ids[1] == "offline/200.tables/user_master/2021_03_28__10_00_00_earlier.py");
  BOOST_TEST(ids[2] == "offline/200.tables/user_master/2021_03_29__19_14_28_create_table_user_master.py");
  BOOST_TEST(ids[3] == "offline/500.functions/generate_booking_number/2021_03_29__19_34_09_create_function.py");
  BOOST_TEST(ids[4] == "online/200.tables/website_user/2021_03_29__19_37_31_create_table_website_user.py");
  BOOST_TEST(rokso::roksopsql_order()->before(ids[0], ids[1]));
  BOOST_TEST(!rokso::roksopsql_order()->before(ids[1], ids[0]));
}

BOOST_AUTO_TEST_SUITE_END()
