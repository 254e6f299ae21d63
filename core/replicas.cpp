#include "core/replicas.hpp"

#include "core/database_access.hpp"
#include "core/error.hpp"

#include <chrono>
#include <cstdio>
#include <thread>

namespace rokso {
namespace {

// Name, address and state of every replica; %s is where the query puts its own columns.
constexpr const char* kReplicaColumns =
    "COALESCE(NULLIF(application_name, ''), pg_catalog.host(client_addr), 'pid ' || pid), "
    "COALESCE(pg_catalog.host(client_addr), ''), COALESCE(state, '')";

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", seconds);
  return text;
}

bool in_recovery(pqxx::transaction_base& tx) {
  return tx.exec1("SELECT pg_catalog.pg_is_in_recovery()")[0].as<bool>();
}

}  // namespace

std::vector<Replica> replicas(Database& db) {
  std::vector<Replica> found;
  try {
    pqxx::nontransaction tx(db.connection());
    if (in_recovery(tx)) return found;
    const pqxx::result rows = tx.exec(
        std::string("SELECT ") + kReplicaColumns +
        ", pg_catalog.pg_wal_lsn_diff(pg_catalog.pg_current_wal_lsn(), replay_lsn)::bigint,"
        " EXTRACT(epoch FROM replay_lag)::float8 FROM pg_catalog.pg_stat_replication ORDER BY 1, 2");
    for (const auto& row : rows) {
      Replica r{row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<std::string>(), std::nullopt, std::nullopt};
      if (!row[3].is_null()) r.replay_lag_bytes = row[3].as<long long>();
      if (!row[4].is_null()) r.replay_lag_s = row[4].as<double>();
      found.push_back(std::move(r));
    }
  } catch (const pqxx::broken_connection& e) {
    throw failure("lost the database connection: " + one_line(e.what()));
  } catch (const pqxx::sql_error& e) {
    throw failure("cannot read pg_stat_replication: " + one_line(e.what()));
  }
  return found;
}

void wait_for_replicas(Database& db, double timeout_s) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration<double>(timeout_s);
  try {
    std::string target;
    {
      pqxx::nontransaction tx(db.connection());
      if (in_recovery(tx)) return;
      target = tx.exec1("SELECT pg_catalog.pg_current_wal_lsn()::text")[0].as<std::string>();
    }
    for (;;) {
      std::vector<std::string> behind, hidden;
      {
        pqxx::nontransaction tx(db.connection());
        const pqxx::result rows = tx.exec_params(
            std::string("SELECT ") + kReplicaColumns +
                ", replay_lsn IS NULL, COALESCE(pg_catalog.pg_wal_lsn_diff($1::pg_lsn, replay_lsn)::bigint, 0)"
                " FROM pg_catalog.pg_stat_replication WHERE state IS DISTINCT FROM 'backup' ORDER BY 1, 2",
            target);
        for (const auto& row : rows) {
          std::string who = row[0].as<std::string>();
          if (!row[1].as<std::string>().empty() && row[1].as<std::string>() != who) who += " (" + row[1].as<std::string>() + ")";
          if (row[3].as<bool>()) {
            hidden.push_back(who);
          } else if (row[4].as<long long>() > 0) {
            behind.push_back(who + ", " + std::to_string(row[4].as<long long>()) + " bytes behind, " +
                             row[2].as<std::string>());
          }
        }
      }
      if (!hidden.empty()) {
        throw failure("cannot see how far replica " + hidden.front() +
                      " has replayed (pg_stat_replication needs a superuser or pg_read_all_stats)");
      }
      if (behind.empty()) return;
      if (Clock::now() >= deadline) {
        std::string list;
        for (const std::string& b : behind) list += (list.empty() ? "" : "; ") + b;
        throw failure("replica(s) did not replay the migrations within " + seconds_text(timeout_s) + " s (--wait-replicas): " +
                      list + "; they are committed on the primary");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  } catch (const pqxx::broken_connection& e) {
    throw failure("lost the database connection while waiting for the replicas: " + one_line(e.what()));
  } catch (const pqxx::sql_error& e) {
    throw failure("cannot wait for the replicas: " + one_line(e.what()));
  }
}

}  // namespace rokso
