#include "core/command_table.hpp"

namespace rokso {

const CommandInfo* builtin_commands() {
  static const CommandInfo commands[] = {
      {"init", "init your migration project: configure the database connection"},
      {"create", "create a database migration"},
      {"status", "check the state of the database and the pending migrations"},
      {"migrate", "apply all outstanding migrations to the database"},
      {"rollback", "roll back the last revision, the last N migrations, or back to a revision or a date"},
      {"mark", "mark a migration applied or pending by hand, without running its SQL"},
      {"accept", "record the current content of an applied migration whose file was modified"},
      {"last-success", "print the last successful revision"},
      {"show", "show a migration as rokso reads it: SQL, format, transaction mode"},
      {"remap", "reverse-engineer migrations from an existing database"},
      {"import", "import a golang-migrate, dbmate, goose or Flyway tree, and adopt what that tool applied"},
      {"plugins", "list the loaded format and object-type plugins"},
      {"lint", "flag dangerous DDL (locks, rewrites, missing rollbacks) in the pending migrations or named files"},
      {"dev", "start, stop or reset the project's own throwaway PostgreSQL server"},
      {"verify", "prove on a throwaway database that every migration rolls back to the schema before it"},
      {"diff", "show what changed in the database outside migrations (drift), or write it as a migration"},
      {"config", "print config.json's settings for scripts (password masked)"},
      {nullptr, nullptr},
  };
  return commands;
}

const CommandInfo* find_builtin_command(const std::string& name) {
  for (const CommandInfo* c = builtin_commands(); c->name; ++c) {
    if (name == c->name) return c;
  }
  return nullptr;
}

}  // namespace rokso
