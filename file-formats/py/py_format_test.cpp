// Tests of the built "py" plugin module itself, loaded the way the host loads it.
#include <boost/test/unit_test.hpp>

#include <rokso/format_error.hpp>
#include <rokso/format_plugin.hpp>
#include <rokso/migration.hpp>

#include "testing/plugin_module.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace {

using rokso::testing::LoadedPlugin;
using rokso::testing::TempDir;

LoadedPlugin& loaded() {
  static LoadedPlugin* instance = new LoadedPlugin(ROKSO_PY_PLUGIN_PATH);  // never unloaded
  return *instance;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plugin)

BOOST_AUTO_TEST_CASE(manifest_and_identity) {
  rokso::testing::expect_format_identity(
      loaded(), "py",
      "roksopsql's .py migration modules, read without running Python");
}

BOOST_AUTO_TEST_CASE(claims) {
  const rokso::FormatPlugin& f = loaded().format();
  BOOST_TEST((f.claim("2020_05_26__19_55_06_create_table_users.py") == rokso::FileClaim::migration));
  BOOST_TEST((f.claim("a.py") == rokso::FileClaim::migration));
  BOOST_TEST((f.claim("__init__.py") == rokso::FileClaim::none));
  BOOST_TEST((f.claim(".hidden.py") == rokso::FileClaim::none));
  BOOST_TEST((f.claim(".py") == rokso::FileClaim::none));
  BOOST_TEST((f.claim("py") == rokso::FileClaim::none));
  BOOST_TEST((f.claim("a.pyc") == rokso::FileClaim::none));
  BOOST_TEST((f.claim("a.py~") == rokso::FileClaim::none));
  BOOST_TEST((f.claim("a.PY") == rokso::FileClaim::none));
  BOOST_TEST((f.claim("a.apply.sql") == rokso::FileClaim::none));
  BOOST_TEST((f.claim("") == rokso::FileClaim::none));
}

BOOST_AUTO_TEST_CASE(reads_a_file) {
  const TempDir dir;
  const std::string path = dir.write("m.py", "apply_sql = '''\r\nSELECT 1;\r\n'''\r\nrollback_sql = ''\r\n"
                                     "migrations = {'apply': apply_sql, 'rollback': rollback_sql}\r\n");
  const rokso::Migration m = loaded().format().read(path);
  BOOST_TEST(m.apply_sql == "\nSELECT 1;\n");
  BOOST_TEST(m.rollback_sql == "");
}

BOOST_AUTO_TEST_CASE(format_errors_cross_the_module_boundary) {
  const TempDir dir;
  const std::string path = dir.write("bad.py", "apply_sql = 'a' % b\n");
  try {
    loaded().format().read(path);
    BOOST_ERROR("accepted");
  } catch (const rokso::FormatError& e) {
    BOOST_TEST(e.line() == 1);
    BOOST_TEST(e.column() == 19);
  }
}

BOOST_AUTO_TEST_CASE(unreadable_files) {
  const TempDir dir;
  const std::string missing = dir.path + "/missing.py";
  try {
    loaded().format().read(missing);
    BOOST_ERROR("accepted");
  } catch (const rokso::FormatError&) {
    BOOST_ERROR("a FormatError for a missing file");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()) == "cannot read '" + missing + "': No such file or directory");
  }
  try {
    loaded().format().read(dir.path);
    BOOST_ERROR("accepted");
  } catch (const rokso::FormatError&) {
    BOOST_ERROR("a FormatError for a directory");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()) == "cannot read '" + dir.path + "': Is a directory");
  }
}

