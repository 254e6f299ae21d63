#include "core/error.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(error)

BOOST_AUTO_TEST_CASE(libpq_messages_fold_to_one_line) {
  BOOST_TEST(rokso::one_line("connection to server at \"127.0.0.1\", port 1 failed: Connection refused\n"
                             "\tIs the server running on that host and accepting TCP/IP connections?\n") ==
             "connection to server at \"127.0.0.1\", port 1 failed: Connection refused; "
             "Is the server running on that host and accepting TCP/IP connections?");
  BOOST_TEST(rokso::one_line("") == "");
  BOOST_TEST(rokso::one_line("\n\n  x \n") == "x");
}

BOOST_AUTO_TEST_CASE(errors_carry_their_exit_codes) {
  BOOST_TEST(rokso::usage_error("x").exit_code() == rokso::kExitUsage);
  BOOST_TEST(rokso::failure("x").exit_code() == rokso::kExitFailed);
  BOOST_TEST(rokso::kExitUsage == 2);
  BOOST_TEST(rokso::kExitInterrupted == 130);
}

BOOST_AUTO_TEST_SUITE_END()
