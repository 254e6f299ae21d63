// Opt-in evaluation of a .py migration the static reader refuses (--py-evaluate).
//
// The module is run by a Python interpreter in a child process: no shell, isolated mode
// (`-I`: no PYTHON* variables, no user site, no script directory on sys.path), the
// project directory (the nearest parent holding config.json) as working directory,
// standard input from /dev/null, a timeout after which the child is killed. A small
// driver passed with `-c` runs the file with runpy.run_path() and writes its
// `migrations` dict (and module-level requires/transaction/description) as JSON on
// standard output; what the module itself prints goes to standard error.
//
// Only the user decides to run project code: the interpreter comes from the
// environment (ROKSO_PY_EVALUATE, which --py-evaluate sets), never from a project file.
#pragma once

#include <rokso/migration.hpp>

#include <string>

namespace rokso::py {

// The interpreter --py-evaluate / ROKSO_PY_EVALUATE names, or "" when evaluation is off.
std::string evaluation_interpreter();

// Runs the module at `path` with `interpreter` and reads its migration back.
// `refused` says why the static reader did not read it; it goes into the note that
// says the file was evaluated. Throws FormatError (line 0) for anything that goes
// wrong: the interpreter cannot start, the module raises, the timeout
// (ROKSO_PY_EVALUATE_TIMEOUT seconds, default 60) expires, `migrations` is missing or
// not made of strings.
Migration evaluate_py_migration(const std::string& path, const std::string& interpreter,
                                const std::string& refused);

// The JSON the driver prints, read into a migration. Exposed for tests.
Migration migration_from_evaluation(const std::string& json_text, const std::string& interpreter);

}  // namespace rokso::py
