#include "core/prompt.hpp"

#include "core/error.hpp"
#include "core/output.hpp"
#include "core/text_util.hpp"

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <iostream>

namespace rokso {
namespace {

std::string read_answer(const std::string& question) {
  std::string answer;
  if (!std::getline(std::cin, answer)) {
    std::fputc('\n', stdout);
    std::fflush(stdout);
    // A menu is asked over several lines; the error stays on one.
    std::string asked = question;
    for (char& c : asked) {
      if (c == '\n' || c == '\r') c = ' ';
    }
    throw usage_error("no answer to '" + asked + "' (end of input); pass it as a flag");
  }
  return answer;
}

}  // namespace

std::string ask(const std::string& question, const std::string& default_value) {
  std::string shown = question;
  if (!default_value.empty()) shown += " [" + default_value + "]";
  std::fputs((shown + ": ").c_str(), stdout);
  std::fflush(stdout);
  std::string answer = trim(read_answer(question));
  return answer.empty() ? default_value : answer;
}

bool confirm(const std::string& question) {
  std::string answer = ask(question);
  std::transform(answer.begin(), answer.end(), answer.begin(), [](unsigned char c) { return std::tolower(c); });
  if (answer == "y" || answer == "yes") return true;
  out::line("No operation performed.");
  return false;
}

std::string ask_secret(const std::string& question) {
  std::fputs((question + ": ").c_str(), stdout);
  std::fflush(stdout);
  termios saved{};
  bool terminal = ::isatty(STDIN_FILENO) && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (terminal) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string answer;
  try {
    answer = read_answer(question);
  } catch (...) {
    if (terminal) ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    throw;
  }
  if (terminal) {
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    std::fputc('\n', stdout);
  }
  // A password keeps its spaces; only the line ending goes.
  while (!answer.empty() && (answer.back() == '\r' || answer.back() == '\n')) answer.pop_back();
  return answer;
}

}  // namespace rokso
