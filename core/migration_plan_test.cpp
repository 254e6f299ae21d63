// The migration policy (core/migration_plan.hpp) on a scratch tree and a History made
// from rows: no database.
#include "core/error.hpp"
#include "core/migration_plan.hpp"
#include "core/ordering.hpp"

#include <rokso/format_plugin.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace {

// "<name>.t" files: an optional first line "requires <identity> ...", then the apply
// SQL; a file holding "unreadable" cannot be read.
class TestFormat : public rokso::FormatPlugin {
 public:
  std::string name() const override { return "t"; }
  std::string version() const override { return "1"; }
  std::string summary() const override { return "test format"; }
  rokso::FileClaim claim(const std::string& file_name) const override {
    const bool ours = file_name.size() > 2 && file_name.compare(file_name.size() - 2, 2, ".t") == 0;
    return ours ? rokso::FileClaim::migration : rokso::FileClaim::none;
  }
  rokso::Migration read(const std::string& path) const override {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    std::string content = text.str();
    if (content.find("unreadable") != std::string::npos) throw std::runtime_error(path + ": unreadable");
    rokso::Migration m;
    if (content.rfind("requires ", 0) == 0) {
      const std::size_t end = content.find('\n');
      std::istringstream names(content.substr(9, end - 9));
      for (std::string required; names >> required;) m.requires_identities.push_back(required);
      content.erase(0, end == std::string::npos ? content.size() : end + 1);
    }
    m.apply_sql = content;
    return m;
  }
  std::vector<rokso::RenderedFile> render(const std::string&, const rokso::Migration&) const override { return {}; }
};

struct Project {
  fs::path dir;
  TestFormat format;
  std::unique_ptr<rokso::MigrationOrder> order = rokso::roksopsql_order();
  Project() {
    char pattern[] = "/tmp/rokso-plan-test.XXXXXX";
    dir = ::mkdtemp(pattern);
  }
  ~Project() { fs::remove_all(dir); }
  Project& put(const std::string& identity, const std::string& content = "SELECT 1;\n") {
    fs::create_directories((dir / identity).parent_path());
    std::ofstream(dir / identity, std::ios::binary) << content;
    return *this;
  }
  rokso::MigrationTree scan() { return rokso::MigrationTree::scan(dir, {&format}, *order); }
};

rokso::VersionRow row(long long id, const std::string& identity, const std::string& revision, bool complete = true,
                      int progress = 0) {
  rokso::VersionRow r;
  r.id = id;
  r.filename = identity;
  r.version = revision;
  r.status = complete ? rokso::kStatusComplete : rokso::kStatusError;
  r.progress = progress;
  return r;
}

std::vector<std::string> identities(const std::vector<rokso::PlannedMigration>& planned) {
  std::vector<std::string> names;
  for (const auto& p : planned) names.push_back(p.file->identity);
  return names;
}

