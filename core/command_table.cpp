#include "core/command_table.hpp"

namespace rokso {

const CommandInfo* builtin_commands() {
  static const CommandInfo commands[] = {
#define ROKSO_COMMAND(name, summary, setup) {name, summary, setup},
#include "core/commands.def"
#undef ROKSO_COMMAND
      {nullptr, nullptr, kNoSetup},
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
