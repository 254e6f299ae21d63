// Checks of the built "dbmate" plugin module, loaded the way rokso loads it (dlopen, the
// manifest first, then the factory). No test framework: every failed check prints its
// line and the program exits 1.
//
//   dbmate_format_test <path to rokso-format-dbmate.so>
#include <rokso/format_error.hpp>
#include <rokso/format_plugin.hpp>

#include <dlfcn.h>
#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

int failures = 0;
int checks = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    ++checks;                                                                  \
    if (!(cond)) {                                                             \
      ++failures;                                                              \
      std::cerr << __FILE__ << ":" << __LINE__ << ": check failed: " #cond "\n"; \
    }                                                                          \
  } while (0)

#define CHECK_EQ(a, b)                                                                  \
  do {                                                                                  \
    ++checks;                                                                           \
    const auto& a_ = (a);                                                               \
    const auto& b_ = (b);                                                               \
    if (!(a_ == b_)) {                                                                  \
      ++failures;                                                                       \
      std::cerr << __FILE__ << ":" << __LINE__ << ": " #a " == " #b " failed: [" << a_ \
                << "] vs [" << b_ << "]\n";                                             \
    }                                                                                   \
  } while (0)

const rokso::FormatPlugin* format = nullptr;
std::string scratch;

// Writes `content` to a scratch file named `name` and reads it through the plugin.
rokso::Migration read_text(const std::string& content, const std::string& name = "20200101000000_t.sql") {
  const std::string path = scratch + "/" + name;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  return format->read(path);
}

struct Failure {
  int line = -1;
  int column = -1;
  std::string message;
};

// The FormatError reading `content` gives; line -1 when it reads fine.
Failure error_of(const std::string& content) {
  try {
    read_text(content);
  } catch (const rokso::FormatError& e) {
    return {e.line(), e.column(), e.what()};
  }
  return {};
}

#define CHECK_ERROR(content, want_line, want_column, want_text)                                  \
  do {                                                                                           \
    const Failure f_ = error_of(content);                                                        \
    CHECK_EQ(f_.line, want_line);                                                                \
    CHECK_EQ(f_.column, want_column);                                                            \
    if (f_.message.find(want_text) == std::string::npos) {                                       \
      ++failures;                                                                                \
      std::cerr << __FILE__ << ":" << __LINE__ << ": message [" << f_.message << "] lacks [" \
                << want_text << "]\n";                                                           \
    }                                                                                            \
  } while (0)

void test_manifest(void* handle) {
  const auto* manifest = static_cast<const rokso::PluginManifest*>(dlsym(handle, "rokso_plugin_manifest"));
  CHECK(manifest != nullptr);
  if (!manifest) return;
  CHECK_EQ(manifest->magic, ROKSO_PLUGIN_MAGIC);
  CHECK_EQ(manifest->interface_version, ROKSO_PLUGIN_INTERFACE_VERSION);
  CHECK_EQ(manifest->cxx_abi, ROKSO_PLUGIN_CXX_ABI);
  CHECK_EQ(std::string(manifest->name), "dbmate");
  CHECK_EQ(format->name(), "dbmate");
  CHECK_EQ(format->version(), "1.0.0");
}

void test_claim() {
  using rokso::FileClaim;
  for (const char* yes : {"20200101123000_create_users.sql", "1_x.sql", "0_a.sql", "2024_01_02__10_11_12_y.sql",
                          "20200101_a b.sql", "20200101_x.sql.sql", "20200101_upsert.sql", "1_.x.sql"}) {
    CHECK_EQ(static_cast<int>(format->claim(yes)), static_cast<int>(FileClaim::migration));
  }
  for (const char* no : {"x.sql", "_x.sql", "20200101_.sql", "20200101.sql", "20200101_x.SQL", "20200101_x.sql.bak",
                         "20200101_x.py", "20200101_x.yaml", "20200101_x.up.sql", "20200101_x.down.sql",
                         "20200101_x.apply.sql", "20200101_x.rollback.sql", "schema.sql", "a20200101_x.sql",
                         "20200101_a\nb.sql", "", "1_", ".sql", "1_.sql"}) {
    CHECK_EQ(static_cast<int>(format->claim(no)), static_cast<int>(FileClaim::none));
  }
  CHECK_EQ(format->companion_owner("20200101_x.sql"), "");
}

