// rokso .sql format: writes a migration as an apply file and a rollback file.
#pragma once

#include <rokso/migration.hpp>

#include <string>

namespace rokso::sql {

struct SqlFiles {
  std::string apply;     // content of <stem>.apply.sql
  std::string rollback;  // content of <stem>.rollback.sql, possibly empty
};

// The two files holding `migration`. The apply file is the apply SQL preceded by one
// directive line for each field that differs from its default and that the SQL's own
// directives do not already state (description, then requires, then no-transaction);
// the rollback file is the rollback SQL. Either text gets a BOM in front when it starts
// with U+FEFF itself, since the reader drops one.
//
// So read_sql_migration() of the result gives back every field of `migration`, and the
// apply SQL gains only those directive lines: a migration read from files renders to
// the same bytes, and reading those gives the same migration.
//
// Throws std::invalid_argument when the files cannot hold `migration`: a string that is
// not valid UTF-8 or holds a NUL; a description or identity that no directive line can
// carry (empty identity, line break or other control character, leading or trailing
// blank); or apply SQL whose own directives contradict the other fields or are malformed.
SqlFiles render_sql_migration(const rokso::Migration& migration);

}  // namespace rokso::sql
