// The one error type rokso's commands throw: a message and the exit code it means.
#pragma once

#include <stdexcept>
#include <string>

namespace rokso {

// Exit codes, as documented in README.md ("Exit codes").
enum ExitCode : int {
  kExitOk = 0,           // success, or nothing to do
  kExitFailed = 1,       // the operation failed: SQL error, malformed migration, lock not obtained
  kExitUsage = 2,        // bad flag, no project, unknown identity/revision, broken config, no answer
  kExitInterrupted = 130,  // SIGINT
  kExitTerminated = 143,   // SIGTERM
};

// Thrown anywhere below a command; the command runner prints `error: <message>` (one
// line) and exits with exit_code(). Messages are lowercase, without a full stop, and
// never contain a password.
// A control character in the message (a line break in a file or migration name the user
// typed) is shown escaped, so the error stays one line whatever it quotes.
std::string escape_control_characters(const std::string& message);

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& message)
      : std::runtime_error(escape_control_characters(message)), code_(code) {}
  ExitCode exit_code() const { return code_; }

 private:
  ExitCode code_;
};

// A mistake in what the user asked for or configured (exit 2).
inline Error usage_error(const std::string& message) { return Error(kExitUsage, message); }
// The operation was attempted and failed (exit 1).
inline Error failure(const std::string& message) { return Error(kExitFailed, message); }

// Folds a multi-line message (libpq's, a server's) into one line.
std::string one_line(const std::string& message);

}  // namespace rokso