void test_read() {
  rokso::Migration m = read_text("-- migrate:up\nCREATE TABLE t (id int);\n\n-- migrate:down\nDROP TABLE t;\n");
  CHECK_EQ(m.apply_sql, "CREATE TABLE t (id int);\n\n");
  CHECK_EQ(m.rollback_sql, "DROP TABLE t;\n");
  CHECK(m.transactional);
  CHECK(m.notes.empty());
  CHECK(m.requires_identities.empty());

  // Comments and blank lines before the up marker; marker spelling as dbmate accepts it.
  m = read_text("-- a header\n\n   -- indented comment\n\t\n--migrate:up\nSELECT 1;\n--\tmigrate:down   \nSELECT 2;");
  CHECK_EQ(m.apply_sql, "SELECT 1;\n");
  CHECK_EQ(m.rollback_sql, "SELECT 2;");

  // Options.
  m = read_text("-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (id);\n"
                "-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY i;\n");
  CHECK(!m.transactional);
  CHECK(m.notes.empty());
  m = read_text("-- migrate:up  transaction:true \n-- migrate:down\n");
  CHECK(m.transactional);
  CHECK_EQ(m.apply_sql, "");
  m = read_text("-- migrate:up transaction:false\nVACUUM t;\n-- migrate:down\n");
  CHECK(!m.transactional);
  CHECK_EQ(m.notes.size(), 1u);
  m = read_text("-- migrate:up\nSELECT 1;\n-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY i;\n");
  CHECK(!m.transactional);
  CHECK_EQ(m.notes.size(), 1u);

  // No down section: empty rollback and a note.
  m = read_text("-- migrate:up\nINSERT INTO t VALUES (1);\n");
  CHECK_EQ(m.apply_sql, "INSERT INTO t VALUES (1);\n");
  CHECK_EQ(m.rollback_sql, "");
  CHECK_EQ(m.notes.size(), 1u);
  CHECK(!m.notes.empty() && m.notes[0].find("migrate:down") != std::string::npos);
  m = read_text("-- migrate:up");
  CHECK_EQ(m.apply_sql, "");
  m = read_text("-- migrate:up\nSELECT 1;\n-- migrate:down");
  CHECK_EQ(m.rollback_sql, "");
  CHECK(m.notes.empty());

  // Byte for byte: CRLF, trailing blanks, non-ASCII text.
  m = read_text("-- migrate:up\r\nSELECT 'é';  \r\n\r\n-- migrate:down\r\nSELECT 2;\r\n");
  CHECK_EQ(m.apply_sql, "SELECT 'é';  \r\n\r\n");
  CHECK_EQ(m.rollback_sql, "SELECT 2;\r\n");

  // A marker is a line starting with "--": an indented one inside a function body is SQL.
  const std::string body =
      "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\nBEGIN\n  -- migrate:down is not a marker here\n"
      "  RETURN 1;\nEND;\n$$;\n";
  m = read_text("-- migrate:up\n" + body + "-- migrate:down\nDROP FUNCTION f();\n");
  CHECK_EQ(m.apply_sql, body);
  // "-- migrate:upgrade" and "-- migrate:Up" are comments, as for dbmate.
  m = read_text("-- migrate:upgrade notes\n-- migrate:Up\n-- migrate:up\nSELECT 1;\n-- migrate:downgrade\n");
  CHECK_EQ(m.apply_sql, "SELECT 1;\n-- migrate:downgrade\n");

  // A byte-order mark is skipped.
  m = read_text("\xEF\xBB\xBF-- migrate:up\nSELECT 1;\n");
  CHECK_EQ(m.apply_sql, "SELECT 1;\n");
}

