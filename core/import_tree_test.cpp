#include "core/error.hpp"
#include "core/import_layout.hpp"
#include "core/import_tree.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <fstream>

namespace fs = std::filesystem;

namespace {

// A scratch directory with the given files, removed at the end of the test.
struct Tree {
  fs::path dir;
  Tree() {
    char pattern[] = "/tmp/rokso-import-test.XXXXXX";
    dir = ::mkdtemp(pattern);
  }
  ~Tree() { fs::remove_all(dir); }
  Tree& put(const std::string& name, const std::string& content) {
    fs::create_directories((dir / name).parent_path());
    std::ofstream(dir / name, std::ios::binary) << content;
    return *this;
  }
};

std::vector<std::string> stems(const rokso::ImportTree& tree) { return rokso::import_stems(tree, ".apply.sql"); }

}  // namespace

BOOST_AUTO_TEST_SUITE(import_tree)

BOOST_AUTO_TEST_CASE(versions_compare_part_by_part) {
  using rokso::ImportVersion;
  BOOST_TEST(rokso::compare(ImportVersion::parse("1.2"), ImportVersion::parse("1.10")) < 0);
  BOOST_TEST(rokso::compare(ImportVersion::parse("1.0"), ImportVersion::parse("1")) == 0);
  BOOST_TEST(rokso::compare(ImportVersion::parse("1_2"), ImportVersion::parse("1.2")) == 0);
  BOOST_TEST(rokso::compare(ImportVersion::parse("0010"), ImportVersion::parse("9")) > 0);
  BOOST_TEST(rokso::compare(ImportVersion::parse("99999999999999999999999"), ImportVersion::parse("1")) > 0);
  BOOST_TEST(rokso::canonical(ImportVersion::parse("001.020.0")) == "1.20");
}

BOOST_AUTO_TEST_CASE(golang_migrate_pairs_by_version_and_pads) {
  Tree t;
  t.put("1_a.up.sql", "A").put("1_b.down.sql", "B").put("10_c.up.sql", "C").put("2_d.up.sql", "D");
  t.put("3_e.down.sql", "E").put("notes.txt", "");
  const rokso::ImportTree tree = rokso::read_golang_migrate_tree(t.dir);
  BOOST_TEST_REQUIRE(tree.migrations.size() == 3u);
  BOOST_TEST(tree.migrations[0].up_sql == "A");
  BOOST_TEST(tree.migrations[0].down_sql == "B");
  BOOST_TEST(tree.migrations[1].description == "d");
  BOOST_TEST(!tree.migrations[1].has_down);
  BOOST_TEST(tree.skipped.size() == 2u);
  const std::vector<std::string> s = stems(tree);
  BOOST_TEST(s[0] == "00000000000001_a");
  BOOST_TEST(s[1] == "00000000000002_d");
  BOOST_TEST(s[2] == "00000000000010_c");
}

BOOST_AUTO_TEST_CASE(golang_migrate_refuses_two_ups_for_one_version) {
  Tree t;
  t.put("1_a.up.sql", "A").put("01_b.up.sql", "B");
  BOOST_CHECK_THROW(rokso::read_golang_migrate_tree(t.dir), rokso::Error);
}

BOOST_AUTO_TEST_CASE(dbmate_blocks_options_and_name_order) {
  Tree t;
  t.put("1_a.sql", "-- comment\n-- migrate:up transaction:false\nUP;\n-- migrate:down\nDOWN;\n");
  t.put("10_b.sql", "--migrate:up\nX;\n--migrate:down\n");
  const rokso::ImportTree tree = rokso::read_dbmate_tree(t.dir);
  BOOST_TEST_REQUIRE(tree.migrations.size() == 2u);
  BOOST_TEST(tree.migrations[0].version.text == "10");  // dbmate's order: names as strings
  BOOST_TEST(tree.migrations[0].transactional);
  BOOST_TEST(tree.migrations[1].up_sql == "-- migrate:up transaction:false\nUP;\n");
  BOOST_TEST(tree.migrations[1].down_sql == "-- migrate:down\nDOWN;\n");
  BOOST_TEST(!tree.migrations[1].transactional);
  const std::vector<std::string> s = stems(tree);
  BOOST_TEST(s[0] == "10_b");
  BOOST_TEST(s[1] == "1_a");
}

