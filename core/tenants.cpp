#include "core/tenants.hpp"
#include "core/database_access.hpp"

#include "core/error.hpp"

#include <algorithm>

namespace rokso {

std::string quoted_tenant(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void check_tenant_name(const std::string& name) {
  if (name.empty() || name.size() > 63 || name.find('\0') != std::string::npos) {
    throw usage_error("tenant schema name '" + name + "' must be 1 to 63 bytes long");
  }
  if (name.compare(0, 3, "pg_") == 0 || name == "information_schema") {
    throw usage_error("'" + name + "' is a system schema, not a tenant");
  }
}

std::vector<std::string> list_tenants(Database& db, const TenantSettings& settings, const std::string& where) {
  if (settings.schemas.empty() && settings.query.empty()) {
    throw usage_error(where + " defines no \"tenants\" (e.g. \"tenants\": {\"schemas\": \"tenant_*\"})");
  }
  std::vector<std::string> names;
  // The user's own query, from the project's own file, as trusted as a migration; read-only.
  pqxx::read_transaction tx(db.connection());
  if (!settings.query.empty()) {
    try {
      for (const pqxx::row& row : tx.exec(settings.query)) {
        if (row.empty() || row[0].is_null()) throw failure("the \"tenants\" query returned a row without a schema name");
        names.push_back(row[0].as<std::string>());
      }
    } catch (const pqxx::sql_error& e) {
      throw failure("the \"tenants\" query of " + where + " failed: " + one_line(e.what()));
    }
    for (const std::string& name : names) {
      try {
        check_tenant_name(name);
      } catch (const Error& e) {
        throw failure(std::string("the \"tenants\" query returned a bad name: ") + e.what());
      }
    }
  } else {
    for (const pqxx::row& row :
         tx.exec("SELECT nspname FROM pg_catalog.pg_namespace"
                 " WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'")) {
      const std::string name = row[0].as<std::string>();
      if (matches_glob(settings.schemas, name)) names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

}  // namespace rokso
