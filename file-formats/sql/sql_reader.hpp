// rokso .sql format: a migration as a pair of plain SQL files.
//
//   <stem>.apply.sql     the apply SQL, byte for byte (a leading UTF-8 BOM is dropped)
//   <stem>.rollback.sql  the rollback SQL, likewise; a missing file means "nothing to undo"
// (<stem>.up.sql / <stem>.down.sql are the same pair under other names.)
//
// The apply file may carry directives, each an SQL comment on a line of its own
// (leading blanks allowed), that stay in the SQL like any other comment:
//   -- rokso:no-transaction          run outside a transaction block
//   -- rokso:requires <identity>     one per line, repeatable
//   -- rokso:description <text>
//   -- rokso:ignore <rule>[,<rule>]  read by `rokso lint` only (core/lint.hpp)
// A line counts only where an SQL comment could start: a "-- rokso:" line inside a
// string, a quoted identifier, a dollar-quoted body or a /* */ comment is SQL text
// (PostgreSQL's lexing rules; lines end at LF, a CRLF's CR being ignored). Any other
// `-- rokso:<word>` is an error, so a misspelt directive is never ignored. Values run to
// the end of the line, without surrounding blanks; control characters are refused.
// In the rollback file such lines are SQL comments like any other, with a note saying
// they are ignored.
//
// Stateless and thread-safe; linear in the size of the input.
#pragma once

#include <rokso/migration.hpp>

#include <optional>
#include <string>
#include <vector>

namespace rokso::sql {

// The directives of an apply file.
struct Directives {
  bool no_transaction = false;
  std::vector<std::string> requires_identities;  // in file order
  bool has_description = false;
  std::string description;
};

// Reads the directives of `sql`, the text of an apply file without its BOM.
// REQUIRES: `sql` is valid UTF-8.
// Throws rokso::FormatError(line, column, message) for an unknown or malformed directive;
// line and column are 1-based, the column counting characters (a tab counts as one).
Directives read_directives(const std::string& sql);

// The 1-based line of the first line of `sql` that reads as a directive (well formed or
// not), or 0. REQUIRES: `sql` is valid UTF-8.
int first_directive_line(const std::string& sql);

// Reads a migration from the raw bytes of its apply file and, when that exists, of its
// rollback file, named `rollback_file_name` (a bare file name, used in messages).
//
// Throws rokso::FormatError for a malformed file: invalid UTF-8 or a NUL byte in either
// file, or a bad directive. Positions refer to the apply file (the migration's identity
// file); a problem in the rollback file carries line 0, column 0 and names the rollback
// file and the position inside it in its message.
rokso::Migration read_sql_migration(const std::string& apply_bytes,
                                    const std::optional<std::string>& rollback_bytes,
                                    const std::string& rollback_file_name);

// "x.rollback.sql" for "x.apply.sql", "x.down.sql" for "x.up.sql", "" for any other name.
std::string rollback_file_name_for(const std::string& apply_file_name);

// "x.apply.sql" for "x.rollback.sql", "x.up.sql" for "x.down.sql", "" for any other name.
std::string apply_file_name_for(const std::string& rollback_file_name);

}  // namespace rokso::sql
