#include "core/progress.hpp"

#include "core/output.hpp"
#include "core/text_table.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>

namespace rokso {
namespace {

// The line must fit on one row: a wrapped one would not be overwritten by the next.
std::size_t terminal_columns() {
  winsize size{};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

// `text` cut to at most `width` display columns, from the left: the end of an identity
// (object and file name) is what tells files apart.
std::string keep_right(const std::string& text, std::size_t width) {
  if (display_width(text) <= width) return text;
  if (width < 2) return "";
  std::size_t at = 0;
  while (at < text.size() && display_width(text.substr(at)) > width - 1) {
    ++at;
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) ++at;
  }
  return "…" + text.substr(at);
}

}  // namespace

std::string format_duration(double seconds) {
  long long s = seconds < 0 ? 0 : static_cast<long long>(seconds + 0.5);
  char text[32];
  if (s >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld:%02lld", s / 60, s % 60);
  }
  return text;
}

RunProgress::RunProgress(std::size_t total) : total_(total), began_(std::chrono::steady_clock::now()) {}

RunProgress::~RunProgress() { out::end_progress(); }

void RunProgress::start(std::size_t index, const std::string& identity) {
  if (total_ < 2 || !out::progress_shown()) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - began_).count();
  std::string timing = "  " + format_duration(elapsed) + " elapsed";
  if (index > 0) timing += ", about " + format_duration(elapsed / static_cast<double>(index) * static_cast<double>(total_ - index)) + " left";
  const std::string counter = "[" + std::to_string(index + 1) + "/" + std::to_string(total_) + "] ";
  const std::size_t columns = terminal_columns() - 1;  // the last column would wrap on some terminals
  const std::size_t room = columns > counter.size() + timing.size() ? columns - counter.size() - timing.size() : 0;
  out::progress(counter + keep_right(identity, room) + timing);
}

}  // namespace rokso
