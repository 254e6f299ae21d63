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
