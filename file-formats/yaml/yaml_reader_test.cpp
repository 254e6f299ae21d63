// Unit tests of the .yaml reader. Positions are 1-based line:column, the column counting
// characters (code points), a tab counting as one.
#define BOOST_TEST_MODULE yaml_reader
#include <boost/test/unit_test.hpp>

#include "yaml_reader.hpp"

#include <rokso/format_error.hpp>

#include <string>
#include <vector>

using rokso::yaml::read_yaml_migration;

namespace {

struct Failure {
  int line = -1;
  int column = -1;
  std::string message;
};

Failure failure_of(const std::string& text) {
  try {
    const rokso::Migration m = read_yaml_migration(text);
    BOOST_ERROR("accepted, apply_sql = [" << m.apply_sql << "]: " << text);
  } catch (const rokso::FormatError& e) {
    return Failure{e.line(), e.column(), e.what()};
  }
  return Failure{};
}

// The apply SQL of `apply: <value>`.
std::string apply_of(const std::string& value) { return read_yaml_migration("apply: " + value).apply_sql; }

const std::string kKeys = "the keys are apply, rollback, transaction, requires and description";

}  // namespace

#define CHECK_FAILURE(failure, expected_line, expected_column, expected_message) \
  do {                                                                          \
    const Failure f_ = (failure);                                               \
    BOOST_TEST(f_.line == (expected_line));                                     \
    BOOST_TEST(f_.column == (expected_column));                                 \
    BOOST_TEST(f_.message == (expected_message));                               \
  } while (0)

// =====================================================================================
BOOST_AUTO_TEST_SUITE(migrations)

BOOST_AUTO_TEST_CASE(every_key) {
  const rokso::Migration m = read_yaml_migration(
      "# users\n"
      "description: Adds the users table\n"
      "requires:\n"
      "  - public/100.database_types/status/2024_01_01__00_00_00_status.yaml\n"
      "  - \"other/200.tables/t/x.py\"\n"
      "transaction: false\n"
      "apply: |\n"
      "  CREATE TABLE users (\n"
      "      id serial PRIMARY KEY\n"
      "  );\n"
      "rollback: |-\n"
      "  DROP TABLE users;\n");
  BOOST_TEST(m.description == "Adds the users table");
  const std::vector<std::string> requires = {"public/100.database_types/status/2024_01_01__00_00_00_status.yaml",
                                             "other/200.tables/t/x.py"};
  BOOST_TEST(m.requires_identities == requires, boost::test_tools::per_element());
  BOOST_TEST(!m.transactional);
  BOOST_TEST(m.apply_sql == "CREATE TABLE users (\n    id serial PRIMARY KEY\n);\n");
  BOOST_TEST(m.rollback_sql == "DROP TABLE users;");
  BOOST_TEST(m.notes.empty());
}

BOOST_AUTO_TEST_CASE(defaults) {
  const rokso::Migration m = read_yaml_migration("apply: SELECT 1\nrollback: ''\n");
  BOOST_TEST(m.apply_sql == "SELECT 1");
  BOOST_TEST(m.rollback_sql == "");
  BOOST_TEST(m.transactional);
  BOOST_TEST(m.requires_identities.empty());
  BOOST_TEST(m.description == "");
  BOOST_TEST(m.notes.empty());
  BOOST_TEST(read_yaml_migration("apply: x\ntransaction: true\nrequires: []\ndescription: ''\nrollback: x").transactional);
}

BOOST_AUTO_TEST_CASE(a_missing_rollback_is_empty_with_a_note) {
  const rokso::Migration m = read_yaml_migration("apply: SELECT 1;\n");
  BOOST_TEST(m.rollback_sql == "");
  BOOST_TEST_REQUIRE(m.notes.size() == 1u);
  BOOST_TEST(m.notes[0] == "no 'rollback' key: rolling back only removes its row");
}

