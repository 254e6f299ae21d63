// The built-in commands and their one-line summaries (core/commands.def, after git's
// command-list.txt). Shared by the front binary's help and each rokso-<cmd>'s --help,
// so they agree; the build makes one executable per row of the same list.
#pragma once

#include <string>

namespace rokso {

struct CommandInfo {
  const char* name;
  const char* summary;
};

// Terminated by {nullptr, nullptr}.
const CommandInfo* builtin_commands();
// The built-in command `name`, or nullptr.
const CommandInfo* find_builtin_command(const std::string& name);

}  // namespace rokso
