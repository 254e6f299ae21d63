// rokso plugin SDK: quoting SQL identifiers the way PostgreSQL's quote_ident() does.
#pragma once

#include <algorithm>
#include <iterator>
#include <string>

namespace rokso {

namespace detail {
// PostgreSQL's keywords that cannot be used as a bare column or table name
// (RESERVED_KEYWORD, TYPE_FUNC_NAME_KEYWORD and COL_NAME_KEYWORD in kwlist.h, up to
// PostgreSQL 16, so a name stays valid on the next server too), sorted.
inline const char* const* keywords_needing_quotes() {
  static const char* const words[] = {
      "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
      "authorization", "between", "bigint", "binary", "bit", "boolean", "both", "case",
      "cast", "char", "character", "check", "coalesce", "collate", "collation", "column",
      "concurrently", "constraint", "create", "cross", "current_catalog", "current_date",
      "current_role", "current_schema", "current_time", "current_timestamp",
      "current_user", "dec", "decimal", "default", "deferrable", "desc", "distinct", "do",
      "else", "end", "except", "exists", "extract", "false", "fetch", "float", "for",
      "foreign", "freeze", "from", "full", "grant", "greatest", "group", "grouping",
      "having", "ilike", "in", "initially", "inner", "inout", "int", "integer", "intersect",
      "interval", "into", "is", "isnull", "join", "json_array", "json_arrayagg",
      "json_object", "json_objectagg", "lateral", "leading", "least", "left", "like",
      "limit", "localtime", "localtimestamp", "national", "natural", "nchar", "none",
      "normalize", "not", "notnull", "null", "nullif", "numeric", "offset", "on", "only",
      "or", "order", "out", "outer", "overlaps", "overlay", "placing", "position",
      "precision", "primary", "real", "references", "returning", "right", "row", "select",
      "session_user", "setof", "similar", "smallint", "some", "substring", "symmetric",
      "system_user", "table", "tablesample", "then", "time", "timestamp", "to", "trailing",
      "treat", "trim", "true", "union", "unique", "user", "using", "values", "varchar",
      "variadic", "verbose", "when", "where", "window", "with", "xmlattributes",
      "xmlconcat", "xmlelement", "xmlexists", "xmlforest", "xmlnamespaces", "xmlparse",
      "xmlpi", "xmlroot", "xmlserialize", "xmltable", nullptr};
  return words;
}
inline const char* const* keywords_needing_quotes_end() {
  const char* const* end = keywords_needing_quotes();
  while (*end) ++end;
  return end;
}
}  // namespace detail

// `name` as it must appear in SQL: bare when it is a lowercase identifier that is not
// a keyword, otherwise in double quotes with embedded quotes doubled.
inline std::string quote_identifier(const std::string& name) {
  bool bare = !name.empty() && ((name[0] >= 'a' && name[0] <= 'z') || name[0] == '_');
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) bare = false;
  }
  if (bare) {
    bare = !std::binary_search(detail::keywords_needing_quotes(),
                               detail::keywords_needing_quotes_end(), name,
                               [](const std::string& a, const std::string& b) { return a < b; });
  }
  if (bare) return name;
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

// schema.object, each part quoted as needed.
inline std::string qualified_name(const std::string& schema, const std::string& object) {
  return quote_identifier(schema) + "." + quote_identifier(object);
}

}  // namespace rokso
