#include "core/connection_settings.hpp"
#include "core/throwaway_database.hpp"

#include "core/database.hpp"
#include "core/dev_server.hpp"
#include "core/error.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <signal.h>
#include <unistd.h>

#include "core/database_access.hpp"

#include <chrono>
#include <cstring>
#include <random>

namespace rokso {

namespace {

std::string drop_statement(const std::string& name) {
  return "DROP DATABASE IF EXISTS " + compatible_identifier(name) + " WITH (FORCE)";
}

// In the guardian (a child that must not touch its parent's objects): waits until the
// parent is gone, drops the database, and exits.
[[noreturn]] void guard(int read_end, const DatabaseSettings& server, const std::string& name) {
  ::setsid();  // Ctrl-C reaches rokso's process group, not the guardian
  ::signal(SIGINT, SIG_IGN);
  ::signal(SIGTERM, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  const int null = ::open("/dev/null", O_RDWR);
  if (null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    ::dup2(null, STDERR_FILENO);
  }
  char byte;
  while (::read(read_end, &byte, 1) != 0) {
    if (errno != EINTR) break;
  }
  try {
    pqxx::connection c(connection_string(server));
    pqxx::nontransaction tx(c);
    tx.exec(drop_statement(name));
  } catch (...) {
  }
  ::_exit(0);
}

}  // namespace

DatabaseSettings throwaway_server(const std::optional<std::string>& dev_url, const Project& project) {
  if (!dev_url) {
    DevServer server(project.root);
    server.start();
    return server.settings("postgres");
  }
  char* message = nullptr;
  PQconninfoOption* options = PQconninfoParse(dev_url->c_str(), &message);
  if (!options) {
    std::string why = message ? message : "out of memory";
    PQfreemem(message);
    throw usage_error("--dev-url is not a connection URL libpq reads: " + one_line(why));
  }
  DatabaseSettings s;
  for (PQconninfoOption* o = options; o->keyword; ++o) {
    if (!o->val || !*o->val) continue;
    const std::string key = o->keyword;
    if (key == "host" || key == "hostaddr") s.host = o->val;
    if (key == "port") s.port = o->val;
    if (key == "dbname") s.dbname = o->val;
    if (key == "user") s.user = o->val;
    if (key == "password") s.password = o->val;
  }
  PQconninfoFree(options);
  if (!s.dbname) s.dbname = "postgres";
  return s;
}

ThrowawayDatabase::ThrowawayDatabase(const DatabaseSettings& server, const std::string& purpose) : server_(server) {
  std::random_device random;
  name_ = "rokso_" + purpose + "_" + std::to_string(::getpid()) + "_" + std::to_string(random() % 100000);
  {
    pqxx::connection c(connection_string(server_));
    pqxx::nontransaction tx(c);
    try {
      tx.exec("CREATE DATABASE " + compatible_identifier(name_) + " TEMPLATE template0");
    } catch (const pqxx::sql_error& e) {
      throw failure("cannot create a throwaway database on " + describe_connection(server_) + ": " + one_line(e.what()));
    }
  }
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    drop();
    throw failure(std::string("cannot make a pipe: ") + std::strerror(errno));
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[1]);
    guard(fds[0], server_, name_);
  }
  ::close(fds[0]);
  if (pid < 0) {
    ::close(fds[1]);
    drop();
    throw failure(std::string("cannot start the throwaway database's guardian: ") + std::strerror(errno));
  }
  guardian_pipe_ = fds[1];
}

ThrowawayDatabase::~ThrowawayDatabase() {
  try {
    drop();
  } catch (...) {
  }
  if (guardian_pipe_ >= 0) ::close(guardian_pipe_);
}

DatabaseSettings ThrowawayDatabase::settings() const {
  DatabaseSettings s = server_;
  s.dbname = name_;
  return s;
}

void ThrowawayDatabase::drop() {
  if (dropped_) return;
  dropped_ = true;
  pqxx::connection c(connection_string(server_));
  pqxx::nontransaction tx(c);
  tx.exec(drop_statement(name_));
}

}  // namespace rokso
