#include "core/checksum.hpp"
#include "core/checksum_digest.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(checksum)

using rokso::migration_checksum;

// Computed independently (Python hashlib) from the framing documented in checksum.cpp:
// "rokso-migration-checksum-v1\n" "apply <n>\n" <apply> "\n" "rollback <m>\n" <rollback> "\n".
BOOST_AUTO_TEST_CASE(known_values) {
  BOOST_TEST(std::string(rokso::kChecksumAlgorithm) == "sha256-v1");
  BOOST_TEST(migration_checksum("CREATE TABLE t (id int);\n", "DROP TABLE t;") ==
             "ab295965c9965a578c90a16d4b75c76db4512ee3ac5f86599788cfeae3990220");
  BOOST_TEST(migration_checksum("", "") == "7bb3255fdf5893f908ff81f9e957bcc76d5637a81905a4910f374c0aa04a08d4");
  // The length counts bytes, not characters.
  BOOST_TEST(migration_checksum("SELECT '\xc3\xa9';", "") ==
             "5ea354664e088d08185e622eca8c945f72c860a9acb12aad118774e895241ef0");
}

BOOST_AUTO_TEST_CASE(framing_is_unambiguous) {
  // Moving text across the apply/rollback boundary changes the checksum.
  BOOST_TEST(migration_checksum("ab", "c") != migration_checksum("a", "bc"));
  BOOST_TEST(migration_checksum("x", "") != migration_checksum("", "x"));
  BOOST_TEST(migration_checksum("a\n", "") != migration_checksum("a", "\n"));
  // A text that imitates the framing cannot forge another pair.
  BOOST_TEST(migration_checksum("a\nrollback 1\nb", "") != migration_checksum("a", "b"));
  BOOST_TEST(migration_checksum(std::string("a\0b", 3), "") != migration_checksum("ab", ""));
}

BOOST_AUTO_TEST_CASE(every_change_counts) {
  const std::string base = migration_checksum("CREATE TABLE t (id int);", "DROP TABLE t;");
  BOOST_TEST(migration_checksum("CREATE TABLE t (id bigint);", "DROP TABLE t;") != base);
  BOOST_TEST(migration_checksum("CREATE TABLE t (id int);", "DROP TABLE IF EXISTS t;") != base);
  BOOST_TEST(migration_checksum("CREATE TABLE t (id int); ", "DROP TABLE t;") != base);  // whitespace too
  BOOST_TEST(migration_checksum("CREATE TABLE t (id int);", "DROP TABLE t;") == base);
}

BOOST_AUTO_TEST_CASE(line_endings_are_normalised) {
  BOOST_TEST(migration_checksum("a\r\nb\r\n", "c\r\n") == migration_checksum("a\nb\n", "c\n"));
  BOOST_TEST(migration_checksum("\r\n\r\n", "") == migration_checksum("\n\n", ""));
  // Only CRLF pairs: a lone CR is content (CR CR LF keeps its first CR).
  BOOST_TEST(migration_checksum("a\rb", "") != migration_checksum("a\nb", ""));
  BOOST_TEST(migration_checksum("a\r\r\nb", "") != migration_checksum("a\nb", ""));
}

BOOST_AUTO_TEST_CASE(large_text) {
  const std::string big(3 * 1024 * 1024, 'x');
  std::string big_crlf = big;
  big_crlf[1000] = '\r';
  big_crlf[1001] = '\n';
  std::string big_lf = big;
  big_lf.erase(1000, 1);
  big_lf[1000] = '\n';
  BOOST_TEST(migration_checksum(big_crlf, "") == migration_checksum(big_lf, ""));
  BOOST_TEST(migration_checksum(big, "") != migration_checksum(big_lf, ""));
}

BOOST_AUTO_TEST_CASE(identity_lists) {
  BOOST_TEST(rokso::list_identities({}) == "");
  BOOST_TEST(rokso::list_identities({"a"}) == "a");
  BOOST_TEST(rokso::list_identities({"a", "b"}) == "a, b");
  BOOST_TEST(rokso::list_identities({"a", "b", "c", "d"}, 2) == "a, b and 2 more");
  BOOST_TEST(rokso::list_identities({"a", "b"}, 2) == "a, b");
}

// A checksum as 32 bytes (core/checksum_digest.hpp): only rokso's own lowercase form parses.
BOOST_AUTO_TEST_CASE(digests_round_trip_and_only_lowercase_hex_parses) {
  const std::string hex = "ab295965c9965a578c90a16d4b75c76db4512ee3ac5f86599788cfeae3990220";
  rokso::ChecksumDigest digest{};
  BOOST_TEST(rokso::parse_digest(hex, digest));
  BOOST_TEST(digest[0] == 0xab);
  BOOST_TEST(digest[31] == 0x20);
  BOOST_TEST(rokso::digest_hex(digest) == hex);
  std::string upper = hex;
  upper[0] = 'A';
  BOOST_TEST(!rokso::parse_digest(upper, digest));
  BOOST_TEST(!rokso::parse_digest(hex.substr(1), digest));
  BOOST_TEST(!rokso::parse_digest(hex + "0", digest));
  BOOST_TEST(!rokso::parse_digest(std::string(63, '0') + "g", digest));
  BOOST_TEST(!rokso::parse_digest("", digest));
}

BOOST_AUTO_TEST_SUITE_END()
