#include "core/connection_settings.hpp"
#include "core/dev_server.hpp"

#include "core/error.hpp"
#include "core/project_state_dir.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/database_access.hpp"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace rokso {
namespace fs = std::filesystem;

const char* const kDevDatabase = "dev";
const char* const kDevUser = "rokso";

namespace {

bool has_server_programs(const fs::path& dir) {
  return ::access((dir / "initdb").c_str(), X_OK) == 0 && ::access((dir / "pg_ctl").c_str(), X_OK) == 0;
}

std::string pg_config_bindir() {
  FILE* pipe = ::popen("pg_config --bindir 2>/dev/null", "r");
  if (!pipe) return "";
  char buffer[4096];
  std::string out;
  while (std::fgets(buffer, sizeof buffer, pipe)) out += buffer;
  ::pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

// Who the server runs as: as root, an unprivileged user (initdb refuses root).
struct RunAs {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};

RunAs server_user() {
  RunAs who;
  if (::geteuid() != 0) return who;
  const char* env = std::getenv("ROKSO_DEV_USER");
  who.name = env && *env ? env : "postgres";
  const struct passwd* pw = ::getpwnam(who.name.c_str());
  if (!pw) {
    throw failure("rokso dev runs PostgreSQL as the user '" + who.name +
                  "' when started as root, and there is no such user (set ROKSO_DEV_USER to an unprivileged one)");
  }
  if (pw->pw_uid == 0) throw failure("ROKSO_DEV_USER must not be root: PostgreSQL refuses to run as root");
  who.switch_user = true;
  who.uid = pw->pw_uid;
  who.gid = pw->pw_gid;
  return who;
}

// Runs `args` (no shell) as `who`, stdout and stderr appended to `log`, stdin empty.
// Returns its exit status (-1 when it did not exit normally).
int run_program(const std::vector<std::string>& args, const fs::path& log, const RunAs& who) {
  std::vector<char*> argv;
  for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw failure(std::string("cannot start ") + args.front() + ": " + std::strerror(errno));
  if (pid == 0) {
    // The user first: the log is then that user's, as the server will append to it.
    if (who.switch_user) {
      if (::setgroups(0, nullptr) != 0 || ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0) ::_exit(126);
    }
    const int in = ::open("/dev/null", O_RDONLY);
    const int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || out < 0) ::_exit(126);
    ::dup2(in, STDIN_FILENO);
    ::dup2(out, STDOUT_FILENO);
    ::dup2(out, STDERR_FILENO);
    ::signal(SIGINT, SIG_DFL);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// The last lines of `log` that say what went wrong, on one line.
std::string log_tail(const fs::path& log, std::streamoff since) {
  std::ifstream in(log);
  in.seekg(since);
  std::string line, text;
  std::vector<std::string> lines;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  const std::size_t from = lines.size() > 4 ? lines.size() - 4 : 0;
  for (std::size_t i = from; i < lines.size(); ++i) text += (text.empty() ? "" : " / ") + lines[i];
  return text.empty() ? "(nothing logged)" : text;
}

std::streamoff log_size(const fs::path& log) {
  std::error_code ec;
  const auto size = fs::file_size(log, ec);
  return ec ? 0 : static_cast<std::streamoff>(size);
}

// A port on 127.0.0.1 nobody listens on (asked of the kernel), or whether `port` is free.
int free_port(int wanted = 0) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw failure(std::string("cannot open a socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(wanted));
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) port = ntohs(address.sin_port);
  }
  ::close(fd);
  return port;
}

// A value for postgresql.conf: single-quoted, quotes doubled.
std::string conf_string(const std::string& value) {
  std::string quoted = "'";
  for (char c : value) {
    if (c == '\'') quoted += '\'';
    quoted += c;
  }
  return quoted + "'";
}

void chown_to(const fs::path& path, const RunAs& who) {
  if (who.switch_user && ::chown(path.c_str(), who.uid, who.gid) != 0) {
    throw failure("cannot give '" + path.string() + "' to the user '" + who.name + "': " + std::strerror(errno));
  }
}

// The longest unix socket path the kernel takes (sun_path, with its NUL).
constexpr std::size_t kMaxSocketPath = sizeof(sockaddr_un{}.sun_path) - 1;

}  // namespace

fs::path find_server_bindir() {
  if (const char* env = std::getenv("ROKSO_PG_BINDIR"); env && *env) {
    if (!has_server_programs(env)) {
      throw failure("ROKSO_PG_BINDIR ('" + std::string(env) + "') has no initdb and pg_ctl");
    }
    return env;
  }
  const std::string configured = pg_config_bindir();
  if (!configured.empty() && has_server_programs(configured)) return configured;
  fs::path best;
  int best_major = -1;
  std::error_code ec;
  for (fs::directory_iterator it("/usr/lib/postgresql", ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos || name.size() > 4) continue;
    const int major = std::stoi(name);
    if (major > best_major && has_server_programs(it->path() / "bin")) {
      best = it->path() / "bin";
      best_major = major;
    }
  }
  if (best.empty()) {
    throw failure("no PostgreSQL server programs (initdb, pg_ctl) found: install PostgreSQL's server package, "
                  "or set ROKSO_PG_BINDIR to the directory holding them");
  }
  return best;
}

DevServer::DevServer(const fs::path& project_root) : root_(project_root), dir_(project_root / ".rokso" / "dev") {}

bool DevServer::exists() const {
  std::error_code ec;
  return fs::exists(data_dir() / "PG_VERSION", ec);
}

int DevServer::port() const {
  std::ifstream in(dir_ / "port");
  int port = 0;
  in >> port;
  return port;
}

void DevServer::write_port(int port) {
  const fs::path tmp = dir_ / "port.tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << "\n";
    if (!out) throw failure("cannot write '" + tmp.string() + "'");
  }
  fs::rename(tmp, dir_ / "port");
}

