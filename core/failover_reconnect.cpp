#include "core/failover_reconnect.hpp"

#include "core/database_access.hpp"
#include "core/error.hpp"
#include "core/output.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

namespace rokso {
namespace {

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", seconds);
  return text;
}

// Whether the server `db` reached takes writes: a standby (a node that has not been
// promoted yet, or a URL without target_session_attrs) does not.
bool is_primary(Database& db) {
  pqxx::nontransaction tx(db.connection());
  return !tx.exec1("SELECT pg_catalog.pg_is_in_recovery()")[0].as<bool>();
}

}  // namespace

bool reconnect_after_failover(Database& db, double wait_s, const std::string& lost) {
  if (wait_s <= 0 || !db.connection_lost()) return false;
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration<double>(wait_s);
  out::warning(lost + "; waiting up to " + seconds_text(wait_s) + " s for a primary to reconnect to (failover_wait)");
  std::string reason = "no server answered";
  for (;;) {
    try {
      db.reconnect();
      if (is_primary(db)) {
        const Database::Endpoint at = db.endpoint();
        out::warning("reconnected to the primary at " + at.host + ":" + at.port +
                     "; taking the migration lock again and going on from what the version table says");
        return true;
      }
      reason = "the server that answered is a standby (in recovery)";
    } catch (const Error& e) {
      reason = e.what();
    } catch (const pqxx::failure& e) {
      reason = one_line(e.what());
    }
    if (Clock::now() >= deadline) {
      throw failure("lost the database connection and no primary accepted a connection within failover_wait (" +
                    seconds_text(wait_s) + " s): " + reason);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

}  // namespace rokso
