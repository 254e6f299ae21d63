#include "core/config.hpp"
#include "core/connection_settings.hpp"
#include "core/error.hpp"

#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char name[] = "/tmp/rokso-config-test.XXXXXX";
    path = ::mkdtemp(name);
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path write(const std::string& text) {
    std::ofstream(path / "config.json") << text;
    return path / "config.json";
  }
};

int exit_code_of(const fs::path& file) {
  try {
    rokso::load_config(file);
  } catch (const rokso::Error& e) {
    return e.exit_code();
  }
  return 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(reads_roksopsql_config) {
  TempDir dir;
  auto file = dir.write(R"({"database": {"database": "tutorial", "dbschema": "offline", "host": "localhost",
                            "password": "s3cret", "port": "5432", "user": "pguser"}})");
  rokso::Config c = rokso::load_config(file);
  BOOST_TEST(*c.database.dbname == "tutorial");
  BOOST_TEST(c.database.schema == "offline");
  BOOST_TEST(*c.database.host == "localhost");
  BOOST_TEST(*c.database.port == "5432");
  BOOST_TEST(*c.database.user == "pguser");
  BOOST_TEST(*c.database.password == "s3cret");
  BOOST_TEST(c.version_table == "rokso_db_version");
}

BOOST_AUTO_TEST_CASE(silent_keys_fall_back_to_libpq_environment) {
  TempDir dir;
  rokso::Config c = rokso::load_config(dir.write(R"({"database": {"port": 5433, "password": ""}})"));
  BOOST_TEST(!c.database.host);
  BOOST_TEST(!c.database.password);  // empty: ~/.pgpass or PGPASSWORD apply
  BOOST_TEST(*c.database.port == "5433");
  BOOST_TEST(c.database.schema == "public");
  const std::string conninfo = rokso::connection_string(c.database);
  BOOST_TEST(conninfo.find("host") == std::string::npos);
  BOOST_TEST(conninfo.find("password") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(connection_string_quotes_values) {
  rokso::DatabaseSettings s{};
  s.password = "it's a \\ secret";
  s.dbname = "my db";
  const std::string conninfo = rokso::connection_string(s);
  BOOST_TEST(conninfo.find("password='it\\'s a \\\\ secret'") != std::string::npos);
  BOOST_TEST(conninfo.find("dbname='my db'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(broken_files_are_usage_errors) {
  TempDir dir;
  BOOST_TEST(exit_code_of(dir.write("{not json")) == rokso::kExitUsage);
  BOOST_TEST(exit_code_of(dir.write("[]")) == rokso::kExitUsage);
  BOOST_TEST(exit_code_of(dir.write("{}")) == rokso::kExitUsage);
  BOOST_TEST(exit_code_of(dir.write(R"({"database": 5})")) == rokso::kExitUsage);
  BOOST_TEST(exit_code_of(dir.write(R"({"database": {"host": ["x"]}})")) == rokso::kExitUsage);
  BOOST_TEST(exit_code_of(dir.write(R"({"database": {"port": "fifty"}})")) == rokso::kExitUsage);
  BOOST_TEST(exit_code_of(dir.write(R"({"database": {"dbschema": ""}})")) == rokso::kExitUsage);
  BOOST_TEST(exit_code_of(dir.path / "missing.json") == rokso::kExitUsage);
}

BOOST_AUTO_TEST_CASE(saved_config_is_private_and_reads_back) {
  TempDir dir;
  rokso::Config c;
  c.database.host = "db.example";
  c.database.port = "5432";
  c.database.dbname = "tutorial";
  c.database.user = "pguser";
  c.database.password = "pa\"ss";
  c.database.schema = "offline";
  rokso::save_config(dir.path / "config.json", c);
  struct stat st {};
  BOOST_TEST_REQUIRE(::stat((dir.path / "config.json").c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600);
  rokso::Config back = rokso::load_config(dir.path / "config.json");
  BOOST_TEST(*back.database.password == "pa\"ss");
  BOOST_TEST(back.database.schema == "offline");
  BOOST_TEST(!fs::exists(dir.path / "config.json.tmp"));
}

// roksopsql wrote json.dumps({"database": ...}, indent=4, sort_keys=True) + "\n", its
// port an int (click's type for default=5432) and non-ASCII escaped: rokso writes the
// same bytes, so a project made by either tool diffs clean.
BOOST_AUTO_TEST_CASE(saved_config_is_the_file_roksopsql_writes) {
  TempDir dir;
  rokso::Config c;
  c.database.host = "db.example";
  c.database.port = "5432";
  c.database.dbname = "tutorial";
  c.database.user = "pguser";
  c.database.password = "p\u00e4\"ss";
  c.database.schema = "offline";
  rokso::save_config(dir.path / "config.json", c);
  std::ifstream in(dir.path / "config.json", std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  BOOST_TEST(text ==
             "{\n"
             "    \"database\": {\n"
             "        \"database\": \"tutorial\",\n"
             "        \"dbschema\": \"offline\",\n"
             "        \"host\": \"db.example\",\n"
             "        \"password\": \"p\\u00e4\\\"ss\",\n"
             "        \"port\": 5432,\n"
             "        \"user\": \"pguser\"\n"
             "    }\n"
             "}\n");
  BOOST_TEST(*rokso::load_config(dir.path / "config.json").database.password == "p\u00e4\"ss");
}

BOOST_AUTO_TEST_SUITE_END()
