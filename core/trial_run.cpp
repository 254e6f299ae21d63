#include "core/trial_run.hpp"

#include "core/database_access.hpp"
#include "core/sql_script.hpp"
#include "core/transaction_control.hpp"

namespace rokso {

struct TrialRun::Transaction {
  explicit Transaction(pqxx::connection_base& c) : tx(c) {}
  pqxx::work tx;
};

TrialRun::TrialRun(Database& db) : db_(db), tx_(std::make_unique<Transaction>(db.connection())) {
  xid_ = db_.begin_migration(tx_->tx);
}

TrialRun::~TrialRun() {
  try {
    tx_->tx.abort();
  } catch (...) {
    // A dead connection rolled it back already.
  }
}

std::optional<std::string> TrialRun::apply(const std::string& apply_sql) {
  try {
    // As in a real run, each migration starts from the same session state.
    if (applied_ > 0) db_.reset_session(tx_->tx);
    if (!is_blank_sql(apply_sql)) tx_->tx.exec(sql_to_run_in_transaction(apply_sql));
  } catch (const pqxx::sql_error& e) {
    return describe_sql_error(e);
  }
  ++applied_;
  return std::nullopt;
}

bool TrialRun::still_one_transaction() { return db_.protect_bookkeeping(tx_->tx, xid_).same_transaction; }

}  // namespace rokso