void test_errors() {
  CHECK_ERROR("", 1, 1, "no '-- migrate:up' line");
  CHECK_ERROR("-- only a comment\n\n", 1, 1, "no '-- migrate:up' line");
  CHECK_ERROR("-- c\n  \n  SELECT 1;\n", 3, 3, "no '-- migrate:up' line");
  CHECK_ERROR("  -- migrate:up\nSELECT 1;\n", 2, 1, "no '-- migrate:up' line");
  CHECK_ERROR("CREATE TABLE t ();\n-- migrate:up\nSELECT 1;\n", 1, 1, "SQL before the '-- migrate:up' line (line 2)");
  CHECK_ERROR("-- c\n-- migrate:down\nDROP TABLE t;\n-- migrate:up\nCREATE TABLE t ();\n", 2, 1,
              "'-- migrate:down' before '-- migrate:up'");
  CHECK_ERROR("-- migrate:up\nA;\n-- migrate:up\nB;\n", 3, 1, "a second '-- migrate:up' line (the first is on line 1)");
  CHECK_ERROR("-- migrate:up\nA;\n-- migrate:down\nB;\n-- migrate:down\n", 5, 1,
              "a second '-- migrate:down' line (the first is on line 3)");
  // A marker line inside a dollar-quoted body splits there, as in dbmate; with the real
  // down marker after it, that is a duplicate.
  CHECK_ERROR("-- migrate:up\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$\n-- migrate:down\nSELECT 1;\n$$;\n"
              "-- migrate:down\nDROP FUNCTION f();\n",
              6, 1, "dollar-quoted");
  CHECK_ERROR("-- migrate:up foo:bar\n", 1, 15, "unknown option 'foo'");
  CHECK_ERROR("-- migrate:up transaction:maybe\n", 1, 27, "'maybe' is not a value of 'transaction'");
  CHECK_ERROR("-- migrate:up notx\n", 1, 15, "'notx' is not an option of the form key:value");
  CHECK_ERROR("-- migrate:up transaction:\n", 1, 15, "key:value");
  CHECK_ERROR("-- migrate:up :false\n", 1, 15, "key:value");
  CHECK_ERROR("-- migrate:up transaction:false:x\n", 1, 15, "key:value");
  CHECK_ERROR("-- migrate:up transaction:false transaction:false\n", 1, 33, "given twice");
  CHECK_ERROR("-- migrate:up\nSELECT 1;\n-- migrate:down\ttransaction:no\n", 3, 29, "'no' is not a value");
  CHECK_ERROR("-- migrate:up\nSELECT 'é\xff';\n", 2, 10, "not valid UTF-8");
  CHECK_ERROR("-- migrate:up\nSELECT '\xc0\xaf';\n", 2, 9, "not valid UTF-8");          // overlong
  CHECK_ERROR("-- migrate:up\nSELECT '\xed\xa0\x80';\n", 2, 9, "not valid UTF-8");      // surrogate
  CHECK_ERROR("-- migrate:up\nSELECT 'x\xe2\x82';\n", 2, 10, "not valid UTF-8");        // truncated
  CHECK_ERROR(std::string("-- migrate:up\nSELECT 1;\0\n", 25), 2, 10, "NUL byte");
  CHECK_ERROR("\xEF\xBB\xBFSELECT 1;\n-- migrate:up\n", 1, 1, "SQL before");

  // Not a FormatError: a file that cannot be read.
  bool runtime = false;
  try {
    format->read(scratch + "/does_not_exist.sql");
  } catch (const rokso::FormatError&) {
  } catch (const std::runtime_error& e) {
    runtime = std::string(e.what()).find("does_not_exist.sql") != std::string::npos;
  }
  CHECK(runtime);
  runtime = false;
  try {
    format->read(scratch);
  } catch (const rokso::FormatError&) {
  } catch (const std::runtime_error&) {
    runtime = true;
  }
  CHECK(runtime);
}

void test_render() {
  rokso::Migration m;
  m.apply_sql = "CREATE TABLE IF NOT EXISTS offline.x (\n    id bigint\n);";
  m.rollback_sql = "DROP TABLE IF EXISTS offline.x;";
  std::vector<rokso::RenderedFile> files = format->render("2024_01_02__10_11_12_y", m);
  CHECK_EQ(files.size(), 1u);
  if (files.size() != 1) return;
  CHECK_EQ(files[0].file_name, "2024_01_02__10_11_12_y.sql");
  CHECK_EQ(files[0].content,
           "-- migrate:up\nCREATE TABLE IF NOT EXISTS offline.x (\n    id bigint\n);\n"
           "-- migrate:down\nDROP TABLE IF EXISTS offline.x;\n");
  rokso::Migration back = read_text(files[0].content, files[0].file_name);
  CHECK_EQ(back.apply_sql, m.apply_sql + "\n");
  CHECK_EQ(back.rollback_sql, m.rollback_sql + "\n");
  CHECK(back.transactional);
  CHECK(back.notes.empty());

  m.transactional = false;
  m.rollback_sql.clear();
  m.description = "adds x\n\nfor the reports\n";
  files = format->render("20240102101112_y", m);
  CHECK_EQ(files[0].content,
           "-- adds x\n--\n-- for the reports\n-- migrate:up transaction:false\n"
           "CREATE TABLE IF NOT EXISTS offline.x (\n    id bigint\n);\n-- migrate:down transaction:false\n");
  back = read_text(files[0].content, files[0].file_name);
  CHECK(!back.transactional);
  CHECK_EQ(back.rollback_sql, "");
  CHECK(back.notes.empty());

  const auto refuses = [](const std::string& stem, const rokso::Migration& migration) {
    try {
      format->render(stem, migration);
    } catch (const std::invalid_argument&) {
      return true;
    }
    return false;
  };
  rokso::Migration plain;
  plain.apply_sql = "SELECT 1;";
  CHECK(refuses("create_x", plain));
  CHECK(refuses("20240102_x.up", plain));
  CHECK(refuses("20240102_x.rollback", plain));
  CHECK(!refuses("20240102_x", plain));
  rokso::Migration marker = plain;
  marker.apply_sql = "SELECT 1;\n-- migrate:down\nSELECT 2;\n";
  CHECK(refuses("20240102_x", marker));
  marker = plain;
  marker.rollback_sql = "--migrate:up\n";
  CHECK(refuses("20240102_x", marker));
  marker = plain;
  marker.description = "migrate:up";
  CHECK(refuses("20240102_x", marker));
  rokso::Migration with_requires = plain;
  with_requires.requires_identities.push_back("offline/200.tables/t/x.py");
  CHECK(refuses("20240102_x", with_requires));
}