BOOST_AUTO_TEST_CASE(any_key_order_and_flow_style) {
  const rokso::Migration m =
      read_yaml_migration("{rollback: \"DROP TABLE t;\", requires: [a, 'b c'], apply: \"CREATE TABLE t ();\"}");
  BOOST_TEST(m.apply_sql == "CREATE TABLE t ();");
  BOOST_TEST(m.rollback_sql == "DROP TABLE t;");
  BOOST_TEST(m.requires_identities == (std::vector<std::string>{"a", "b c"}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(document_markers_bom_crlf_and_comments) {
  const rokso::Migration m =
      read_yaml_migration("\xEF\xBB\xBF%YAML 1.2\r\n---\r\n# c\r\napply: |\r\n  SELECT 1;\r\n  SELECT 2;\r\n...\r\n");
  BOOST_TEST(m.apply_sql == "SELECT 1;\nSELECT 2;\n");  // YAML line breaks are LF in the value
}

BOOST_AUTO_TEST_CASE(explicit_string_tags) {
  BOOST_TEST(apply_of("!!str 5") == "5");
  BOOST_TEST(apply_of("!!str") == "");
  BOOST_TEST(apply_of("!<tag:yaml.org,2002:str> true") == "true");
  BOOST_TEST(!read_yaml_migration("apply: x\ntransaction: !!bool false").transactional);
}

BOOST_AUTO_TEST_SUITE_END()

// =====================================================================================
BOOST_AUTO_TEST_SUITE(scalars)

BOOST_AUTO_TEST_CASE(block_scalars_as_yaml_defines_them) {
  BOOST_TEST(apply_of("|\n  a\n  b\n") == "a\nb\n");
  BOOST_TEST(apply_of("|-\n  a\n  b\n") == "a\nb");
  BOOST_TEST(apply_of("|+\n  a\n  b\n\n\n") == "a\nb\n\n\n");
  BOOST_TEST(apply_of("|\n  a\n\n\n") == "a\n");
  BOOST_TEST(apply_of("|\n  a  \n   b\t\n") == "a  \n b\t\n");  // nothing trimmed
  BOOST_TEST(apply_of("|2\n   a\n  b\n") == " a\nb\n");
  BOOST_TEST(apply_of("|2-\n   a\n  b\n") == " a\nb");
  BOOST_TEST(apply_of("|-2\n   a\n  b\n") == " a\nb");
  BOOST_TEST(apply_of("|\n  # not a comment\n  a: b\n  ---\n  ...\n") == "# not a comment\na: b\n---\n...\n");
  BOOST_TEST(apply_of("|\n\n  a\n") == "\na\n");
  BOOST_TEST(apply_of("|\n  SELECT '\xC3\xA9\xF0\x9F\x98\x80';\n") == "SELECT '\xC3\xA9\xF0\x9F\x98\x80';\n");
  BOOST_TEST(apply_of(">\n  a\n  b\n\n  c\n") == "a b\nc\n");
}

BOOST_AUTO_TEST_CASE(quoted_scalars) {
  BOOST_TEST(apply_of("\"a\\tb\\r\\n\\x41\\u00e9\\\"\\\\ \"") == "a\tb\r\nA\xC3\xA9\"\\ ");
  BOOST_TEST(apply_of("'it''s \\n'") == "it's \\n");
  BOOST_TEST(apply_of("\"  spaced  \"") == "  spaced  ");
  BOOST_TEST(apply_of("\"a\n  b\"") == "a b");
}

BOOST_AUTO_TEST_CASE(plain_scalars_that_are_strings) {
  BOOST_TEST(apply_of("SELECT 1") == "SELECT 1");
  BOOST_TEST(apply_of("yes") == "yes");  // YAML 1.2: not a boolean
  BOOST_TEST(apply_of("2024-01-01") == "2024-01-01");
  BOOST_TEST(apply_of("1_000") == "1_000");
  BOOST_TEST(apply_of("0b101") == "0b101");
  BOOST_TEST(apply_of(".") == ".");
  BOOST_TEST(apply_of("1.2.3") == "1.2.3");
  BOOST_TEST(apply_of("nULL") == "nULL");
  BOOST_TEST(apply_of("e5") == "e5");
  BOOST_TEST(apply_of("+") == "+");
}

BOOST_AUTO_TEST_SUITE_END()

// =====================================================================================
BOOST_AUTO_TEST_SUITE(errors)

BOOST_AUTO_TEST_CASE(wrong_types) {
  CHECK_FAILURE(failure_of("apply: 5\n"), 1, 8, "'apply' must be a string, not a number");
  for (const std::string number : {"-5", "+0", "0o17", "0x1F", "1.5", "-.5", "1e10", "2.E-3", ".inf", "-.Inf", ".NaN"}) {
    CHECK_FAILURE(failure_of("apply: " + number), 1, 8, "'apply' must be a string, not a number");
  }
  CHECK_FAILURE(failure_of("apply: true"), 1, 8, "'apply' must be a string, not a boolean");
  CHECK_FAILURE(failure_of("apply: FALSE"), 1, 8, "'apply' must be a string, not a boolean");
  CHECK_FAILURE(failure_of("apply: [a]"), 1, 8, "'apply' must be a string, not a sequence");
  CHECK_FAILURE(failure_of("apply:\n  a: b\n"), 2, 3, "'apply' must be a string, not a mapping");
  CHECK_FAILURE(failure_of("apply: !!int 5"), 1, 8, "'apply' must be a string, not a number");
  CHECK_FAILURE(failure_of("rollback: 1\napply: x"), 1, 11, "'rollback' must be a string, not a number");
  CHECK_FAILURE(failure_of("apply: x\ndescription: [d]"), 2, 14, "'description' must be a string, not a sequence");
}

BOOST_AUTO_TEST_CASE(null_values_point_at_their_key) {
  CHECK_FAILURE(failure_of("apply:\nrollback: x\n"), 1, 1, "'apply' must be a string, not null");
  CHECK_FAILURE(failure_of("rollback: x\napply:"), 2, 1, "'apply' must be a string, not null");
  CHECK_FAILURE(failure_of("apply: ~"), 1, 1, "'apply' must be a string, not null");
  CHECK_FAILURE(failure_of("apply: null"), 1, 1, "'apply' must be a string, not null");
  CHECK_FAILURE(failure_of("apply: x\nrollback: NULL"), 2, 1, "'rollback' must be a string, not null");
  CHECK_FAILURE(failure_of("{apply: x, description: }"), 1, 12, "'description' must be a string, not null");
}

BOOST_AUTO_TEST_CASE(transaction_is_a_boolean) {
  CHECK_FAILURE(failure_of("apply: x\ntransaction: no"), 2, 14, "'transaction' must be true or false, not a string");
  CHECK_FAILURE(failure_of("apply: x\ntransaction: 'false'"), 2, 14,
                "'transaction' must be true or false, not a string");
  CHECK_FAILURE(failure_of("apply: x\ntransaction: 0"), 2, 14, "'transaction' must be true or false, not a number");
  CHECK_FAILURE(failure_of("apply: x\ntransaction:"), 2, 1, "'transaction' must be true or false, not null");
  CHECK_FAILURE(failure_of("apply: x\ntransaction: !!bool yes"), 2, 14, "'transaction' must be true or false, not 'yes'");
}

BOOST_AUTO_TEST_CASE(requires_is_a_sequence_of_identities) {
  CHECK_FAILURE(failure_of("apply: x\nrequires: a.py"), 2, 11, "'requires' must be a sequence of identities, not a string");
  CHECK_FAILURE(failure_of("apply: x\nrequires:"), 2, 1, "'requires' must be a sequence of identities, not null");
  CHECK_FAILURE(failure_of("apply: x\nrequires: {a: b}"), 2, 11,
                "'requires' must be a sequence of identities, not a mapping");
  CHECK_FAILURE(failure_of("apply: x\nrequires: [a, 5]"), 2, 15, "each entry of 'requires' must be a string, not a number");
  CHECK_FAILURE(failure_of("apply: x\nrequires: [a, [b]]"), 2, 15,
                "each entry of 'requires' must be a string, not a sequence");
  CHECK_FAILURE(failure_of("apply: x\nrequires:\n  - a\n  - ''\n"), 4, 5, "empty identity in 'requires'");
  CHECK_FAILURE(failure_of("apply: x\nrequires: [~]"), 2, 12, "each entry of 'requires' must be a string, not null");
}

BOOST_AUTO_TEST_CASE(unknown_and_duplicate_keys) {
  CHECK_FAILURE(failure_of("apply: x\nrollbak: y\n"), 2, 1, "unknown key 'rollbak': " + kKeys);
  CHECK_FAILURE(failure_of("apply: x\nApply: y\n"), 2, 1, "unknown key 'Apply': " + kKeys);
  CHECK_FAILURE(failure_of("apply: x\n\"a\\nb\": y\n"), 2, 1, "unknown key 'a\\nb': " + kKeys);
  CHECK_FAILURE(failure_of("apply: x\n5: y\n"), 2, 1, "unknown key '5': " + kKeys);
  CHECK_FAILURE(failure_of("apply: x\n[a]: y\n"), 2, 1,
                "expected a key (apply, rollback, transaction, requires or description), found a sequence");
  CHECK_FAILURE(failure_of("apply: x\n? \n"), 3, 1,  // yaml-cpp marks the empty key where its node ends
                "expected a key (apply, rollback, transaction, requires or description), found null");
  CHECK_FAILURE(failure_of("{apply: x, : y}"), 1, 12,
                "expected a key (apply, rollback, transaction, requires or description), found null");
  CHECK_FAILURE(failure_of("apply: x\nrollback: y\n'apply': z\n"), 3, 1, "duplicate key 'apply' (the first is on line 1)");
  CHECK_FAILURE(failure_of("{apply: x, apply: x}"), 1, 12, "duplicate key 'apply' (the first is on line 1)");
}

BOOST_AUTO_TEST_CASE(the_document) {
  CHECK_FAILURE(failure_of(""), 1, 1, "no YAML document in the file; expected a mapping with an 'apply' key");
  CHECK_FAILURE(failure_of("\xEF\xBB\xBF"), 1, 1, "no YAML document in the file; expected a mapping with an 'apply' key");
  CHECK_FAILURE(failure_of("# nothing\n\n"), 1, 1, "no YAML document in the file; expected a mapping with an 'apply' key");
  CHECK_FAILURE(failure_of("---\n"), 2, 1, "expected a mapping with an 'apply' key, found null");
  CHECK_FAILURE(failure_of("- apply: x\n"), 1, 1, "expected a mapping with an 'apply' key, found a sequence");
  CHECK_FAILURE(failure_of("SELECT 1;\n"), 1, 1, "expected a mapping with an 'apply' key, found a string");
  CHECK_FAILURE(failure_of("rollback: x\n"), 1, 1, "missing key 'apply' (the SQL the migration runs)");
  CHECK_FAILURE(failure_of("{}"), 1, 1, "missing key 'apply' (the SQL the migration runs)");
  CHECK_FAILURE(failure_of("apply: x\n---\napply: y\n"), 2, 1, "a second YAML document; a migration file holds one");
  CHECK_FAILURE(failure_of("apply: x\n...\n---\n"), 3, 1, "a second YAML document; a migration file holds one");
  BOOST_TEST(read_yaml_migration("!!map {apply: x}").apply_sql == "x");
  CHECK_FAILURE(failure_of("!!seq [a]"), 1, 1, "expected a mapping with an 'apply' key, found a sequence");
  CHECK_FAILURE(failure_of("!foo\napply: x"), 1, 1, "unsupported tag '!foo'");
  CHECK_FAILURE(failure_of("apply: !foo x"), 1, 8, "unsupported tag '!foo'");
  CHECK_FAILURE(failure_of("apply: !!binary eA=="), 1, 8, "unsupported tag 'tag:yaml.org,2002:binary'");
}

BOOST_AUTO_TEST_CASE(syntax_errors_carry_yaml_cpps_position) {
  CHECK_FAILURE(failure_of("apply: x\n  rollback: y: z\n"), 2, 11, "invalid YAML: illegal map value");
  CHECK_FAILURE(failure_of("apply: [x\n"), 2, 1, "invalid YAML: end of sequence flow not found");
  CHECK_FAILURE(failure_of("apply: |\n  a\n\tb\n"), 3, 1, "invalid YAML: illegal tab when looking for indentation");
  CHECK_FAILURE(failure_of("apply: \"\\uD800\"\n"), 1, 15, "invalid YAML: invalid unicode: 55296");
  // Columns count characters, not bytes (yaml-cpp's own column would be 15).
  CHECK_FAILURE(failure_of("apply: \"\xC3\xA9\xC3\xA9\\q\"\n"), 1, 13, "invalid YAML: unknown escape character: q");
  // Quoted strings left open at the end (yaml-cpp would take them as closed).
  CHECK_FAILURE(failure_of("apply: \"x\n"), 1, 8, "invalid YAML: a quoted string that is never closed");
  CHECK_FAILURE(failure_of("apply: 'x''\n\n"), 1, 8, "invalid YAML: a quoted string that is never closed");
  CHECK_FAILURE(failure_of("apply: !!str\n  # c\n  \"x\\\"\n"), 3, 3, "invalid YAML: a quoted string that is never closed");
  CHECK_FAILURE(failure_of("apply: \"x"), 1, 10, "invalid YAML: illegal EOF in scalar");
  BOOST_TEST(apply_of("!!str\n  # c\n  \"x\\\"\"\n") == "x\"");
}

BOOST_AUTO_TEST_CASE(bytes_yaml_cpp_is_never_given) {
  CHECK_FAILURE(failure_of("apply: x\xFF"), 1, 9, "invalid utf-8 (byte 0xff)");
  CHECK_FAILURE(failure_of("\xEF\xBB\xBF" "apply: \xC3\xA9\xED\xA0\x80"), 1, 9, "invalid utf-8 (byte 0xed)");
  CHECK_FAILURE(failure_of(std::string("apply: |\n  a\0", 13)), 2, 4, "null byte in the file");
  CHECK_FAILURE(failure_of("apply: |\n  a\rb\n"), 2, 4,
                "a carriage return that is not followed by a line feed; write \\r inside a double-quoted string");
  CHECK_FAILURE(failure_of("apply: x\r"), 1, 9,
                "a carriage return that is not followed by a line feed; write \\r inside a double-quoted string");
  CHECK_FAILURE(failure_of("apply: |\n  \x1b[0m\n"), 2, 3,
                "character U+001B is not allowed in a YAML file; write it as an escape inside a double-quoted string");
  CHECK_FAILURE(failure_of("apply: \"\x7f\""), 1, 9,
                "character U+007F is not allowed in a YAML file; write it as an escape inside a double-quoted string");
  CHECK_FAILURE(failure_of("apply: \"\xC2\x80\""), 1, 9,
                "character U+0080 is not allowed in a YAML file; write it as an escape inside a double-quoted string");
  CHECK_FAILURE(failure_of("apply: \"\xEF\xBF\xBE\""), 1, 9,
                "character U+FFFE is not allowed in a YAML file; write it as an escape inside a double-quoted string");
  // Allowed as they are: tab, NEL, U+2028, a BOM inside the text.
  BOOST_TEST(apply_of("\"\t\xC2\x85\xE2\x80\xA8\xEF\xBB\xBF\"") == "\t\xC2\x85\xE2\x80\xA8\xEF\xBB\xBF");
}

// Each found by differential testing against another YAML implementation (PyYAML).
BOOST_AUTO_TEST_CASE(what_yaml_cpp_reads_wrongly_is_refused) {
  const std::string blank_end =
      "a quoted string that ends in blank lines: yaml-cpp 0.7 drops them; write them as \\n or use a literal block "
      "('|+')";
  CHECK_FAILURE(failure_of("apply: '\n\n  '\n"), 1, 8, blank_end);
  CHECK_FAILURE(failure_of("apply: 'a\n\n\n  '\n"), 1, 8, blank_end);
  CHECK_FAILURE(failure_of("rollback: x\napply: \"a\n  \n\n  \"\n"), 2, 8, blank_end);
  CHECK_FAILURE(failure_of("apply: !!str\n  \"\n\n  \"\n"), 2, 3, blank_end);
  BOOST_TEST(apply_of("'a\n\n  '\n") == "a\n");          // one is kept right
  BOOST_TEST(apply_of("\"a\\\n\n\n  \"\n") == "a\n\n");  // after an escaped line break
  BOOST_TEST(apply_of("'a\n\n\n  b'\n") == "a\n\nb");     // blank lines inside are fine

  CHECK_FAILURE(failure_of("apply: >+\n  a\n\n"), 1, 8,
                "a folded block scalar with keep chomping ('>+'): yaml-cpp 0.7 loses its final line breaks; write a "
                "literal block ('|+') instead");
  CHECK_FAILURE(failure_of("apply: >2+\n  a\n"), 1, 8,
                "a folded block scalar with keep chomping ('>+'): yaml-cpp 0.7 loses its final line breaks; write a "
                "literal block ('|+') instead");
  CHECK_FAILURE(failure_of("apply: >\n  a\n  "), 1, 8,
                "a folded block scalar ('>') in a file that ends in blanks without a line break: yaml-cpp 0.7 reads "
                "it wrongly; end the file with a line break");
  BOOST_TEST(apply_of(">\n  a\n  \n") == "a\n");
  BOOST_TEST(apply_of("|+\n  a\n\n") == "a\n\n");  // literal blocks are right

  CHECK_FAILURE(failure_of("apply: \"\\N\""), 1, 8,
                "the string is not valid utf-8 after its escapes are decoded (yaml-cpp 0.7 gets \\N and \\_ wrong: "
                "write \\u0085 and \\u00A0)");
  CHECK_FAILURE(failure_of("apply: x\ndescription: \"a\\_\""), 2, 14,
                "the string is not valid utf-8 after its escapes are decoded (yaml-cpp 0.7 gets \\N and \\_ wrong: "
                "write \\u0085 and \\u00A0)");
  BOOST_TEST(apply_of("\"\\u0085\\u00A0\\L\\P\"") == "\xC2\x85\xC2\xA0\xE2\x80\xA8\xE2\x80\xA9");
}

BOOST_AUTO_TEST_CASE(escapes_cannot_make_nul) {
  CHECK_FAILURE(failure_of("apply: \"a\\0b\""), 1, 8, "the string holds a NUL character, which SQL text cannot hold");
  CHECK_FAILURE(failure_of("apply: x\nrequires: [\"\\x00\"]"), 2, 12,
                "the string holds a NUL character, which SQL text cannot hold");
}

BOOST_AUTO_TEST_SUITE_END()

// =====================================================================================
BOOST_AUTO_TEST_SUITE(guard)

BOOST_AUTO_TEST_CASE(deep_nesting_is_refused_before_yaml_cpp_recurses) {
  const std::string deep = "apply: x\nrequires: " + std::string(100000, '[');
  // yaml-cpp reports each '[' left open as a sequence in a compact mapping: two levels.
  CHECK_FAILURE(failure_of(deep), 2, 11 + 32, "collections nested deeper than 64 levels");
  CHECK_FAILURE(failure_of("apply: x\nrequires: " + std::string(100000, '{')), 2, 11 + 63,
                "collections nested deeper than 64 levels");
  const std::string closed = std::string(70, '[') + std::string(70, ']');
  CHECK_FAILURE(failure_of("apply: x\nrequires: " + closed), 2, 11 + 63, "collections nested deeper than 64 levels");
  std::string block;
  for (int i = 0; i < 5000; ++i) block += "- ";
  CHECK_FAILURE(failure_of(block + "x"), 1, 129, "collections nested deeper than 64 levels");
  // 64 levels are read (and then refused by the schema).
  CHECK_FAILURE(failure_of("apply: x\nrequires: " + std::string(63, '[') + std::string(63, ']')), 2, 12,
                "each entry of 'requires' must be a string, not a sequence");
}

BOOST_AUTO_TEST_CASE(anchors_and_aliases_are_refused) {
  CHECK_FAILURE(failure_of("apply: &a x\nrollback: *a\n"), 1, 8, "anchors and aliases are not allowed in a migration file");
  CHECK_FAILURE(failure_of("apply: x\nrequires: &a [*a]\n"), 2, 11, "anchors and aliases are not allowed in a migration file");
  CHECK_FAILURE(failure_of("apply: x\nrollback: *a\n"), 2, 11, "invalid YAML: the referenced anchor is not defined");
  CHECK_FAILURE(failure_of("&a apply: x\n"), 1, 1, "anchors and aliases are not allowed in a migration file");
  CHECK_FAILURE(failure_of("apply: &a\n"), 1, 8, "anchors and aliases are not allowed in a migration file");
  // '&' and '*' in text are text.
  BOOST_TEST(apply_of("|\n  SELECT * FROM t WHERE a && b;\n") == "SELECT * FROM t WHERE a && b;\n");
  BOOST_TEST(apply_of("\"*a &b\"") == "*a &b");
  BOOST_TEST(apply_of("SELECT * FROM t") == "SELECT * FROM t");
}

BOOST_AUTO_TEST_SUITE_END()
