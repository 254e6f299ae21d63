// rokso .py format: writes a migration as a roksopsql-style Python module.
#pragma once

#include <rokso/migration.hpp>

#include <string>

namespace rokso::py {

// The text of a .py module holding `migration`, in roksopsql's layout:
//   apply_sql = """..."""  rollback_sql = """..."""  migrations = {"apply": ..., ...}
// preceded by `description = ...`, `requires = [...]` and `transaction = False` only
// when they differ from the defaults. Ordinary SQL is written as is; backslashes,
// quotes that would end the literal, CR and other control characters are escaped, so
// read_py_migration(render_py_migration(m)) == m for every m.
//
// REQUIRES: every string in `migration` is valid UTF-8 (a Python str cannot hold
// anything else); throws std::invalid_argument otherwise.
std::string render_py_migration(const rokso::Migration& migration);

}  // namespace rokso::py