BOOST_AUTO_TEST_CASE(a_wrapped_body_outside_a_transaction_becomes_transactional) {
  Tree t;
  t.put("1_a.sql", "-- migrate:up transaction:false\nBEGIN;\nCREATE TABLE a ();\nCOMMIT;\n-- migrate:down\n");
  t.put("2_b.sql", "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY b ON a (x);\n-- migrate:down\n");
  const rokso::ImportTree tree = rokso::read_import_tree(rokso::ImportTool::dbmate, t.dir);
  BOOST_TEST_REQUIRE(tree.migrations.size() == 2u);
  BOOST_TEST(tree.migrations[0].transactional);
  BOOST_TEST(tree.migrations[0].wrapped_without_transaction);
  BOOST_TEST(!tree.migrations[1].transactional);
  BOOST_TEST(!tree.migrations[1].wrapped_without_transaction);
}

BOOST_AUTO_TEST_CASE(dbmate_directive_must_stand_alone) {
  Tree t;
  t.put("1_a.sql", "-- migrate:upgrade\nX;\n-- migrate:down\n");
  BOOST_CHECK_THROW(rokso::read_dbmate_tree(t.dir), rokso::Error);
}

BOOST_AUTO_TEST_CASE(goose_sections_and_no_transaction) {
  Tree t;
  t.put("00002_b.sql", "-- +goose NO TRANSACTION\n-- +goose up\nUP;\n-- +goose down\nDOWN;\n");
  t.put("1_a.sql", "-- +goose Up\n-- +goose StatementBegin\nX;\n-- +goose StatementEnd\n");
  t.put("3_c.go", "package x\n");
  const rokso::ImportTree tree = rokso::read_goose_tree(t.dir);
  BOOST_TEST_REQUIRE(tree.migrations.size() == 2u);
  BOOST_TEST(tree.migrations[0].up_sql == "-- +goose Up\n-- +goose StatementBegin\nX;\n-- +goose StatementEnd\n");
  BOOST_TEST(!tree.migrations[0].has_down);
  BOOST_TEST(tree.migrations[1].up_sql == "-- +goose up\nUP;\n");
  BOOST_TEST(tree.migrations[1].down_sql == "-- +goose down\nDOWN;\n");
  BOOST_TEST(!tree.migrations[1].transactional);
  BOOST_TEST(tree.skipped.size() == 1u);
}

BOOST_AUTO_TEST_CASE(flyway_versions_undo_conf_and_repeatables) {
  Tree t;
  t.put("V1__a.sql", "A").put("sub/V1.10__c.sql", "C").put("V1_2__b.sql", "B").put("U1_2__b.sql", "UB");
  t.put("V1_2__b.sql.conf", "executeInTransaction=false\n").put("R__v.sql", "R").put("V2.sql", "");
  const rokso::ImportTree tree = rokso::read_flyway_tree(t.dir);
  BOOST_TEST_REQUIRE(tree.migrations.size() == 3u);
  BOOST_TEST(tree.migrations[1].up_sql == "B");
  BOOST_TEST(tree.migrations[1].down_sql == "UB");
  BOOST_TEST(!tree.migrations[1].transactional);
  BOOST_TEST(tree.migrations[2].source_files.front() == "sub/V1.10__c.sql");
  BOOST_TEST(tree.skipped.size() == 2u);  // R__v.sql, V2.sql
  const std::vector<std::string> s = stems(tree);
  BOOST_TEST(s[0] == "00000000000001.00_a");
  BOOST_TEST(s[1] == "00000000000001.02_b");
  BOOST_TEST(s[2] == "00000000000001.10_c");
}

BOOST_AUTO_TEST_CASE(descriptions_become_safe_file_names) {
  Tree t;
  t.put("V1__with space$and.dot.sql", "A");
  const rokso::ImportTree tree = rokso::read_flyway_tree(t.dir);
  BOOST_TEST(stems(tree).front() == "00000000000001_with_space_and_dot");
}

BOOST_AUTO_TEST_SUITE_END()