// Random mutations of valid files and random bytes: every read returns or throws
// FormatError (nothing else, no crash), and a successful read gives sections that are
// substrings of the file.
void test_mutations() {
  const std::vector<std::string> seeds = {
      "-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n",
      "-- header\n-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (id);\n"
      "-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY i;\n",
      "\xEF\xBB\xBF-- migrate:up\r\nSELECT 'é€😀';\r\n",
      "-- migrate:up\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n-- migrate:down\n"};
  const std::string alphabet = std::string("-:\n\r\t migrateupdowntransactionfalse$;'\xc3\xa9\xff\x80", 42) + '\0';
  std::mt19937 rng(20200101);
  const std::string path = scratch + "/20200101000000_fuzz.sql";
  int format_errors = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = text.empty() ? 0 : rng() % (text.size() + 1);
      switch (rng() % 4) {
        case 0: text.insert(at, 1, alphabet[rng() % alphabet.size()]); break;
        case 1: if (at < text.size()) text.erase(at, 1 + rng() % 8); break;
        case 2: if (at < text.size()) text[at] = static_cast<char>(rng() & 0xFF); break;
        default: text.insert(at, rng() % 2 ? "\n-- migrate:up" : "\n-- migrate:down transaction:false"); break;
      }
    }
    if (i % 10 == 0) {
      text.resize(rng() % 64);
      for (char& c : text) c = static_cast<char>(rng() & 0xFF);
    }
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    try {
      const rokso::Migration m = format->read(path);
      CHECK(text.find(m.apply_sql) != std::string::npos);
      CHECK(text.find(m.rollback_sql) != std::string::npos);
    } catch (const rokso::FormatError& e) {
      ++format_errors;
      CHECK(e.line() >= 1 && e.column() >= 1);
    } catch (const std::exception& e) {
      ++failures;
      std::cerr << "unexpected exception on mutation " << i << ": " << e.what() << "\n";
    }
  }
  CHECK(format_errors > 0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: dbmate_format_test <rokso-format-dbmate.so>\n";
    return 2;
  }
  void* handle = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    std::cerr << "cannot load " << argv[1] << ": " << dlerror() << "\n";
    return 1;
  }
  using Create = rokso::Plugin* (*)();
  const auto create = reinterpret_cast<Create>(dlsym(handle, "rokso_plugin_create"));
  if (!create) {
    std::cerr << "no rokso_plugin_create in " << argv[1] << "\n";
    return 1;
  }
  // Destroyed before main returns; the module stays loaded until exit (never dlclose'd
  // while an object it made is alive: the lifetime rule the host follows too).
  const std::unique_ptr<rokso::Plugin> plugin(create());
  format = plugin ? plugin->as_format() : nullptr;
  if (!format) {
    std::cerr << argv[1] << " provides no file format\n";
    return 1;
  }
  char tmpl[] = "/tmp/dbmate_format_test_XXXXXX";
  if (!mkdtemp(tmpl)) {
    std::perror("mkdtemp");
    return 1;
  }
  scratch = tmpl;

  test_manifest(handle);
  test_claim();
  test_read();
  test_errors();
  test_render();
  test_mutations();

  std::error_code ignored;
  std::filesystem::remove_all(scratch, ignored);
  std::cout << checks - failures << " checks passed, " << failures << " failed\n";
  return failures == 0 ? 0 : 1;
}
