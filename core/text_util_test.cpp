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

BOOST_AUTO_TEST_CASE(names_are_escaped_for_display) {
  using rokso::escape_for_display;
  BOOST_TEST(escape_for_display("plain café 𝄞\ttab") == "plain café 𝄞\ttab");
  BOOST_TEST(escape_for_display("a\x1b[2Jb") == "a\\x1b[2Jb");
  BOOST_TEST(escape_for_display("a\nb\rc") == "a\\nb\\rc");
  BOOST_TEST(escape_for_display(std::string("nul\0x", 5)) == "nul\\x00x");
  BOOST_TEST(escape_for_display("del\x7f c1\xc2\x9b") == "del\\u007f c1\\u009b");  // JSON-valid escapes
  BOOST_TEST(escape_for_display("bad\xff\xc3") == "bad\\xff\\xc3");
  // The funnel keeps the line breaks rokso wrote (CRLF too), nothing else.
  BOOST_TEST(escape_for_display("one\ntwo\r\nthree\rx\x1b", true) == "one\ntwo\r\nthree\\rx\\x1b");
}

BOOST_AUTO_TEST_SUITE_END()
