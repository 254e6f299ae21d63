#include "core/ordering.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

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
  const auto order = rokso::roksopsql_order();
  // application_order() (byte order, core/byte_order.hpp) and the default one, a stable
  // sort with before(), agree.
  const std::vector<std::string_view> views(ids.begin(), ids.end());
  const std::vector<std::uint32_t> in_order = order->application_order(views);
  BOOST_TEST((in_order == order->MigrationOrder::application_order(views)));
  BOOST_TEST((in_order == std::vector<std::uint32_t>{3, 4, 2, 1, 0}));
  BOOST_TEST(ids[in_order[0]] == "offline/100.database_types/mood/2022_01_01__00_00_00_create_type.py");
  BOOST_TEST(ids[in_order[4]] == "online/200.tables/website_user/2021_03_29__19_37_31_create_table_website_user.py");
  BOOST_TEST(order->before(ids[3], ids[4]));
  BOOST_TEST(!order->before(ids[4], ids[3]));
}

BOOST_AUTO_TEST_SUITE_END()
