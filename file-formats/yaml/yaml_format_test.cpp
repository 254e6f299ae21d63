// Tests of the built "yaml" plugin module itself, loaded the way the host loads it.
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
  static LoadedPlugin* instance = new LoadedPlugin(ROKSO_YAML_PLUGIN_PATH);  // never unloaded
  return *instance;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(plugin)

BOOST_AUTO_TEST_CASE(manifest_and_identity) {
  rokso::testing::expect_format_identity(
      loaded(), "yaml",
      "YAML migrations (.yaml, .yml): apply, rollback, transaction, requires, description");
}

BOOST_AUTO_TEST_CASE(claims) {
  const rokso::FormatPlugin& f = loaded().format();
  using rokso::FileClaim;
  BOOST_TEST((f.claim("2024_01_01__00_00_00_create_table_users.yaml") == FileClaim::migration));
  BOOST_TEST((f.claim("x.yml") == FileClaim::migration));
  BOOST_TEST((f.claim(".yaml") == FileClaim::none));
  BOOST_TEST((f.claim(".x.yaml") == FileClaim::none));
  BOOST_TEST((f.claim("yaml") == FileClaim::none));
  BOOST_TEST((f.claim("x.YAML") == FileClaim::none));
  BOOST_TEST((f.claim("x.yaml~") == FileClaim::none));
  BOOST_TEST((f.claim("x.yaml.orig") == FileClaim::none));
  BOOST_TEST((f.claim("x.json") == FileClaim::none));
  BOOST_TEST((f.claim("x.apply.sql") == FileClaim::none));
  BOOST_TEST((f.claim("x.py") == FileClaim::none));
  BOOST_TEST((f.claim("") == FileClaim::none));
  BOOST_TEST(f.companion_owner("x.yaml") == "");
}

BOOST_AUTO_TEST_CASE(reads_a_file) {
  const TempDir dir;
  const std::string path = dir.write("m.yaml", "apply: |\r\n  VACUUM;\r\ntransaction: false\r\nrollback: ''\r\n");
  const rokso::Migration m = loaded().format().read(path);
  BOOST_TEST(m.apply_sql == "VACUUM;\n");
  BOOST_TEST(m.rollback_sql == "");
  BOOST_TEST(!m.transactional);
  BOOST_TEST(m.notes.empty());
  const rokso::Migration yml = loaded().format().read(dir.write("n.yml", "apply: SELECT 1"));
  BOOST_TEST(yml.apply_sql == "SELECT 1");
  BOOST_TEST_REQUIRE(yml.notes.size() == 1u);
  BOOST_TEST(yml.notes[0] == "no 'rollback' key: rolling back only removes its row");
}

BOOST_AUTO_TEST_CASE(format_errors_cross_the_module_boundary) {
  const TempDir dir;
  try {
    loaded().format().read(dir.write("bad.yaml", "apply: x\nrollbak: y\n"));
    BOOST_ERROR("accepted");
  } catch (const rokso::FormatError& e) {
    BOOST_TEST(e.line() == 2);
    BOOST_TEST(e.column() == 1);
    BOOST_TEST(std::string(e.what()) ==
               "unknown key 'rollbak': the keys are apply, rollback, transaction, requires and description");
  }
  try {
    loaded().format().read(dir.write("syntax.yaml", "apply: [x\n"));
    BOOST_ERROR("accepted");
  } catch (const rokso::FormatError& e) {
    BOOST_TEST(e.line() > 0);
    BOOST_TEST(std::string(e.what()).rfind("invalid YAML: ", 0) == 0u, e.what());
  }
}

BOOST_AUTO_TEST_CASE(unreadable_files) {
  const TempDir dir;
  const std::string missing = dir.path + "/missing.yaml";
  BOOST_TEST(runtime_error_of(loaded().format(), missing) == "cannot read '" + missing + "': No such file or directory");
  BOOST_TEST(runtime_error_of(loaded().format(), dir.path) == "cannot read '" + dir.path + "': Is a directory");
}

BOOST_AUTO_TEST_CASE(renders_one_file_that_reads_back) {
  const TempDir dir;
  rokso::Migration m;
  m.apply_sql = "CREATE TABLE \"t\" (x text DEFAULT ': # \\');\n";
  m.rollback_sql = "DROP TABLE \"t\";";
  m.transactional = false;
  m.requires_identities = {"public/100.database_types/t/a.yaml"};
  m.description = "t: a table";
  const auto files = loaded().format().render("2024_01_01__00_00_00_t", m);
  BOOST_TEST_REQUIRE(files.size() == 1u);
  BOOST_TEST(files[0].file_name == "2024_01_01__00_00_00_t.yaml");
  const rokso::Migration back = loaded().format().read(dir.write(files[0].file_name, files[0].content));
  BOOST_TEST(back.apply_sql == m.apply_sql);
  BOOST_TEST(back.rollback_sql == m.rollback_sql);
  BOOST_TEST(!back.transactional);
  BOOST_TEST(back.description == m.description);
  BOOST_TEST(back.requires_identities == m.requires_identities, boost::test_tools::per_element());
  BOOST_TEST(back.notes.empty());
  BOOST_CHECK_THROW(loaded().format().render("x", rokso::Migration{"\xFF", "", true, {}, "", {}}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
