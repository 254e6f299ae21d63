#include "core/sha256.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(sha256)

BOOST_AUTO_TEST_CASE(known_vectors) {
  BOOST_TEST(rokso::sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(rokso::sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(rokso::sha256_hex(std::string("a\0b", 3)) != rokso::sha256_hex("ab"));
}

BOOST_AUTO_TEST_SUITE_END()
