#include "core/dependency_order.hpp"

#include "core/error.hpp"

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace {

using Requires = std::map<std::string, std::vector<std::string>>;

// The identities of `base` (in base order) in dependency order.
std::vector<std::string> ordered(const std::vector<std::string>& base, const Requires& requires_of = {},
                                 const std::set<std::string>& applied = {}) {
  std::vector<rokso::DependencyNode> nodes;
  for (const std::string& id : base) {
    const auto found = requires_of.find(id);
    nodes.push_back({id, found == requires_of.end() ? nullptr : &found->second});
  }
  const std::vector<std::size_t> order =
      rokso::dependency_order(nodes, [&applied](std::string_view id) { return applied.count(std::string(id)) > 0; });
  std::vector<std::string> result;
  for (std::size_t i : order) result.push_back(base[i]);
  return result;
}

// The message of the rokso::Error that ordering throws (and that it is exit 1).
std::string failure_of(const std::vector<std::string>& base, const Requires& requires_of,
                       const std::set<std::string>& applied = {}) {
  try {
    ordered(base, requires_of, applied);
  } catch (const rokso::Error& e) {
    BOOST_TEST(e.exit_code() == rokso::kExitFailed);
    return e.what();
  }
  BOOST_FAIL("no error thrown");
  return "";
}

const std::vector<std::string> kBase = {"a", "b", "c", "d", "e", "f"};

}  // namespace

BOOST_AUTO_TEST_SUITE(dependency_order)

BOOST_AUTO_TEST_CASE(without_requires_the_base_order_is_kept) {
  BOOST_TEST(ordered(kBase) == kBase);
  BOOST_TEST(ordered({}).empty());
  BOOST_TEST(ordered({"only"}) == std::vector<std::string>{"only"});
}

BOOST_AUTO_TEST_CASE(requires_already_satisfied_change_nothing) {
  // Every file requires every file before it (what remap writes), plus applied ones.
  Requires all_before;
  for (std::size_t i = 0; i < kBase.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) all_before[kBase[i]].push_back(kBase[j]);
    all_before[kBase[i]].push_back("old");
    all_before[kBase[i]].push_back("old");  // duplicates are harmless
  }
  BOOST_TEST(ordered(kBase, all_before, {"old"}) == kBase);
}

BOOST_AUTO_TEST_CASE(a_file_waits_for_what_it_requires) {
  // b requires e: b goes right after e; the files between keep their order.
  BOOST_TEST(ordered(kBase, {{"b", {"e"}}}) == (std::vector<std::string>{"a", "c", "d", "e", "b", "f"}));
  // the first file requires the last
  BOOST_TEST(ordered(kBase, {{"a", {"f"}}}) == (std::vector<std::string>{"b", "c", "d", "e", "f", "a"}));
}

BOOST_AUTO_TEST_CASE(chains) {
  // a requires c requires e: e, then c, then a, each as soon as it can go.
  BOOST_TEST(ordered(kBase, {{"a", {"c"}}, {"c", {"e"}}}) == (std::vector<std::string>{"b", "d", "e", "c", "a", "f"}));
  // A reversed chain: f first, then e ... then a.
  BOOST_TEST(ordered(kBase, {{"a", {"b"}}, {"b", {"c"}}, {"c", {"d"}}, {"d", {"e"}}, {"e", {"f"}}}) ==
             (std::vector<std::string>{"f", "e", "d", "c", "b", "a"}));
}

BOOST_AUTO_TEST_CASE(diamonds) {
  // a requires b and c, both require d.
  BOOST_TEST(ordered(kBase, {{"a", {"b", "c"}}, {"b", {"d"}}, {"c", {"d"}}}) ==
             (std::vector<std::string>{"d", "b", "c", "a", "e", "f"}));
  // The order of a requires list does not matter.
  BOOST_TEST(ordered(kBase, {{"a", {"c", "b"}}, {"b", {"d"}}, {"c", {"d"}}}) ==
             (std::vector<std::string>{"d", "b", "c", "a", "e", "f"}));
}

BOOST_AUTO_TEST_CASE(cross_schema_requires_move_a_file_earlier) {
  const std::vector<std::string> base = {
      "offline/100.database_types/mood/2021_01_01__00_00_00_mood.py",
      "offline/200.tables/orders/2021_01_01__00_00_00_orders.yaml",
      "offline/500.functions/f/2021_01_01__00_00_00_f.py",
      "online/100.database_types/currency/2021_01_01__00_00_00_currency.apply.sql",
      "online/200.tables/users/2021_01_01__00_00_00_users.py",
      "online/300.views/v/2021_01_01__00_00_00_v.py",
  };
  // offline's orders references online's users, which references online's currency.
  const Requires req = {{base[1], {base[4]}}, {base[4], {base[3]}}};
  BOOST_TEST(ordered(base, req) == (std::vector<std::string>{base[0], base[2], base[3], base[4], base[1], base[5]}));
  // Once users is applied, orders keeps its place.
  const std::vector<std::string> pending = {base[0], base[1], base[2], base[5]};
  BOOST_TEST(ordered(pending, req, {base[3], base[4]}) == pending);
}

