#include "core/output.hpp"

#include "core/error.hpp"
#include "core/text_util.hpp"

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace rokso::out {
namespace {
// Per thread: a fleet member run as a thread (Capture) sets its own, as a child process would.
thread_local bool g_verbose = false;
thread_local bool g_quiet = false;
bool g_errors_only = false;
ColorMode g_color_mode = ColorMode::automatic;
thread_local bool g_progress_shown = false;
// This thread's Capture, if any: where its stdout text and stderr lines go instead.
thread_local Capture* g_capture = nullptr;

// A captured thread writes to a pipe, as far as colour, emoji and progress are concerned.
bool terminal(std::FILE* stream) { return g_capture == nullptr && ::isatty(::fileno(stream)) == 1; }

// Text for `stream`: a captured thread's goes to its Capture, whole lines to stderr's.
void emit(std::FILE* stream, const std::string& text) {
  if (g_capture == nullptr) {
    std::fwrite(text.data(), 1, text.size(), stream);
    return;
  }
  g_capture->take(stream == stderr, text);
}

const char* environment(const char* name) {
  const char* value = std::getenv(name);
  return value && *value ? value : nullptr;
}

// no-color.org: NO_COLOR set and not empty turns colour off; an explicit --color wins.
bool colored(std::FILE* stream) {
  switch (g_color_mode) {
    case ColorMode::always: return true;
    case ColorMode::never: return false;
    case ColorMode::automatic: break;
  }
  if (environment("NO_COLOR")) return false;
  const char* term = environment("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return terminal(stream);
}

const char* sgr(Style style) {
  switch (style) {
    case Style::success: return "\033[32m";
    case Style::warning: return "\033[33m";
    case Style::error: return "\033[1;31m";
    case Style::dim: return "\033[2m";
    case Style::plain: break;
  }
  return "";
}

std::string painted(std::FILE* stream, Style style, const std::string& text) {
  if (style == Style::plain || !colored(stream)) return text;
  return sgr(style) + text + "\033[m";
}

bool names_utf8(const char* locale) {
  std::string lower;
  for (const char* c = locale; *c; ++c) {
    if (*c != '-' && *c != '_') lower += static_cast<char>(std::tolower(static_cast<unsigned char>(*c)));
  }
  return lower.find("utf8") != std::string::npos;
}

// roksopsql's markers and the ASCII words that stand for them where they cannot be shown.
struct Marker {
  const char* emoji;
  const char* ascii;
};
constexpr Marker kMarkers[] = {
    {"\xE2\x9C\x85", "[ok]"},      // ✅ success
    {"\xE2\x9C\x94", "[ok]"},      // ✔ checked
    {"\xF0\x9F\x8C\x80", "[*] "},  // 🌀 applying (roksopsql wrote no space after it)
    {"\xF0\x9F\x94\x84", "[<-]"},  // 🔄 rolling back
    {"\xF0\x9F\xA7\xB9", "[x]"},   // 🧹 clearing a failed row
    {"\xE2\x80\xA6", "..."},       // … in abbreviated checksums
};

std::string without_emoji(const std::string& text) {
  std::string result;
  result.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    bool replaced = false;
    for (const Marker& m : kMarkers) {
      const std::size_t n = std::strlen(m.emoji);
      if (text.compare(i, n, m.emoji) == 0) {
        result += m.ascii;
        // "🌀 name" keeps one space, not two.
        if (m.ascii[std::strlen(m.ascii) - 1] == ' ' && i + n < text.size() && text[i + n] == ' ') ++i;
        i += n;
        replaced = true;
        break;
      }
    }
    if (!replaced) result += text[i++];
  }
  return result;
}

// A success line is one that starts with roksopsql's ✅: that is how every command says it.
bool is_success(const std::string& text) { return text.compare(0, 3, kMarkers[0].emoji) == 0; }

void clear_progress() {
  if (!g_progress_shown) return;
  std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  g_progress_shown = false;
}

// Every line rokso prints passes here: no name in it can reach the terminal raw (an
// escape sequence, a stray carriage return); the line breaks rokso itself wrote stay.
// A name that holds a line break must be escaped where it is put in (escape_for_display).
void write(std::FILE* stream, const char* prefix, Style prefix_style, const std::string& text, Style text_style) {
  clear_progress();
  if (stream == stderr && g_capture == nullptr) std::fflush(stdout);
  std::string shown = escape_for_display(text, true);
  if (!emoji()) shown = without_emoji(shown);
  std::string out = *prefix ? painted(stream, prefix_style, prefix) + " " : std::string();
  out += painted(stream, text_style, shown);
  out += '\n';
  emit(stream, out);
}
}  // namespace

Capture::Capture(std::string& stdout_text, std::function<void(const std::string&)> stderr_line)
    : stdout_text_(stdout_text), stderr_line_(std::move(stderr_line)), outer_(g_capture),
      verbose_(g_verbose), quiet_(g_quiet) {
  g_capture = this;
}

Capture::~Capture() {
  if (!stderr_partial_.empty()) stderr_line_(stderr_partial_);
  g_capture = outer_;
  g_verbose = verbose_;
  g_quiet = quiet_;
}

void Capture::take(bool is_stderr, const std::string& text) {
  if (!is_stderr) {
    stdout_text_ += text;
    return;
  }
  stderr_partial_ += text;
  std::size_t begin = 0, end;
  while ((end = stderr_partial_.find('\n', begin)) != std::string::npos) {
    stderr_line_(stderr_partial_.substr(begin, end - begin));
    begin = end + 1;
  }
  stderr_partial_.erase(0, begin);
}

void line_buffer_streams() {
  std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ);
  std::setvbuf(stderr, nullptr, _IOLBF, BUFSIZ);
}

