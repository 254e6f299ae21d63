#include "core/text_util.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(text_util)

BOOST_AUTO_TEST_CASE(utf8_validation) {
  BOOST_TEST(rokso::valid_utf8(""));
  BOOST_TEST(rokso::valid_utf8("plain"));
  BOOST_TEST(rokso::valid_utf8("café € 𝄞"));
  BOOST_TEST(!rokso::valid_utf8("\xff"));
  BOOST_TEST(!rokso::valid_utf8("caf\xc3"));          // truncated
  BOOST_TEST(!rokso::valid_utf8("\xc0\xaf"));         // overlong '/'
  BOOST_TEST(!rokso::valid_utf8("\xed\xa0\x80"));     // surrogate
  BOOST_TEST(!rokso::valid_utf8("\xf4\x90\x80\x80")); // > U+10FFFF
}

BOOST_AUTO_TEST_CASE(trimming) {
  BOOST_TEST(rokso::trim("  a b \r\n") == "a b");
  BOOST_TEST(rokso::trim(" \t ") == "");
}

BOOST_AUTO_TEST_SUITE_END()
