#include "kind_support/simple_kind.hpp"

namespace {

// Filed under the name of the table the index is on. remap keeps a table's indexes in
// the table's own file; only one that must wait for a later object (an index on an
// expression calling a function defined after the table) gets a file here.
class IndexKind : public rokso::kinds::SimpleKind {
 public:
  IndexKind()
      : SimpleKind({"index", "250.indexes", '\0', "Index", 9, "INDEX",
                    "indexes that cannot live in their table's file, by table",
                    {"INDEX", "INDEX ATTACH"}}) {}

  std::string default_rollback(const std::string& schema, const std::string& table) const override {
    return "DROP INDEX IF EXISTS " + rokso::qualified_name(schema, index_name(table)) + ";";
  }

 protected:
  std::string skeleton_for(const std::string& schema, const std::string& table) const override {
    return "CREATE INDEX IF NOT EXISTS " + rokso::quote_identifier(index_name(table)) + " ON " +
           rokso::qualified_name(schema, table) + " (created_at);";
  }

 private:
  static std::string index_name(const std::string& table) { return table + "_created_at_idx"; }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("index", IndexKind)
