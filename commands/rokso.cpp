// rokso: the front binary. `rokso <cmd> [args]` runs the first rokso-<cmd> found in
// $ROKSO_EXEC_PATH, the install's libexec directory, then PATH (after git's run_argv()
// and execv_dashed_external()), passing the arguments through untouched; exec() keeps
// the child's exit status (and any signal) as rokso's own.
//
// A custom rokso-<cmd> (one that is not rokso's) gets the project's context in its
// environment (core/external_context.hpp); when that holds a password file, rokso waits
// for the command to remove the file after it, and passes its exit status or signal on.
//
// Kept free of libpqxx and Boost, and libpq is loaded only for a custom command
// (core/libpq_on_demand.cpp), so `rokso <cmd>` costs little more than its rokso-<cmd>.
#include "core/command_table.hpp"
#include "core/error.hpp"
#include "core/external_context.hpp"
#include "core/install_paths.hpp"
#include "core/text_util.hpp"
#include "core/output.hpp"

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;
constexpr const char kPrefix[] = "rokso-";

const char kUsage[] =
    "usage: rokso [--version] [--help] [-C <dir>] [-v] [-q] [--color[=<when>]] [--url <url>] [--target <name>] [--py-evaluate[=<python>]] <command> [<args>]\n";

// Where commands are looked for, in order, each tagged with whether it is rokso's own.
struct SearchDir {
  std::string path;
  bool own;
};

std::vector<SearchDir> exec_path() {
  std::vector<SearchDir> dirs;
  for (const auto& d : rokso::split_path_list(std::getenv("ROKSO_EXEC_PATH"))) dirs.push_back({d, true});
  dirs.push_back({rokso::install_paths().libexec.string(), true});
  for (const auto& d : rokso::split_path_list(std::getenv("PATH"))) dirs.push_back({d, false});
  return dirs;
}

