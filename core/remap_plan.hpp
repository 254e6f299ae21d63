// How `rokso remap` turns pg_dump's entries into migration files: which entries share
// a file, under which kind and name, and which files each one requires.
//
// The rules, and why a fresh replay of the tree always works:
// - Every object pg_dump lists is one file, under the kind that claims its type, in
//   migration/<schema>/<kind>/<object>/. Objects that live on a table (constraints,
//   indexes, defaults, comments, owned sequences, partition attachments) go into the
//   table's file - but only when everything they depend on comes before the table in
//   pg_dump's order; otherwise they get a file of their own kind. Foreign keys,
//   triggers, rules and policies always have their own kinds, filed by table.
// - Entries keep pg_dump's order inside a file, and pg_dump's order is a valid
//   creation order. With the rule above, every file depends only on files whose first
//   entry comes earlier, so the files cannot form a cycle.
// - Each file `requires` every file holding an entry it depends on (pg_dump's own
//   dependency lists). rokso migrate's topological sort then replays the tree in a
//   valid order whatever the identities' string order says.
#pragma once

#include "core/pg_dump_archive.hpp"

#include <rokso/dump_entry.hpp>
#include <rokso/object_kind_plugin.hpp>

#include <set>
#include <string>
#include <vector>

namespace rokso {

struct RemapFile {
  const ObjectKindPlugin* kind = nullptr;
  std::string schema;
  std::string object;                  // the directory's name, decoded
  std::string stem;                    // the file's name without extension, decoded
  std::string directory;               // "<schema>/<kind>/<object>", encoded
  std::string encoded_stem;            // "<timestamp>_<what>", encoded
  std::vector<DumpEntry> entries;      // in pg_dump's order
  // Per entry, the SET LOCAL statements pg_dump's restore would issue before it
  // (tablespace, table access method, function-body checking), or "".
  std::vector<std::string> settings;
  std::vector<std::size_t> requires_files;  // indices into RemapPlan::files, ascending
};

struct RemapPlan {
  std::vector<RemapFile> files;  // in a valid creation order
  std::size_t skipped = 0;       // entries left out (the version table and what hangs on it)
};

struct RemapRequest {
  std::set<std::string> schemas;      // entries outside these are left out
  std::set<unsigned> excluded_relations;  // pg_class OIDs left out, with what depends on them
  std::string timestamp;              // "YYYY_MM_DD__HH_MM_SS", the files' common prefix
};

// Throws Error(kExitFailed) when no kind takes an entry's type and no kind takes "*".
RemapPlan plan_remap(const Archive& archive, const RemapRequest& request,
                     const std::vector<const ObjectKindPlugin*>& kinds);

// The apply SQL of a remapped file: its entries' DDL, with the session settings
// pg_dump would have made for them (SET LOCAL, so they end with the migration).
std::string remap_apply_sql(const RemapFile& file);

}  // namespace rokso
