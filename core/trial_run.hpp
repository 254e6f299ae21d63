// `migrate --check`: migrations applied one after the other in one transaction that is
// always rolled back, so a team learns whether they would succeed and nothing changes.
#pragma once

#include "core/database.hpp"

#include <memory>
#include <optional>
#include <string>

namespace rokso {

class TrialRun {
 public:
  // Opens the transaction, with the migration settings (Database::begin_migration()).
  explicit TrialRun(Database& db);
  // Rolls back whatever ran.
  ~TrialRun();
  TrialRun(const TrialRun&) = delete;
  TrialRun& operator=(const TrialRun&) = delete;

  // Runs a transactional migration's apply SQL as a real run would, each migration
  // starting from the same session state. nullopt when it ran; else the server's error
  // (with its LINE/caret context and SQLSTATE), and the transaction is dead.
  std::optional<std::string> apply(const std::string& apply_sql);
  // Whether the transaction is still the one opened: had a migration's SQL ended it,
  // what ran before would be committed.
  bool still_one_transaction();

 private:
  struct Transaction;  // the pqxx::work (trial_run.cpp)
  Database& db_;
  std::unique_ptr<Transaction> tx_;
  std::string xid_;
  int applied_ = 0;
};

}  // namespace rokso
