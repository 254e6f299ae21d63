// rokso .py format: reads roksopsql's migration modules without running Python.
//
// A roksopsql migration is a Python module that assigns `apply_sql` and `rollback_sql`
// (usually triple-quoted strings) and a `migrations = {"apply": ..., "rollback": ...}`
// dict. read_py_migration() parses the static subset of Python such modules are written
// in and evaluates it the way CPython would; anything it cannot evaluate without running
// code (formatting, concatenation, calls, control flow, ...) is refused with the line and
// column of the offending token, never guessed at.
//
// Stateless and thread-safe; linear in the size of the input.
#pragma once

#include <rokso/migration.hpp>

#include <string>

namespace rokso::py {

// Reads the migration held by `text`, the raw bytes of a .py file.
//
// The result's apply_sql/rollback_sql come from `migrations["apply"]` /
// `migrations["rollback"]` when `migrations` is assigned, else from the variables
// `apply_sql` / `rollback_sql`. Optional: `requires = [<identity>, ...]`,
// `transaction = False`, `description = "..."`, at module level or as keys of the dict.
// All strings in the result are valid UTF-8.
//
// Throws rokso::FormatError(line, column, message) for a file that is malformed or not
// static. Line and column are 1-based; the column counts characters (code points) of the
// line, a tab counting as one. Errors about something missing from the whole file
// (no apply_sql at all) carry line 0 and column 0.
rokso::Migration read_py_migration(const std::string& text);

}  // namespace rokso::py