bool is_executable_file(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

std::string find_command(const std::string& name) {
  // A command is a file name, never a path: "rokso x/../y" must not reach outside the
  // search directories.
  if (name.empty() || name.find('/') != std::string::npos) return "";
  for (const SearchDir& dir : exec_path()) {
    std::string candidate = dir.path + "/" + kPrefix + name;
    if (is_executable_file(candidate)) return candidate;
  }
  return "";
}

// A custom command may state its summary in its first 4 KiB: "rokso-summary: <text>".
// The install's own commands take theirs from the command table.
std::string summary_of(const std::string& name, const std::string& path) {
  const rokso::CommandInfo* info = rokso::find_builtin_command(name);
  if (info && path == rokso::install_paths().libexec.string() + "/" + kPrefix + name) return info->summary;
  std::ifstream in(path, std::ios::binary);
  std::string head(4096, '\0');
  in.read(&head[0], static_cast<std::streamsize>(head.size()));
  head.resize(static_cast<std::size_t>(in.gcount()));
  const std::string marker = "rokso-summary:";
  std::size_t at = head.find(marker);
  if (at == std::string::npos) return "";
  std::size_t begin = head.find_first_not_of(" \t", at + marker.size());
  std::size_t end = head.find_first_of("\r\n", at);
  if (end == std::string::npos) end = head.size();  // the last line, without a newline
  if (begin == std::string::npos || end <= begin) return "";
  return head.substr(begin, end - begin);
}

struct FoundCommand {
  std::string path;
  bool own;
};

// name -> first place it is found, like PATH lookup.
std::map<std::string, FoundCommand> all_commands() {
  std::map<std::string, FoundCommand> found;
  for (const SearchDir& dir : exec_path()) {
    DIR* d = ::opendir(dir.path.c_str());
    if (!d) continue;
    while (dirent* entry = ::readdir(d)) {
      const std::string file = entry->d_name;
      if (file.size() <= sizeof kPrefix - 1 || file.compare(0, sizeof kPrefix - 1, kPrefix) != 0) continue;
      const std::string name = file.substr(sizeof kPrefix - 1);
      if (found.count(name)) continue;
      const std::string path = dir.path + "/" + file;
      if (is_executable_file(path)) found.emplace(name, FoundCommand{path, dir.own});
    }
    ::closedir(d);
  }
  return found;
}

void list_commands() {
  std::fputs(kUsage, stdout);
  const auto commands = all_commands();
  std::size_t width = 12;
  for (const auto& c : commands) width = std::max(width, c.first.size() + 2);
  auto print_group = [&](bool own, const char* title) {
    bool any = false;
    for (const auto& c : commands) {
      if (c.second.own != own) continue;
      if (!any) std::printf("\n%s\n", title);
      any = true;
      std::printf("   %-*s%s\n", static_cast<int>(width), c.first.c_str(),
                  summary_of(c.first, c.second.path).c_str());
    }
  };
  print_group(true, "These are the rokso commands:");
  print_group(false, "Commands found elsewhere on your PATH:");
  std::fputs("\nSee 'rokso help <command>' to read about a specific command.\n", stdout);
}

int unknown_command(const std::string& name) {
  std::fprintf(stderr, "rokso: '%s' is not a rokso command. See 'rokso --help'.\n", name.c_str());
  std::vector<std::string> similar;
  std::size_t best = 3;  // farther than this is not a typo
  for (const auto& c : all_commands()) {
    std::size_t d = rokso::edit_distance(name, c.first);
    if (c.first.compare(0, name.size(), name) == 0 && !name.empty()) d = std::min<std::size_t>(d, 1);
    if (d < best) {
      best = d;
      similar.clear();
    }
    if (d == best) similar.push_back(c.first);
  }
  if (!similar.empty()) {
    std::fprintf(stderr, "\n%s\n", similar.size() == 1 ? "The most similar command is" : "The most similar commands are");
    for (const auto& s : similar) std::fprintf(stderr, "\t%s\n", s.c_str());
  }
  return kExitUsage;
}

// The global options that stood before the command and are the command's to act on
// (-C is done here, by changing directory, as git does).
struct GlobalOptions {
  bool verbose = false;
  std::optional<std::string> url;  // --url: a builtin gets it as its own --url
};

// The running custom command, for forwarding signals sent to rokso itself.
volatile sig_atomic_t child_pid = 0;

// kill -TERM <rokso> reaches the command too. A signal from the terminal (Ctrl-C) has
// reached the whole foreground group already, the command included: not sent twice.
extern "C" void forward_signal(int signal, siginfo_t* info, void*) {
  if (child_pid > 0 && info && info->si_code <= 0) ::kill(child_pid, signal);
}

// Runs `path` with the password file `password_file` in place, removes the file when the
// command ends, and ends as the command did: its exit status, or its signal.
int run_and_remove(const std::string& path, std::vector<char*>& args, const std::string& password_file) {
  std::fflush(stdout);
  std::fflush(stderr);
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::unlink(password_file.c_str());
    std::fprintf(stderr, "error: cannot run '%s': %s\n", path.c_str(), std::strerror(errno));
    return kExitFailed;
  }
  if (pid == 0) {
    ::execv(path.c_str(), args.data());
    std::fprintf(stderr, "error: cannot run '%s': %s\n", path.c_str(), std::strerror(errno));
    ::_exit(kExitFailed);
  }
  child_pid = pid;
  struct sigaction forward {};
  forward.sa_sigaction = forward_signal;
  forward.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&forward.sa_mask);
  for (int signal : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) ::sigaction(signal, &forward, nullptr);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  ::unlink(password_file.c_str());
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) {
    const int signal = WTERMSIG(status);
    std::signal(signal, SIG_DFL);
    ::raise(signal);
    return 128 + signal;
  }
  return kExitFailed;
}

// The environment a custom command runs with: the project's context (set here, in
// rokso's own environment, which exec passes on) and, when the connection has a
// password, a private password file. Returns the file's path ("" for none); throws
// rokso::Error for a broken config.json or URL.
std::string prepare_external_environment(const GlobalOptions& global) {
  const rokso::ExternalContext context = rokso::external_context(global.url);
  for (const auto& [name, value] : context.variables) ::setenv(name.c_str(), value.c_str(), 1);
  if (!context.password_line) return "";
  const char* tmp = std::getenv("TMPDIR");
  std::string file = std::string(tmp && *tmp ? tmp : "/tmp") + "/rokso-pgpass.XXXXXX";
  const int fd = ::mkstemp(&file[0]);  // created 0600, whatever the umask
  if (fd < 0) throw rokso::failure("cannot create a password file in '" + file + "': " + std::strerror(errno));
  const std::string& line = *context.password_line;
  const bool written = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  const int saved = errno;
  ::close(fd);
  if (!written) {
    ::unlink(file.c_str());
    throw rokso::failure("cannot write the password file '" + file + "': " + std::strerror(saved));
  }
  // libpq prefers PGPASSWORD to any file: the project's password must win, as it does for rokso.
  ::unsetenv("PGPASSWORD");
  ::setenv("PGPASSFILE", file.c_str(), 1);
  return file;
}

