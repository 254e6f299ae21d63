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

// A migration whose file defines no rollback at all — not an empty one (a roksopsql .py
// whose `migrations` has no "rollback" key, or None) — carries a note starting with
// this prefix. It applies as usual; `rokso rollback` refuses it, as roksopsql failed on
// it, instead of only removing its row. A note rather than a field: the struct's layout
// is part of the plugin ABI.
inline constexpr char kNoRollbackNote[] = "no rollback defined: ";

inline bool defines_no_rollback(const Migration& migration) {
  for (const std::string& note : migration.notes) {
    if (note.rfind(kNoRollbackNote, 0) == 0) return true;
  }
  return false;
}

}  // namespace rokso
