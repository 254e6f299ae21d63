#include "core/pg_dump.hpp"

#include "core/connection_settings.hpp"
#include "core/error.hpp"

#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>

extern char** environ;

namespace rokso {
namespace {

namespace fs = std::filesystem;

// The environment pg_dump runs with: ours, with the project's connection settings on
// top. libpq reads them there; argv would show the password to `ps`.
std::vector<std::string> child_environment(const DatabaseSettings& s) {
  std::vector<std::string> settings;
  // Every configured libpq parameter (sslmode, options ...) that libpq reads a variable for.
  for (const auto& [name, value] : libpq_environment(s)) settings.push_back(name + "=" + value);
  if (s.password) settings.push_back("PGPASSWORD=" + *s.password);
  if (!s.parameters.count("application_name")) settings.emplace_back("PGAPPNAME=rokso remap");
  // The same bound on connecting as rokso's own connections (config.json's connect_timeout).
  if (!s.parameters.count("connect_timeout")) {
    settings.push_back("PGCONNECT_TIMEOUT=" + std::to_string(s.bounds.connect_timeout_s));
  }

  std::vector<std::string> env;
  for (char** e = environ; *e; ++e) {
    const char* equals = std::strchr(*e, '=');
    const std::size_t key_length = equals ? static_cast<std::size_t>(equals - *e) + 1 : 0;
    bool replaced = false;
    for (const std::string& setting : settings) {
      if (key_length && setting.compare(0, key_length, *e, key_length) == 0) replaced = true;
    }
    if (!replaced) env.emplace_back(*e);
  }
  env.insert(env.end(), settings.begin(), settings.end());
  return env;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
  std::vector<char*> result;
  for (std::string& s : strings) result.push_back(s.data());
  result.push_back(nullptr);
  return result;
}

// pg_dump's message, on as few lines as it takes: "pg_dump: error: " prefixes dropped.
std::string pg_dump_message(const std::string& stderr_text) {
  std::string message;
  std::size_t start = 0;
  while (start < stderr_text.size()) {
    std::size_t end = stderr_text.find('\n', start);
    if (end == std::string::npos) end = stderr_text.size();
    std::string line = stderr_text.substr(start, end - start);
    start = end + 1;
    for (const char* prefix : {"pg_dump: error: ", "pg_dump: detail: ", "pg_dump: "}) {
      if (line.compare(0, std::strlen(prefix), prefix) == 0) {
        line.erase(0, std::strlen(prefix));
        break;
      }
    }
    if (line.empty()) continue;
    if (!message.empty()) message += "; ";
    message += line;
  }
  return message.empty() ? "no message" : message;
}

}  // namespace

std::string exact_name_pattern(const std::string& name) {
  std::string pattern = "\"";
  for (char c : name) {
    pattern += c;
    if (c == '"') pattern += '"';
  }
  return pattern + "\"";
}

std::string find_pg_dump(int server_major) {
  if (const char* configured = std::getenv("ROKSO_PG_DUMP"); configured && *configured) return configured;
  std::error_code ec;
  std::string best;
  int best_major = 0;
  for (fs::directory_iterator it("/usr/lib/postgresql", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    const int major = std::atoi(name.c_str());
    const fs::path binary = it->path() / "bin" / "pg_dump";
    if (major < server_major || ::access(binary.c_str(), X_OK) != 0) continue;
    // The server's own version is best; otherwise the oldest newer one.
    if (best.empty() || (major == server_major) || (best_major != server_major && major < best_major)) {
      best = binary.string();
      best_major = major;
    }
  }
  return best.empty() ? "pg_dump" : best;
}

std::string run_pg_dump(const PgDumpRequest& request) {
  const std::string binary = find_pg_dump(request.server_major);
  std::vector<std::string> args = {binary, "--schema-only", "--format=custom", "--compress=0",
                                   "--no-owner", "--no-privileges", "--no-publications",
                                   "--no-subscriptions", "--strict-names"};
  if (!request.lock_wait_timeout.empty()) args.push_back("--lock-wait-timeout=" + request.lock_wait_timeout);
  for (const std::string& schema : request.schemas) args.push_back("--schema=" + exact_name_pattern(schema));
  std::vector<std::string> env = child_environment(request.connection);

  int out_pipe[2], err_pipe[2];
  if (::pipe(out_pipe) != 0) throw failure(std::string("cannot run pg_dump: ") + std::strerror(errno));
  if (::pipe(err_pipe) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    throw failure(std::string("cannot run pg_dump: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], STDOUT_FILENO);
  posix_spawn_file_actions_adddup2(&actions, err_pipe[1], STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, out_pipe[0]);
  posix_spawn_file_actions_addclose(&actions, err_pipe[0]);
  std::vector<char*> argv = pointers(args), envp = pointers(env);
  pid_t pid = 0;
  const int spawned = ::posix_spawnp(&pid, binary.c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (spawned != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    throw failure("cannot run " + binary + ": " + std::strerror(spawned) +
                  " (install PostgreSQL's client programs, or set ROKSO_PG_DUMP)");
  }

  // Both pipes are drained together, so a chatty stderr cannot stall pg_dump.
  std::string archive, errors;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&archive, &errors};
  int open_fds = 2;
  char buffer[1 << 16];
  while (open_fds > 0) {
    if (::poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
      if (n > 0) {
        sinks[i]->append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw failure("pg_dump failed: " + pg_dump_message(errors));
  }
  return archive;
}

}  // namespace rokso
