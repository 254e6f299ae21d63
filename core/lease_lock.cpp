#include "core/lease_lock.hpp"

#include "core/database_access.hpp"
#include "core/error.hpp"
#include "core/table_trust.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <random>

namespace rokso {
namespace {

using Clock = std::chrono::steady_clock;

// Reads one double-quoted identifier at `pos` ("" inside stands for "), advancing pos.
std::string random_token() {
  std::random_device device;
  char text[33];
  for (int i = 0; i < 4; ++i) {
    std::snprintf(text + 8 * i, 9, "%08x", static_cast<unsigned>(device()));
  }
  return std::string(text, 32);
}

std::string describe_this_process() {
  char host[256] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return "rokso pid " + std::to_string(static_cast<long long>(::getpid())) + (host[0] ? " on host " + std::string(host) : "");
}

// The lease is lost or cannot be kept: stop at once, as a kill would. The open
// transaction, if any, dies with the connection, so nothing is half-applied.
[[noreturn]] void stop_process(const std::string& message) {
  std::fflush(stdout);
  std::fprintf(stderr, "error: %s\n", message.c_str());
  std::fflush(stderr);
  ::_exit(kExitFailed);
}

}  // namespace

std::string lease_table_name(const TableIdentity& version_table) {
  const std::string& table = version_table.name;
  const std::string name = table + "_lock";
  if (name.size() > 63) {
    throw usage_error("the version table name '" + table + "' is too long for lock_mode \"lease\": its lease table '" +
                      name + "' would pass PostgreSQL's 63 bytes");
  }
  return TableIdentity{version_table.schema, name}.sql_name();
}

std::optional<std::string> live_lease(pqxx::connection_base& c, const std::string& lease_table) {
  pqxx::nontransaction tx(c);
  pqxx::result r = tx.exec(
      "SELECT held_by, pg_catalog.ceil(extract(epoch FROM expires_at - pg_catalog.now()))::bigint FROM " +
          lease_table +
      " WHERE expires_at > pg_catalog.now()");
  if (r.empty()) return std::nullopt;
  return "lease held by " + r[0][0].as<std::string>() + ", expires in " + r[0][1].as<std::string>() + " s";
}

LeaseLock::LeaseLock(Database& db, std::string key, std::string lease_table)
    : db_(db),
      key_(std::move(key)),
      table_(std::move(lease_table)),
      token_(random_token()),
      held_by_(describe_this_process()),
      expiry_s_(db.lock_settings().lease_expiry_s) {}

bool LeaseLock::try_acquire(std::string* holder) {
  if (!insert_or_take_over()) {
    if (holder) {
      try {
        if (auto lease = live_lease(db_.connection(), table_)) *holder = *lease;
      } catch (const pqxx::sql_error&) {
        // Only used for the message.
      }
    }
    return false;
  }
  // Ours now, and committed. A rokso in session mode may hold this version table: it
  // looks for our row after taking its lock, we look for its lock after taking ours, so
  // at least one of two that race sees the other (and backs off).
  if (auto pid = session_lock_holder(db_.connection(), key_)) {
    release_row();
    if (holder) *holder = "server process " + std::to_string(*pid);
    return false;
  }
  held_ = true;
  renewer_ = std::thread([this] { renew_loop(); });
  return true;
}

std::string LeaseLock::probe_sql() const {
  // The token is hex digits of our own.
  return "EXISTS (SELECT FROM " + table_ + " WHERE holder = '" + token_ +
         "' AND expires_at > pg_catalog.clock_timestamp())";
}

bool LeaseLock::insert_or_take_over() {
  const std::string sql =
      "INSERT INTO " + table_ +
      " AS l (singleton, holder, held_by, acquired_at, expires_at)"
      " VALUES (true, $1, $2, pg_catalog.now(), pg_catalog.now() + pg_catalog.make_interval(secs => $3))"
      " ON CONFLICT (singleton) DO UPDATE SET holder = EXCLUDED.holder, held_by = EXCLUDED.held_by,"
      " acquired_at = EXCLUDED.acquired_at, expires_at = EXCLUDED.expires_at"
      " WHERE l.expires_at <= pg_catalog.now()"
      " RETURNING pg_catalog.pg_backend_pid()";
  for (int attempt = 0;; ++attempt) {
    try {
      pqxx::nontransaction tx(db_.connection());
      if (!table_checked_) {
        check_own_table(tx, table_, table_);
        table_checked_ = true;
      }
      pqxx::result r = tx.exec_params(sql, token_, held_by_, expiry_s_);
      if (r.empty()) return false;
      db_.note_server_pid(r[0][0].as<int>());
      return true;
    } catch (const pqxx::undefined_table&) {
      if (attempt > 0) throw;
      create_table();
    }
  }
}

void LeaseLock::create_table() {
  try {
    pqxx::work tx(db_.connection());
    // A transaction-level advisory lock works through any pooler: it keeps racing
    // first runs from tripping over each other's CREATE TABLE IF NOT EXISTS.
    tx.exec_params("SELECT pg_catalog.pg_advisory_xact_lock(" + std::string(kAdvisoryLockClass) +
                       ", pg_catalog.hashtext($1))",
                   table_);
    const bool created = tx.exec_params1("SELECT pg_catalog.to_regclass($1) IS NULL", table_)[0].as<bool>();
    tx.exec("CREATE TABLE IF NOT EXISTS " + table_ +
            " (singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),"
            " holder text NOT NULL, held_by text NOT NULL,"
            " acquired_at timestamptz NOT NULL, expires_at timestamptz NOT NULL)");
    if (created) make_owner_only(tx, table_);
    check_own_table(tx, table_, table_);
    tx.commit();
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const pqxx::sql_error& e) {
    throw failure("cannot create the lease table " + table_ + ": " + one_line(e.what()));
  }
}

void LeaseLock::release_row() {
  pqxx::nontransaction tx(db_.connection());
  tx.exec_params("DELETE FROM " + table_ + " WHERE holder = $1", token_);
}

void LeaseLock::renew_loop() {
  const auto period = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(expiry_s_ / 3));
  const auto expiry = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(expiry_s_));
  // Conservative: the lease runs from when it was asked for, by this clock.
  auto renewed = Clock::now();
  auto next = renewed + period;
  std::unique_ptr<Database> own;  // opened when first needed, so short runs never open it
  const std::string sql =
      "UPDATE " + table_ +
      " SET expires_at = pg_catalog.now() + pg_catalog.make_interval(secs => $2) WHERE holder = $1 RETURNING 1";
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (wake_.wait_until(lock, next, [this] { return stop_; })) return;
    }
    const auto asked = Clock::now();
    std::string problem;
    try {
      if (!own) own = std::make_unique<Database>(db_.settings());
      pqxx::nontransaction tx(own->connection());
      if (tx.exec_params(sql, token_, expiry_s_).empty()) {
        stop_process("lost the migration lease on " + table_ +
                     ": it expired and another rokso took it over; stopping (the migration in progress is rolled "
                     "back); raise \"lock_lease_expiry\" if this process was only slow");
      }
      renewed = asked;
      next = asked + period;
      continue;
    } catch (const std::exception& e) {
      problem = one_line(e.what());
    }
    own.reset();
    if (Clock::now() + std::chrono::seconds(1) >= renewed + expiry) {
      stop_process("cannot renew the migration lease on " + table_ + " before it expires (" + problem +
                   "); stopping (the migration in progress is rolled back)");
    }
    next = std::min(Clock::now() + std::chrono::seconds(1), renewed + expiry - std::chrono::seconds(1));
  }
}

LeaseLock::~LeaseLock() {
  if (renewer_.joinable()) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    renewer_.join();
  }
  if (!held_) return;
  try {
    release_row();
  } catch (...) {
    // The lease expires by itself.
  }
}

}  // namespace rokso
