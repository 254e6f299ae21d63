#include "core/byte_order.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

BOOST_AUTO_TEST_SUITE(byte_order)

namespace {

// What byte_order() must give: a stable sort with operator<.
std::vector<std::uint32_t> expected(const std::vector<std::string>& keys) {
  std::vector<std::uint32_t> order(keys.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
  std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
  return order;
}

std::vector<std::uint32_t> sorted(const std::vector<std::string>& keys) {
  return rokso::byte_order(std::vector<std::string_view>(keys.begin(), keys.end()));
}

}  // namespace

BOOST_AUTO_TEST_CASE(edge_cases) {
  BOOST_TEST(sorted({}).empty());
  BOOST_TEST((sorted({"a"}) == std::vector<std::uint32_t>{0}));
  // Prefixes, empty keys, NUL bytes (a key that ends inside a window ties, zero-padded,
  // with one that goes on with zeros), bytes above 0x7f (unsigned: after ASCII), and
  // duplicates, which keep their order.
  const std::vector<std::string> keys = {
      "b", "", "a", std::string("a\0", 2), std::string("a\0\0", 3), "a\x80", "a\x7f", "ab", "a", "",
      std::string(40, 'x'), std::string(40, 'x') + "a", std::string(39, 'x'), std::string(16, 'x'),
      std::string(16, 'x') + std::string(1, '\0'), std::string(17, 'x'), "\xff", "\xc3\xa9", "a\0b"};
  BOOST_TEST(sorted(keys) == expected(keys), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(random_keys_with_long_shared_prefixes) {
  std::mt19937 random(20261204);
  const std::vector<std::string> prefixes = {"offline/200.tables/users/2021_03_29__19_14_28_",
                                             "offline/200.tables/users/2021_03_29__19_14_2",
                                             "online/200.tables/website_user/", "offline/", "",
                                             std::string(31, 'p'), std::string(32, 'p'), std::string(33, 'p')};
  for (int round = 0; round < 50; ++round) {
    std::vector<std::string> keys;
    const int n = 1 + static_cast<int>(random() % 400);
    for (int i = 0; i < n; ++i) {
      std::string key = prefixes[random() % prefixes.size()];
      const int tail = static_cast<int>(random() % 24);
      for (int c = 0; c < tail; ++c) key += "ab_\x01\xfe."[random() % 6];
      if (random() % 10 == 0 && !keys.empty()) key = keys[random() % keys.size()];  // a duplicate
      keys.push_back(key);
    }
    BOOST_TEST_REQUIRE(sorted(keys) == expected(keys), "round " << round);
  }
}

BOOST_AUTO_TEST_SUITE_END()
