// Tests of the built "sql" plugin module itself, loaded the way the host loads it.
#include <boost/test/unit_test.hpp>

#include <rokso/format_error.hpp>
#include <rokso/format_plugin.hpp>

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

namespace {

using rokso::testing::LoadedPlugin;
using rokso::testing::runtime_error_of;
using rokso::testing::TempDir;

LoadedPlugin& loaded() {
  static LoadedPlugin* instance = new LoadedPlugin(ROKSO_SQL_PLUGIN_PATH);  // never unloaded
  return *instance;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plugin)

BOOST_AUTO_TEST_CASE(manifest_and_identity) {
  rokso::testing::expect_format_identity(
      loaded(), "sql",
      "plain SQL pairs: <stem>.apply.sql with <stem>.rollback.sql (or .up.sql with .down.sql)");
}

BOOST_AUTO_TEST_CASE(claims) {
  const rokso::FormatPlugin& f = loaded().format();
  using rokso::FileClaim;
  BOOST_TEST((f.claim("2024_01_01__00_00_00_create_table_users.apply.sql") == FileClaim::migration));
  BOOST_TEST((f.claim("x.up.sql") == FileClaim::migration));
  BOOST_TEST((f.claim("x.rollback.sql") == FileClaim::companion));
  BOOST_TEST((f.claim("x.down.sql") == FileClaim::companion));
  BOOST_TEST((f.claim("x.sql") == FileClaim::none));
  BOOST_TEST((f.claim("apply.sql") == FileClaim::none));
  BOOST_TEST((f.claim("rollback.sql") == FileClaim::none));
  BOOST_TEST((f.claim(".apply.sql") == FileClaim::none));
  BOOST_TEST((f.claim(".x.apply.sql") == FileClaim::none));
  BOOST_TEST((f.claim(".x.rollback.sql") == FileClaim::none));
  BOOST_TEST((f.claim("x.APPLY.SQL") == FileClaim::none));
  BOOST_TEST((f.claim("x.apply.sql~") == FileClaim::none));
  BOOST_TEST((f.claim("x.apply.sql.orig") == FileClaim::none));
  BOOST_TEST((f.claim("x.py") == FileClaim::none));
  BOOST_TEST((f.claim("x.yaml") == FileClaim::none));
  BOOST_TEST((f.claim("") == FileClaim::none));
}

BOOST_AUTO_TEST_CASE(companion_owners) {
  const rokso::FormatPlugin& f = loaded().format();
  BOOST_TEST(f.companion_owner("2024_01_01__00_00_00_t.rollback.sql") == "2024_01_01__00_00_00_t.apply.sql");
  BOOST_TEST(f.companion_owner("x.down.sql") == "x.up.sql");
  BOOST_TEST(f.companion_owner("x.apply.sql") == "");
  BOOST_TEST(f.companion_owner("x.sql") == "");
  BOOST_TEST(f.companion_owner(".x.rollback.sql") == "");
}

BOOST_AUTO_TEST_CASE(reads_an_apply_rollback_pair) {
  const TempDir dir;
  const std::string path = dir.write("m.apply.sql", "\xEF\xBB\xBF-- rokso:no-transaction\r\nVACUUM;\r\n");
  dir.write("m.rollback.sql", "SELECT 1;\n");
  const rokso::Migration m = loaded().format().read(path);
  BOOST_TEST(m.apply_sql == "-- rokso:no-transaction\r\nVACUUM;\r\n");
  BOOST_TEST(m.rollback_sql == "SELECT 1;\n");
  BOOST_TEST(!m.transactional);
  BOOST_TEST(m.notes.empty());
}

BOOST_AUTO_TEST_CASE(reads_an_up_down_pair) {
  const TempDir dir;
  const std::string path = dir.write("m.up.sql", "CREATE TABLE t ();");
  dir.write("m.down.sql", "DROP TABLE t;");
  dir.write("m.rollback.sql", "not this one");
  const rokso::Migration m = loaded().format().read(path);
  BOOST_TEST(m.apply_sql == "CREATE TABLE t ();");
  BOOST_TEST(m.rollback_sql == "DROP TABLE t;");
}

BOOST_AUTO_TEST_CASE(a_missing_rollback_file_is_a_note) {
  const TempDir dir;
  const rokso::Migration m = loaded().format().read(dir.write("m.apply.sql", "SELECT 1;"));
  BOOST_TEST(m.rollback_sql == "");
  BOOST_TEST_REQUIRE(m.notes.size() == 1u);
  BOOST_TEST(m.notes[0] == "no rollback file 'm.rollback.sql': rolling back only removes its row");
  const rokso::Migration up = loaded().format().read(dir.write("n.up.sql", "SELECT 1;"));
  BOOST_TEST_REQUIRE(up.notes.size() == 1u);
  BOOST_TEST(up.notes[0] == "no rollback file 'n.down.sql': rolling back only removes its row");
}

BOOST_AUTO_TEST_CASE(both_styles_for_one_stem_are_refused) {
  const TempDir dir;
  const std::string apply = dir.write("x.apply.sql", "SELECT 1;");
  const std::string up = dir.write("x.up.sql", "SELECT 2;");
  BOOST_CHECK_THROW(loaded().format().read(apply), rokso::FormatError);
  BOOST_CHECK_THROW(loaded().format().read(up), rokso::FormatError);
}

BOOST_AUTO_TEST_CASE(format_errors_cross_the_module_boundary) {
  const TempDir dir;
  const std::string path = dir.write("bad.apply.sql", "SELECT 1;\n-- rokso:no-transactions\n");
  try {
    loaded().format().read(path);
    BOOST_ERROR("accepted");
  } catch (const rokso::FormatError& e) {
    BOOST_TEST(e.line() == 2);
    BOOST_TEST(e.column() == 10);
    BOOST_TEST(std::string(e.what()) ==
               "unknown directive 'rokso:no-transactions': the directives are no-transaction, requires and "
               "description");
  }
  const std::string good = dir.write("good.apply.sql", "SELECT 1;\n");
  dir.write("good.rollback.sql", "SELECT\n\xC0;\n");
  try {
    loaded().format().read(good);
    BOOST_ERROR("accepted");
  } catch (const rokso::FormatError& e) {
    BOOST_TEST(e.line() == 0);
    BOOST_TEST(e.column() == 0);
    BOOST_TEST(std::string(e.what()) ==
               "rollback file 'good.rollback.sql', line 2, column 1: invalid utf-8 (byte 0xc0)");
  }
}

BOOST_AUTO_TEST_CASE(unreadable_files) {
  const TempDir dir;
  const std::string missing = dir.path + "/missing.apply.sql";
  BOOST_TEST(runtime_error_of(loaded().format(), missing) == "cannot read '" + missing + "': No such file or directory");
  std::filesystem::create_directory(dir.path + "/d.apply.sql");
  BOOST_TEST(runtime_error_of(loaded().format(), dir.path + "/d.apply.sql") == "cannot read '" + dir.path + "/d.apply.sql': Is a directory");

  // A rollback name that is there but cannot be read is an error, never "no rollback".
  const std::string apply = dir.write("r.apply.sql", "SELECT 1;");
  std::filesystem::create_directory(dir.path + "/r.rollback.sql");
  BOOST_TEST(runtime_error_of(loaded().format(), apply) == "cannot read '" + dir.path + "/r.rollback.sql': Is a directory");
  const std::string linked = dir.write("s.apply.sql", "SELECT 1;");
  std::filesystem::create_symlink(dir.path + "/nowhere", dir.path + "/s.rollback.sql");
  BOOST_TEST(runtime_error_of(loaded().format(), linked) == "cannot read '" + dir.path + "/s.rollback.sql': a dangling symbolic link");
}

BOOST_AUTO_TEST_CASE(reading_a_file_that_is_not_an_apply_file) {
  const TempDir dir;
  BOOST_CHECK_THROW(loaded().format().read(dir.write("x.rollback.sql", "")), std::invalid_argument);
  BOOST_CHECK_THROW(loaded().format().read(dir.write("x.sql", "")), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(renders_two_files_that_read_back) {
  const TempDir dir;
  rokso::Migration m;
  m.apply_sql = "CREATE INDEX CONCURRENTLY i ON t (c);\n";
  m.rollback_sql = "";
  m.transactional = false;
  m.requires_identities = {"public/200.tables/t/2024_01_01__00_00_00_t.apply.sql"};
  m.description = "index t.c";
  const auto files = loaded().format().render("2024_01_02__00_00_00_i", m);
  BOOST_TEST_REQUIRE(files.size() == 2u);
  BOOST_TEST(files[0].file_name == "2024_01_02__00_00_00_i.apply.sql");
  BOOST_TEST(files[1].file_name == "2024_01_02__00_00_00_i.rollback.sql");
  BOOST_TEST(files[1].content == "");
  const std::string path = dir.write(files[0].file_name, files[0].content);
  dir.write(files[1].file_name, files[1].content);
  const rokso::Migration back = loaded().format().read(path);
  BOOST_TEST(back.apply_sql == files[0].content);
  BOOST_TEST(back.rollback_sql == "");
  BOOST_TEST(!back.transactional);
  BOOST_TEST(back.description == m.description);
  BOOST_TEST(back.requires_identities == m.requires_identities, boost::test_tools::per_element());
  BOOST_TEST(back.notes.empty());
  BOOST_CHECK_THROW(loaded().format().render("x", rokso::Migration{"\xFF", "", true, {}, "", {}}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