BOOST_AUTO_TEST_CASE(unknown_requirement_is_named) {
  BOOST_TEST(failure_of(kBase, {{"c", {"a", "nowhere"}}}) ==
             "'c' requires 'nowhere', which is not under migration/ and not applied");
  // applied is fine, and so is a requirement that is itself pending (it goes first)
  BOOST_TEST(ordered(kBase, {{"c", {"a", "nowhere"}}}, {"nowhere"}) == kBase);
  // without a predicate nothing outside the set is settled
  std::vector<std::string> req = {"x"};
  std::vector<rokso::DependencyNode> nodes = {{"a", &req}};
  BOOST_CHECK_THROW(rokso::dependency_order(nodes, nullptr), rokso::Error);
}

BOOST_AUTO_TEST_CASE(self_requirement) {
  BOOST_TEST(failure_of(kBase, {{"d", {"d"}}}) == "'d' requires itself");
}

BOOST_AUTO_TEST_CASE(cycle_names_the_path) {
  // e → b → d → e, with a and f waiting behind it and c free.
  BOOST_TEST(failure_of(kBase, {{"d", {"e"}}, {"b", {"d"}}, {"e", {"b"}}, {"a", {"e"}}, {"f", {"a"}}}) ==
             "dependency cycle: b → d → e → b (each file requires the next)");
  BOOST_TEST(failure_of(kBase, {{"a", {"b"}}, {"b", {"a"}}}) ==
             "dependency cycle: a → b → a (each file requires the next)");
  // Only the cycle is named, not the files that merely wait on it.
  BOOST_TEST(failure_of(kBase, {{"a", {"c"}}, {"c", {"f"}}, {"f", {"e"}}, {"e", {"f"}}}) ==
             "dependency cycle: e → f → e (each file requires the next)");
}

BOOST_AUTO_TEST_CASE(a_long_cycle_is_shortened) {
  std::vector<std::string> base;
  Requires req;
  for (char c = 'a'; c <= 'z'; ++c) base.push_back(std::string(1, c));
  for (std::size_t i = 0; i < base.size(); ++i) req[base[i]] = {base[(i + 1) % base.size()]};
  BOOST_TEST(failure_of(base, req) ==
             "dependency cycle: a → b → c → d → e → f → g → h → i → j → … (15 more) → z → a (each file requires the next)");
}

BOOST_AUTO_TEST_CASE(listed_twice) {
  BOOST_CHECK_THROW(ordered({"a", "a"}), rokso::Error);
}

// 100,000 files in two interleaved groups, each file requiring the five before it in its
// group, and every hundredth even one also a file of the other group 51 positions later:
// runs in O((N + E) log N), and the result is a valid order.
BOOST_AUTO_TEST_CASE(hundred_thousand_files) {
  constexpr std::size_t n = 100000;
  std::vector<std::string> ids(n);
  char buffer[64];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(buffer, sizeof buffer, "s/200.tables/t%06zu/2021_01_01__00_00_00_x.py", i);
    ids[i] = buffer;
  }
  std::vector<std::vector<std::string>> req(n);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 2; k <= 10 && k <= i; k += 2) req[i].push_back(ids[i - k]);
    if (i % 100 == 0 && i + 51 < n) req[i].push_back(ids[i + 51]);
  }
  std::vector<rokso::DependencyNode> nodes;
  for (std::size_t i = 0; i < n; ++i) nodes.push_back({ids[i], &req[i]});
  const std::vector<std::size_t> order = rokso::dependency_order(nodes, nullptr);
  BOOST_REQUIRE(order.size() == n);
  std::vector<std::size_t> place(n);
  for (std::size_t k = 0; k < n; ++k) place[order[k]] = k;
  bool valid = true;
  for (std::size_t i = 0; i < n; ++i) {
    for (const std::string& r : req[i]) {
      const std::size_t j = static_cast<std::size_t>(std::lower_bound(ids.begin(), ids.end(), r) - ids.begin());
      if (place[j] >= place[i]) valid = false;
    }
  }
  BOOST_TEST(valid);

  // And without requires, 100,000 files come back in base order.
  std::vector<rokso::DependencyNode> plain;
  for (std::size_t i = 0; i < n; ++i) plain.push_back({ids[i], nullptr});
  const std::vector<std::size_t> same = rokso::dependency_order(plain, nullptr);
  bool identity = true;
  for (std::size_t i = 0; i < n; ++i) identity = identity && same[i] == i;
  BOOST_TEST(identity);
}

BOOST_AUTO_TEST_SUITE_END()
