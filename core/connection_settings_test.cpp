#include "core/connection_settings.hpp"
#include "core/error.hpp"

#include <boost/test/unit_test.hpp>

#include <nlohmann/json.hpp>

#include <cstdlib>

namespace {

int exit_code_of_url(const std::string& url) {
  try {
    rokso::database_settings_from_url(url, "--url");
  } catch (const rokso::Error& e) {
    return e.exit_code();
  }
  return 0;
}

std::string message_of_url(const std::string& url) {
  try {
    rokso::database_settings_from_url(url, "--url");
  } catch (const rokso::Error& e) {
    return e.what();
  }
  return "";
}

// Sets or unsets an environment variable for one test, and puts it back after.
struct ScopedEnv {
  std::string name;
  std::optional<std::string> old;
  ScopedEnv(const char* n, const char* value) : name(n) {
    if (const char* o = std::getenv(n)) old = o;
    if (value) {
      ::setenv(n, value, 1);
    } else {
      ::unsetenv(n);
    }
  }
  ~ScopedEnv() {
    if (old) {
      ::setenv(name.c_str(), old->c_str(), 1);
    } else {
      ::unsetenv(name.c_str());
    }
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(connection_settings)

BOOST_AUTO_TEST_CASE(url_is_read_by_libpq) {
  const auto s = rokso::database_settings_from_url(
      "postgres://ann:p%40ss@db.example:6432/shop?sslmode=require&application_name=ci", "DATABASE_URL");
  BOOST_TEST(*s.host == "db.example");
  BOOST_TEST(*s.port == "6432");
  BOOST_TEST(*s.dbname == "shop");
  BOOST_TEST(*s.user == "ann");
  BOOST_TEST(*s.password == "p@ss");
  BOOST_TEST(s.parameters.at("sslmode") == "require");
  BOOST_TEST(s.parameters.at("application_name") == "ci");
  BOOST_TEST(s.origin == "DATABASE_URL");
  BOOST_TEST(s.schema == "public");  // a URL carries no schema
}

BOOST_AUTO_TEST_CASE(multi_host_urls_keep_their_port_lists) {
  const auto s = rokso::database_settings_from_url("postgresql://h1:5432,h2:5433/db?target_session_attrs=read-write", "x");
  BOOST_TEST(*s.host == "h1,h2");
  BOOST_TEST(*s.port == "5432,5433");
}

BOOST_AUTO_TEST_CASE(bad_urls_are_usage_errors_without_the_password) {
  BOOST_TEST(exit_code_of_url("mysql://u@h/db") == rokso::kExitUsage);
  BOOST_TEST(exit_code_of_url("host=h dbname=d") == rokso::kExitUsage);
  BOOST_TEST(exit_code_of_url("postgres://h/db?nosuchparam=1") == rokso::kExitUsage);
  BOOST_TEST(exit_code_of_url("postgres://h:99999/db") == rokso::kExitUsage);
  const std::string message = message_of_url("postgres://u:s3cr%zzet@h/db");
  BOOST_TEST(!message.empty());
  BOOST_TEST(message.find("s3cr") == std::string::npos);
  BOOST_TEST(message.find("***") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(urls_are_shown_masked) {
  BOOST_TEST(rokso::mask_url("postgres://ann:secret@db/shop") == "postgres://ann:***@db/shop");
  BOOST_TEST(rokso::mask_url("postgres://ann@db/shop") == "postgres://ann@db/shop");
  BOOST_TEST(rokso::mask_url("postgres://db/shop?sslmode=require&password=secret") ==
             "postgres://db/shop?sslmode=require&password=***");
  BOOST_TEST(rokso::mask_url("postgresql://a:b:c@h") == "postgresql://a:***@h");
}

BOOST_AUTO_TEST_CASE(json_object_takes_libpq_keywords_and_a_url) {
  const auto object = nlohmann::json::parse(R"({"url": "postgres://ann:pw@db/shop", "dbschema": "offline",
      "user": "bob", "sslmode": "verify-full", "connect_timeout": 7, "options": "-c work_mem=64MB"})");
  const auto s = rokso::database_settings_from_json(object, "config.json");
  BOOST_TEST(*s.host == "db");
  BOOST_TEST(*s.user == "bob");  // keys beside the URL override its parts, as with libpq
  BOOST_TEST(*s.password == "pw");
  BOOST_TEST(s.schema == "offline");
  BOOST_TEST(s.bounds.connect_timeout_s == 7);
  const std::string conninfo = rokso::connection_string(s);
  BOOST_TEST(conninfo.find("sslmode='verify-full'") != std::string::npos);
  BOOST_TEST(conninfo.find("options='-c work_mem=64MB'") != std::string::npos);
  BOOST_TEST(conninfo.find("connect_timeout='7'") != std::string::npos);
  BOOST_TEST(conninfo.find("fallback_application_name=") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(database_and_dbname_together_are_refused) {
  BOOST_CHECK_THROW(rokso::database_settings_from_json(nlohmann::json::parse(R"({"database": "a", "dbname": "b"})"), "f"),
                    rokso::Error);
}

BOOST_AUTO_TEST_CASE(url_precedence) {
  rokso::DatabaseSettings configured;
  configured.host = "from-config";
  configured.password = "config-secret";
  configured.schema = "offline";
  {
    ScopedEnv a("ROKSO_DATABASE_URL", nullptr), b("DATABASE_URL", nullptr);
    BOOST_TEST(*rokso::effective_database_settings(configured, std::nullopt).host == "from-config");
    BOOST_TEST(*rokso::effective_database_settings(configured, std::string("postgres://cli/db")).host == "cli");
  }
  {
    ScopedEnv a("ROKSO_DATABASE_URL", nullptr), b("DATABASE_URL", "postgres://plain/db");
    const auto s = rokso::effective_database_settings(configured, std::nullopt);
    BOOST_TEST(*s.host == "plain");
    BOOST_TEST(!s.password);  // never the file's password for the URL's server
    BOOST_TEST(s.schema == "offline");
  }
  {
    ScopedEnv a("ROKSO_DATABASE_URL", "postgres://rokso/db"), b("DATABASE_URL", "postgres://plain/db");
    BOOST_TEST(*rokso::effective_database_settings(configured, std::nullopt).host == "rokso");
    BOOST_TEST(*rokso::effective_database_settings(configured, std::string("postgres://cli/db")).host == "cli");
  }
  {
    ScopedEnv a("ROKSO_DATABASE_URL", ""), b("DATABASE_URL", "postgres://plain/db");
    BOOST_TEST(*rokso::effective_database_settings(configured, std::nullopt).host == "plain");
  }
}

BOOST_AUTO_TEST_CASE(libpq_environment_maps_keywords_to_their_variables) {
  rokso::DatabaseSettings s;
  s.host = "h";
  s.password = "secret";
  s.parameters["sslmode"] = "require";
  s.parameters["keepalives"] = "1";  // libpq reads no variable for it
  const auto env = rokso::libpq_environment(s);
  bool host = false, sslmode = false;
  for (const auto& [name, value] : env) {
    BOOST_TEST(value != "secret");
    BOOST_TEST(name != "PGPASSWORD");
    if (name == "PGHOST") host = value == "h";
    if (name == "PGSSLMODE") sslmode = value == "require";
  }
  BOOST_TEST(host);
  BOOST_TEST(sslmode);
  BOOST_TEST(env.size() == 2u);
}

BOOST_AUTO_TEST_CASE(closest_word_finds_typos_only) {
  BOOST_TEST(rokso::closest_word("sslmod", {"sslmode", "sslcert", "host"}) == "sslmode");
  BOOST_TEST(rokso::closest_word("hots", {"sslmode", "host"}) == "host");
  BOOST_TEST(rokso::closest_word("completely_different", {"sslmode", "host"}) == "");
}

BOOST_AUTO_TEST_SUITE_END()
