// Riding over a failover of a replicated cluster (pg_auto_failover, Patroni, ...; README:
// "Scaling out"). When the primary dies or is demoted in the middle of `migrate`, the
// migration in flight dies with its transaction, uncommitted, and the connection is
// lost. With a wait configured (config.json "failover_wait", migrate --failover-wait),
// migrate waits for a server that accepts writes, reconnects (a multi-host URL with
// target_session_attrs=read-write lets libpq find the new primary), takes its lock
// again, re-reads the version table and goes on from what it says is committed: nothing
// is lost and nothing is applied twice. Without a wait, a lost connection stops the run,
// as it always did: a team without a replicated cluster wants to hear at once that its
// server went away.
#pragma once

#include "core/database.hpp"

#include <string>

namespace rokso {

// After an Error in the middle of a run: when `db`'s connection was lost and `wait_s` is
// above 0, says so on stderr (with `lost`, the error's message), then tries to connect
// again every half second until a server that is not in recovery (a primary) answers,
// reconnects `db` to it and returns true. Returns false, doing nothing, when the
// connection was not lost or there is no wait: the caller lets the error go on. Throws
// Error(kExitFailed) naming the wait and the last reason when no primary answered in time.
bool reconnect_after_failover(Database& db, double wait_s, const std::string& lost);

}  // namespace rokso
