// Unit tests of the .py reader. Expected values were checked against CPython 3.11
// (importlib.util.decode_source + exec); positions are 1-based line:column in characters.
#define BOOST_TEST_MODULE py_reader
#include <boost/test/unit_test.hpp>

#include "py_reader.hpp"

#include <rokso/format_error.hpp>
#include <rokso/migration.hpp>

#include <string>
#include <vector>

using rokso::py::read_py_migration;

namespace {

// `text` followed by roksopsql's migrations dict of apply_sql and rollback_sql.
std::string with_dict(const std::string& text) {
  return text + "\nmigrations = {'apply': apply_sql, 'rollback': rollback_sql}\n";
}

// The value CPython gives the expression `expr`, read through apply_sql.
std::string value_of(const std::string& expr) {
  return read_py_migration(with_dict("apply_sql = " + expr + "\nrollback_sql = ''")).apply_sql;
}

struct Failure {
  int line = -1;
  int column = -1;
  std::string message;
};

Failure failure_of(const std::string& text) {
  try {
    const rokso::Migration m = read_py_migration(text);
    BOOST_ERROR("accepted, apply_sql = [" << m.apply_sql << "]: " << text);
  } catch (const rokso::FormatError& e) {
    return Failure{e.line(), e.column(), e.what()};
  }
  return Failure{};
}

// A failure of `apply_sql = <expr>`: the expression starts at line 1, column 13.
Failure failure_of_value(const std::string& expr) {
  return failure_of("apply_sql = " + expr + "\nrollback_sql = ''\n");
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

#define CHECK_FAILURE(failure, expected_line, expected_column, expected_message) \
  do {                                                                          \
    const Failure f_ = (failure);                                               \
    BOOST_TEST(f_.line == (expected_line));                                     \
    BOOST_TEST(f_.column == (expected_column));                                 \
    BOOST_TEST(contains(f_.message, (expected_message)), f_.message);           \
  } while (0)

// Expected message exactly, not just a part of it.
#define CHECK_FAILURE_EXACTLY(failure, expected_line, expected_column, expected_message) \
  do {                                                                                  \
    const Failure f_ = (failure);                                                       \
    BOOST_TEST(f_.line == (expected_line));                                             \
    BOOST_TEST(f_.column == (expected_column));                                         \
    BOOST_TEST(f_.message == (expected_message));                                       \
  } while (0)

// =====================================================================================
BOOST_AUTO_TEST_SUITE(literals)

BOOST_AUTO_TEST_CASE(every_quote_style) {
  BOOST_TEST(value_of("'a b'") == "a b");
  BOOST_TEST(value_of("\"a b\"") == "a b");
  BOOST_TEST(value_of("'''a b'''") == "a b");
  BOOST_TEST(value_of("\"\"\"a b\"\"\"") == "a b");
  BOOST_TEST(value_of("''") == "");
  BOOST_TEST(value_of("\"\"") == "");
  BOOST_TEST(value_of("''''''") == "");
  BOOST_TEST(value_of("\"\"\"\"\"\"") == "");
}

BOOST_AUTO_TEST_CASE(quotes_inside_strings) {
  BOOST_TEST(value_of("\"it's\"") == "it's");
  BOOST_TEST(value_of("'say \"hi\"'") == "say \"hi\"");
  BOOST_TEST(value_of("\"\"\"a \"\" b \" c\"\"\"") == "a \"\" b \" c");
  BOOST_TEST(value_of("'''x'y''z'''") == "x'y''z");
  BOOST_TEST(value_of("\"\"\"ends with a quote\\\"\"\"\"") == "ends with a quote\"");
  BOOST_TEST(value_of("'''it''s'''") == "it''s");
  BOOST_TEST(value_of("'\\''") == "'");
  BOOST_TEST(value_of("\"\\\"\"") == "\"");
}

BOOST_AUTO_TEST_CASE(triple_quoted_strings_span_lines) {
  BOOST_TEST(value_of("'''a\nb\n'''") == "a\nb\n");
  BOOST_TEST(value_of("\"\"\"\nCREATE TABLE t (\n    id int\n);\n\"\"\"") == "\nCREATE TABLE t (\n    id int\n);\n");
}

BOOST_AUTO_TEST_CASE(accepted_prefixes) {
  for (const char* prefix : {"r", "R", "u", "U", "f", "F", "fr", "Fr", "fR", "FR", "rf", "rF", "Rf", "RF"}) {
    BOOST_TEST_CONTEXT("prefix " << prefix) {
      BOOST_TEST(value_of(std::string(prefix) + "'a'") == "a");
      BOOST_TEST(value_of(std::string(prefix) + "\"\"\"a\"\"\"") == "a");
    }
  }
}

BOOST_AUTO_TEST_CASE(bytes_prefixes_are_refused) {
  for (const char* prefix : {"b", "B", "br", "bR", "Br", "BR", "rb", "rB", "Rb", "RB"}) {
    BOOST_TEST_CONTEXT("prefix " << prefix) {
      CHECK_FAILURE(failure_of_value(std::string(prefix) + "'a'"), 1, 13, "bytes literals are not supported");
    }
  }
}

BOOST_AUTO_TEST_CASE(invalid_prefixes_are_refused) {
  CHECK_FAILURE_EXACTLY(failure_of_value("ur'a'"), 1, 13, "invalid string prefix 'ur'");
  CHECK_FAILURE_EXACTLY(failure_of_value("x'a'"), 1, 13, "invalid string prefix 'x'");
  CHECK_FAILURE(failure_of_value("bu'a'"), 1, 13, "invalid string prefix 'bu'");
}

BOOST_AUTO_TEST_CASE(simple_escapes) {
  BOOST_TEST(value_of("'a\\nb'") == "a\nb");
  BOOST_TEST(value_of("'a\\tb'") == "a\tb");
  BOOST_TEST(value_of("'a\\rb'") == "a\rb");
  BOOST_TEST(value_of("'a\\\\b'") == "a\\b");
  BOOST_TEST(value_of("'a\\'b'") == "a'b");
  BOOST_TEST(value_of("'a\\\"b'") == "a\"b");
  BOOST_TEST(value_of("'\\a\\b\\f\\v'") == "\a\b\f\v");
}

BOOST_AUTO_TEST_CASE(octal_escapes) {
  BOOST_TEST(value_of("'\\0'") == std::string(1, '\0'));
  BOOST_TEST(value_of("'\\7'") == "\x07");
  BOOST_TEST(value_of("'\\12'") == "\n");
  BOOST_TEST(value_of("'\\101'") == "A");
  BOOST_TEST(value_of("'\\1234'") == "S4");                   // at most three digits
  BOOST_TEST(value_of("'\\777'") == "\xC7\xBF");              // U+01FF, as CPython
  BOOST_TEST(value_of("'\\400'") == "\xC4\x80");              // U+0100
  BOOST_TEST(value_of("'\\8\\9'") == "\\8\\9");               // not octal: kept
  BOOST_TEST(value_of("'\\08'") == std::string("\0" "8", 2));
}

BOOST_AUTO_TEST_CASE(hex_and_unicode_escapes) {
  BOOST_TEST(value_of("'\\x41\\x6a'") == "Aj");
  BOOST_TEST(value_of("'\\xe9'") == "\xC3\xA9");  // U+00E9 as UTF-8
  BOOST_TEST(value_of("'\\xE9'") == "\xC3\xA9");
  BOOST_TEST(value_of("'\\x00'") == std::string(1, '\0'));
  BOOST_TEST(value_of("'\\u00e9\\u20AC'") == "\xC3\xA9\xE2\x82\xAC");
  BOOST_TEST(value_of("'\\U0001F600'") == "\xF0\x9F\x98\x80");
  BOOST_TEST(value_of("'\\U0010FFFF'") == "\xF4\x8F\xBF\xBF");
  BOOST_TEST(value_of("'\\x411'") == "A1");
}

BOOST_AUTO_TEST_CASE(unknown_escapes_keep_their_backslash) {
  BOOST_TEST(value_of("'\\d+\\s\\w'") == "\\d+\\s\\w");
  BOOST_TEST(value_of("'\\\xC3\xA9'") == "\\\xC3\xA9");  // backslash before é
  BOOST_TEST(value_of("'\\ '") == "\\ ");
  BOOST_TEST(value_of("'\\{'") == "\\{");
}

BOOST_AUTO_TEST_CASE(backslash_newline_inside_strings_is_removed) {
  BOOST_TEST(value_of("'a\\\nb'") == "ab");
  BOOST_TEST(value_of("\"a\\\nb\"") == "ab");
  BOOST_TEST(value_of("'''a\\\nb'''") == "ab");
  BOOST_TEST(value_of("\"\"\"\\\nSELECT 1;\\\n\"\"\"") == "SELECT 1;");
  BOOST_TEST(value_of("'a\\\r\nb'") == "ab");  // CRLF is one newline
}

BOOST_AUTO_TEST_CASE(bad_escapes_are_errors) {
  // apply_sql = 'ab\x4' : the backslash is column 16.
  CHECK_FAILURE_EXACTLY(failure_of_value("'ab\\x4'"), 1, 16, "truncated \\xXX escape");
  CHECK_FAILURE_EXACTLY(failure_of_value("'\\x'"), 1, 14, "truncated \\xXX escape");
  CHECK_FAILURE_EXACTLY(failure_of_value("'\\u12'"), 1, 14, "truncated \\uXXXX escape");
  CHECK_FAILURE_EXACTLY(failure_of_value("'\\U0001F60'"), 1, 14, "truncated \\UXXXXXXXX escape");
  CHECK_FAILURE_EXACTLY(failure_of_value("'\\U00110000'"), 1, 14, "illegal unicode character in \\U escape");
  CHECK_FAILURE(failure_of_value("'\\ud800'"), 1, 14, "lone surrogate");
  CHECK_FAILURE(failure_of_value("'\\U0000DFFF'"), 1, 14, "lone surrogate");
  CHECK_FAILURE(failure_of_value("'a \\N{EM DASH}'"), 1, 16, "\\N{...} escapes are not supported");
  CHECK_FAILURE(failure_of_value("'\\N'"), 1, 14, "\\N{...} escapes are not supported");
}

BOOST_AUTO_TEST_CASE(raw_strings) {
  BOOST_TEST(value_of("r'\\d+\\.\\w'") == "\\d+\\.\\w");
  BOOST_TEST(value_of("r'\\''") == "\\'");
  BOOST_TEST(value_of("r\"\\\"\"") == "\\\"");
  BOOST_TEST(value_of("r'\\\\'") == "\\\\");
  BOOST_TEST(value_of("r'\\n\\x41\\N{DASH}'") == "\\n\\x41\\N{DASH}");
  BOOST_TEST(value_of("r'a\\\nb'") == "a\\\nb");  // backslash-newline kept
  BOOST_TEST(value_of("R'''\\''''") == "\\'");
  BOOST_TEST(value_of("r'''a\"\"\"b'''") == "a\"\"\"b");
  // A raw string cannot end in an odd number of backslashes.
  CHECK_FAILURE_EXACTLY(failure_of_value("r'\\'"), 1, 13, "unterminated string literal");
  CHECK_FAILURE_EXACTLY(failure_of_value("r'''a\\'''"), 1, 13, "unterminated triple-quoted string");
}

BOOST_AUTO_TEST_CASE(f_strings_without_placeholders) {
  BOOST_TEST(value_of("f'plain'") == "plain");
  BOOST_TEST(value_of("f'{{x}}'") == "{x}");
  BOOST_TEST(value_of("f'a}}b{{'") == "a}b{");
  BOOST_TEST(value_of("f'\\x7b'") == "{");      // escapes are not braces
  BOOST_TEST(value_of("f'\\{{'") == "\\{");     // CPython: the backslash stays
  BOOST_TEST(value_of("rf'\\{{\\n'") == "\\{\\n");
  BOOST_TEST(value_of("f'''{{\n}}'''") == "{\n}");
  BOOST_TEST(value_of("f'{{' '}}'") == "{}}");  // only the f-string is unescaped
}

BOOST_AUTO_TEST_CASE(f_string_braces) {
  CHECK_FAILURE_EXACTLY(failure_of_value("f'a}'"), 1, 16, "single '}' is not allowed in an f-string");
  CHECK_FAILURE(failure_of_value("f'\\{'"), 1, 16, "f-string: expecting '}'");
}

BOOST_AUTO_TEST_CASE(implicit_concatenation) {
  BOOST_TEST(value_of("'a' \"b\" '''c''' \"\"\"d\"\"\"") == "abcd");
  BOOST_TEST(value_of("'a''b'") == "ab");
  BOOST_TEST(value_of("(\n    'a'  # a comment with 'quotes'\n\n    \"b\"\n        'c'\n)") == "abc");
  BOOST_TEST(value_of("'a' \\\n    'b'") == "ab");
  BOOST_TEST(value_of("'a'\\\n'b'") == "ab");
  BOOST_TEST(value_of("r'\\d' u'e' f'{{' U'f' R'\\g'") == "\\de{f\\g");
  BOOST_TEST(value_of("(((\n'a'\n'b')))") == "ab");
  BOOST_TEST(value_of("(  # why\n  'SELECT 1;'\n)") == "SELECT 1;");
}

BOOST_AUTO_TEST_CASE(hash_inside_strings_is_not_a_comment) {
  BOOST_TEST(value_of("\"a # not a comment\"  # a comment \"with quotes\"") == "a # not a comment");
  BOOST_TEST(value_of("'''\n-- #1\n'''") == "\n-- #1\n");
  BOOST_TEST(value_of("(  # not here\n'x')") == "x");
}

BOOST_AUTO_TEST_CASE(unicode_sql) {
  const std::string sql = "CREATE TABLE \"\xE5\x90\x8D\xE5\x89\x8D\" (\xC3\xA9t\xC3\xA9 text); -- \xF0\x9F\x98\x80 \xE2\x80\xA8";
  BOOST_TEST(value_of("'''" + sql + "'''") == sql);
  BOOST_TEST(value_of("u'" + sql + "'") == sql);
}

BOOST_AUTO_TEST_SUITE_END()

// =====================================================================================
BOOST_AUTO_TEST_SUITE(source_text)

BOOST_AUTO_TEST_CASE(utf8_bom) {
  BOOST_TEST(read_py_migration(with_dict("\xEF\xBB\xBF" "apply_sql = 'a'\nrollback_sql = ''")).apply_sql == "a");
  // The BOM is not a character of line 1.
  CHECK_FAILURE(failure_of("\xEF\xBB\xBF" "apply_sql = x"), 1, 13, "name 'x'");
  // Only at the very start.
  CHECK_FAILURE(failure_of("apply_sql = 'a'\n\xEF\xBB\xBF"), 2, 1, "non-ascii character");
}

BOOST_AUTO_TEST_CASE(crlf_and_cr_are_newlines_everywhere) {
  const rokso::Migration crlf =
      read_py_migration(with_dict("apply_sql = '''a\r\nb'''\r\n\r\nrollback_sql = \"r\"\r\n"));
  BOOST_TEST(crlf.apply_sql == "a\nb");
  BOOST_TEST(crlf.rollback_sql == "r");
  const rokso::Migration cr = read_py_migration(with_dict("apply_sql = '''a\rb\r'''\rrollback_sql = 'r'\r"));
  BOOST_TEST(cr.apply_sql == "a\nb\n");
  BOOST_TEST(read_py_migration(with_dict("apply_sql = '''a\r\n\rb\n'''\nrollback_sql = ''")).apply_sql == "a\n\nb\n");
  // "a"<CR>"b" is two statements, as in CPython.
  CHECK_FAILURE(failure_of("apply_sql = 'a'\r'b' % 1\rrollback_sql = ''"), 2, 5, "'%' formatting");
  // Lines are counted the same way in errors.
  CHECK_FAILURE(failure_of("x = 1\r\ny = 2\rapply_sql = z\n"), 3, 13, "name 'z'");
}

BOOST_AUTO_TEST_CASE(escaped_cr_stays_a_cr) {
  BOOST_TEST(value_of("'a\\r\\nb'") == "a\r\nb");
}

BOOST_AUTO_TEST_CASE(coding_cookies) {
  BOOST_TEST(read_py_migration(with_dict("# -*- coding: latin-1 -*-\napply_sql = '\xE9'\nrollback_sql = ''")).apply_sql ==
             "\xC3\xA9");
  BOOST_TEST(read_py_migration(with_dict("#!/usr/bin/env python\n# vim: set fileencoding=iso-8859-1 :\n"
                               "apply_sql = '\xE9'\nrollback_sql = ''"))
                 .apply_sql == "\xC3\xA9");
  BOOST_TEST(read_py_migration(with_dict("# coding: utf-8\napply_sql = '\xC3\xA9'\nrollback_sql = ''")).apply_sql ==
             "\xC3\xA9");
  BOOST_TEST(read_py_migration(with_dict("\xEF\xBB\xBF# coding: utf_8\napply_sql = 'a'\nrollback_sql = ''")).apply_sql == "a");
  BOOST_TEST(read_py_migration(with_dict("# coding=ascii\napply_sql = 'a'\nrollback_sql = ''")).apply_sql == "a");
  // As CPython's tokenizer: lines split at CR too, and the cookie line need not be UTF-8.
  BOOST_TEST(read_py_migration(with_dict("# c\r# coding: latin-1\rapply_sql = '\xE9'\rrollback_sql = ''")).apply_sql ==
             "\xC3\xA9");
  BOOST_TEST(read_py_migration(with_dict("# coding: latin-1 \xE9\napply_sql = '\xE9'\nrollback_sql = ''")).apply_sql ==
             "\xC3\xA9");
  // A cookie counts on line 1 or 2 only, and on line 2 only after a comment/blank line.
  CHECK_FAILURE(failure_of("x = 1\n# coding: latin-1\napply_sql = '\xE9'"), 3, 14, "invalid utf-8 (byte 0xe9)");
  CHECK_FAILURE(failure_of("#\n#\n# coding: latin-1\napply_sql = '\xE9'"), 4, 14, "invalid utf-8");
  CHECK_FAILURE_EXACTLY(failure_of("# coding: cp1252\n"), 1, 1,
                        "unsupported source encoding 'cp1252': rokso reads utf-8, latin-1 and ascii .py files");
  CHECK_FAILURE(failure_of("\xEF\xBB\xBF\n# coding: latin-1\n"), 2, 1, "encoding problem");
  CHECK_FAILURE(failure_of("\xEF\xBB\xBF# coding: utf8\n"), 1, 1, "encoding problem");  // as CPython
  CHECK_FAILURE(failure_of("# coding: ascii\napply_sql = '\xC3\xA9'"), 2, 14, "non-ascii byte 0xc3");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_is_refused_where_it_is) {
  // CPython refuses a file that is not valid in its encoding, literals included.
  CHECK_FAILURE(failure_of("apply_sql = 'a'\n\xFF"), 2, 1, "invalid utf-8 (byte 0xff)");
  CHECK_FAILURE(failure_of("apply_sql = 'ab\xC3('"), 1, 16, "invalid utf-8 (byte 0xc3)");
  CHECK_FAILURE(failure_of("apply_sql = '\xC3\xA9\xC0\xAF'"), 1, 15, "invalid utf-8 (byte 0xc0)");  // overlong
  CHECK_FAILURE(failure_of("x = '\xED\xA0\x80'"), 1, 6, "invalid utf-8 (byte 0xed)");              // surrogate
  CHECK_FAILURE(failure_of("x = '\xF4\x90\x80\x80'"), 1, 6, "invalid utf-8 (byte 0xf4)");          // > U+10FFFF
  CHECK_FAILURE(failure_of("# \xC3\n"), 1, 3, "invalid utf-8");
}

BOOST_AUTO_TEST_CASE(null_bytes_are_refused) {
  CHECK_FAILURE_EXACTLY(failure_of(std::string("apply_sql = 'a\0'", 16)), 1, 15, "null byte in the file");
  CHECK_FAILURE(failure_of(std::string("# \0\n", 4)), 1, 3, "null byte");
}

BOOST_AUTO_TEST_CASE(columns_count_characters) {
  // apply_sql = 'é€😀' % x : the % is the 19th character (and the 25th byte).
  CHECK_FAILURE(failure_of_value("'\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80' % 1"), 1, 19, "'%' formatting");
  CHECK_FAILURE(failure_of_value("'a'\t% 1"), 1, 17, "'%' formatting");  // a tab is one character
}

BOOST_AUTO_TEST_SUITE_END()

// =====================================================================================
BOOST_AUTO_TEST_SUITE(modules)

BOOST_AUTO_TEST_CASE(roksopsql_file) {
  const rokso::Migration m = read_py_migration(
      "apply_sql = \"\"\"\n"
      "CREATE TABLE IF NOT EXISTS offline.user_master (id serial PRIMARY KEY);\n"
      "\"\"\"\n"
      "\n"
      "rollback_sql = \"DROP TABLE IF EXISTS offline.user_master;\"\n"
      "\n"
      "migrations = {\n"
      "    \"apply\": apply_sql,\n"
      "    \"rollback\": rollback_sql\n"
      "}\n");
  BOOST_TEST(m.apply_sql == "\nCREATE TABLE IF NOT EXISTS offline.user_master (id serial PRIMARY KEY);\n");
  BOOST_TEST(m.rollback_sql == "DROP TABLE IF EXISTS offline.user_master;");
  BOOST_TEST(m.transactional);
  BOOST_TEST(m.requires_identities.empty());
  BOOST_TEST(m.description.empty());
}

BOOST_AUTO_TEST_CASE(dict_keys_in_either_order_names_or_literals) {
  const char* const files[] = {
      "a = 'A'\nr = 'R'\nmigrations = {'rollback': r, 'apply': a}",
      "migrations = {\"apply\": \"A\", \"rollback\": 'R',}",
      "migrations = {\n  # apply first\n  'rollback': (\n    'R'\n  ),\n\n  'apply': 'A'  # inline\n  ,\n}\n",
      "a = 'A'\nmigrations = {'apply': a, 'rollback': 'R'}",
      "r = 'R'\nmigrations = dict_ = {'rollback': r, 'apply': '''A'''}",
      "migrations = {'apply': 'x', 'rollback': 'R', 'apply': 'A'}",  // the last duplicate wins
  };
  for (const char* file : files) {
    BOOST_TEST_CONTEXT(file) {
      const rokso::Migration m = read_py_migration(file);
      BOOST_TEST(m.apply_sql == "A");
      BOOST_TEST(m.rollback_sql == "R");
    }
  }
}

BOOST_AUTO_TEST_CASE(variables_without_a_dict_are_not_a_migration) {
  // roksopsql read `migrations`; apply_sql alone would be a guess.
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = 'A'\nrollback_sql = 'R'\n"), 0, 0,
                        "no 'migrations' found: a roksopsql .py migration assigns "
                        "migrations = {\"apply\": ..., \"rollback\": ...}");
}

BOOST_AUTO_TEST_CASE(the_dict_wins_over_the_variables) {
  const rokso::Migration m =
      read_py_migration("apply_sql = 'A'\nrollback_sql = 'R'\nmigrations = {'apply': 'A2', 'rollback': 'R2'}\n");
  BOOST_TEST(m.apply_sql == "A2");
  BOOST_TEST(m.rollback_sql == "R2");
}

BOOST_AUTO_TEST_CASE(reassignment_last_wins_with_python_semantics) {
  BOOST_TEST(read_py_migration(with_dict("apply_sql = 'a'\napply_sql = 'b'\nrollback_sql = ''")).apply_sql == "b");
  // The dict holds the value the name had when the dict was made.
  const rokso::Migration m = read_py_migration(
      "apply_sql = 'a'\nrollback_sql = ''\n"
      "migrations = {'apply': apply_sql, 'rollback': rollback_sql}\n"
      "apply_sql = 'b'\n");
  BOOST_TEST(m.apply_sql == "a");
  BOOST_TEST(read_py_migration(with_dict("x = 'a'\napply_sql = x\nx = 'b'\nrollback_sql = x")).apply_sql == "a");
  BOOST_TEST(read_py_migration(with_dict("x = 'a'\napply_sql = x\nx = 'b'\nrollback_sql = x")).rollback_sql == "b");
  BOOST_TEST(read_py_migration("migrations = 1\nmigrations = {'apply': 'a', 'rollback': ''}").apply_sql == "a");
}

BOOST_AUTO_TEST_CASE(other_assignment_forms) {
  BOOST_TEST(read_py_migration(with_dict("apply_sql = rollback_sql = 'same'")).rollback_sql == "same");
  BOOST_TEST(read_py_migration(with_dict("apply_sql: str = 'a'\nrollback_sql: 'str' = ''\nx: int")).apply_sql == "a");
  BOOST_TEST(read_py_migration(with_dict("apply_sql = 'a'; rollback_sql = 'b';")).rollback_sql == "b");
  BOOST_TEST(read_py_migration(with_dict("apply_sql = \\\n    'a'\nrollback_sql \\\n= ''")).apply_sql == "a");
}

BOOST_AUTO_TEST_CASE(docstrings_imports_and_comments) {
  const rokso::Migration m = read_py_migration(with_dict(
      "#!/usr/bin/env python3\n"
      "# -*- coding: utf-8 -*-\n"
      "\"\"\"Creates the user table.\"\"\"\n"
      "from __future__ import annotations, division\n"
      "from __future__ import (generator_stop,)\n"
      "import os, sys as system\n"
      "import a.b.c\n"
      "from . import x\n"
      "from ..pkg.mod import (y as z,\n    w)\n"
      "\n"
      "    # an indented comment\n"
      "  \t\n"
      "'another bare string'\n"
      "pass\n"
      "apply_sql = 'a'\n"
      "rollback_sql = ''\n"));
  BOOST_TEST(m.apply_sql == "a");
}

BOOST_AUTO_TEST_CASE(helper_variables_of_other_types) {
  const rokso::Migration m = read_py_migration(with_dict(
      "n = 1\nh = 0x1F\no = 0o17\nb = 0b_1\nu = 1_000\nf = 1.5e3\ng = .5\nk = 1.\nneg = -1\npos = +2.5j\n"
      "z = 00\nzf = 09.5\nnone = None\nyes = True\nno = False\nl = [1, 'a', None, (2,), {'k': [n]}]\n"
      "t = ('a', 'b')\nt1 = 'a',\ne = ()\nd = {}\nnested = [[[]]]\n"
      "apply_sql = 'a'\nrollback_sql = ''\n"));
  BOOST_TEST(m.apply_sql == "a");
}

BOOST_AUTO_TEST_CASE(requires_transaction_description) {
  const rokso::Migration m = read_py_migration(with_dict(
      "description = 'adds an index'\n"
      "requires = [\n    'public/200.tables/users/2020_01_01__00_00_00_create.py',\n    \"public/200.tables/b.py\",\n]\n"
      "transaction = False\n"
      "apply_sql = 'CREATE INDEX CONCURRENTLY i ON t (c);'\nrollback_sql = ''\n"));
  BOOST_TEST(m.description == "adds an index");
  BOOST_TEST(m.requires_identities ==
                 (std::vector<std::string>{"public/200.tables/users/2020_01_01__00_00_00_create.py",
                                           "public/200.tables/b.py"}),
             boost::test_tools::per_element());
  BOOST_TEST(!m.transactional);
  BOOST_TEST(read_py_migration(with_dict("transaction = True\napply_sql = ''\nrollback_sql = ''")).transactional);
  BOOST_TEST(read_py_migration(with_dict("requires = ('a', 'b')\napply_sql = ''\nrollback_sql = ''")).requires_identities.size() == 2u);
  BOOST_TEST(read_py_migration(with_dict("requires = []\napply_sql = ''\nrollback_sql = ''")).requires_identities.empty());
}

BOOST_AUTO_TEST_CASE(dict_keys_override_module_variables) {
  const rokso::Migration m = read_py_migration(
      "requires = ['x']\ntransaction = True\ndescription = 'module'\n"
      "migrations = {'apply': 'a', 'rollback': 'r', 'requires': ['y', 'z'], 'transaction': False,\n"
      "              'description': 'dict'}\n");
  BOOST_TEST(m.requires_identities == (std::vector<std::string>{"y", "z"}), boost::test_tools::per_element());
  BOOST_TEST(!m.transactional);
  BOOST_TEST(m.description == "dict");
}

BOOST_AUTO_TEST_CASE(empty_rollback_is_valid) {
  BOOST_TEST(read_py_migration(with_dict("apply_sql = 'a'\nrollback_sql = ''")).rollback_sql.empty());
  BOOST_TEST(read_py_migration("migrations = {'apply': 'a', 'rollback': \"\"\"\"\"\"}").rollback_sql.empty());
}

BOOST_AUTO_TEST_CASE(layout_python_accepts) {
  // Form feed resets the indentation; blank lines may hold whitespace; no final newline.
  BOOST_TEST(read_py_migration(with_dict(" \fapply_sql = 'a'\n\t\n  \nrollback_sql = ''  ")).apply_sql == "a");
  BOOST_TEST(read_py_migration(with_dict("apply_sql = 'a'\n\\\n\nrollback_sql = ''\n  \\\n# c\n")).apply_sql == "a");
  BOOST_TEST(read_py_migration(with_dict("apply_sql = 'a'\nrollback_sql = '' \\\n  ")).apply_sql == "a");
  BOOST_TEST(read_py_migration(with_dict("apply_sql = (\n'a'\n  )\nrollback_sql = [\n]\nrollback_sql = ''")).apply_sql == "a");
}

BOOST_AUTO_TEST_CASE(two_hundred_nested_parentheses) {
  BOOST_TEST(value_of(std::string(200, '(') + "'a'" + std::string(200, ')')) == "a");
  CHECK_FAILURE_EXACTLY(failure_of_value(std::string(201, '(') + "'a'" + std::string(201, ')')), 1, 213,
                        "too many nested parentheses");
}

BOOST_AUTO_TEST_CASE(large_inputs_stay_linear) {
  // 200 000 adjacent literals.
  std::string many = "(";
  for (int i = 0; i < 200000; ++i) many += "'ab' ";
  BOOST_TEST(value_of(many + ")").size() == 400000u);
  // Names share values: 2^150 logical copies of a 100 kB string cost nothing.
  std::string file = "a = '" + std::string(100000, 'x') + "'\n";
  for (int i = 0; i < 150; ++i) file += "a = [a, a]\n";
  BOOST_TEST(read_py_migration(with_dict(file + "apply_sql = ''\nrollback_sql = ''")).apply_sql.empty());
  // ... but requires cannot multiply them.
  std::string big = "a = '" + std::string(100000, 'x') + "'\nrequires = [";
  for (int i = 0; i < 20; ++i) big += "a, ";
  CHECK_FAILURE(failure_of(big + "]\napply_sql = ''\nrollback_sql = ''"), 2, 12, "'requires' is too large");
}

BOOST_AUTO_TEST_SUITE_END()

// =====================================================================================
BOOST_AUTO_TEST_SUITE(malformed)

BOOST_AUTO_TEST_CASE(unterminated_strings) {
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = 'abc\nrollback_sql = ''"), 1, 13, "unterminated string literal");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = \"abc\nrollback_sql = ''"), 1, 13, "unterminated string literal");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = 'abc"), 1, 13, "unterminated string literal");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = 'abc\\"), 1, 13, "unterminated string literal");
  CHECK_FAILURE_EXACTLY(failure_of("x = 1\napply_sql = '''abc\n\n"), 2, 13, "unterminated triple-quoted string");
  CHECK_FAILURE_EXACTLY(failure_of("x = 1\napply_sql = \"\"\"abc\"\""), 2, 13, "unterminated triple-quoted string");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = r'''abc'' '"), 1, 13, "unterminated triple-quoted string");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = f\"abc"), 1, 13, "unterminated string literal");
  // """a"""" closes after a; the fourth quote opens a new, unterminated string.
  CHECK_FAILURE_EXACTLY(failure_of_value("\"\"\"a\"\"\"\""), 1, 20, "unterminated string literal");
}

BOOST_AUTO_TEST_CASE(calls_subscripts_and_attributes) {
  CHECK_FAILURE(failure_of_value("open('a.sql').read()"), 1, 17, "dynamic expression (call of 'open')");
  CHECK_FAILURE(failure_of_value("'a'()"), 1, 16, "dynamic expression (call)");
  CHECK_FAILURE(failure_of("x = ['a']\napply_sql = x[0]"), 2, 14, "dynamic expression (subscript)");
  CHECK_FAILURE(failure_of("x = 'a'\nx.upper"), 2, 2, "attribute access");
  CHECK_FAILURE(failure_of("x = 1\nx.real"), 2, 2, "attribute access");
}

BOOST_AUTO_TEST_CASE(names_without_a_value) {
  CHECK_FAILURE_EXACTLY(failure_of_value("sql"), 1, 13, "name 'sql' is not assigned a value before this point");
  CHECK_FAILURE(failure_of("apply_sql = x\nx = 'a'"), 1, 13, "name 'x' is not assigned a value");
  CHECK_FAILURE(failure_of("import os\napply_sql = os"), 2, 13, "name 'os' is bound by an import (line 1)");
  CHECK_FAILURE(failure_of("apply_sql = 'a'\nrollback_sql = ''\nfrom m import migrations"), 3, 15,
                "'migrations' is bound by an import, not assigned a dict");
  CHECK_FAILURE(failure_of_value("__file__"), 1, 13, "name '__file__'");
}

BOOST_AUTO_TEST_CASE(other_dynamic_expressions) {
  CHECK_FAILURE(failure_of_value("'a' if x else 'b'"), 1, 17, "dynamic expression (conditional expression)");
  CHECK_FAILURE(failure_of("x = 'a' == 'b'"), 1, 9, "dynamic expression ('==' operator)");
  CHECK_FAILURE(failure_of("x = 'a' and 'b'"), 1, 9, "dynamic expression ('and' operator)");
  CHECK_FAILURE(failure_of("x = not 'a'"), 1, 5, "dynamic expression ('not' operator)");
  CHECK_FAILURE(failure_of("x = lambda: 'a'"), 1, 5, "dynamic expression (lambda)");
  CHECK_FAILURE(failure_of("x = [s for s in 'ab']"), 1, 8, "dynamic expression (comprehension)");
  CHECK_FAILURE(failure_of("x = (y := 'a')"), 1, 8, "dynamic expression (':=' assignment expression)");
  CHECK_FAILURE(failure_of("x = -'a'"), 1, 5, "dynamic expression (unary '-' on a string)");
  CHECK_FAILURE(failure_of("x = 'a' ** 3"), 1, 9, "dynamic expression ('**' operator)");
  CHECK_FAILURE(failure_of("x = ~1"), 1, 5, "dynamic expression ('~' operator)");
  CHECK_FAILURE(failure_of("x = [*'ab']"), 1, 6, "unpacking ('*') is not supported");
  CHECK_FAILURE(failure_of("x = {**{}}"), 1, 6, "'**' unpacking in a dict is not supported");
  CHECK_FAILURE(failure_of("x = {'a', 'b'}"), 1, 5, "set displays are not supported");
  CHECK_FAILURE(failure_of("x = ..."), 1, 5, "'...' (Ellipsis) is not supported");
}

BOOST_AUTO_TEST_CASE(statements_not_supported) {
  CHECK_FAILURE_EXACTLY(failure_of("def f():\n    pass\n"), 1, 1,
                        "'def' statement not supported: rokso reads .py files without running them "
                        "(--py-evaluate runs such a file with python3)");
  CHECK_FAILURE(failure_of("apply_sql = ''\nif True:\n    apply_sql = 'a'\n"), 2, 1, "'if' statement not supported");
  CHECK_FAILURE(failure_of("class C:\n    pass"), 1, 1, "'class' statement not supported");
  CHECK_FAILURE(failure_of("for x in y:\n    pass"), 1, 1, "'for' statement not supported");
  CHECK_FAILURE(failure_of("x = 1\nwhile x: pass"), 2, 1, "'while' statement not supported");
  CHECK_FAILURE(failure_of("with f: pass"), 1, 1, "'with' statement not supported");
  CHECK_FAILURE(failure_of("try: pass\nexcept: pass"), 1, 1, "'try' statement not supported");
  CHECK_FAILURE(failure_of("x = 1\ndel x"), 2, 1, "'del' statement not supported");
  CHECK_FAILURE(failure_of("global x"), 1, 1, "'global' statement not supported");
  CHECK_FAILURE(failure_of("match x:\n  case 1: pass"), 1, 1, "'match' statement not supported");
  CHECK_FAILURE(failure_of("x = 1\nx, y = 'a', 'b'"), 2, 1, "assignment to several targets (unpacking) is not supported");
  CHECK_FAILURE(failure_of("from m import *"), 1, 15, "'from ... import *' is not supported");
}

BOOST_AUTO_TEST_CASE(invalid_targets) {
  CHECK_FAILURE_EXACTLY(failure_of("__debug__ = 'a'"), 1, 1, "cannot assign to __debug__");
  CHECK_FAILURE(failure_of("None = 'a'"), 1, 1, "cannot assign to this expression");
  CHECK_FAILURE(failure_of("x = True = 'a'"), 1, 5, "cannot assign to 'True'");
  CHECK_FAILURE(failure_of("'a' = 'a'"), 1, 1, "cannot assign to this expression");
  CHECK_FAILURE(failure_of("((x)) = 'a'"), 1, 1, "parenthesised assignment targets are not supported");
}

BOOST_AUTO_TEST_CASE(future_imports) {
  CHECK_FAILURE_EXACTLY(failure_of("x = 1\nfrom __future__ import annotations"), 2, 1,
                        "from __future__ imports must occur at the beginning of the file");
  CHECK_FAILURE(failure_of("'doc'\n'more'\nfrom __future__ import annotations"), 3, 1, "must occur at the beginning");
  CHECK_FAILURE(failure_of("f'doc'\nfrom __future__ import annotations"), 2, 1, "must occur at the beginning");
  CHECK_FAILURE_EXACTLY(failure_of("from __future__ import nope"), 1, 24, "future feature nope is not defined");
  CHECK_FAILURE_EXACTLY(failure_of("from __future__ import braces"), 1, 24, "not a chance");
  CHECK_FAILURE(failure_of("from m import a,"), 1, 16, "trailing comma not allowed");
  CHECK_FAILURE(failure_of("import a as"), 1, 12, "invalid syntax: unexpected end of line");
}

BOOST_AUTO_TEST_CASE(missing_migration) {
  const char* const none = "no 'migrations' found: a roksopsql .py migration assigns migrations = {\"apply\": ..., \"rollback\": ...}";
  CHECK_FAILURE_EXACTLY(failure_of(""), 0, 0, none);
  CHECK_FAILURE_EXACTLY(failure_of("# only a comment\n\n"), 0, 0, none);
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = 'a'"), 0, 0, none);
  CHECK_FAILURE_EXACTLY(failure_of("migrations = {\"rollback\": ''}"), 1, 14, "'migrations' has no \"apply\" key");
  // Only assignments count; an annotation alone binds nothing.
  CHECK_FAILURE(failure_of("migrations: dict"), 0, 0, "no 'migrations'");
}

BOOST_AUTO_TEST_CASE(wrong_types) {
  CHECK_FAILURE_EXACTLY(failure_of("migrations = {\n    'apply': 1,\n    'rollback': ''\n}"), 2, 14,
                        "'migrations[\"apply\"]' is not a string (it is an int)");
  CHECK_FAILURE(failure_of("x = None\nmigrations = {'apply': x, 'rollback': ''}"), 2, 24,
                "'migrations[\"apply\"]' is not a string (it is None)");
  CHECK_FAILURE(failure_of("migrations = {'apply': 'a', 'rollback': ['a']}"), 1, 41,
                "'migrations[\"rollback\"]' is not a string (it is a list)");
  CHECK_FAILURE(failure_of("migrations = {'apply': ('a',), 'rollback': ''}"), 1, 25, "(it is a tuple)");
  CHECK_FAILURE(failure_of("migrations = 'a'"), 1, 14, "'migrations' is not assigned a dict (it is a string)");
  CHECK_FAILURE(failure_of("migrations = {1: ''}"), 1, 15, "dict keys must be strings, not an int");
  CHECK_FAILURE(failure_of("transaction = 'no'\napply_sql = ''\nrollback_sql = ''\nmigrations = {'apply': '', 'rollback': ''}"), 1, 15,
                "'transaction' must be True or False, not a string");
  CHECK_FAILURE(failure_of("requires = 'a/b.py'\nmigrations = {'apply': '', 'rollback': ''}"), 1, 12,
                "'requires' must be a list of strings, not a string");
  CHECK_FAILURE(failure_of("requires = ['a', 1]\nmigrations = {'apply': '', 'rollback': ''}"), 1, 18,
                "'requires' entries must be strings, not an int");
  CHECK_FAILURE(failure_of("description = None\nmigrations = {'apply': '', 'rollback': ''}"), 1, 15,
                "'description' is not assigned a string");
  CHECK_FAILURE(failure_of("migrations = {'apply': '', 'rollback': '', 'transaction': 0}"), 1, 59,
                "'migrations[\"transaction\"]' must be True or False, not an int");
}

BOOST_AUTO_TEST_CASE(garbage) {
  CHECK_FAILURE_EXACTLY(failure_of("\x01\x02"), 1, 1, "invalid non-printable character U+0001");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = 'a' $"), 1, 17, "invalid character '$' (U+0024)");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = \xC3\xA9"), 1, 13,
                        "non-ascii character '\xC3\xA9' (U+00E9) outside a string literal is not supported");
  CHECK_FAILURE(failure_of("\xFF\xFE\x00\x00"), 1, 1, "invalid utf-8 (byte 0xff)");
  CHECK_FAILURE(failure_of("apply_sql = 'a' 'b' c"), 1, 21, "invalid syntax: unexpected 'c'");
  CHECK_FAILURE(failure_of(";"), 1, 1, "invalid syntax: unexpected ';'");
  CHECK_FAILURE(failure_of("x = 1;;"), 1, 7, "invalid syntax: unexpected ';'");
  CHECK_FAILURE(failure_of("x ="), 1, 4, "invalid syntax: unexpected end of line");
  CHECK_FAILURE(failure_of("x = (,)"), 1, 6, "invalid syntax: unexpected ','");
  CHECK_FAILURE(failure_of("x = [1 2]"), 1, 8, "invalid syntax: unexpected number '2'");
  CHECK_FAILURE(failure_of("x = (('a') 'b')"), 1, 12, "invalid syntax: unexpected string literal");
  CHECK_FAILURE(failure_of("x = 'a' ->"), 1, 9, "invalid syntax: unexpected '->'");
  CHECK_FAILURE(failure_of("x = 'a' 1"), 1, 9, "invalid syntax");
}

BOOST_AUTO_TEST_CASE(bad_numbers) {
  CHECK_FAILURE(failure_of("x = 09"), 1, 5, "leading zeros in decimal integer literals are not permitted");
  CHECK_FAILURE(failure_of("x = 1__0"), 1, 6, "invalid number literal");
  CHECK_FAILURE(failure_of("x = 1_"), 1, 6, "invalid number literal");
  CHECK_FAILURE(failure_of("x = 0b2"), 1, 5, "invalid number literal");
  CHECK_FAILURE(failure_of("x = 0x"), 1, 5, "invalid number literal");
  CHECK_FAILURE(failure_of("x = 1e"), 1, 5, "invalid number literal");
  CHECK_FAILURE(failure_of("x = 1abc"), 1, 5, "invalid number literal");
}

BOOST_AUTO_TEST_CASE(layout_errors) {
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = 'a'\n  rollback_sql = ''"), 2, 3, "unexpected indent");
  CHECK_FAILURE_EXACTLY(failure_of("\tapply_sql = 'a'"), 1, 2, "unexpected indent");
  CHECK_FAILURE_EXACTLY(failure_of("\f apply_sql = 'a'"), 1, 3, "unexpected indent");
  CHECK_FAILURE_EXACTLY(failure_of("x = 1\n \\\nx = 2"), 3, 1, "unexpected indent");
  CHECK_FAILURE_EXACTLY(failure_of("\\\n  x = 1"), 2, 3, "unexpected indent");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = ('a'\n"), 1, 13, "'(' was never closed");
  CHECK_FAILURE_EXACTLY(failure_of("x = {'a': ['b'\n"), 1, 11, "'[' was never closed");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = ('a']"), 1, 17,
                        "closing parenthesis ']' does not match opening parenthesis '('");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = 'a')"), 1, 16, "unmatched ')'");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = 'a' \\ \n"), 1, 18,
                        "unexpected character after line continuation character");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = 'a' \\"), 1, 17,
                        "unexpected end of file after line continuation character");
  CHECK_FAILURE_EXACTLY(failure_of("apply_sql = 'a'\n\\\n"), 2, 1,
                        "unexpected end of file after line continuation character");
  // ... but a final CRLF counts as two newlines in CPython.
  BOOST_TEST(read_py_migration(with_dict("apply_sql = 'a'\nrollback_sql = '' \\\r\n")).apply_sql == "a");
}

BOOST_AUTO_TEST_CASE(nesting_limits) {
  std::string file = "a = 'x'\n";
  for (int i = 0; i < 201; ++i) file += "a = [a]\n";
  CHECK_FAILURE_EXACTLY(failure_of(file), 202, 5, "value nested too deeply");
  CHECK_FAILURE_EXACTLY(failure_of("x = " + std::string(300, '-') + "1"), 1, 205, "expression nested too deeply");
}

BOOST_AUTO_TEST_SUITE_END()

// =====================================================================================
// Folding: what a hand-written module computes from constants. Expected values are
// CPython 3.11's (tests/cli/t0191-py-folding.sh compares a corpus with python3 itself).
BOOST_AUTO_TEST_SUITE(folding)

BOOST_AUTO_TEST_CASE(names_rebinding_and_augmented_assignment) {
  BOOST_TEST(read_py_migration(with_dict("s = 'offline'\napply_sql = 'CREATE SCHEMA ' + s\nrollback_sql = ''")).apply_sql ==
             "CREATE SCHEMA offline");
  BOOST_TEST(read_py_migration(with_dict("apply_sql = 'a'\napply_sql += 'b'\napply_sql += 'c' 'd'\nrollback_sql = ''"))
                 .apply_sql == "abcd");
  BOOST_TEST(read_py_migration(with_dict("n = 2\nn *= 3\napply_sql = 'x' * n\nrollback_sql = ''")).apply_sql == "xxxxxx");
  BOOST_TEST(read_py_migration(with_dict("apply_sql = '%s.t'\napply_sql %= 'o'\nrollback_sql = ''")).apply_sql == "o.t");
  CHECK_FAILURE(failure_of("x += 'a'"), 1, 1, "name 'x' is not assigned a value before this point");
  CHECK_FAILURE(failure_of("x = 'a'\nx -= 'b'"), 2, 3, "augmented assignment ('-=') is not supported");
  CHECK_FAILURE(failure_of("x = ['a']\nx += ['b']"), 2, 3, "rokso folds it on a string or an int, not on a list");
}

BOOST_AUTO_TEST_CASE(plus_and_times) {
  BOOST_TEST(value_of("'a' + 'b' + \"c\"") == "abc");
  BOOST_TEST(value_of("('a'\n + 'b')") == "ab");
  BOOST_TEST(value_of("'ab' * 3") == "ababab");
  BOOST_TEST(value_of("3 * 'ab'") == "ababab");
  BOOST_TEST(value_of("'ab' * -1") == "");
  BOOST_TEST(value_of("'-' * (2 + 3)") == "-----");
  BOOST_TEST(value_of("'a' + 'b' * 2") == "abb");  // precedence
  BOOST_TEST(value_of("'x' * 2 * 2") == "xxxx");
  BOOST_TEST(value_of("'%d' % (7 // 2 - 10 % 3)") == "2");
  BOOST_TEST(value_of("'%d' % (-7 // 2)") == "-4");
  BOOST_TEST(value_of("'%d' % (-7 % 3)") == "2");
  BOOST_TEST(value_of("'%s' % (0.1 + 0.2)") == "0.30000000000000004");
  CHECK_FAILURE(failure_of_value("'a' + 1"), 1, 17, "dynamic expression ('+' on a string and an int)");
  CHECK_FAILURE(failure_of_value("'a' * 'b'"), 1, 17, "('*' on a string and a string)");
  CHECK_FAILURE(failure_of_value("'a' - 'b'"), 1, 17, "('-' on a string and a string)");
  CHECK_FAILURE(failure_of_value("'a' / 2"), 1, 17, "dynamic expression ('/' operator)");
  CHECK_FAILURE(failure_of_value("'%d' % (1 // 0)"), 1, 23, "integer division or modulo by zero");
  CHECK_FAILURE(failure_of_value("'%d' % (9223372036854775807 + 1)"), 1, 41, "an int beyond 64 bits is not folded");
  CHECK_FAILURE(failure_of_value("'x' * 100000000"), 1, 17, "a string longer than 64 MiB is not folded");
}

BOOST_AUTO_TEST_CASE(percent_formatting) {
  BOOST_TEST(value_of("'CREATE TABLE %s.t ();' % 'offline'") == "CREATE TABLE offline.t ();");
  BOOST_TEST(value_of("'%s.%s' % ('a', 'b')") == "a.b");
  BOOST_TEST(value_of("'%(schema)s.%(table)s' % {'schema': 's', 'table': 't'}") == "s.t");
  BOOST_TEST(value_of("'%d|%i|%5d|%-5d|%05d|%+d|% d|%.3d' % (1, 2, 3, 4, -5, 6, 7, 8)") ==
             "1|2|    3|4    |-0005|+6| 7|008");
  BOOST_TEST(value_of("'%x|%X|%#x|%o|%#o' % (255, 255, 255, 8, 8)") == "ff|FF|0xff|10|0o10");
  BOOST_TEST(value_of("'%f|%.2f|%8.3f|%e|%g|%G' % (1.5, 2, 3.14159, 12345.678, 0.0001, 1e20)") ==
             "1.500000|2.00|   3.142|1.234568e+04|0.0001|1E+20");
  BOOST_TEST(value_of("'%r|%s|%a' % ('it''s', None, '\\xe9')") == "'its'|None|'\\xe9'");
  BOOST_TEST(value_of("'%r' % \"it's\"") == "\"it's\"");
  BOOST_TEST(value_of("'%5s|%-5s|%.2s' % ('ab', 'ab', 'abc')") == "   ab|ab   |ab");
  BOOST_TEST(value_of("'100%% %s' % True") == "100% True");
  BOOST_TEST(value_of("'%s' % [1, 'a', (2,), {'k': None}]") == "[1, 'a', (2,), {'k': None}]");
  BOOST_TEST(value_of("'%s' % ((1, 2),)") == "(1, 2)");
  BOOST_TEST(value_of("'%c%c' % (65, 'b')") == "Ab");
  BOOST_TEST(value_of("'%d' % 3.9") == "3");
  BOOST_TEST(value_of("'%s' % {'a': 1}") == "{'a': 1}");
  CHECK_FAILURE(failure_of_value("'%s %s' % 'a'"), 1, 21, "'%' formatting: not enough arguments for format string");
  CHECK_FAILURE(failure_of_value("'%s' % ('a', 'b')"), 1, 18,
                "'%' formatting: not all arguments converted during string formatting");
  CHECK_FAILURE(failure_of_value("'x' % 1"), 1, 17, "not all arguments converted");
  CHECK_FAILURE(failure_of_value("'%d' % 'a'"), 1, 18, "%d format: a real number is required, not str");
  CHECK_FAILURE(failure_of_value("'%(k)s' % {'j': 1}"), 1, 21, "KeyError: 'k'");
  CHECK_FAILURE(failure_of_value("'%y' % 1"), 1, 18, "unsupported format character 'y'");
  CHECK_FAILURE(failure_of_value("'%*d' % (3, 1)"), 1, 19, "'*' width in '%' formatting is not folded");
}

BOOST_AUTO_TEST_CASE(str_format) {
  BOOST_TEST(value_of("'{}.{}'.format('a', 'b')") == "a.b");
  BOOST_TEST(value_of("'{1}.{0}.{1}'.format('a', 'b')") == "b.a.b");
  BOOST_TEST(value_of("'{schema}.{t}'.format(schema='s', t='t')") == "s.t");
  BOOST_TEST(value_of("'{{}} {0!r} {0!s:>4} {1:05d} {2:.2f} {3:^7} {3:*<6}'.format('x', 42, 3.14159, 'ab')") ==
             "{} 'x'    x 00042 3.14   ab    ab****");
  BOOST_TEST(value_of("'{:,} {:_x} {:#b} {:+} {:x>5}'.format(1234567, 0xabcdef12, 5, 3, 7)") ==
             "1,234,567 abcd_ef12 0b101 +3 xxxx7");
  BOOST_TEST(value_of("'{:%} {:e} {}'.format(0.25, 1.5, 1e16)") == "25.000000% 1.500000e+00 1e+16");
  BOOST_TEST(value_of("'{}|{:>5}'.format(True, True)") == "True|    1");
  BOOST_TEST(value_of("'{:05}'.format('ab')") == "ab000");
  BOOST_TEST(value_of("'{}'.format(1.0)") == "1.0");
  BOOST_TEST(value_of("format(5, '03')") == "005");
  BOOST_TEST(value_of("str(12) + repr('a') + str()") == "12'a'");
  CHECK_FAILURE(failure_of_value("'{}{}'.format('a')"), 1, 19, "Replacement index 1 out of range");
  CHECK_FAILURE(failure_of_value("'{x}'.format(y=1)"), 1, 18, "KeyError: 'x'");
  CHECK_FAILURE(failure_of_value("'{}{0}'.format('a')"), 1, 20, "cannot switch from automatic field numbering");
  CHECK_FAILURE(failure_of_value("'{0[1]}'.format('a')"), 1, 21, "is not folded");
  CHECK_FAILURE(failure_of_value("'{:d}'.format('a')"), 1, 19, "Unknown format code 'd' for object of type 'str'");
  CHECK_FAILURE(failure_of_value("'}'.format()"), 1, 16, "Single '}' encountered");
  CHECK_FAILURE(failure_of_value("'{}'.format(*x)"), 1, 25, "unpacking ('*') in a call is not supported");
}

BOOST_AUTO_TEST_CASE(f_strings) {
  BOOST_TEST(read_py_migration(with_dict("s = 'offline'\nn = 3\napply_sql = f'CREATE TABLE {s}.t{n} ();'\nrollback_sql = ''"))
                 .apply_sql == "CREATE TABLE offline.t3 ();");
  BOOST_TEST(value_of("f'{\"a\"!r} {\"b\"!s:>3} {1 + 2:03d} {\"x\" * 2}'") == "'a'   b 003 xx");
  BOOST_TEST(value_of("f'''{\n'a'\n}'''") == "a");
  BOOST_TEST(value_of("f'{ \"a\" }'") == "a");
  BOOST_TEST(value_of("f'{\"ab\".upper()}{{x}}'") == "AB{x}");
  BOOST_TEST(value_of("f'{f\"{1}\"}'") == "1");  // nested
  BOOST_TEST(value_of("f'{1=}' f'{ 2 = }' f'{\"a\"=!s}'") == "1=1 2 = 2\"a\"=a");
  BOOST_TEST(value_of("f'{3.5:.1f}|{10:x}|{\"é\":>3}'") == "3.5|a|  \xC3\xA9");
  BOOST_TEST(value_of("rf'\\d{1}'") == "\\d1");
  BOOST_TEST(value_of("f'{1, 2}'") == "(1, 2)");
  CHECK_FAILURE(failure_of_value("f'{x}'"), 1, 16, "name 'x' is not assigned a value before this point");
  CHECK_FAILURE(failure_of_value("'a' f'''\n{schema}'''"), 2, 2, "name 'schema'");
  CHECK_FAILURE(failure_of_value("f'{}'"), 1, 15, "f-string: empty expression not allowed");
  CHECK_FAILURE(failure_of_value("f'{1!x}'"), 1, 17, "invalid conversion character");
  CHECK_FAILURE(failure_of_value("f'{1:{2}}'"), 1, 18, "a nested placeholder in an f-string format spec is not supported");
  CHECK_FAILURE(failure_of_value("f'{\"a\" \\\n}'"), 1, 20, "cannot include a backslash");
  CHECK_FAILURE(failure_of_value("f'{1'"), 1, 15, "f-string: expecting '}'");
  CHECK_FAILURE(failure_of_value("f'{g()}'"), 1, 17, "dynamic expression (call of 'g')");
  CHECK_FAILURE(failure_of_value("f'{None:>3}'"), 1, 15, "unsupported format string passed to NoneType.__format__");
}

BOOST_AUTO_TEST_CASE(join_and_str_methods) {
  BOOST_TEST(value_of("', '.join(['a', 'b', 'c'])") == "a, b, c");
  BOOST_TEST(value_of("'\\n'.join(('a', 'b'))") == "a\nb");
  BOOST_TEST(read_py_migration(with_dict("cols = ['id int', 'name text']\napply_sql = 'CREATE TABLE t (' + ', '.join(cols) + ');'\nrollback_sql = ''"))
                 .apply_sql == "CREATE TABLE t (id int, name text);");
  BOOST_TEST(value_of("'-'.join('abc')") == "a-b-c");
  BOOST_TEST(value_of("'  a b \\n'.strip() + '|' + ' a '.lstrip() + '|' + ' a '.rstrip() + '|' + 'xxaxx'.strip('x')") ==
             "a b|a | a|a");
  BOOST_TEST(value_of("'\\u3000a\\xa0'.strip()") == "a");
  BOOST_TEST(value_of("'AbC'.lower() + 'AbC'.upper() + 'hello wORLD'.title() + 'hELLO'.capitalize() + 'aB'.swapcase()") ==
             "abcABCHello WorldHelloAb");
  BOOST_TEST(value_of("'a.b.c'.replace('.', '_') + 'a.b.c'.replace('.', '', 1) + 'ab'.replace('', '-')") ==
             "a_b_cab.c-a-b-");
  BOOST_TEST(value_of("'{}'.format('x').upper().replace('X', 'y')") == "y");
  BOOST_TEST(value_of("'v_t'.removeprefix('v_') + 'a.sql'.removesuffix('.sql')") == "ta");
  BOOST_TEST(value_of("'7'.zfill(3) + '-7'.zfill(3) + 'a'.ljust(3, '.') + 'a'.rjust(3) + 'a'.center(4, '*')") ==
             "007-07a..  a*a**");
  BOOST_TEST(value_of("str(len('é') + len([1, 2]))") == "3");
  CHECK_FAILURE(failure_of_value("', '.join(['a', 1])"), 1, 17, "sequence item 1: expected str instance, int found");
  CHECK_FAILURE(failure_of_value("'\xC3\x89'.lower()"), 1, 16, "non-ascii");
  CHECK_FAILURE(failure_of_value("'a'.split()"), 1, 16, "dynamic expression (str.split() call)");
  CHECK_FAILURE(failure_of_value("'a'.upper"), 1, 16, "dynamic expression (attribute access)");
  CHECK_FAILURE(failure_of("x = ['a']\nx.append('b')"), 2, 2, "dynamic expression (attribute access)");
}

BOOST_AUTO_TEST_CASE(dict_call_and_extra_keys) {
  const rokso::Migration m = read_py_migration(
      "apply_sql = 'A'\nrollback_sql = 'R'\nmigrations = dict(apply=apply_sql, rollback=rollback_sql, author='me')\n");
  BOOST_TEST(m.apply_sql == "A");
  BOOST_TEST(m.rollback_sql == "R");
  BOOST_TEST(m.notes == (std::vector<std::string>{"ignored key \"author\" of 'migrations' (rokso reads apply, rollback, "
                                                  "requires, transaction, description)"}),
             boost::test_tools::per_element());
  const rokso::Migration extra = read_py_migration("migrations = {'apply': 'A', 'rollback': 'R', 'ticket': 12, 'x': [1]}");
  BOOST_TEST(extra.notes.size() == 1u);
  BOOST_TEST(contains(extra.notes.at(0), "ignored keys \"ticket\", \"x\""));
  CHECK_FAILURE(failure_of("migrations = dict({'apply': 'a'})"), 1, 14, "dict() with positional arguments");
  CHECK_FAILURE(failure_of("migrations = dict(apply='a', apply='b')"), 1, 30, "keyword argument repeated: apply");
  CHECK_FAILURE(failure_of("dict = 1\nmigrations = dict(apply='a')"), 2, 18, "dynamic expression (call)");
}

BOOST_AUTO_TEST_CASE(missing_rollback_applies_and_is_marked) {
  for (const char* file : {"migrations = {'apply': 'A'}", "rollback_sql = None\nmigrations = {'apply': 'A', 'rollback': rollback_sql}",
                           "migrations = dict(apply='A')"}) {
    BOOST_TEST_CONTEXT(file) {
      const rokso::Migration m = read_py_migration(file);
      BOOST_TEST(m.apply_sql == "A");
      BOOST_TEST(m.rollback_sql.empty());
      BOOST_TEST(rokso::defines_no_rollback(m));
    }
  }
  BOOST_TEST(!rokso::defines_no_rollback(read_py_migration("migrations = {'apply': 'A', 'rollback': ''}")));
}

BOOST_AUTO_TEST_CASE(skipped_statements_are_noted) {
  const rokso::Migration m = read_py_migration(
      "\"\"\"Creates t.\"\"\"\n"
      "import os\n"
      "from datetime import datetime as dt\n"
      "schema: str = 'offline'\n"
      "print(f'migrating {schema} from {__file__}', os.getcwd)\n"
      "apply_sql = f'CREATE TABLE {schema}.t ();'\n"
      "print('done', str(1), 'x'.upper())\n"
      "migrations = {'apply': apply_sql, 'rollback': ''}\n");
  BOOST_TEST(m.apply_sql == "CREATE TABLE offline.t ();");
  BOOST_TEST(m.notes == (std::vector<std::string>{"skipped, as they cannot change the values: a docstring (line 1), import os "
                                                  "(line 2), from datetime import datetime as dt (line 3), the annotation of "
                                                  "'schema' (line 4), print(...) (line 5), print(...) (line 7)"}),
             boost::test_tools::per_element());
  CHECK_FAILURE(failure_of("x = []\nprint(x.append(1))"), 2, 15, "call of 'append' inside print(), which could change a value");
  CHECK_FAILURE(failure_of("print(f())"), 1, 8, "call of 'f' inside print()");
  CHECK_FAILURE(failure_of("print((y := 1))"), 1, 10, "':=' assignment expression");
  CHECK_FAILURE(failure_of("print('a') + 'b'"), 1, 12, "'+' operator");
}

BOOST_AUTO_TEST_CASE(used_imports_are_refused) {
  CHECK_FAILURE_EXACTLY(failure_of("import os\napply_sql = os.environ['S']"), 2, 13,
                        "name 'os' is bound by an import (line 1), and an import used in a value is not supported: rokso "
                        "reads .py files without running them (--py-evaluate runs such a file with python3)");
  CHECK_FAILURE(failure_of("from config import SCHEMA\napply_sql = f'{SCHEMA}.t'"), 2, 16, "name 'SCHEMA' is bound by an import");
}

BOOST_AUTO_TEST_CASE(numbers_as_values) {
  BOOST_TEST(value_of("'%d %d %d %d %d' % (0x1F, 0o17, 0b101, 1_000, -3)") == "31 15 5 1000 -3");
  BOOST_TEST(value_of("'%s %s %s' % (1.5e3, .5, 1.)") == "1500.0 0.5 1.0");
  BOOST_TEST(value_of("'%s' % 1e-05") == "1e-05");
  BOOST_TEST(value_of("'%s' % 123456789012345678") == "123456789012345678");
  CHECK_FAILURE(failure_of_value("'%s' % 2j"), 1, 18, "a complex number");
  CHECK_FAILURE(failure_of_value("'%s' % 99999999999999999999"), 1, 18, "an int beyond 64 bits");
}

BOOST_AUTO_TEST_SUITE_END()