std::vector<long long> ids(const std::vector<const rokso::VersionRow*>& rows) {
  std::vector<long long> result;
  for (const rokso::VersionRow* r : rows) result.push_back(r->id);
  return result;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(migration_plan)

BOOST_AUTO_TEST_CASE(pending_files_run_in_tree_order_adjusted_by_requires) {
  Project project;
  project.put("a.t", "requires c.t\nSELECT 1;\n").put("b.t").put("c.t").put("d.t");
  const rokso::MigrationTree tree = project.scan();
  const rokso::History history = rokso::History::from_rows({row(1, "d.t", "aaaaaaaa")}, 10);
  const auto planned = rokso::plan_pending(tree, history);
  const std::vector<std::string> names = identities(planned);
  BOOST_TEST(names.size() == 3u);
  const auto at = [&names](const std::string& n) { return std::find(names.begin(), names.end(), n) - names.begin(); };
  BOOST_TEST(at("c.t") < at("a.t"));
  BOOST_TEST(at("b.t") < 3);
  for (const auto& p : planned) BOOST_TEST(!p.retry);
}

BOOST_AUTO_TEST_CASE(a_failed_migration_is_retried_alone_first) {
  Project project;
  project.put("a.t").put("b.t").put("c.t");
  const rokso::MigrationTree tree = project.scan();
  const rokso::History history =
      rokso::History::from_rows({row(1, "a.t", "aaaaaaaa"), row(2, "b.t", "aaaaaaaa", false, 2)}, 10);
  const auto planned = rokso::plan_pending(tree, history);
  BOOST_TEST(identities(planned) == std::vector<std::string>{"b.t"});
  BOOST_TEST(planned.front().retry);
  BOOST_TEST(planned.front().resume.statements_done == 2);
  // --migration must name the first failed file; --to one that is not failed is refused.
  BOOST_CHECK_THROW(rokso::plan_pending(tree, history, {std::string("c.t"), std::nullopt}), rokso::Error);
  BOOST_CHECK_THROW(rokso::plan_pending(tree, history, {std::nullopt, std::string("c.t")}), rokso::Error);
  BOOST_TEST(identities(rokso::plan_pending(tree, history, {std::string("b.t"), std::nullopt})) ==
             std::vector<std::string>{"b.t"});
}

BOOST_AUTO_TEST_CASE(status_shows_a_failed_file_as_failed_not_pending) {
  Project project;
  project.put("a.t").put("b.t").put("c.t", "unreadable");
  const rokso::MigrationTree tree = project.scan();
  const rokso::History history =
      rokso::History::from_rows({row(1, "a.t", "aaaaaaaa"), row(2, "b.t", "aaaaaaaa", false)}, 10, &tree);
  const rokso::PendingList pending = rokso::list_pending(tree, history);
  BOOST_TEST(pending.files.size() == 1u);
  BOOST_TEST(pending.files.front().identity == "c.t");
  BOOST_TEST(!pending.files.front().error.empty());
  BOOST_TEST(pending.malformed);
}

BOOST_AUTO_TEST_CASE(a_history_read_without_the_tree_and_indexed_after_is_the_same_as_one_read_with_it) {
  // status reads the rows while migration/ is still being scanned (History::index_by()).
  Project project;
  project.put("a.t").put("b.t").put("c.t").put("d.t");
  const rokso::MigrationTree tree = project.scan();
  std::vector<rokso::VersionRow> rows = {row(1, "c.t", "aaaaaaaa"), row(2, "a.t", "aaaaaaaa"),
                                         row(3, "gone.t", "aaaaaaaa"), row(4, "b.t", "aaaaaaaa", false),
                                         row(5, "d.t", "aaaaaaaa")};
  rows[0].checksum = std::string(64, 'a');  // a digest
  rows[1].checksum = "not hex";             // text of another kind, kept as it is
  rows[2].checksum = std::string(64, 'b');  // the row of a file no longer in the tree
  const rokso::History with_tree = rokso::History::from_rows(rows, 2, &tree);
  rokso::History indexed = rokso::History::from_rows(rows, 2);
  indexed.index_by(tree);
  BOOST_TEST(indexed.size() == with_tree.size());
  for (const rokso::MigrationFile& file : tree.files()) {
    BOOST_TEST((indexed.state_of(file) == with_tree.state_of(file)), file.identity);
    BOOST_TEST((indexed.recorded_checksum(file) == with_tree.recorded_checksum(file)), file.identity);
  }
  BOOST_TEST((indexed.state_of(tree.files()[1]) == rokso::History::State::failed));  // b.t
  BOOST_TEST(*indexed.recorded_checksum(tree.files()[2]) == std::string(64, 'a'));  // c.t
  BOOST_TEST(*indexed.recorded_checksum(tree.files()[0]) == "not hex");             // a.t
  const auto outside = indexed.rows_not_in(tree);
  BOOST_TEST_REQUIRE(outside.size() == 1u);
  BOOST_TEST(outside.front()->identity == "gone.t");
  BOOST_TEST(std::string(outside.front()->checksum) == std::string(64, 'b'));
  BOOST_TEST_REQUIRE(indexed.recent_complete().size() == 2u);  // the last two complete rows, by id
  BOOST_TEST(indexed.recent_complete().front().id == 3);
  BOOST_TEST(indexed.failed().size() == 1u);
  indexed.index_by(tree);  // again, by the same tree: nothing to do
  BOOST_TEST(indexed.size() == with_tree.size());
  const rokso::MigrationTree other = project.scan();
  BOOST_CHECK_THROW(indexed.index_by(other), std::logic_error);

  // The tree made while the rows stream in (read_history_to_index() with made_tree): the
  // rows before it are indexed when it comes, the rest as they come; wherever it comes,
  // the History is the same.
  for (std::size_t after = 1; after <= rows.size() + 1; ++after) {
    const rokso::History midway = rokso::History::from_rows(rows, 2, &tree, after);
    BOOST_TEST(midway.size() == with_tree.size());
    for (const rokso::MigrationFile& file : tree.files()) {
      BOOST_TEST((midway.state_of(file) == with_tree.state_of(file)), file.identity << " after " << after);
      BOOST_TEST((midway.recorded_checksum(file) == with_tree.recorded_checksum(file)), file.identity << " after " << after);
    }
    const auto gone = midway.rows_not_in(tree);
    BOOST_TEST_REQUIRE(gone.size() == 1u);
    BOOST_TEST(gone.front()->identity == "gone.t");
    BOOST_TEST(std::string(gone.front()->checksum) == std::string(64, 'b'));
    BOOST_TEST((midway.state_of("gone.t") == rokso::History::State::complete));
  }
}

BOOST_AUTO_TEST_CASE(to_stops_after_the_file_named_and_unknown_names_are_usage_errors) {
  Project project;
  project.put("a.t").put("b.t").put("c.t");
  const rokso::MigrationTree tree = project.scan();
  const rokso::History history = rokso::History::from_rows({}, 10);
  BOOST_TEST(identities(rokso::plan_pending(tree, history, {std::nullopt, std::string("b.t")})) ==
             (std::vector<std::string>{"a.t", "b.t"}));
  try {
    rokso::plan_pending(tree, history, {std::string("nope.t"), std::nullopt});
    BOOST_FAIL("no error");
  } catch (const rokso::Error& e) {
    BOOST_TEST(e.exit_code() == rokso::kExitUsage);
  }
}

BOOST_AUTO_TEST_CASE(rollback_takes_the_newest_revision_steps_or_what_follows_a_revision) {
  const std::vector<rokso::VersionRow> rows = {row(1, "a.t", "11111111"), row(2, "b.t", "22222222"),
                                               row(3, "c.t", "22222222"), row(4, "d.t", "33333333", false)};
  BOOST_TEST(ids(rokso::plan_rollback(rows, {})) == std::vector<long long>{4});
  rokso::RollbackSelector steps;
  steps.steps = 2;
  BOOST_TEST(ids(rokso::plan_rollback(rows, steps)) == (std::vector<long long>{3, 2}));
  steps.steps = 4;
  BOOST_CHECK_THROW(rokso::plan_rollback(rows, steps), rokso::Error);
  rokso::RollbackSelector after;
  after.after_revision = "11111111";
  BOOST_TEST(ids(rokso::plan_rollback(rows, after)) == (std::vector<long long>{4, 3, 2}));
  after.after_revision = "99999999";
  BOOST_CHECK_THROW(rokso::plan_rollback(rows, after), rokso::Error);
  rokso::RollbackSelector dated;
  dated.executed_after = [] { return std::set<long long>{3, 4}; };
  BOOST_TEST(ids(rokso::plan_rollback(rows, dated)) == std::vector<long long>{3});
}

BOOST_AUTO_TEST_SUITE_END()