BOOST_AUTO_TEST_CASE(renders_one_file_that_reads_back) {
  const TempDir dir;
  rokso::Migration m;
  m.apply_sql = "CREATE TABLE \"t\" (x text DEFAULT '\\');\n";
  m.rollback_sql = "DROP TABLE \"t\";";
  m.transactional = false;
  m.requires_identities = {"public/100.database_types/t/a.py"};
  const auto files = loaded().format().render("2024_01_01__00_00_00_t", m);
  BOOST_TEST_REQUIRE(files.size() == 1u);
  BOOST_TEST(files[0].file_name == "2024_01_01__00_00_00_t.py");
  const rokso::Migration back = loaded().format().read(dir.write(files[0].file_name, files[0].content));
  BOOST_TEST(back.apply_sql == m.apply_sql);
  BOOST_TEST(back.rollback_sql == m.rollback_sql);
  BOOST_TEST(!back.transactional);
  BOOST_TEST(back.requires_identities == m.requires_identities, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_SUITE_END()

// --py-evaluate: python3 is the interpreter the suite runs with; the variable is what
// the option sets.
BOOST_AUTO_TEST_SUITE(evaluation)

struct Evaluating {
  explicit Evaluating(const char* interpreter = "python3") { ::setenv("ROKSO_PY_EVALUATE", interpreter, 1); }
  ~Evaluating() {
    ::unsetenv("ROKSO_PY_EVALUATE");
    ::unsetenv("ROKSO_PY_EVALUATE_TIMEOUT");
  }
};

std::string refusal_of(const std::string& path) {
  try {
    loaded().format().read(path);
    BOOST_ERROR("accepted");
  } catch (const rokso::FormatError& e) {
    BOOST_TEST(e.line() == 0);
    return e.what();
  }
  return {};
}

BOOST_AUTO_TEST_CASE(a_refused_file_is_run_only_when_asked) {
  const TempDir dir;
  const std::string path = dir.write(
      "loop.py",
      "parts = []\nfor t in ('a', 'b'):\n    parts.append(f'CREATE TABLE {t} ();')\n"
      "print('noise on stdout')\n"
      "migrations = {'apply': '\\n'.join(parts), 'rollback': None, 'requires': ['x/y.py'], 'ticket': 1}\n");
  try {
    loaded().format().read(path);
    BOOST_ERROR("accepted without --py-evaluate");
  } catch (const rokso::FormatError& e) {
    BOOST_TEST(std::string(e.what()).find("--py-evaluate") != std::string::npos);
  }
  const Evaluating on;
  const rokso::Migration m = loaded().format().read(path);
  BOOST_TEST(m.apply_sql == "CREATE TABLE a ();\nCREATE TABLE b ();");
  BOOST_TEST(m.rollback_sql.empty());
  BOOST_TEST(rokso::defines_no_rollback(m));
  BOOST_TEST(m.requires_identities == (std::vector<std::string>{"x/y.py"}), boost::test_tools::per_element());
  BOOST_TEST_REQUIRE(!m.notes.empty());
  BOOST_TEST(m.notes[0] ==
             "evaluated by python3 (--py-evaluate): rokso's reader refused it: line 2:1: 'for' statement not supported: "
             "rokso reads .py files without running them (--py-evaluate runs such a file with python3)");
  BOOST_TEST(m.notes.back().find("ignored key \"ticket\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(what_goes_wrong_in_the_child_is_one_clear_error) {
  const TempDir dir;
  const Evaluating on;
  BOOST_TEST(refusal_of(dir.write("raise.py", "x = 1\nfor i in []: pass\nraise ValueError('no schema')\n")) ==
             "running it with python3 (--py-evaluate): line 3: ValueError: no schema");
  BOOST_TEST(refusal_of(dir.write("none.py", "for i in []: pass\n")) ==
             "running it with python3 (--py-evaluate): the module defines no 'migrations'");
  BOOST_TEST(refusal_of(dir.write("int.py", "for i in []: pass\nmigrations = {'apply': 1}\n")) ==
             "running it with python3 (--py-evaluate): 'migrations[\"apply\"]' is not a string (it is a number)");
  BOOST_TEST(refusal_of(dir.write("obj.py", "for i in []: pass\nmigrations = {'apply': object()}\n")) ==
             "running it with python3 (--py-evaluate): 'migrations[\"apply\"]' is not a string (it is an object of type object)");
  ::setenv("ROKSO_PY_EVALUATE_TIMEOUT", "0.5", 1);
  BOOST_TEST(refusal_of(dir.write("slow.py", "while True: pass\n")).find("did not finish within") != std::string::npos);
  ::unsetenv("ROKSO_PY_EVALUATE_TIMEOUT");
  const Evaluating missing("no-such-python-rokso");
  BOOST_TEST(refusal_of(dir.write("any.py", "for i in []: pass\n")) ==
             "running it with no-such-python-rokso (--py-evaluate): cannot start it: No such file or directory");
}

BOOST_AUTO_TEST_SUITE_END()
