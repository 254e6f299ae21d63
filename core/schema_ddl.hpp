// DDL from schema snapshots (core/schema_snapshot.hpp): what creates or drops one
// object, and a script that turns one schema into another - for `rokso diff`, whose
// --write makes it a migration. Best effort: an object that changed is dropped and made
// again (a column that changed loses its data; a function or view is replaced), and
// only the kinds a snapshot covers are written.
#pragma once

#include "core/schema_snapshot.hpp"

#include <string>
#include <vector>

namespace rokso {

// The statement that makes `object` as it is, with its `;`.
std::string create_ddl(const SchemaObject& object);
// The statement that drops `object`, with its `;` (and IF EXISTS when `if_exists`).
std::string drop_ddl(const SchemaObject& object, bool if_exists = false);
// Statements that apply `changes` (compare_snapshots(from, to)) to a database whose
// schema is `from`: drops first (dependents before what they depend on, nothing a
// dropped table takes with it), then creations (what is depended on first). One per line.
std::string ddl_script(const std::vector<SchemaChange>& changes);

}  // namespace rokso
