// Indexes a failed CREATE INDEX CONCURRENTLY (or REINDEX CONCURRENTLY) leaves behind:
// present in the catalog, marked invalid (pg_index.indisvalid = false), still slowing
// writes, and in the way of a retry (the name is taken).
#pragma once

#include "core/database.hpp"

#include <string>
#include <vector>

namespace rokso {

struct InvalidIndex {
  std::string sql_name;  // schema.index, quoted for SQL
  std::string name;      // the bare index name
  bool operator<(const InvalidIndex& other) const { return sql_name < other.sql_name; }
  bool operator==(const InvalidIndex& other) const { return sql_name == other.sql_name; }
};

// Every invalid index in the database, sorted.
std::vector<InvalidIndex> invalid_indexes(Database& db);

// DROP INDEX CONCURRENTLY IF EXISTS `index`, in autocommit mode (as it must run).
void drop_invalid_index(Database& db, const InvalidIndex& index);

}  // namespace rokso
