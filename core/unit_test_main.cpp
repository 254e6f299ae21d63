#define BOOST_TEST_MODULE rokso core
#include <boost/test/unit_test.hpp>
