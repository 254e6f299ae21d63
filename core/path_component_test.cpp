// encode_path_component / decode_path_component: database names as path components
// (rokso remap's migration/<schema>/<kind>/<object>/ tree).
#include "core/path_component.hpp"

#include <rokso/utf8.hpp>

#include <boost/test/unit_test.hpp>

#include <set>
#include <string>

namespace {

using rokso::decode_path_component;
using rokso::encode_path_component;

// Whether `s` is usable as one path component: not empty, no '/', no NUL, no control
// byte, not "." or "..", does not start with '.'.
bool safe_component(const std::string& s) {
  if (s.empty() || s == "." || s == ".." || s[0] == '.') return false;
  for (char c : s) {
    const auto b = static_cast<unsigned char>(c);
    if (c == '/' || b < 0x20 || b == 0x7F) return false;
  }
  return true;
}

void check_round_trip(const std::string& name) {
  const std::string encoded = encode_path_component(name);
  BOOST_TEST_INFO("name '" << name << "' encoded '" << encoded << "'");
  BOOST_TEST(safe_component(encoded));
  BOOST_TEST(rokso::valid_utf8(encoded));
  BOOST_TEST(decode_path_component(encoded) == name);
}

// A name of `n` copies of `unit`.
std::string repeat(const std::string& unit, std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += unit;
  return s;
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }

// The cut form: at most max bytes, "~" + 12 lowercase hex digits at the end.
void check_cut_form(const std::string& encoded, std::size_t max_bytes = rokso::kMaxNameBytes) {
  BOOST_TEST_INFO("encoded '" << encoded << "'");
  BOOST_TEST(encoded.size() <= max_bytes);
  BOOST_REQUIRE(encoded.size() >= 13);
  BOOST_TEST(encoded[encoded.size() - 13] == '~');
  for (std::size_t i = encoded.size() - 12; i < encoded.size(); ++i) BOOST_TEST(is_hex(encoded[i]));
  BOOST_TEST(rokso::valid_utf8(encoded));
  BOOST_TEST(safe_component(encoded));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(path_component)

BOOST_AUTO_TEST_CASE(plain_names_are_unchanged) {
  for (const char* name : {"orders", "user_master", "A", "x1", "add(integer, integer)", "a.b", "a..b", "-x", "~"}) {
    BOOST_TEST(encode_path_component(name) == name);
    check_round_trip(name);
  }
}

BOOST_AUTO_TEST_CASE(documented_examples) {
  BOOST_TEST(encode_path_component("a/b") == "a%2Fb");
  BOOST_TEST(encode_path_component(".hidden") == "%2Ehidden");
  BOOST_TEST(encode_path_component("100%") == "100%25");
  BOOST_TEST(encode_path_component("..") == "%2E.");
  BOOST_TEST(encode_path_component(".") == "%2E");
}

BOOST_AUTO_TEST_CASE(slash_and_percent) {
  BOOST_TEST(encode_path_component("/") == "%2F");
  BOOST_TEST(encode_path_component("//") == "%2F%2F");
  BOOST_TEST(encode_path_component("%2F") == "%252F");  // a name that looks encoded stays itself
  BOOST_TEST(encode_path_component("50% off") == "50%25 off");
  for (const char* name : {"a/b", "/", "%", "%%", "%2F", "%zz", "a%", "%4", "50% off/x", "/.."}) check_round_trip(name);
}

BOOST_AUTO_TEST_CASE(control_characters) {
  BOOST_TEST(encode_path_component(std::string("a\nb")) == "a%0Ab");
  BOOST_TEST(encode_path_component(std::string("\t")) == "%09");
  BOOST_TEST(encode_path_component(std::string("x\x7Fy")) == "x%7Fy");
  BOOST_TEST(encode_path_component(std::string("\x1F")) == "%1F");
  BOOST_TEST(encode_path_component(std::string("a\0b", 3)) == "a%00b");
  for (int b = 1; b < 0x20; ++b) check_round_trip(std::string("x") + static_cast<char>(b) + "y");
  check_round_trip(std::string("\0", 1));
  check_round_trip("\x7F");
  check_round_trip("line\r\nbreak");
}

BOOST_AUTO_TEST_CASE(leading_dot_only) {
  BOOST_TEST(encode_path_component(".x.y") == "%2Ex.y");
  BOOST_TEST(encode_path_component("x.") == "x.");
  check_round_trip(".");
  check_round_trip("..");
  check_round_trip("...");
  check_round_trip(".hidden");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_bytes) {
  BOOST_TEST(encode_path_component("\xFF") == "%FF");
  BOOST_TEST(encode_path_component("a\xC3") == "a%C3");          // truncated sequence
  BOOST_TEST(encode_path_component("\xC0\xAF") == "%C0%AF");     // overlong '/'
  BOOST_TEST(encode_path_component("\xED\xA0\x80") == "%ED%A0%80");  // a surrogate
  BOOST_TEST(encode_path_component("\x80x") == "%80x");          // a lone continuation byte
  for (const char* name : {"\xFF", "a\xC3", "\xC0\xAF", "\xED\xA0\x80", "\x80x", "\xF5\x80\x80\x80", "caf\xE9"}) {
    check_round_trip(name);
  }
}

BOOST_AUTO_TEST_CASE(unicode_spaces_and_quotes_kept) {
  for (const char* name : {"café", "menü", "Menü Übersicht", "日本語", "emoji 😀", "Sales Dept", "Quote\"Table",
                           "it's", " leading and trailing ", "a\\b", "*?<>|:"}) {
    BOOST_TEST(encode_path_component(name) == name);
    check_round_trip(name);
  }
}

BOOST_AUTO_TEST_CASE(decode_is_lenient) {
  // What encode never writes still decodes to something: a stray '%' stays.
  BOOST_TEST(decode_path_component("%") == "%");
  BOOST_TEST(decode_path_component("a%2") == "a%2");
  BOOST_TEST(decode_path_component("%zz") == "%zz");
  BOOST_TEST(decode_path_component("%2f") == "/");
  BOOST_TEST(decode_path_component("") == "");
}

BOOST_AUTO_TEST_CASE(at_the_limit_not_cut) {
  const std::string name = repeat("a", rokso::kMaxNameBytes);
  BOOST_TEST(encode_path_component(name) == name);
  // Encoding counts: 50 '/' are 150 bytes encoded, exactly the limit.
  const std::string slashes = repeat("/", rokso::kMaxNameBytes / 3);
  BOOST_TEST(encode_path_component(slashes) == repeat("%2F", rokso::kMaxNameBytes / 3));
  check_round_trip(slashes);
}

BOOST_AUTO_TEST_CASE(long_names_are_cut) {
  const std::string name = repeat("a", rokso::kMaxNameBytes + 1);
  const std::string encoded = encode_path_component(name);
  check_cut_form(encoded);
  BOOST_TEST(encoded.compare(0, encoded.size() - 13, repeat("a", encoded.size() - 13)) == 0);
  // A cut name decodes to its cut form, not to the name.
  BOOST_TEST(decode_path_component(encoded) == encoded);
  // Encoding is a function: the same name, the same component.
  BOOST_TEST(encode_path_component(name) == encoded);

  // Long because of escapes.
  check_cut_form(encode_path_component(repeat("/", rokso::kMaxNameBytes / 3 + 1)));
  check_cut_form(encode_path_component(repeat("%", 200)));
}

BOOST_AUTO_TEST_CASE(cut_on_utf8_and_escape_boundaries) {
  // Every offset of a multi-byte character relative to the cut point.
  for (std::size_t prefix = 0; prefix < 4; ++prefix) {
    for (const char* unit : {"é", "日", "😀", "%", "/", "\xFF"}) {
      const std::string name = repeat("x", prefix) + repeat(unit, 100);
      const std::string encoded = encode_path_component(name);
      BOOST_TEST_INFO("prefix " << prefix << " unit '" << unit << "'");
      check_cut_form(encoded);
      // The kept part is whole characters/escapes of the encoded name.
      const std::string kept = encoded.substr(0, encoded.size() - 13);
      const std::string encoded_unit = encode_path_component(unit);
      const std::string whole = repeat("x", prefix) + repeat(encoded_unit, 100);
      BOOST_TEST(whole.compare(0, kept.size(), kept) == 0);
      BOOST_TEST(kept.size() >= prefix);
      BOOST_TEST((kept.size() - prefix) % encoded_unit.size() == 0);
      // And it uses the room: less than one unit short of the 137 bytes available.
      BOOST_TEST(kept.size() + encoded_unit.size() > rokso::kMaxNameBytes - 13);
    }
  }
}

BOOST_AUTO_TEST_CASE(distinct_long_names_stay_distinct) {
  const std::string base = repeat("customer_account_", 12);  // 204 bytes
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(encode_path_component(base + std::to_string(i)));
  BOOST_TEST(seen.size() == 200u);
  // Names that differ only after the cut point, in one byte.
  BOOST_TEST(encode_path_component(base + "a") != encode_path_component(base + "b"));
  // A long name never collides with its own cut prefix.
  const std::string cut = encode_path_component(base);
  BOOST_TEST(encode_path_component(cut) == cut);  // already short and plain: kept as is
  BOOST_TEST(encode_path_component(base + "x") != cut);
}

BOOST_AUTO_TEST_CASE(smaller_limit) {
  const std::string encoded = encode_path_component(repeat("b", 40), 20);
  check_cut_form(encoded, 20);
  BOOST_TEST(encoded.size() == 20u);
  BOOST_TEST(encoded.substr(0, 7) == "bbbbbbb");
}

BOOST_AUTO_TEST_SUITE_END()