ColorMode parse_color_mode(const std::string& when) {
  if (when == "auto") return ColorMode::automatic;
  if (when == "always") return ColorMode::always;
  if (when == "never") return ColorMode::never;
  throw usage_error("--color must be auto, always or never, not '" + when + "'");
}
void set_color_mode(ColorMode mode) { g_color_mode = mode; }

void set_verbose(bool on) { g_verbose = on; }
bool verbose() { return g_verbose; }

void set_quiet(bool on) { g_quiet = on; }

void set_errors_only(bool on) { g_errors_only = on; }
bool errors_only() { return g_errors_only; }

bool emoji() {
  const char* locale = environment("LC_ALL");
  if (!locale) locale = environment("LC_CTYPE");
  if (!locale) locale = environment("LANG");
  if (locale) return names_utf8(locale);
  // No locale at all: a log or a pipe gets roksopsql's bytes (Python 3 wrote UTF-8
  // there too); a terminal is not known to show them.
  return !terminal(stdout);
}

void marked_line(Style style, const std::string& marker, const std::string& text) {
  if (g_quiet || g_errors_only) return;
  clear_progress();
  std::string out = painted(stdout, style, escape_for_display(marker)) + " " + escape_for_display(text) + "\n";
  emit(stdout, out);
}

void line(const std::string& text) {
  if (!g_quiet && !g_errors_only) write(stdout, "", Style::plain, text, is_success(text) ? Style::success : Style::plain);
}
// JSON: escaped by the JSON library, but for DEL and the C1 controls, which it writes
// raw and a terminal would obey; escape_for_display turns them into \u escapes, so the
// document stays valid JSON. No colour, no emoji stand-ins: the bytes are the data.
void document(const std::string& text) {
  clear_progress();
  emit(stdout, escape_for_display(text, true) + "\n");
}
void error(const std::string& text) { write(stderr, "error:", Style::error, text, Style::plain); }
void warning(const std::string& text) {
  if (!g_errors_only) write(stderr, "warning:", Style::warning, text, Style::plain);
}
void hint(const std::string& text) {
  if (!g_errors_only) write(stderr, "hint:", Style::dim, text, Style::plain);
}
void note(const std::string& text) { write(stderr, "", Style::plain, text, Style::plain); }
void detail(const std::string& text) {
  if (g_verbose && !g_quiet && !g_errors_only) write(stdout, "", Style::plain, text, Style::dim);
}

bool progress_shown() { return !g_quiet && !g_errors_only && terminal(stderr); }

void progress(const std::string& text) {
  if (!progress_shown()) return;
  std::fflush(stdout);
  std::string shown = escape_for_display(text);
  if (!emoji()) shown = without_emoji(shown);
  std::fputs(("\r\033[K" + painted(stderr, Style::dim, shown)).c_str(), stderr);
  std::fflush(stderr);
  g_progress_shown = true;
}

void end_progress() { clear_progress(); }

}  // namespace rokso::out
