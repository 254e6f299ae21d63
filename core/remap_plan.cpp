#include "core/remap_plan.hpp"

#include "core/error.hpp"
#include "core/path_component.hpp"

#include <rokso/sql_identifier.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace rokso {
namespace {

constexpr unsigned kPgClass = 1259;  // pg_class's OID: catalog_table of relations

bool one_of(const std::string& s, std::initializer_list<const char*> values) {
  for (const char* v : values) {
    if (s == v) return true;
  }
  return false;
}

// Types that live on a relation: filed under the relation's name, and kept in its file
// when that is safe.
bool lives_on_relation(const std::string& desc) {
  return one_of(desc, {"DEFAULT", "CONSTRAINT", "CHECK CONSTRAINT", "INDEX", "ROW SECURITY",
                       "SEQUENCE OWNED BY", "TABLE ATTACH", "INDEX ATTACH", "FK CONSTRAINT", "TRIGGER",
                       "RULE", "POLICY"});
}

// Types that never join another object's file: they have kinds of their own, which
// keeps a table's file about the table, and replays them after every table.
bool always_own_file(const std::string& desc) { return one_of(desc, {"FK CONSTRAINT", "TRIGGER", "RULE", "POLICY"}); }

// Whether `a` and `b` name one object: the same tag, or a tag "<table> <name>" (a
// constraint) and a bare "<name>" (the index attachment of that constraint).
bool names_same_object(const ArchiveEntry& a, const ArchiveEntry& b) {
  if (a.tag == b.tag) return true;
  const std::string& longer = a.tag.size() > b.tag.size() ? a.tag : b.tag;
  const std::string& shorter = a.tag.size() > b.tag.size() ? b.tag : a.tag;
  return longer.size() > shorter.size() + 1 && longer.compare(longer.size() - shorter.size(), shorter.size(), shorter) == 0 &&
         longer[longer.size() - shorter.size() - 1] == ' ';
}

// `name` as pg_dump may print it: quoted only when needed, or (a keyword) always.
std::vector<std::string> spellings(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  quoted += '"';
  const std::string usual = quote_identifier(name);
  if (usual == quoted) return {quoted};
  return {usual, quoted};
}

// Whether pg_dump's DROP of an entry on a relation names `relation`:
// "ALTER TABLE [ONLY] <relation> ..." (keys, defaults) or "... ON <relation>;" (triggers,
// rules, policies).
bool drop_names_relation(const std::string& drop, const ArchiveEntry& relation) {
  std::string trimmed = drop;
  while (!trimmed.empty() && (trimmed.back() == '\n' || trimmed.back() == ' ')) trimmed.pop_back();
  for (const std::string& schema : spellings(relation.schema)) {
    for (const std::string& name : spellings(relation.tag)) {
      const std::string qualified = schema + "." + name;
      for (const std::string& head : {"ALTER TABLE ONLY " + qualified + " ", "ALTER TABLE " + qualified + " "}) {
        if (trimmed.compare(0, head.size(), head) == 0) return true;
      }
      const std::string tail = " ON " + qualified + ";";
      if (trimmed.size() >= tail.size() && trimmed.compare(trimmed.size() - tail.size(), tail.size(), tail) == 0) {
        return true;
      }
    }
  }
  return false;
}

std::string slug(const std::string& desc) {
  std::string s = desc;
  for (char& c : s) c = c == ' ' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Planner {
  explicit Planner(const RemapRequest& r) : request(r) {}

  const RemapRequest& request;
  std::vector<const ArchiveEntry*> kept;            // entries remapped, in pg_dump's order
  std::unordered_map<int, std::size_t> position;    // dump id -> index in `kept`
  std::vector<std::size_t> file_of;                 // index in `kept` -> file
  std::vector<std::size_t> first_position;          // file -> index of its first entry
  std::unordered_map<std::string, const ObjectKindPlugin*> kind_by_type;
  const ObjectKindPlugin* fallback_kind = nullptr;
  RemapPlan plan;

  const ArchiveEntry* dependency(const ArchiveEntry& e, std::initializer_list<const char*> descs,
                                 bool same_tag = false) const {
    const ArchiveEntry* found = nullptr;
    for (int id : e.dependencies) {
      auto it = position.find(id);
      if (it == position.end()) continue;
      const ArchiveEntry* d = kept[it->second];
      bool match = descs.size() == 0;
      for (const char* desc : descs) match = match || d->desc == desc;
      if (!match) continue;
      if (same_tag && names_same_object(*d, e)) return d;
      if (!found) found = d;
    }
    return found;
  }

  const ObjectKindPlugin* kind_for(const std::string& desc) const {
    auto it = kind_by_type.find(desc);
    if (it != kind_by_type.end()) return it->second;
    if (fallback_kind) return fallback_kind;
    throw failure("no object-kind plugin takes pg_dump's '" + desc + "' entries (see 'rokso plugins')");
  }

  // The entry whose file `e` would join, or nullptr when `e` starts a file.
  const ArchiveEntry* owner_of(std::size_t pos) const {
    const ArchiveEntry& e = *kept[pos];
    if (always_own_file(e.desc)) return nullptr;
    if (e.desc == "COMMENT" || e.desc == "SECURITY LABEL") {
      if (const ArchiveEntry* d = dependency(e, {})) return d;
      // On an object pg_dump prints inside another (a column, an inline constraint):
      // it follows that object's entry.
      for (std::size_t p = pos; p-- > 0;) {
        if (kept[p]->schema == e.schema && kept[p]->desc != "COMMENT" && kept[p]->desc != "SECURITY LABEL") return kept[p];
      }
      return nullptr;
    }
    // A sequence a table owns (serial or identity column) depends on the table.
    if (e.desc == "SEQUENCE") return dependency(e, {"TABLE"});
    if (e.desc == "SEQUENCE OWNED BY") return dependency(e, {"SEQUENCE"});
    if (e.desc == "TABLE ATTACH") return dependency(e, {"TABLE"}, true);
    if (e.desc == "INDEX ATTACH") return dependency(e, {"INDEX", "CONSTRAINT"}, true);
    if (lives_on_relation(e.desc)) return relation_of(e);
    return nullptr;
  }

  // The relation an entry living on one is filed under. Its tag starts with the
  // relation's name ("orders orders_pkey"); a foreign key also depends on the table it
  // references, so the name decides, the longest match winning ("a b c" is on "a b").
  // When two relations fit the tag (a key "b x" on "a" referencing "a b": "a b x"), the
  // one pg_dump's DROP names wins.
  const ArchiveEntry* relation_of(const ArchiveEntry& e) const {
    const ArchiveEntry* best = nullptr;
    bool best_named = false, best_in_drop = false;
    for (int id : e.dependencies) {
      auto it = position.find(id);
      if (it == position.end()) continue;
      const ArchiveEntry* d = kept[it->second];
      if (d->desc != "TABLE" && d->desc != "VIEW" && d->desc != "MATERIALIZED VIEW" && d->desc != "FOREIGN TABLE") continue;
      const bool named = d->schema == e.schema && e.tag.size() > d->tag.size() &&
                         e.tag.compare(0, d->tag.size() + 1, d->tag + " ") == 0;
      if (!named) {
        if (!best) best = d;
        continue;
      }
      const bool in_drop = drop_names_relation(e.drop_stmt, *d);
      if (!best_named || (in_drop && !best_in_drop) ||
          (in_drop == best_in_drop && d->tag.size() > best->tag.size())) {
        best = d;
        best_named = true;
        best_in_drop = in_drop;
      }
    }
    return best;
  }

  void start_file(std::size_t pos) {
    const ArchiveEntry& e = *kept[pos];
    RemapFile file;
    file.kind = kind_for(e.desc);
    file.schema = e.schema;
    file.object = e.tag;
    std::string what = e.tag;
    if (lives_on_relation(e.desc)) {
      if (const ArchiveEntry* relation = relation_of(e)) {
        file.object = relation->tag;
        const std::string prefix = relation->tag + " ";
        if (what.compare(0, prefix.size(), prefix) == 0) what.erase(0, prefix.size());
      }
    }
    file.stem = request.timestamp + "_create_" + slug(e.desc) + "_" + what;
    file_of[pos] = plan.files.size();
    first_position.push_back(pos);
    plan.files.push_back(std::move(file));
  }

  // Rollback of partitions: an index or key attached to its partitioned parent's goes
  // when the parent's is dropped (it cannot be dropped alone), and the parent's must
  // be dropped without ONLY (PostgreSQL refuses ONLY while partitions exist).
  std::unordered_set<int> attached;  // dump ids of attached indexes and keys
  // By position: for what lives on a partitioned table in the post-data section, the
  // positions of its partitions' attachments, which must come first.
  std::vector<std::vector<std::size_t>> after_attachments;

  void add_entry(std::size_t pos) {
    const ArchiveEntry& e = *kept[pos];
    RemapFile& file = plan.files[file_of[pos]];
    std::string drop = e.drop_stmt;
    if (attached.count(e.dump_id)) drop.clear();
    if (!after_attachments[pos].empty() && drop.compare(0, 17, "ALTER TABLE ONLY ") == 0) drop.erase(12, 5);
    file.entries.push_back({e.desc, e.schema, e.tag, e.defn, drop});
    std::string settings;
    if (!e.tablespace.empty()) settings += "SET LOCAL default_tablespace = " + quote_identifier(e.tablespace) + ";\n";
    if (!e.table_access_method.empty() && e.table_access_method != "heap") {
      settings += "SET LOCAL default_table_access_method = " + quote_identifier(e.table_access_method) + ";\n";
    }
    // pg_dump turns off the check of SQL function bodies, which may name objects made
    // later in the dump; so does the file, for itself.
    if ((e.desc == "FUNCTION" || e.desc == "PROCEDURE") && e.defn.find("\n    LANGUAGE sql") != std::string::npos) {
      settings += "SET LOCAL check_function_bodies = false;\n";
    }
    file.settings.push_back(settings);
  }
};

}  // namespace

RemapPlan plan_remap(const Archive& archive, const RemapRequest& request,
                     const std::vector<const ObjectKindPlugin*>& kinds) {
  Planner p(request);
  for (const ObjectKindPlugin* kind : kinds) {
    for (const std::string& type : kind->remap_entry_types()) {
      if (type == "*") {
        if (!p.fallback_kind) p.fallback_kind = kind;
      } else {
        p.kind_by_type.emplace(type, kind);  // the first kind to claim a type keeps it
      }
    }
  }

  // What is remapped: objects of the chosen schemas, schema-level DDL only, without
  // rokso's own version table and whatever hangs on it (its sequence, its keys).
  std::unordered_set<int> excluded;
  for (const ArchiveEntry& e : archive.entries) {
    bool exclude = e.catalog_table == kPgClass && request.excluded_relations.count(e.oid) > 0;
    for (int id : e.dependencies) exclude = exclude || excluded.count(id) > 0;
    if (exclude && e.desc != "SCHEMA") {
      excluded.insert(e.dump_id);
      ++p.plan.skipped;
      continue;
    }
    if (e.schema.empty() || request.schemas.count(e.schema) == 0) continue;
    if (e.section == 3 || e.desc == "SCHEMA" || e.desc == "ACL" || e.desc == "DEFAULT ACL") continue;
    p.position.emplace(e.dump_id, p.kept.size());
    p.kept.push_back(&e);
  }
  // pg_dump attaches every partition (pre-data) before it builds the indexes and keys
  // of the partitioned table (post-data): ATTACH PARTITION would otherwise create the
  // partition's indexes itself, under names of its own. No dependency says so, so the
  // order is kept by hand: what comes after a partitioned table in the post-data
  // section gets its own file, which requires every partition's attachment.
  std::unordered_map<int, std::vector<std::size_t>> attachments;  // partitioned table -> ATTACH positions
  for (std::size_t pos = 0; pos < p.kept.size(); ++pos) {
    const ArchiveEntry& e = *p.kept[pos];
    if (e.desc != "TABLE ATTACH") continue;
    for (int id : e.dependencies) {
      auto it = p.position.find(id);
      if (it != p.position.end() && p.kept[it->second]->desc == "TABLE" && p.kept[it->second]->tag != e.tag) {
        attachments[id].push_back(pos);
      }
    }
  }
  p.after_attachments.assign(p.kept.size(), {});
  for (std::size_t pos = 0; pos < p.kept.size(); ++pos) {
    const ArchiveEntry& e = *p.kept[pos];
    if (e.section != 4 || !lives_on_relation(e.desc)) continue;
    if (const ArchiveEntry* relation = p.relation_of(e)) {
      auto it = attachments.find(relation->dump_id);
      if (it != attachments.end()) p.after_attachments[pos] = it->second;
    }
  }

  for (std::size_t pos = 0; pos < p.kept.size(); ++pos) {
    if (p.kept[pos]->desc != "INDEX ATTACH") continue;
    const ArchiveEntry* index = p.dependency(*p.kept[pos], {"INDEX", "CONSTRAINT"}, true);
    if (index && names_same_object(*index, *p.kept[pos])) {
      p.attached.insert(index->dump_id);
    }
  }

  p.file_of.assign(p.kept.size(), 0);
  for (std::size_t pos = 0; pos < p.kept.size(); ++pos) {
    const ArchiveEntry& e = *p.kept[pos];
    bool joined = false;
    const ArchiveEntry* owner = p.after_attachments[pos].empty() ? p.owner_of(pos) : nullptr;
    if (owner) {
      const std::size_t owner_pos = p.position.at(owner->dump_id);
      const std::size_t file = p.file_of[owner_pos];
      // Safe only if all it needs outside that file comes before the file's first entry.
      bool safe = owner_pos < pos;
      for (int id : e.dependencies) {
        auto it = p.position.find(id);
        if (it == p.position.end() || p.file_of[it->second] == file) continue;
        if (it->second >= pos || it->second >= p.first_position[file]) safe = false;
      }
      if (safe) {
        p.file_of[pos] = file;
        joined = true;
      }
    }
    if (!joined) p.start_file(pos);
    p.add_entry(pos);
  }

  // requires: every other file holding an entry this file's entries depend on.
  for (std::size_t pos = 0; pos < p.kept.size(); ++pos) {
    RemapFile& file = p.plan.files[p.file_of[pos]];
    for (int id : p.kept[pos]->dependencies) {
      auto it = p.position.find(id);
      if (it == p.position.end()) continue;
      const std::size_t needed = p.file_of[it->second];
      if (needed != p.file_of[pos]) file.requires_files.push_back(needed);
    }
    for (std::size_t attachment : p.after_attachments[pos]) {
      if (p.file_of[attachment] != p.file_of[pos]) file.requires_files.push_back(p.file_of[attachment]);
    }
  }
  // Names on disk, unique within each directory.
  std::unordered_map<std::string, int> taken;
  for (RemapFile& file : p.plan.files) {
    std::sort(file.requires_files.begin(), file.requires_files.end());
    file.requires_files.erase(std::unique(file.requires_files.begin(), file.requires_files.end()),
                              file.requires_files.end());
    file.directory = encode_path_component(file.schema) + "/" + file.kind->directory() + "/" +
                     encode_path_component(file.object);
    std::string stem = encode_path_component(file.stem);
    for (int n = 2; !taken.emplace(file.directory + "/" + stem, 0).second; ++n) {
      stem = encode_path_component(file.stem + "_" + std::to_string(n));
    }
    file.encoded_stem = stem;
  }
  return std::move(p.plan);
}

std::string remap_apply_sql(const RemapFile& file) {
  std::string sql;
  for (std::size_t i = 0; i < file.entries.size(); ++i) {
    if (!sql.empty() && sql.back() != '\n') sql += '\n';
    if (!sql.empty()) sql += '\n';
    sql += file.settings[i];
    sql += file.entries[i].create_sql;
  }
  return sql;
}

}  // namespace rokso
