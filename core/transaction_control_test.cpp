#include "core/transaction_control.hpp"

#include "core/error.hpp"

#include <boost/test/unit_test.hpp>

BOOST_AUTO_TEST_SUITE(transaction_control)

BOOST_AUTO_TEST_CASE(a_body_wrapped_in_one_begin_and_one_commit_is_unwrapped) {
  for (const char* sql : {"BEGIN;\nCREATE TABLE t (x int);\nCOMMIT;\n", "start transaction; CREATE TABLE t (x int); end;",
                          "-- up\nBEGIN;\nCREATE TABLE t (x int);\nSAVEPOINT a;\nINSERT INTO t VALUES (1);\n"
                          "ROLLBACK TO a;\nCOMMIT\n",
                          "BEGIN TRANSACTION; COMMIT WORK;"}) {
    BOOST_TEST_CONTEXT(sql) {
      BOOST_TEST(rokso::is_wrapped_body(sql));
      BOOST_TEST(rokso::refused_transaction_control(sql, true).empty());
    }
  }
}

BOOST_AUTO_TEST_CASE(unwrapping_blanks_the_wrapper_and_keeps_lines) {
  const std::string sql = "-- c\nBEGIN;\nCREATE TABLE t (x int);\nCOMMIT;\n";
  const std::string body = rokso::sql_to_run_in_transaction(sql);
  BOOST_TEST(body.size() == sql.size());
  BOOST_TEST(body == "-- c\n      \nCREATE TABLE t (x int);\n       \n");
  BOOST_TEST(rokso::sql_to_run_in_transaction("CREATE TABLE t (x int);") == "CREATE TABLE t (x int);");
  // 'begin' in a string or a name is not a statement.
  const std::string quoted = "INSERT INTO t VALUES ('BEGIN; COMMIT;'); SELECT 1 AS \"end\";";
  BOOST_TEST(rokso::sql_to_run_in_transaction(quoted) == quoted);
  BOOST_TEST(rokso::refused_transaction_control(quoted, true).empty());
}

BOOST_AUTO_TEST_CASE(other_transaction_control_in_a_transactional_migration_is_refused_with_its_line) {
  using list = std::vector<std::string>;
  BOOST_TEST(rokso::refused_transaction_control("CREATE TABLE t ();\nROLLBACK;", true) == list{"line 2: ROLLBACK"});
  BOOST_TEST(rokso::refused_transaction_control("CREATE TABLE t ();\n  COMMIT;\nSELECT 1/0;", true) ==
             list{"line 2: COMMIT"});
  BOOST_TEST(rokso::refused_transaction_control("END; ABORT; COMMIT AND CHAIN;", true) ==
             (list{"line 1: END", "line 1: ABORT", "line 1: COMMIT AND CHAIN"}));
  BOOST_TEST(rokso::refused_transaction_control("PREPARE TRANSACTION 'x';\nCOMMIT PREPARED 'x';", true) ==
             (list{"line 1: PREPARE TRANSACTION 'x'", "line 2: COMMIT PREPARED 'x'"}));
  // Not a wrapper: something ends the transaction in between, or it ends with ROLLBACK,
  // or it asks for another isolation level rokso's transaction does not have.
  BOOST_TEST(rokso::refused_transaction_control("BEGIN; SELECT 1; COMMIT; BEGIN; SELECT 2; COMMIT;", true).size() == 4u);
  BOOST_TEST(rokso::refused_transaction_control("BEGIN; SELECT 1; ROLLBACK;", true) ==
             (list{"line 1: BEGIN", "line 1: ROLLBACK"}));
  BOOST_TEST(rokso::refused_transaction_control("BEGIN ISOLATION LEVEL SERIALIZABLE; SELECT 1; COMMIT;", true).size() ==
             2u);
  BOOST_TEST(rokso::refused_transaction_control("BEGIN; SELECT 1;", true) == list{"line 1: BEGIN"});
  BOOST_TEST(rokso::refused_transaction_control("SAVEPOINT a; RELEASE SAVEPOINT a;", true).empty());
}

BOOST_AUTO_TEST_CASE(a_non_transactional_migration_refuses_even_the_wrapper) {
  using list = std::vector<std::string>;
  BOOST_TEST(rokso::refused_transaction_control("BEGIN;\nVACUUM t;\nCOMMIT;", false) ==
             (list{"line 1: BEGIN", "line 3: COMMIT"}));
  BOOST_TEST(rokso::refused_transaction_control("VACUUM t; SAVEPOINT a;", false).empty());
}

BOOST_AUTO_TEST_CASE(the_refusal_names_the_migration_the_script_and_the_line) {
  rokso::Migration m;
  m.apply_sql = "CREATE TABLE t ();";
  m.rollback_sql = "DROP TABLE t;\nCOMMIT;";
  try {
    rokso::refuse_transaction_control("offline/t.sql", m);
    BOOST_FAIL("not refused");
  } catch (const rokso::Error& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("'offline/t.sql': transaction control in its rollback SQL (line 2: COMMIT)") == 0u);
  }
}

BOOST_AUTO_TEST_CASE(wrapped_bodies_get_a_note) {
  rokso::Migration m;
  m.apply_sql = "BEGIN; CREATE TABLE t (); COMMIT;";
  m.rollback_sql = "BEGIN; DROP TABLE t; COMMIT;";
  rokso::note_wrapped_bodies(m);
  BOOST_TEST_REQUIRE(m.notes.size() == 2u);
  BOOST_TEST(m.notes[0].find("outer BEGIN/COMMIT unwrapped") == 0u);
  BOOST_TEST(m.notes[1].find("rollback: outer BEGIN/COMMIT unwrapped") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