int run_external(const std::string& name, int argc, char** argv, int first_arg, const GlobalOptions& global = {}) {
  const std::string path = find_command(name);
  if (path.empty()) return unknown_command(name);
  // Children find rokso's own commands first, as git puts its exec path on PATH.
  std::string path_env = rokso::install_paths().libexec.string();
  if (const char* old = std::getenv("PATH")) path_env += std::string(":") + old;
  ::setenv("PATH", path_env.c_str(), 1);
  std::vector<char*> args;
  std::string argv0 = std::string(kPrefix) + name;
  args.push_back(&argv0[0]);
  // "rokso -v migrate" is "rokso migrate -v". A custom command gets ROKSO_VERBOSE=1
  // instead, so its arguments stay exactly what was typed after its name.
  char verbose_flag[] = "-v";
  const bool builtin = rokso::find_builtin_command(name) != nullptr;
  if (global.verbose) {
    if (builtin) {
      args.push_back(verbose_flag);
    } else {
      ::setenv("ROKSO_VERBOSE", "1", 1);
    }
  }
  std::string url_flag;
  if (global.url && builtin) {
    url_flag = "--url=" + *global.url;
    args.push_back(&url_flag[0]);
  }
  for (int i = first_arg; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  // Like git's GIT_EXEC_PATH: where rokso's own commands are, for a script to call them.
  if (!std::getenv("ROKSO_EXEC_PATH")) ::setenv("ROKSO_EXEC_PATH", rokso::install_paths().libexec.c_str(), 1);
  ::setenv("ROKSO_VERSION", ROKSO_VERSION, 1);
  if (!builtin) {
    std::string password_file;
    try {
      password_file = prepare_external_environment(global);
    } catch (const rokso::Error& e) {
      rokso::out::error(e.what());
      return e.exit_code();
    }
    if (!password_file.empty()) return run_and_remove(path, args, password_file);
  }
  std::fflush(stdout);
  ::execv(path.c_str(), args.data());
  std::fprintf(stderr, "error: cannot run '%s': %s\n", path.c_str(), std::strerror(errno));
  return kExitFailed;
}

// -C <dir>: run as if started in <dir>; several combine, each relative to the one
// before (git's rule).
bool change_directory(const char* dir) {
  if (*dir == '\0') {
    std::fputs("error: -C needs a directory\n", stderr);
    return false;
  }
  if (::chdir(dir) != 0) {
    std::fprintf(stderr, "error: cannot change to '%s': %s\n", dir, std::strerror(errno));
    return false;
  }
  return true;
}

// The first executable named `name` on PATH, or "".
std::string find_on_path(const std::string& name) {
  for (const auto& dir : rokso::split_path_list(std::getenv("PATH"))) {
    const std::string candidate = dir + "/" + name;
    if (is_executable_file(candidate)) return candidate;
  }
  return "";
}

// "rokso help <cmd>" on a terminal: the command's man page, as git opens its own, read
// from this install (so a moved tree still finds it); false when there is none or no man.
bool open_man_page(const std::string& topic) {
  if (!::isatty(STDOUT_FILENO)) return false;
  const std::string page = (rokso::install_paths().prefix / ROKSO_MAN_SUBDIR / "man1" / (kPrefix + topic + ".1")).string();
  struct stat st {};
  if (::stat(page.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  const std::string man = find_on_path("man");
  if (man.empty()) return false;
  char man_name[] = "man";
  char local_flag[] = "-l";
  std::string page_arg = page;
  char* args[] = {man_name, local_flag, &page_arg[0], nullptr};
  std::fflush(stdout);
  ::execv(man.c_str(), args);
  return false;  // man could not run: the help is printed instead
}

// "rokso help <cmd>" and "rokso --help <cmd>": the command's own --help (its man page,
// for "help <cmd>" on a terminal).
int help_for(const std::string& topic, char* argv0, bool manual = false) {
  if (manual && !find_command(topic).empty() && open_man_page(topic)) return kExitOk;
  char help_flag[] = "--help";
  char* help_argv[] = {argv0, help_flag, nullptr};
  if (find_command(topic).empty()) return unknown_command(topic);
  return run_external(topic, 2, help_argv, 1);
}

}  // namespace

int main(int argc, char** argv) {
  int i = 1;
  // Global options come before the command (as git's and roksopsql users type them);
  // everything after the command belongs to it. They are the options every rokso-<cmd>
  // takes too (core/command.cpp), so each works in either position.
  GlobalOptions global;
  bool help = false;
  for (; i < argc && argv[i][0] == '-'; ++i) {
    const std::string arg = argv[i];
    if (arg == "--version") {
      std::printf("rokso version %s\n", ROKSO_VERSION);
      return kExitOk;
    }
    if (arg == "-h" || arg == "--help") {
      help = true;
      continue;
    }
    if (arg == "-v" || arg == "--verbose") {
      global.verbose = true;
      continue;
    }
    // -q and --color[=<when>] reach the command (built-in or custom) as ROKSO_QUIET
    // and ROKSO_COLOR; its own -q/--color, after its name, win.
    if (arg == "-q" || arg == "--quiet") {
      ::setenv("ROKSO_QUIET", "1", 1);
      continue;
    }
    if (arg == "--color" || arg.compare(0, 8, "--color=") == 0) {
      const std::string when = arg.size() > 7 ? arg.substr(8) : "always";
      if (when != "auto" && when != "always" && when != "never") {
        std::fprintf(stderr, "error: --color must be auto, always or never, not '%s'\n", when.c_str());
        return kExitUsage;
      }
      ::setenv("ROKSO_COLOR", when.c_str(), 1);
      continue;
    }
    if (arg == "-C" || arg == "--directory") {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "error: %s needs a directory\n%s", arg.c_str(), kUsage);
        return kExitUsage;
      }
      if (!change_directory(argv[++i])) return kExitUsage;
      continue;
    }
    if (arg == "--url" || arg.compare(0, 6, "--url=") == 0) {
      if (arg == "--url" && i + 1 >= argc) {
        std::fprintf(stderr, "error: --url needs a postgres:// URL\n%s", kUsage);
        return kExitUsage;
      }
      global.url = arg == "--url" ? argv[++i] : arg.substr(6);
      if (global.url->empty()) {
        std::fprintf(stderr, "error: --url needs a postgres:// URL\n%s", kUsage);
        return kExitUsage;
      }
      continue;
    }
    if (arg.compare(0, 2, "-C") == 0 || arg.compare(0, 12, "--directory=") == 0) {
      if (!change_directory(argv[i] + (arg[1] == 'C' ? 2 : 12))) return kExitUsage;
      continue;
    }
    // --target <name> before the command reaches it (and a custom rokso-<cmd>) as
    // ROKSO_TARGET, which every command reads when --target is not given after its name.
    if (arg == "--target" || arg.compare(0, 9, "--target=") == 0) {
      std::string name;
      if (arg == "--target") {
        if (i + 1 >= argc) {
          std::fprintf(stderr, "error: --target needs a target name\n%s", kUsage);
          return kExitUsage;
        }
        name = argv[++i];
      } else {
        name = arg.substr(9);
      }
      if (name.empty()) {
        std::fprintf(stderr, "error: --target needs a target name\n%s", kUsage);
        return kExitUsage;
      }
      ::setenv("ROKSO_TARGET", name.c_str(), 1);
      continue;
    }
    // --py-evaluate[=<python>] before the command reaches it (and a custom rokso-<cmd>)
    // as ROKSO_PY_EVALUATE, which is all the option does after the command too.
    if (arg == "--py-evaluate" || arg.compare(0, 14, "--py-evaluate=") == 0) {
      const std::string interpreter = arg.size() > 13 ? arg.substr(14) : "python3";
      if (interpreter.empty()) {
        std::fputs("error: --py-evaluate names no interpreter: write --py-evaluate or --py-evaluate=python3\n", stderr);
        return kExitUsage;
      }
      ::setenv("ROKSO_PY_EVALUATE", interpreter.c_str(), 1);
      continue;
    }
    std::fprintf(stderr, "error: unknown option '%s'\n%s", arg.c_str(), kUsage);
    if (arg.compare(0, 2, "--") == 0) {
      std::fputs("hint: a command's own options go after its name, e.g. 'rokso migrate --lock-wait=5'\n", stderr);
    }
    return kExitUsage;
  }
  if (i >= argc) {
    list_commands();
    return kExitOk;
  }
  const std::string command = argv[i];
  if (help && command != "help") return help_for(command, argv[0]);
  if (command == "help") {
    if (i + 1 >= argc || std::strcmp(argv[i + 1], "-a") == 0 || std::strcmp(argv[i + 1], "--all") == 0) {
      list_commands();
      return kExitOk;
    }
    return help_for(argv[i + 1], argv[0], true);
  }
  return run_external(command, argc, argv, i + 1, global);
}
