// plan_remap: which pg_dump entries share a file, under which kind and name, and which
// files each one requires - on synthetic archives, with stand-in kinds shaped like the
// built-in ones.
#include "core/remap_plan.hpp"

#include "core/error.hpp"

#include <rokso/object_kind_plugin.hpp>

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace {

class FakeKind : public rokso::ObjectKindPlugin {
 public:
  FakeKind(std::string directory, std::vector<std::string> types)
      : directory_(std::move(directory)), types_(std::move(types)) {}
  std::string name() const override { return directory_; }
  std::string version() const override { return "0"; }
  std::string summary() const override { return "test kind"; }
  std::string directory() const override { return directory_; }
  char letter() const override { return '\0'; }
  std::string menu_label() const override { return ""; }
  int menu_position() const override { return 0; }
  rokso::Migration create_template(const std::string&, const std::string&) const override { return {}; }
  std::string default_rollback(const std::string&, const std::string&) const override { return ""; }
  std::vector<std::string> remap_entry_types() const override { return types_; }

 private:
  std::string directory_;
  std::vector<std::string> types_;
};

constexpr unsigned kPgClass = 1259;
const std::string kStamp = "2024_01_02__03_04_05";

// The built-in kinds' directories and types (plugins/seed_kinds, plugins/schema_kinds).
struct Kinds {
  std::vector<std::unique_ptr<FakeKind>> owned;
  std::vector<const rokso::ObjectKindPlugin*> list;
  explicit Kinds(bool with_fallback = true) {
    add("100.database_types", {"TYPE", "DOMAIN", "SHELL TYPE"});
    add("150.sequences", {"SEQUENCE", "SEQUENCE OWNED BY"});
    add("200.tables", {"TABLE", "DEFAULT", "TABLE ATTACH", "ROW SECURITY"});
    add("250.indexes", {"INDEX", "INDEX ATTACH"});
    add("260.constraints", {"CONSTRAINT", "CHECK CONSTRAINT"});
    add("300.views", {"VIEW"});
    add("400.mat_views", {"MATERIALIZED VIEW"});
    add("500.functions", {"FUNCTION"});
    add("600.foreign_keys", {"FK CONSTRAINT"});
    add("700.triggers", {"TRIGGER"});
    add("710.rules", {"RULE"});
    add("720.policies", {"POLICY"});
    if (with_fallback) add("900.other_objects", {"*"});
  }
  void add(const std::string& dir, std::vector<std::string> types) {
    owned.push_back(std::make_unique<FakeKind>(dir, std::move(types)));
    list.push_back(owned.back().get());
  }
};

// Builds an archive entry by entry, in pg_dump's order.
struct Dump {
  rokso::Archive archive;
  int next_id = 100;
  unsigned next_oid = 16384;

  int add(const std::string& desc, const std::string& tag, std::vector<int> deps = {}, int section = 2,
          const std::string& schema = "s", const std::string& drop = "") {
    rokso::ArchiveEntry e;
    e.dump_id = next_id++;
    e.desc = desc;
    e.tag = tag;
    e.dependencies = std::move(deps);
    e.section = section;
    e.schema = schema;
    e.defn = "-- " + std::to_string(e.dump_id) + " " + desc + " " + tag + "\n";  // unique: names an entry
    e.drop_stmt = drop.empty() ? "-- drop " + desc + " " + tag + "\n" : drop;
    if (desc == "TABLE" || desc == "VIEW" || desc == "SEQUENCE" || desc == "INDEX" || desc == "MATERIALIZED VIEW") {
      e.catalog_table = kPgClass;
      e.oid = next_oid++;
    }
    archive.entries.push_back(e);
    return e.dump_id;
  }
  const rokso::ArchiveEntry& entry(int id) const {
    for (const rokso::ArchiveEntry& e : archive.entries) {
      if (e.dump_id == id) return e;
    }
    throw std::logic_error("no entry " + std::to_string(id));
  }
};

// The kinds every plan's files point to: they outlive the plans.
const Kinds& built_in_kinds() {
  static const Kinds kinds;
  return kinds;
}

rokso::RemapPlan plan_of(const Dump& dump, std::set<std::string> schemas = {"s"}, std::set<unsigned> excluded = {},
                         const Kinds& kinds = built_in_kinds()) {
  rokso::RemapRequest request;
  request.schemas = std::move(schemas);
  request.excluded_relations = std::move(excluded);
  request.timestamp = kStamp;
  return rokso::plan_remap(dump.archive, request, kinds.list);
}

// The index of the file holding the entry `desc`/`tag`; fails the test when none or several do.
std::size_t file_with(const rokso::RemapPlan& plan, const std::string& desc, const std::string& tag) {
  std::vector<std::size_t> found;
  for (std::size_t f = 0; f < plan.files.size(); ++f) {
    for (const rokso::DumpEntry& e : plan.files[f].entries) {
      if (e.type == desc && e.name == tag) found.push_back(f);
    }
  }
  BOOST_TEST_INFO("entry " << desc << " '" << tag << "'");
  BOOST_REQUIRE_EQUAL(found.size(), 1u);
  return found.front();
}

const rokso::DumpEntry& entry_in(const rokso::RemapPlan& plan, const std::string& desc, const std::string& tag) {
  for (const rokso::DumpEntry& e : plan.files[file_with(plan, desc, tag)].entries) {
    if (e.type == desc && e.name == tag) return e;
  }
  throw std::logic_error("unreachable");
}

std::vector<std::string> entry_names(const rokso::RemapFile& file) {
  std::vector<std::string> names;
  for (const rokso::DumpEntry& e : file.entries) names.push_back(e.type + " " + e.name);
  return names;
}

bool requires_file(const rokso::RemapFile& file, std::size_t needed) {
  return std::find(file.requires_files.begin(), file.requires_files.end(), needed) != file.requires_files.end();
}

// What holds for every plan: requires ascending, unique, never the file itself and
// always an earlier file; names unique within a directory; every entry's dependency is
// either earlier in its own file or in a file it requires; no entry twice.
void check_invariants(const rokso::RemapPlan& plan, const Dump& dump) {
  std::set<std::string> paths;
  std::map<std::string, std::pair<std::size_t, std::size_t>> where;  // entry's DDL -> file, index
  for (std::size_t f = 0; f < plan.files.size(); ++f) {
    const rokso::RemapFile& file = plan.files[f];
    BOOST_TEST_INFO("file " << f << " " << file.directory << "/" << file.encoded_stem);
    BOOST_TEST(!file.entries.empty());
    BOOST_TEST(file.kind != nullptr);
    BOOST_TEST(file.settings.size() == file.entries.size());
    BOOST_TEST(std::is_sorted(file.requires_files.begin(), file.requires_files.end()));
    BOOST_TEST((std::adjacent_find(file.requires_files.begin(), file.requires_files.end()) == file.requires_files.end()));
    for (std::size_t needed : file.requires_files) {
      BOOST_TEST(needed != f);
      BOOST_TEST(needed < f);
    }
    BOOST_TEST(paths.insert(file.directory + "/" + file.encoded_stem).second);
    BOOST_TEST(file.directory.compare(0, file.schema.size() + 1, file.schema + "/") == 0);
    BOOST_TEST(file.encoded_stem.compare(0, kStamp.size() + 8, kStamp + "_create_") == 0);
    for (std::size_t i = 0; i < file.entries.size(); ++i) {
      BOOST_TEST(where.emplace(file.entries[i].create_sql, std::make_pair(f, i)).second);
    }
  }
  for (const rokso::ArchiveEntry& e : dump.archive.entries) {
    auto self = where.find(e.defn);
    if (self == where.end()) continue;
    for (int id : e.dependencies) {
      const rokso::ArchiveEntry& d = dump.entry(id);
      auto dep = where.find(d.defn);
      if (dep == where.end()) continue;
      BOOST_TEST_INFO(e.desc << " '" << e.tag << "' depends on " << d.desc << " '" << d.tag << "'");
      if (dep->second.first == self->second.first) {
        BOOST_TEST(dep->second.second < self->second.second);
      } else {
        BOOST_TEST(requires_file(plan.files[self->second.first], dep->second.first));
      }
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(remap_plan)

BOOST_AUTO_TEST_CASE(a_table_keeps_its_parts) {
  Dump d;
  const int t = d.add("TABLE", "orders");
  const int seq = d.add("SEQUENCE", "orders_id_seq", {t});
  d.add("SEQUENCE OWNED BY", "orders_id_seq", {seq, t});
  d.add("DEFAULT", "orders id", {t, seq});
  d.add("COMMENT", "TABLE orders", {t});
  d.add("COMMENT", "COLUMN orders.id", {t});
  const int pkey = d.add("CONSTRAINT", "orders orders_pkey", {t}, 4);
  d.add("INDEX", "orders_placed_idx", {t}, 4);
  d.add("CHECK CONSTRAINT", "orders orders_total_check", {t}, 4);
  d.add("COMMENT", "CONSTRAINT orders_pkey ON orders", {pkey}, 4);
  const rokso::RemapPlan plan = plan_of(d);
  check_invariants(plan, d);
  BOOST_REQUIRE_EQUAL(plan.files.size(), 1u);
  const rokso::RemapFile& f = plan.files[0];
  BOOST_TEST(f.kind->directory() == "200.tables");
  BOOST_TEST(f.schema == "s");
  BOOST_TEST(f.object == "orders");
  BOOST_TEST(f.directory == "s/200.tables/orders");
  BOOST_TEST(f.encoded_stem == kStamp + "_create_table_orders");
  BOOST_TEST(f.requires_files.empty());
  BOOST_TEST(f.entries.size() == 10u);
  BOOST_TEST(entry_names(f).front() == "TABLE orders");
  BOOST_TEST(plan.skipped == 0u);
}

BOOST_AUTO_TEST_CASE(an_index_waiting_for_a_later_function_gets_its_own_file) {
  Dump d;
  const int t = d.add("TABLE", "items");
  const int fn = d.add("FUNCTION", "norm(text)", {}, 2);
  d.add("INDEX", "items_plain_idx", {t}, 4);
  d.add("INDEX", "items_norm_idx", {t, fn}, 4);
  d.add("CONSTRAINT", "items items_norm_excl", {fn, t}, 4);
  const rokso::RemapPlan plan = plan_of(d);
  check_invariants(plan, d);
  const std::size_t table = file_with(plan, "TABLE", "items"), function = file_with(plan, "FUNCTION", "norm(text)");
  BOOST_TEST(file_with(plan, "INDEX", "items_plain_idx") == table);
  const std::size_t index = file_with(plan, "INDEX", "items_norm_idx");
  BOOST_TEST(index != table);
  BOOST_TEST(plan.files[index].kind->directory() == "250.indexes");
  BOOST_TEST(plan.files[index].directory == "s/250.indexes/items");
  BOOST_TEST(plan.files[index].encoded_stem == kStamp + "_create_index_items_norm_idx");
  BOOST_TEST((plan.files[index].requires_files == std::vector<std::size_t>{table, function}));
  const std::size_t constraint = file_with(plan, "CONSTRAINT", "items items_norm_excl");
  BOOST_TEST(plan.files[constraint].directory == "s/260.constraints/items");
  BOOST_TEST(plan.files[constraint].encoded_stem == kStamp + "_create_constraint_items_norm_excl");
  BOOST_TEST((plan.files[constraint].requires_files == std::vector<std::size_t>{table, function}));
  BOOST_TEST(plan.files[function].requires_files.empty());
}

BOOST_AUTO_TEST_CASE(a_foreign_key_is_filed_under_the_table_holding_it) {
  Dump d;
  const int a = d.add("TABLE", "a");
  const int ab = d.add("TABLE", "a b");
  const int a_pkey = d.add("CONSTRAINT", "a a_pkey", {a}, 4);
  const int ab_pkey = d.add("CONSTRAINT", "a b a b_pkey", {ab}, 4);
  // On "a b", referencing "a", whose dependency comes first.
  d.add("FK CONSTRAINT", "a b a_ref", {a, a_pkey, ab}, 4);
  // On "a", referencing "a b", whose dependency comes first.
  d.add("FK CONSTRAINT", "a to_ab", {ab_pkey, ab, a}, 4);
  // On "a", referencing itself.
  d.add("FK CONSTRAINT", "a a_parent_fkey", {a, a_pkey}, 4);
  const rokso::RemapPlan plan = plan_of(d);
  check_invariants(plan, d);
  const std::size_t fa = file_with(plan, "TABLE", "a"), fab = file_with(plan, "TABLE", "a b");
  BOOST_TEST(file_with(plan, "CONSTRAINT", "a a_pkey") == fa);
  BOOST_TEST(file_with(plan, "CONSTRAINT", "a b a b_pkey") == fab);

  const rokso::RemapFile& ref = plan.files[file_with(plan, "FK CONSTRAINT", "a b a_ref")];
  BOOST_TEST(ref.kind->directory() == "600.foreign_keys");
  BOOST_TEST(ref.object == "a b");
  BOOST_TEST(ref.directory == "s/600.foreign_keys/a b");
  BOOST_TEST(ref.encoded_stem == kStamp + "_create_fk_constraint_a_ref");
  BOOST_TEST((ref.requires_files == std::vector<std::size_t>{fa, fab}));

  const rokso::RemapFile& to_ab = plan.files[file_with(plan, "FK CONSTRAINT", "a to_ab")];
  BOOST_TEST(to_ab.directory == "s/600.foreign_keys/a");
  BOOST_TEST(to_ab.encoded_stem == kStamp + "_create_fk_constraint_to_ab");
  BOOST_TEST((to_ab.requires_files == std::vector<std::size_t>{fa, fab}));

  const rokso::RemapFile& self = plan.files[file_with(plan, "FK CONSTRAINT", "a a_parent_fkey")];
  BOOST_TEST(self.directory == "s/600.foreign_keys/a");
  BOOST_TEST((self.requires_files == std::vector<std::size_t>{fa}));
}

BOOST_AUTO_TEST_CASE(a_foreign_key_whose_tag_is_ambiguous_goes_by_its_drop_statement) {
  // Table "a" with a key named "b x" referencing table "a b": the tag "a b x" reads as
  // both ("a", "b x") and ("a b", "x"); the DROP names the table.
  Dump d;
  const int a = d.add("TABLE", "a");
  const int ab = d.add("TABLE", "a b");
  const int ab_pkey = d.add("CONSTRAINT", "a b a b_pkey", {ab}, 4);
  d.add("FK CONSTRAINT", "a b x", {a, ab, ab_pkey}, 4, "s", "ALTER TABLE ONLY s.a DROP CONSTRAINT \"b x\";\n");
  // And the other reading: table "a b" with a key "y" referencing "a".
  d.add("FK CONSTRAINT", "a b y", {ab, a}, 4, "s", "ALTER TABLE ONLY s.\"a b\" DROP CONSTRAINT y;\n");
  const rokso::RemapPlan plan = plan_of(d);
  check_invariants(plan, d);
  const rokso::RemapFile& bx = plan.files[file_with(plan, "FK CONSTRAINT", "a b x")];
  BOOST_TEST(bx.object == "a");
  BOOST_TEST(bx.directory == "s/600.foreign_keys/a");
  BOOST_TEST(bx.encoded_stem == kStamp + "_create_fk_constraint_b x");
  const rokso::RemapFile& y = plan.files[file_with(plan, "FK CONSTRAINT", "a b y")];
  BOOST_TEST(y.object == "a b");
  BOOST_TEST(y.directory == "s/600.foreign_keys/a b");
  BOOST_TEST(y.encoded_stem == kStamp + "_create_fk_constraint_y");
}

BOOST_AUTO_TEST_CASE(triggers_rules_and_policies_have_their_own_files) {
  Dump d;
  const int t = d.add("TABLE", "t");
  const int fn = d.add("FUNCTION", "touch()");
  d.add("TRIGGER", "t t_touch", {t, fn}, 4);
  d.add("POLICY", "t t_visible", {t}, 4);
  const int v = d.add("VIEW", "v", {t});
  d.add("RULE", "v v_protect", {v}, 4);
  const rokso::RemapPlan plan = plan_of(d);
  check_invariants(plan, d);
  BOOST_TEST(plan.files[file_with(plan, "TRIGGER", "t t_touch")].directory == "s/700.triggers/t");
  BOOST_TEST(plan.files[file_with(plan, "POLICY", "t t_visible")].directory == "s/720.policies/t");
  BOOST_TEST(plan.files[file_with(plan, "RULE", "v v_protect")].directory == "s/710.rules/v");
  BOOST_TEST(plan.files.size() == 6u);
}

BOOST_AUTO_TEST_CASE(partitioned_tables) {
  Dump d;
  const int m = d.add("TABLE", "m");
  const int p1 = d.add("TABLE", "m_2023");
  const int p2 = d.add("TABLE", "m_2024");
  d.add("TABLE ATTACH", "m_2023", {m, p1});
  d.add("TABLE ATTACH", "m_2024", {p2, m});
  const int m_pkey = d.add("CONSTRAINT", "m m_pkey", {m}, 4, "s", "ALTER TABLE ONLY s.m DROP CONSTRAINT m_pkey;\n");
  const int p1_pkey =
      d.add("CONSTRAINT", "m_2023 m_2023_pkey", {p1}, 4, "s", "ALTER TABLE ONLY s.m_2023 DROP CONSTRAINT m_2023_pkey;\n");
  const int m_idx = d.add("INDEX", "m_at_idx", {m}, 4, "s", "DROP INDEX s.m_at_idx;\n");
  const int p2_idx = d.add("INDEX", "m_2024_at_idx", {p2}, 4, "s", "DROP INDEX s.m_2024_at_idx;\n");
  d.add("INDEX ATTACH", "m_2023_pkey", {m_pkey, p1_pkey}, 4, "s", "");
  d.add("INDEX ATTACH", "m_2024_at_idx", {m_idx, p2_idx}, 4, "s", "");
  const rokso::RemapPlan plan = plan_of(d);
  check_invariants(plan, d);

  const std::size_t fm = file_with(plan, "TABLE", "m"), f1 = file_with(plan, "TABLE", "m_2023"),
                    f2 = file_with(plan, "TABLE", "m_2024");
  const std::size_t a1 = file_with(plan, "TABLE ATTACH", "m_2023"), a2 = file_with(plan, "TABLE ATTACH", "m_2024");
  BOOST_TEST(a1 == f1);  // an attachment joins its partition's file
  BOOST_TEST(a2 == f2);

  // The parent's post-data entries: files of their own, after every attachment, and
  // their drops without ONLY.
  const std::size_t fpk = file_with(plan, "CONSTRAINT", "m m_pkey"), fidx = file_with(plan, "INDEX", "m_at_idx");
  BOOST_TEST(fpk != fm);
  BOOST_TEST(fidx != fm);
  BOOST_TEST(plan.files[fpk].directory == "s/260.constraints/m");
  BOOST_TEST(plan.files[fidx].directory == "s/250.indexes/m");
  for (std::size_t f : {fpk, fidx}) {
    BOOST_TEST(requires_file(plan.files[f], fm));
    BOOST_TEST(requires_file(plan.files[f], a1));
    BOOST_TEST(requires_file(plan.files[f], a2));
  }
  BOOST_TEST(entry_in(plan, "CONSTRAINT", "m m_pkey").drop_sql == "ALTER TABLE s.m DROP CONSTRAINT m_pkey;\n");
  BOOST_TEST(entry_in(plan, "INDEX", "m_at_idx").drop_sql == "DROP INDEX s.m_at_idx;\n");

  // A partition's index or key that is attached to the parent's goes with it: no drop
  // of its own. Its partition keeps ONLY (it has no partitions).
  BOOST_TEST(entry_in(plan, "CONSTRAINT", "m_2023 m_2023_pkey").drop_sql == "");
  BOOST_TEST(entry_in(plan, "INDEX", "m_2024_at_idx").drop_sql == "");
  BOOST_TEST(file_with(plan, "CONSTRAINT", "m_2023 m_2023_pkey") == f1);

  // The index attachments come after both indexes.
  const std::size_t ia1 = file_with(plan, "INDEX ATTACH", "m_2023_pkey");
  BOOST_TEST(requires_file(plan.files[ia1], fpk));
  BOOST_TEST(requires_file(plan.files[ia1], f1));
  const std::size_t ia2 = file_with(plan, "INDEX ATTACH", "m_2024_at_idx");
  BOOST_TEST(requires_file(plan.files[ia2], fidx));
}

BOOST_AUTO_TEST_CASE(alter_table_only_kept_on_an_ordinary_table) {
  Dump d;
  const int t = d.add("TABLE", "t");
  d.add("CONSTRAINT", "t t_pkey", {t}, 4, "s", "ALTER TABLE ONLY s.t DROP CONSTRAINT t_pkey;\n");
  const rokso::RemapPlan plan = plan_of(d);
  BOOST_TEST(entry_in(plan, "CONSTRAINT", "t t_pkey").drop_sql == "ALTER TABLE ONLY s.t DROP CONSTRAINT t_pkey;\n");
}

BOOST_AUTO_TEST_CASE(the_version_table_and_what_hangs_on_it_are_left_out) {
  Dump d;
  const int vt = d.add("TABLE", "rokso_db_version");
  const int seq = d.add("SEQUENCE", "rokso_db_version_id_seq", {vt});
  d.add("SEQUENCE OWNED BY", "rokso_db_version_id_seq", {seq, vt});
  d.add("DEFAULT", "rokso_db_version id", {vt, seq});
  const int pkey = d.add("CONSTRAINT", "rokso_db_version rokso_db_version_pkey", {vt}, 4);
  d.add("COMMENT", "CONSTRAINT rokso_db_version_pkey ON rokso_db_version", {pkey}, 4);  // through another excluded entry
  const int users = d.add("TABLE", "users");
  d.add("VIEW", "versions_seen", {vt, users});  // a user object on the version table
  d.add("CONSTRAINT", "users users_pkey", {users}, 4);
  // The same OID in another catalog is another object.
  rokso::ArchiveEntry fn;
  fn.dump_id = 999;
  fn.catalog_table = 1255;
  fn.oid = d.entry(vt).oid;
  fn.desc = "FUNCTION";
  fn.tag = "f()";
  fn.schema = "s";
  fn.section = 2;
  fn.defn = "-- 999 FUNCTION f()\n";
  d.archive.entries.push_back(fn);

  const rokso::RemapPlan plan = plan_of(d, {"s"}, {d.entry(vt).oid, d.entry(seq).oid});
  check_invariants(plan, d);
  BOOST_TEST(plan.skipped == 7u);
  for (const rokso::RemapFile& f : plan.files) {
    BOOST_TEST(f.directory.find("rokso_db_version") == std::string::npos);
    for (const rokso::DumpEntry& e : f.entries) {
      BOOST_TEST(e.name.find("rokso_db_version") == std::string::npos);
      BOOST_TEST(e.name != "versions_seen");
    }
  }
  BOOST_TEST(plan.files.size() == 2u);
  file_with(plan, "TABLE", "users");
  file_with(plan, "FUNCTION", "f()");
}

BOOST_AUTO_TEST_CASE(the_version_table_of_an_unselected_schema_is_skipped_too) {
  Dump d;
  const int vt = d.add("TABLE", "rokso_db_version", {}, 2, "rokso");
  d.add("TABLE", "t");
  const rokso::RemapPlan plan = plan_of(d, {"s"}, {d.entry(vt).oid});
  BOOST_TEST(plan.files.size() == 1u);
  BOOST_TEST(plan.skipped == 1u);
}

BOOST_AUTO_TEST_CASE(other_schemas_schemas_acls_and_data_are_left_out) {
  Dump d;
  d.add("SCHEMA", "s", {}, 2, "");
  d.add("SCHEMA", "s", {}, 2, "s");  // how pg_dump files it does not matter
  d.add("EXTENSION", "pgcrypto", {}, 2, "");
  d.add("ENCODING", "ENCODING", {}, 1, "");
  const int other = d.add("TABLE", "elsewhere", {}, 2, "other");
  const int t = d.add("TABLE", "t", {other});
  d.add("ACL", "TABLE t", {t}, 4);
  d.add("DEFAULT ACL", "DEFAULT PRIVILEGES FOR TABLES", {}, 4);
  d.add("TABLE DATA", "t", {t}, 3);
  d.add("FK CONSTRAINT", "t t_other_fkey", {t, other}, 4);
  d.add("INDEX", "elsewhere_idx", {other}, 4, "other");
  const rokso::RemapPlan plan = plan_of(d);
  check_invariants(plan, d);
  BOOST_TEST(plan.skipped == 0u);
  BOOST_REQUIRE_EQUAL(plan.files.size(), 2u);
  BOOST_TEST((entry_names(plan.files[0]) == std::vector<std::string>{"TABLE t"}));
  BOOST_TEST((entry_names(plan.files[1]) == std::vector<std::string>{"FK CONSTRAINT t t_other_fkey"}));
  BOOST_TEST(plan.files[0].requires_files.empty());  // the other schema's table is not a file here
  BOOST_TEST((plan.files[1].requires_files == std::vector<std::size_t>{0}));

  // Both schemas: the dependency across them becomes a requires.
  const rokso::RemapPlan both = plan_of(d, {"s", "other"});
  check_invariants(both, d);
  const std::size_t fo = file_with(both, "TABLE", "elsewhere");
  BOOST_TEST(both.files[fo].directory == "other/200.tables/elsewhere");
  BOOST_TEST(requires_file(both.files[file_with(both, "TABLE", "t")], fo));
}

BOOST_AUTO_TEST_CASE(nothing_selected_is_an_empty_plan) {
  Dump d;
  d.add("TABLE", "t");
  const rokso::RemapPlan plan = plan_of(d, {"nope"});
  BOOST_TEST(plan.files.empty());
  BOOST_TEST(plan_of(Dump()).files.empty());
}

BOOST_AUTO_TEST_CASE(file_names_are_unique_within_a_directory) {
  Dump d;
  d.add("FUNCTION", "f");
  d.add("FUNCTION", "f");
  d.add("FUNCTION", "f");
  d.add("TABLE", "f");  // another directory: its own name
  // Files of one directory, s/250.indexes/t, whose names collide.
  const int t = d.add("TABLE", "t");
  const int fn = d.add("FUNCTION", "later()");
  d.add("INDEX", "ix", {t, fn}, 4);
  d.add("INDEX", "ix", {t, fn}, 4);
  d.add("INDEX", "ix_2", {t, fn}, 4);  // the name the second "ix" took
  const rokso::RemapPlan plan = plan_of(d);
  check_invariants(plan, d);
  BOOST_REQUIRE_EQUAL(plan.files.size(), 9u);
  BOOST_TEST(plan.files[0].encoded_stem == kStamp + "_create_function_f");
  BOOST_TEST(plan.files[1].encoded_stem == kStamp + "_create_function_f_2");
  BOOST_TEST(plan.files[2].encoded_stem == kStamp + "_create_function_f_3");
  for (std::size_t i : {0, 1, 2}) BOOST_TEST(plan.files[i].directory == "s/500.functions/f");
  BOOST_TEST(plan.files[3].encoded_stem == kStamp + "_create_table_f");
  for (std::size_t i : {6, 7, 8}) BOOST_TEST(plan.files[i].directory == "s/250.indexes/t");
  BOOST_TEST(plan.files[6].encoded_stem == kStamp + "_create_index_ix");
  BOOST_TEST(plan.files[7].encoded_stem == kStamp + "_create_index_ix_2");
  BOOST_TEST(plan.files[8].encoded_stem == kStamp + "_create_index_ix_2_2");
}

BOOST_AUTO_TEST_CASE(names_are_encoded_for_the_file_system) {
  Dump d;
  d.add("TABLE", "a/b", {}, 2, "Sales Dept");
  d.add("TABLE", ".hidden", {}, 2, "Sales Dept");
  const rokso::RemapPlan plan = plan_of(d, {"Sales Dept"});
  BOOST_REQUIRE_EQUAL(plan.files.size(), 2u);
  BOOST_TEST(plan.files[0].directory == "Sales Dept/200.tables/a%2Fb");
  BOOST_TEST(plan.files[0].object == "a/b");
  BOOST_TEST(plan.files[0].encoded_stem == kStamp + "_create_table_a%2Fb");
  BOOST_TEST(plan.files[0].stem == kStamp + "_create_table_a/b");
  BOOST_TEST(plan.files[1].directory == "Sales Dept/200.tables/%2Ehidden");
}

BOOST_AUTO_TEST_CASE(a_type_no_kind_takes) {
  Dump d;
  d.add("TABLE", "t");
  d.add("COLLATION", "c");
  // With the fallback kind: filed there.
  const rokso::RemapPlan plan = plan_of(d);
  BOOST_TEST(plan.files[file_with(plan, "COLLATION", "c")].directory == "s/900.other_objects/c");
  // Without: an error naming the type.
  try {
    plan_of(d, {"s"}, {}, Kinds(false));
    BOOST_FAIL("no error");
  } catch (const rokso::Error& e) {
    BOOST_TEST(e.exit_code() == rokso::kExitFailed);
    BOOST_TEST(std::string(e.what()).find("'COLLATION'") != std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(apply_sql_carries_pg_dumps_settings) {
  Dump d;
  d.add("TABLE", "t");
  d.archive.entries.back().tablespace = "fast space";
  d.archive.entries.back().table_access_method = "columnar";
  d.add("TABLE", "u");
  d.archive.entries.back().table_access_method = "heap";
  d.add("FUNCTION", "f()");
  d.archive.entries.back().defn = "CREATE FUNCTION s.f() RETURNS integer\n    LANGUAGE sql\n    AS $$ SELECT 1 $$;\n";
  const rokso::RemapPlan plan = plan_of(d);
  BOOST_REQUIRE_EQUAL(plan.files.size(), 3u);
  BOOST_TEST(rokso::remap_apply_sql(plan.files[0]) ==
             "SET LOCAL default_tablespace = \"fast space\";\nSET LOCAL default_table_access_method = columnar;\n"
             "-- 100 TABLE t\n");
  BOOST_TEST(rokso::remap_apply_sql(plan.files[1]) == "-- 101 TABLE u\n");
  BOOST_TEST(rokso::remap_apply_sql(plan.files[2]).compare(0, 36, "SET LOCAL check_function_bodies = fa") == 0);
}

// A pseudo-random schema shaped like pg_dump's output: pre-data objects (types,
// tables with owned sequences and defaults, functions, views, partitions), then
// post-data ones (keys, indexes, some on later functions, foreign keys, triggers,
// comments), each depending on earlier entries only.
BOOST_AUTO_TEST_CASE(random_dumps_replay_in_plan_order_and_in_requires_order) {
  for (unsigned seed = 1; seed <= 20; ++seed) {
    unsigned long long state = seed * 0x9E3779B97F4A7C15ULL;
    auto next = [&state](int n) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      return static_cast<int>((state >> 33) % static_cast<unsigned long long>(n));
    };
    Dump d;
    std::vector<int> tables, partitioned, functions, views, types, keys;
    std::vector<std::string> table_names;
    int n = 0;
    auto name = [&n](const std::string& prefix) { return prefix + std::to_string(n++); };
    auto pick = [&next](const std::vector<int>& from) { return from[static_cast<std::size_t>(next(static_cast<int>(from.size())))]; };
    for (int i = 0; i < 8; ++i) types.push_back(d.add("TYPE", name("ty")));
    for (int i = 0; i < 120; ++i) {
      const int what = next(10);
      if (what < 4 || tables.empty()) {
        std::vector<int> deps;
        if (next(3) == 0) deps.push_back(pick(types));
        if (!functions.empty() && next(4) == 0) deps.push_back(pick(functions));
        const std::string tn = name(next(4) == 0 ? "t " : "t");  // some names with spaces
        const int t = d.add("TABLE", tn, deps);
        tables.push_back(t);
        table_names.push_back(tn);
        if (next(2) == 0) {
          const int seq = d.add("SEQUENCE", tn + "_id_seq", {t});
          d.add("SEQUENCE OWNED BY", tn + "_id_seq", {seq, t});
          d.add("DEFAULT", tn + " id", {t, seq});
        }
        if (next(3) == 0) d.add("COMMENT", "TABLE " + tn, {t});
        if (next(8) == 0 && tables.size() > 1) {  // a partition of an earlier table
          const std::size_t parent = static_cast<std::size_t>(next(static_cast<int>(tables.size()) - 1));
          d.add("TABLE ATTACH", tn, {tables[parent], t});
          partitioned.push_back(tables[parent]);
        }
      } else if (what < 7) {
        std::vector<int> deps;
        if (next(2) == 0) deps.push_back(pick(types));
        if (next(3) == 0) deps.push_back(pick(tables));  // a function returning a table's row type
        functions.push_back(d.add("FUNCTION", name("f") + "()", deps));
      } else {
        std::vector<int> deps = {pick(tables)};
        if (next(2) == 0) deps.push_back(pick(tables));
        if (!views.empty() && next(3) == 0) deps.push_back(pick(views));
        if (!functions.empty() && next(3) == 0) deps.push_back(pick(functions));
        views.push_back(d.add("VIEW", name("v"), deps));
      }
    }
    if (functions.empty()) functions.push_back(d.add("FUNCTION", name("f") + "()"));
    // Post-data.
    for (std::size_t i = 0; i < tables.size(); ++i) {
      const int t = tables[i];
      const std::string& tn = table_names[i];
      if (next(3) != 0) keys.push_back(d.add("CONSTRAINT", tn + " " + name("pk"), {t}, 4));
      if (next(2) == 0) {
        std::vector<int> deps = {t};
        if (next(3) == 0) deps.push_back(pick(functions));
        d.add("INDEX", name("ix"), deps, 4);
      }
      if (next(3) == 0 && !keys.empty()) {
        d.add("FK CONSTRAINT", tn + " " + name("fk"), {pick(keys), pick(tables), t}, 4);
      }
      if (next(4) == 0) d.add("TRIGGER", tn + " " + name("tg"), {t, pick(functions)}, 4);
      if (next(5) == 0 && !keys.empty()) d.add("COMMENT", name("CONSTRAINT c"), {keys.back()}, 4);
    }
    BOOST_TEST_INFO("seed " << seed << ", " << d.archive.entries.size() << " entries");
    const rokso::RemapPlan plan = plan_of(d);
    check_invariants(plan, d);
    std::size_t entries = 0;
    for (const rokso::RemapFile& f : plan.files) entries += f.entries.size();
    BOOST_TEST(entries == d.archive.entries.size());

    // Replay in plan order: each entry's dependencies exist when it runs.
    std::set<std::pair<std::string, std::string>> made;
    std::map<std::pair<std::string, std::string>, const rokso::ArchiveEntry*> by_name;
    for (const rokso::ArchiveEntry& e : d.archive.entries) by_name[{e.desc, e.tag}] = &e;
    bool replay_ok = true;
    for (const rokso::RemapFile& f : plan.files) {
      for (const rokso::DumpEntry& de : f.entries) {
        const rokso::ArchiveEntry& e = *by_name.at({de.type, de.name});
        for (int id : e.dependencies) {
          const rokso::ArchiveEntry& dep = d.entry(id);
          if (!made.count({dep.desc, dep.tag})) replay_ok = false;
        }
        made.insert({de.type, de.name});
      }
    }
    BOOST_TEST(replay_ok);
    // Post-data entries of a partitioned table come after every one of its attachments.
    for (int parent : partitioned) {
      for (std::size_t f = 0; f < plan.files.size(); ++f) {
        const rokso::DumpEntry& first = plan.files[f].entries.front();
        if (first.type != "CONSTRAINT" && first.type != "INDEX") continue;
        const rokso::ArchiveEntry& e = *by_name.at({first.type, first.name});
        if (std::find(e.dependencies.begin(), e.dependencies.end(), parent) == e.dependencies.end()) continue;
        for (const rokso::ArchiveEntry& a : d.archive.entries) {
          if (a.desc != "TABLE ATTACH" || std::find(a.dependencies.begin(), a.dependencies.end(), parent) == a.dependencies.end()) {
            continue;
          }
          BOOST_TEST(requires_file(plan.files[f], file_with(plan, "TABLE ATTACH", a.tag)));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()
