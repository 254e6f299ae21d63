// rokso plugin SDK: the in-memory migration every file format produces.
#pragma once

#include <string>
#include <vector>

namespace rokso {

// One migration as read from its file(s). Every format yields this same value, so every
// command behaves the same whatever format a migration was written in.
struct Migration {
  std::string apply_sql;     // run by `migrate`; may hold several statements
  std::string rollback_sql;  // run by `rollback`; empty means "nothing to undo"
  // false: the migration cannot run inside a transaction block (e.g. it uses
  // CREATE INDEX CONCURRENTLY); it is then run statement by statement.
  bool transactional = true;
  // Identities (paths relative to migration/) that must be applied before this one.
  std::vector<std::string> requires_identities;
  std::string description;
  // What the user should know about how this migration was read, one line each, e.g.
  // "no rollback file: rolling back only removes its row". Shown by status and show.
  std::vector<std::string> notes;
};

}  // namespace rokso
