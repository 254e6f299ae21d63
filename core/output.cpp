#include "core/output.hpp"

#include <cstdio>

namespace rokso::out {
namespace {
bool g_verbose = false;
bool g_quiet = false;

void write(std::FILE* stream, const char* prefix, const std::string& text) {
  std::fputs(prefix, stream);
  std::fwrite(text.data(), 1, text.size(), stream);
  std::fputc('\n', stream);
}
}  // namespace

void set_verbose(bool on) { g_verbose = on; }
bool verbose() { return g_verbose; }

void set_quiet(bool on) { g_quiet = on; }

void line(const std::string& text) {
  if (!g_quiet) write(stdout, "", text);
}
void document(const std::string& text) { write(stdout, "", text); }
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
