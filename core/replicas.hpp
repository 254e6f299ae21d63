// The streaming replicas of the primary rokso is connected to, as pg_stat_replication
// shows them: their lag for `status -v`, and `migrate --wait-replicas`, which waits until
// every one has replayed what migrate committed, so that applications reading from the
// replicas see the new schema when migrate returns (README: "Scaling out").
// The lag columns need a superuser or pg_read_all_stats; without them rokso says so.
#pragma once

#include "core/database.hpp"

#include <optional>
#include <string>
#include <vector>

namespace rokso {

struct Replica {
  std::string name;         // application_name, else the client address, else "pid N"
  std::string client_addr;  // "" over a unix socket
  std::string state;        // streaming, catchup, ...
  std::optional<long long> replay_lag_bytes;  // behind the primary's current WAL position
  std::optional<double> replay_lag_s;         // pg_stat_replication.replay_lag, when known
};

// The replicas, by name; none when the server is itself a standby or has none.
std::vector<Replica> replicas(Database& db);

// Waits until every replica (but base backups in progress) has replayed past the
// primary's current WAL position, polling for at most `timeout_s` seconds. Throws
// Error(kExitFailed) naming the replicas still behind, and how far, when time is up, or
// when the role may not see their progress.
void wait_for_replicas(Database& db, double timeout_s);

}  // namespace rokso
