#include "core/output.hpp"

#include "core/text_util.hpp"

#include <cstdio>

namespace rokso::out {
namespace {
bool g_verbose = false;
bool g_quiet = false;

// Every line rokso prints passes here: no name in it can reach the terminal raw (an
// escape sequence, a stray carriage return); the line breaks rokso itself wrote stay.
// A name that holds a line break must be escaped where it is put in (escape_for_display).
void write(std::FILE* stream, const char* prefix, const std::string& text) {
  const std::string shown = escape_for_display(text, true);
  std::fputs(prefix, stream);
  std::fwrite(shown.data(), 1, shown.size(), stream);
  std::fputc('\n', stream);
}
}  // namespace

void set_verbose(bool on) { g_verbose = on; }
bool verbose() { return g_verbose; }

void set_quiet(bool on) { g_quiet = on; }

void line(const std::string& text) {
  if (!g_quiet) write(stdout, "", text);
}
void document(const std::string& text) {  // JSON: escaped by the JSON library
  std::fwrite(text.data(), 1, text.size(), stdout);
  std::fputc('\n', stdout);
}
void error(const std::string& text) {
  std::fflush(stdout);
  write(stderr, "error: ", text);
}
void warning(const std::string& text) {
  std::fflush(stdout);
  write(stderr, "warning: ", text);
}
void hint(const std::string& text) {
  std::fflush(stdout);
  write(stderr, "hint: ", text);
}
void detail(const std::string& text) {
  if (g_verbose && !g_quiet) write(stdout, "", text);
}

}  // namespace rokso::out
