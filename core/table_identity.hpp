// Which table: a schema and a name as PostgreSQL stores them, carried as a value so
// nobody quotes a name and parses it back.
#pragma once

#include <string>

namespace rokso {

struct TableIdentity {
  std::string schema;  // as stored in pg_namespace
  std::string name;    // as stored in pg_class

  // Names as written in config.json, resolved the way roksopsql's unquoted SQL resolved
  // them (see compatible_identifier()).
  static TableIdentity from_config(const std::string& schema, const std::string& name);

  // "schema"."name", quoted for SQL (also the migration lock's key: keep it stable).
  std::string sql_name() const;
};

// `name` in double quotes, inner quotes doubled, always (unlike the SDK's quote_identifier()).
std::string quoted_identifier(const std::string& name);

// The name PostgreSQL resolves an unquoted `name` to when it is a plain identifier
// (folded to lower case); anything else verbatim.
std::string resolved_identifier(const std::string& name);

// Quotes a name the way roksopsql's unquoted SQL resolved it: a plain identifier is
// folded to lower case (roksopsql spliced names unquoted, so PostgreSQL folded them);
// anything else is used verbatim, in double quotes.
inline std::string compatible_identifier(const std::string& name) { return quoted_identifier(resolved_identifier(name)); }

}  // namespace rokso
