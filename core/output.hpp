// The one funnel for what rokso prints (after git's usage.c): results on stdout,
// diagnostics on stderr as `error: ...`, `warning: ...`, `hint: ...`.
//
// Every decision about how a line looks is made here and only here: colour (errors red,
// warnings yellow, success green, details dim; only on a terminal unless --color=always,
// never with NO_COLOR), roksopsql's emoji or their ASCII stand-ins (README: "Output and
// scripting"), -q. Not thread-safe, but for Capture: a thread that holds one prints
// only into it, and its -v and --format json state are its own.
#pragma once

#include <functional>
#include <string>

namespace rokso::out {

// Line-buffers stdout and stderr, so a log written to a file or a pipe holds every line
// as soon as it is printed (and still holds it after SIGINT/SIGTERM end the process).
// Call first thing in main().
void line_buffer_streams();

// --color=<when>: "auto" (colour on a terminal, unless NO_COLOR is set or TERM=dumb),
// "always" or "never". Throws a usage error for anything else.
enum class ColorMode { automatic, always, never };
ColorMode parse_color_mode(const std::string& when);
void set_color_mode(ColorMode mode);

// -v / --verbose: show each statement and its time, as roksopsql did.
void set_verbose(bool on);
bool verbose();

// --format json: stdout carries exactly one document, so line() and detail() print
// nothing while this is on; the document goes out through document().
void set_quiet(bool on);

// -q / --quiet: errors only. line(), detail(), warning(), hint() and progress() print
// nothing; error() and document() still do (a JSON document was asked for explicitly).
void set_errors_only(bool on);
bool errors_only();

void line(const std::string& text);     // stdout, newline added
void document(const std::string& text); // stdout, newline added, even when quiet
void error(const std::string& text);    // stderr: "error: <text>"
void warning(const std::string& text);  // stderr: "warning: <text>"
void hint(const std::string& text);     // stderr: "hint: <text>"
void note(const std::string& text);     // stderr, as it is (even with -q): "waiting for ..."
// Verbose-only detail on stdout.
void detail(const std::string& text);

// A stdout line led by a short marker in its own colour (status --short's letter):
// "<marker> <text>", the marker coloured only when stdout has colour.
enum class Style { plain, success, warning, error, dim };
void marked_line(Style style, const std::string& marker, const std::string& text);

// roksopsql's emoji (🌀 ✅ 🔄 ✔) are printed unless the locale cannot show them: an
// LC_ALL/LC_CTYPE/LANG that names another charset than UTF-8 (LC_ALL=C), or none at all
// on a terminal. Then line() prints the same words after ASCII markers ("[ok]").
bool emoji();

// A status line on stderr that the next one overwrites (migrate/rollback progress):
// shown only when stderr is a terminal and not with -q or --format json. end_progress()
// clears it; line(), error() and friends clear it first themselves.
bool progress_shown();
void progress(const std::string& text);
void end_progress();

// While alive, what this thread prints goes here instead of to the streams, as if they
// were pipes (no colour unless --color=always, no progress line): stdout's text is
// appended to `stdout_text`, stderr's is passed whole line by whole line (without the
// newline) to `stderr_line`. How a fleet runs its members as threads of one process
// (core/fleet_threads.hpp). The thread's verbose and quiet settings start as they were
// and are put back when it ends; errors-only and colour are the process's.
class Capture {
 public:
  Capture(std::string& stdout_text, std::function<void(const std::string&)> stderr_line);
  ~Capture();
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;
  // Internal (output.cpp): text printed on this thread.
  void take(bool is_stderr, const std::string& text);

 private:
  std::string& stdout_text_;
  std::function<void(const std::string&)> stderr_line_;
  std::string stderr_partial_;
  Capture* outer_;
  bool verbose_, quiet_;
};

}  // namespace rokso::out