std::optional<long> DevServer::running_pid() const {
  std::ifstream in(data_dir() / "postmaster.pid");
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno != EPERM) return std::nullopt;
  // A pid reused by another program after the server was killed is not our server.
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  std::getline(comm, name);
  if (name != "postgres" && name != "postmaster") return std::nullopt;
  return pid;
}

void DevServer::initialise() {
  const RunAs who = server_user();
  const fs::path state = project_state_dir(root_);
  // The server's user must be able to reach .rokso/dev; o+x lets it pass, not list.
  if (who.switch_user) ::chmod(state.c_str(), 0711);
  if (::mkdir(dir_.c_str(), 0700) != 0 && errno != EEXIST) {
    throw failure("cannot create '" + dir_.string() + "': " + std::strerror(errno));
  }
  ::chmod(dir_.c_str(), 0700);
  chown_to(dir_, who);
  const fs::path bindir = find_server_bindir();
  std::error_code ec;
  fs::remove_all(data_dir(), ec);  // what a failed earlier initdb left
  const std::streamoff since = log_size(log_file());
  const int code = run_program({(bindir / "initdb").string(), "-D", data_dir().string(), "-U", kDevUser,
                                "--auth=trust", "-N", "-E", "UTF8", "--locale=C.UTF-8"},
                               log_file(), who);
  if (code != 0) throw failure("initdb failed (log: " + log_file().string() + "): " + log_tail(log_file(), since));
  // Settings of a throwaway server: loopback only, its own socket dir, no durability.
  const fs::path socket = dir_ / ".s.PGSQL.65535";
  std::ofstream conf(data_dir() / "postgresql.conf", std::ios::app);
  conf << "\n# rokso dev: a throwaway server for trying migrations\n"
       << "listen_addresses = '127.0.0.1'\n"
       << "unix_socket_directories = " << conf_string(socket.string().size() <= kMaxSocketPath ? dir_.string() : "")
       << "\n"
       << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
       << "max_connections = 50\nshared_buffers = 32MB\n";
  if (!conf) throw failure("cannot write the dev server's postgresql.conf");
  write_port(free_port());
}

bool DevServer::start(int* moved_from) {
  if (moved_from) *moved_from = 0;
  bool made = false;
  if (!exists()) {
    initialise();
    made = true;
  } else if (running_pid()) {
    return false;
  }
  const RunAs who = server_user();
  const fs::path bindir = find_server_bindir();
  // A killed server's postmaster.pid names a dead process: ours to clear.
  std::error_code ec;
  fs::remove(data_dir() / "postmaster.pid", ec);
  int port = this->port();
  if (port <= 0 || free_port(port) != port) {
    if (moved_from && port > 0) *moved_from = port;
    port = free_port();
    write_port(port);
  }
  const std::streamoff since = log_size(log_file());
  int code = -1;
  // Right after a kill -9 the old server's children may hold its shared memory for a
  // moment; the new one refuses to start until they are gone.
  for (int attempt = 0; attempt < 20; ++attempt) {
    code = run_program({(bindir / "pg_ctl").string(), "-D", data_dir().string(), "-l", log_file().string(), "-w",
                        "-t", "30", "-o", "-p " + std::to_string(port), "start"},
                       log_file(), who);
    if (code == 0 || log_tail(log_file(), since).find("shared memory block") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (code != 0) {
    throw failure("the dev server did not start (log: " + log_file().string() + "): " + log_tail(log_file(), since));
  }
  if (made) {
    pqxx::connection c(connection_string(settings("postgres")));
    pqxx::nontransaction tx(c);
    tx.exec(std::string("CREATE DATABASE ") + kDevDatabase);
  }
  return true;
}

bool DevServer::stop() {
  if (!exists() || !running_pid()) return false;
  const RunAs who = server_user();
  const std::streamoff since = log_size(log_file());
  const int code = run_program({(find_server_bindir() / "pg_ctl").string(), "-D", data_dir().string(), "-m", "fast",
                                "-w", "-t", "60", "stop"},
                               log_file(), who);
  if (code != 0 && running_pid()) {
    throw failure("the dev server did not stop (log: " + log_file().string() + "): " + log_tail(log_file(), since));
  }
  return true;
}

void DevServer::reset() {
  pqxx::connection c(connection_string(settings("postgres")));
  pqxx::nontransaction tx(c);
  tx.exec(std::string("DROP DATABASE IF EXISTS ") + kDevDatabase + " WITH (FORCE)");
  tx.exec(std::string("CREATE DATABASE ") + kDevDatabase);
}

DatabaseSettings DevServer::settings(const std::string& dbname) const {
  DatabaseSettings s;
  s.host = "127.0.0.1";
  s.port = std::to_string(port());
  s.dbname = dbname;
  s.user = kDevUser;
  return s;
}

std::string DevServer::url(const std::string& dbname) const {
  return std::string("postgres://") + kDevUser + "@127.0.0.1:" + std::to_string(port()) + "/" + dbname;
}

std::string DevServer::psql() const {
  try {
    const fs::path candidate = find_server_bindir() / "psql";
    if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  } catch (const Error&) {
  }
  return "psql";
}

}  // namespace rokso
