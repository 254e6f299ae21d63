// Questions on standard input, answered whether or not it is a terminal
// (`echo y | rokso rollback` works, as with roksopsql).
#pragma once

#include <string>

namespace rokso {

// Prints `question` (and `[default]` when there is one), reads one line from stdin and
// returns it trimmed, or `default_value` for an empty answer.
// At end of input, throws Error(kExitUsage): a command never hangs and never guesses.
std::string ask(const std::string& question, const std::string& default_value = "");

// Asks `question` and tells whether the answer was y or yes (any case). Any other
// answer prints "No operation performed." (roksopsql's words) and returns false.
bool confirm(const std::string& question);

// Like ask(), but without echo when stdin is a terminal.
std::string ask_secret(const std::string& question);

}  // namespace rokso
