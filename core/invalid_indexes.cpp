#include "core/invalid_indexes.hpp"

#include "core/database_access.hpp"

namespace rokso {

std::vector<InvalidIndex> invalid_indexes(Database& db) {
  pqxx::nontransaction tx(db.connection());
  const pqxx::result r = tx.exec(
      "SELECT format('%I.%I', n.nspname, c.relname), c.relname FROM pg_catalog.pg_index i "
      "JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
      "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE NOT i.indisvalid ORDER BY 1");
  std::vector<InvalidIndex> found;
  for (const auto& row : r) found.push_back({row[0].as<std::string>(), row[1].as<std::string>()});
  return found;
}

void drop_invalid_index(Database& db, const InvalidIndex& index) {
  pqxx::nontransaction tx(db.connection());
  tx.exec("DROP INDEX CONCURRENTLY IF EXISTS " + index.sql_name);
}

}  // namespace rokso
