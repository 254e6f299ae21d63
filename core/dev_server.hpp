// `rokso dev`: a throwaway PostgreSQL of the project's own, made and run by rokso from
// the system's server programs (initdb, pg_ctl), with its data and socket in
// <project>/.rokso/dev/ (mode 0700). It listens on 127.0.0.1 only, on a port chosen
// free when it is made (and again when that port is taken later), trusts every
// connection that reaches it (its own socket and loopback only), and runs with fsync
// off: it is for trying migrations, never for data anyone keeps.
//
// Run as root, the server runs as $ROKSO_DEV_USER, else `postgres` (initdb refuses
// root), which then owns .rokso/dev/; .rokso/ itself gets o+x so that user can reach it.
// Otherwise it runs as the invoking user.
#pragma once

#include "core/config.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace rokso {

// The database `rokso dev` makes on its server, and the role everything connects as.
extern const char* const kDevDatabase;
extern const char* const kDevUser;

// The directory holding initdb and pg_ctl: $ROKSO_PG_BINDIR, else `pg_config --bindir`
// when it holds them (libpq-dev's pg_config points at /usr/bin, which does not), else
// the newest /usr/lib/postgresql/<major>/bin. Throws Error(kExitFailed) when none has them.
std::filesystem::path find_server_bindir();

class DevServer {
 public:
  // The dev server of the project at `project_root` (nothing is made or started yet).
  explicit DevServer(const std::filesystem::path& project_root);

  // <project>/.rokso/dev
  const std::filesystem::path& dir() const { return dir_; }
  // Whether initdb has made its data directory.
  bool exists() const;
  // The postmaster's pid when it runs; nullopt when it does not (a postmaster.pid left
  // by a killed server counts as not running).
  std::optional<long> running_pid() const;
  // The port it listens on (or will, when started); 0 before it was ever made.
  int port() const;

  // Makes it (initdb and the `dev` database) when it does not exist, and starts it
  // unless it runs. Returns false when it was running already. Throws Error(kExitFailed)
  // with the server's log lines when it cannot. When its port was taken meanwhile, it
  // moves to a free one: `moved_from` (if set) gets the old port, else 0.
  bool start(int* moved_from = nullptr);
  // Stops it (fast shutdown). Returns false when it was not running.
  bool stop();
  // Drops and recreates the `dev` database. REQUIRES: running.
  void reset();

  // Connection settings for `dbname` on it (127.0.0.1, its port, role rokso, no password).
  DatabaseSettings settings(const std::string& dbname = kDevDatabase) const;
  // postgres://rokso@127.0.0.1:<port>/<dbname>
  std::string url(const std::string& dbname = kDevDatabase) const;
  // The psql of its server programs (else psql on PATH).
  std::string psql() const;

 private:
  std::filesystem::path data_dir() const { return dir_ / "data"; }
  std::filesystem::path log_file() const { return dir_ / "server.log"; }
  void initialise();
  void write_port(int port);

  std::filesystem::path root_;
  std::filesystem::path dir_;
};

}  // namespace rokso
