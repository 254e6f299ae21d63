// For core files that speak SQL: libpqxx, and what of Database takes its types.
// Commands never include this (their target does not even see libpqxx's headers).
#pragma once

#include "core/database.hpp"

#include <pqxx/pqxx>

#include <string>

namespace rokso {

// A server error as the user should see it: the message (with libpq's LINE/caret
// context when the server gave a position) and the SQLSTATE.
std::string describe_sql_error(const pqxx::sql_error& e);

}  // namespace rokso
