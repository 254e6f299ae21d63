// The one funnel for what rokso prints (after git's usage.c): results on stdout,
// diagnostics on stderr as `error: ...`, `warning: ...`, `hint: ...`.
#pragma once

#include <string>

namespace rokso::out {

// -v / --verbose: show each statement and its time, as roksopsql did.
void set_verbose(bool on);
bool verbose();

// --format json: stdout carries exactly one document, so line() and detail() print
// nothing while this is on; the document goes out through document().
void set_quiet(bool on);

void line(const std::string& text);     // stdout, newline added
void document(const std::string& text); // stdout, newline added, even when quiet
void error(const std::string& text);    // stderr: "error: <text>"
void warning(const std::string& text);  // stderr: "warning: <text>"
void hint(const std::string& text);     // stderr: "hint: <text>"
// Verbose-only detail on stdout.
void detail(const std::string& text);

}  // namespace rokso::out
