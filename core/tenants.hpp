// Tenant schemas: one template tree applied to many schemas of one database.
//
// The template is the first-level directory `{tenant}` of migration/ (where a schema's
// name stands for the other trees): migration/{tenant}/200.tables/users/..._users.sql.
// `migrate --tenant S` applies it to schema S alone: the version table is S's own
// (S.rokso_db_version, so each tenant has its own rows and its own lock), every
// `{tenant}` in a migration's SQL becomes S as a quoted identifier, and each migration
// runs with search_path = S, public. Without --tenant the template is left out, and the
// tree's other schemas are migrated as before. `--all-tenants` / `--tenants <glob>` run
// every tenant (config.json's "tenants") in parallel, as a fleet of targets runs.
#pragma once

#include "core/config.hpp"
#include "core/database.hpp"

#include <string>
#include <vector>

namespace rokso {

// The template directory under migration/, and the placeholder in its SQL.
inline constexpr char kTenantDirectory[] = "{tenant}";
inline constexpr char kTenantPlaceholder[] = "{tenant}";

// `name` as a quoted SQL identifier: "tenant_1", "We""ird".
std::string quoted_tenant(const std::string& name);

// Throws Error(kExitUsage) unless `name` can be a tenant schema: 1 to 63 bytes, no NUL,
// not a system schema (pg_*, information_schema).
void check_tenant_name(const std::string& name);

// The tenant schemas of config.json's "tenants" on `db`, sorted: the schemas whose name
// matches its "schemas" glob, or the first column of its "query" (run read-only).
// Throws Error(kExitUsage) when config.json has no "tenants", Error(kExitFailed) when
// the query fails or returns a name that cannot be a tenant.
std::vector<std::string> list_tenants(Database& db, const TenantSettings& settings, const std::string& where);

}  // namespace rokso
