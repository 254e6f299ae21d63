// A database made for one command (verify, diff) and dropped when it ends: by the
// destructor normally, else by a guardian process that outlives a killed or
// interrupted rokso (it waits for this process's end on a pipe, then drops it).
#pragma once

#include "core/config.hpp"
#include "core/project.hpp"

#include <optional>
#include <string>

namespace rokso {

// The server to make throwaway databases on: `dev_url` (a libpq URL or connection
// string) when given, else the project's dev server, started when it is not running
// (it is left running). Throws Error(kExitUsage) for a URL libpq cannot read.
DatabaseSettings throwaway_server(const std::optional<std::string>& dev_url, const Project& project);

class ThrowawayDatabase {
 public:
  // Creates rokso_<purpose>_<pid>_<n> on `server` (connecting to its database).
  ThrowawayDatabase(const DatabaseSettings& server, const std::string& purpose);
  ~ThrowawayDatabase();
  ThrowawayDatabase(const ThrowawayDatabase&) = delete;
  ThrowawayDatabase& operator=(const ThrowawayDatabase&) = delete;

  const std::string& name() const { return name_; }
  // The server's settings with this database.
  DatabaseSettings settings() const;
  // Drops it now (all its connections closed first). Safe to call twice.
  void drop();

 private:
  DatabaseSettings server_;
  std::string name_;
  int guardian_pipe_ = -1;  // write end; the guardian wakes when it closes
  bool dropped_ = false;
};

}  // namespace rokso
