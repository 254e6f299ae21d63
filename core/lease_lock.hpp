// The pooler-safe migration lock (lock_mode "lease"): one row in a small rokso-owned
// table next to the version table, "<schema>"."<version table>_lock", created on first
// use:
//
//   singleton boolean PRIMARY KEY  -- always true: the table holds at most one row
//   holder      text               -- a random token, this process's alone
//   held_by     text               -- "rokso pid 1234 on host ci-7", for the waiting message
//   acquired_at timestamptz
//   expires_at  timestamptz        -- the server's clock, never the client's
//
// Taking it is one autocommit statement, INSERT ... ON CONFLICT DO UPDATE ... WHERE
// expires_at <= now() RETURNING, so it needs no session state and works through
// PgBouncer in transaction (or statement) pooling mode. A background thread renews it
// every third of lock_lease_expiry (default 60 s) on a connection of its own, opened only
// when the first renewal is due (a run shorter than that costs nothing more), so a single
// migration longer than the lease keeps it too. If a renewal finds the lease taken over,
// or cannot renew it before it would expire, the process stops at once (exit 1), like a
// kill: the open transaction dies with its connection, so nothing is half-applied.
// A killed holder blocks others until its lease expires, never longer.
#pragma once

#include "core/database.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace rokso {

// The two-int4 advisory lock space's first key: "roks". The second is hashtext() of
// the version table's quoted name.
inline constexpr const char* kAdvisoryLockClass = "1919904627";

// "<schema>"."<table>_lock", quoted for SQL, for the version table <schema>.<table>.
// Throws Error(kExitUsage) when the name would pass PostgreSQL's 63 bytes.
std::string lease_table_name(const TableIdentity& version_table);

// A live lease on `lease_table` described as "lease held by rokso pid 1234 on host h,
// expires in 41 s", or nullopt when there is none (the table must exist).
std::optional<std::string> live_lease(pqxx::connection_base& c, const std::string& lease_table);

// The server process holding the session-mode advisory lock for `key`, if any.
std::optional<long long> session_lock_holder(pqxx::connection_base& c, const std::string& key);

class LeaseLock {
 public:
  LeaseLock(Database& db, std::string key, std::string lease_table);
  // Stops renewing and deletes the row.
  ~LeaseLock();
  LeaseLock(const LeaseLock&) = delete;
  LeaseLock& operator=(const LeaseLock&) = delete;

  // One attempt: true when the lease is now ours (and no session-mode rokso holds the
  // advisory lock), and then renewal runs. Otherwise false, with *holder set to who
  // holds it when holder is not null.
  bool try_acquire(std::string* holder);

  // A boolean SQL expression, true while the lease is ours and unexpired (for
  // Database::set_lock_probe()).
  std::string probe_sql() const;

 private:
  bool insert_or_take_over();
  void create_table();
  void release_row();
  void renew_loop();

  Database& db_;
  std::string key_;
  std::string table_;
  std::string token_;
  std::string held_by_;
  double expiry_s_;
  bool held_ = false;
  bool table_checked_ = false;  // the lease table is one rokso may use (core/table_trust.hpp)

  std::thread renewer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
};

}  // namespace rokso
