// Which statements PostgreSQL refuses to run inside a transaction block, found with its
// own parser (libpg_query): CREATE INDEX CONCURRENTLY, VACUUM, CREATE DATABASE ...
// A migration holding one runs statement by statement in autocommit mode instead.
#pragma once

#include <rokso/migration.hpp>

#include <string>
#include <vector>

namespace rokso {

// One line per statement of `sql` that cannot run in a transaction block, e.g.
// "CREATE INDEX CONCURRENTLY (line 3)". Empty when there is none, or when the parser
// cannot read `sql` (the server will then report the error itself).
std::vector<std::string> statements_refusing_transactions(const std::string& sql);

// The names of the indexes `sql` builds with CREATE INDEX CONCURRENTLY (unnamed ones
// are left out: the server picks their names).
std::vector<std::string> indexes_built_concurrently(const std::string& sql);

// Marks `migration` non-transactional, with a note saying why, when its apply SQL holds
// such a statement. A migration already declared non-transactional is left as it is.
void detect_transaction_mode(Migration& migration);

}  // namespace rokso
