// The one funnel for what rokso prints (after git's usage.c): results on stdout,
// diagnostics on stderr as `error: ...`, `warning: ...`, `hint: ...`.
#pragma once

#include <string>

namespace rokso::out {

// -v / --verbose: show each statement and its time, as roksopsql did.
void set_verbose(bool on);
bool verbose();

void line(const std::string& text);     // stdout, newline added
void error(const std::string& text);    // stderr: "error: <text>"
void warning(const std::string& text);  // stderr: "warning: <text>"
void hint(const std::string& text);     // stderr: "hint: <text>"
// Verbose-only detail on stdout.
void detail(const std::string& text);

}  // namespace rokso::out
