// Reads the table of contents of a pg_dump custom-format archive (pg_dump -Fc).
//
// Why the archive and not pg_dump's SQL text: each TOC entry carries, besides the DDL,
// the object's catalog OID, its DROP statement and the dump ids of the entries it
// depends on (pg_dump's own dependency analysis, chased through objects it does not
// print, e.g. a view's _RETURN rule). The text output has none of that, and its
// comment headers cannot be parsed unambiguously for names with spaces.
//
// Entries come in pg_dump's order, which is a valid creation order. Archive versions
// 1.12 to 1.16 are read (pg_dump 11 to 17); a schema-only archive holds no data blocks.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace rokso {

struct ArchiveEntry {
  int dump_id = 0;
  unsigned catalog_table = 0;  // pg_class OID of the catalog holding the object, 0 if none
  unsigned oid = 0;            // the object's OID in that catalog
  std::string tag;             // "orders", "add(integer, integer)", "orders orders_pkey"
  std::string desc;            // "TABLE", "INDEX", "FK CONSTRAINT", "COMMENT", ...
  int section = 0;             // 1 none, 2 pre-data, 3 data, 4 post-data
  std::string defn;            // the DDL
  std::string drop_stmt;
  std::string schema;          // "" for objects outside any schema
  std::string tablespace;
  std::string table_access_method;
  std::vector<int> dependencies;  // dump ids
};

struct Archive {
  std::string server_version;  // as pg_dump saw it, e.g. "15.18 (Debian 15.18-0+deb12u1)"
  std::string dump_version;
  std::vector<ArchiveEntry> entries;  // pg_dump's order
};

// Throws Error(kExitFailed) naming what is wrong when `bytes` is not an archive this
// reader understands.
Archive read_custom_archive(std::string_view bytes);

}  // namespace rokso
