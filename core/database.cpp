#include "core/database.hpp"

#include "core/error.hpp"
#include "core/output.hpp"

#include <sys/socket.h>

#include <chrono>
#include <cstring>

namespace rokso {

// The server's NOTICEs (e.g. "relation already exists, skipping") are chatter unless
// -v is on; WARNINGs always reach the user.
class Database::NoticeRouter : public pqxx::errorhandler {
 public:
  explicit NoticeRouter(pqxx::connection_base& c) : pqxx::errorhandler(c) {}
  bool operator()(const char message[]) noexcept override {
    const bool warning = std::strncmp(message, "WARNING:", 8) == 0;
    if (warning || out::verbose()) {
      std::fflush(stdout);
      std::fputs(message, stderr);
    }
    return false;
  }
};

Database::Database(const DatabaseSettings& settings) : settings_(settings) {
  settings_.lock = with_lock_environment(settings.lock);
  try {
    connection_ = std::make_unique<pqxx::connection>(connection_string(settings));
  } catch (const pqxx::broken_connection& e) {
    throw failure("cannot connect to the database: " + one_line(e.what()));
  } catch (const pqxx::failure& e) {
    throw failure("cannot connect to the database: " + one_line(e.what()));
  }
  notices_ = std::make_unique<NoticeRouter>(*connection_);
}

Database::~Database() {
  notices_.reset();
  connection_.reset();
}

std::string Database::server_version() {
  pqxx::nontransaction tx(*connection_);
  return tx.exec1("SELECT version()")[0].as<std::string>();
}

void Database::prepare_for_migrations(const MigrationSettings& settings) {
  // One round trip, as plain SETs took: the settings are made only when the server
  // process answering is the one this connection logged in to (no pooler in between).
  std::string sql =
      "SELECT p.pid,"
      " CASE WHEN p.pid = $1 THEN set_config('lock_timeout', $2, false) END,"
      " CASE WHEN p.pid = $1 AND $3 <> '' THEN set_config('statement_timeout', $3, false) END";
  if (connection_->server_version() >= 140000) {
    sql += ", CASE WHEN p.pid = $1 THEN set_config('client_connection_check_interval', '1000', false) END";
  }
  sql += " FROM (SELECT pg_catalog.pg_backend_pid() AS pid) p";
  pqxx::nontransaction tx(*connection_);
  const pqxx::row row = tx.exec_params1(sql, connection_->backendpid(), settings.lock_timeout, settings.statement_timeout);
  if (note_server_pid(row[0].as<int>())) {
    transaction_settings_ = settings;
  } else {
    transaction_settings_.reset();
  }
}

void Database::apply_transaction_settings(pqxx::transaction_base& tx) {
  if (!transaction_settings_) return;
  const MigrationSettings& s = *transaction_settings_;
  std::string sql = "SELECT set_config('lock_timeout', $1, true)";
  if (!s.statement_timeout.empty()) sql += ", set_config('statement_timeout', $2, true)";
  if (connection_->server_version() >= 140000) sql += ", set_config('client_connection_check_interval', '1000', true)";
  if (s.statement_timeout.empty()) {
    tx.exec_params(sql, s.lock_timeout);
  } else {
    tx.exec_params(sql, s.lock_timeout, s.statement_timeout);
  }
}

Database::ReplyDeadline::ReplyDeadline(Database& db, double seconds) {
  const int socket = db.connection().sock();
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  watcher_ = std::thread([this, socket, deadline] {
    std::unique_lock<std::mutex> lock(mutex_);
    if (wake_.wait_until(lock, deadline, [this] { return done_; })) return;
    expired_ = true;
    // Not close(): the descriptor stays libpq's; the waiting poll() wakes up to an end of file.
    if (socket >= 0) ::shutdown(socket, SHUT_RDWR);
  });
}

Database::ReplyDeadline::~ReplyDeadline() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    done_ = true;
  }
  wake_.notify_all();
  watcher_.join();
}

bool Database::note_server_pid(int pid) {
  const bool differs = pid != connection_->backendpid();
  if (differs) behind_pooler_ = true;
  return differs;
}

std::string describe_sql_error(const pqxx::sql_error& e) {
  std::string text = e.what();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (!e.sqlstate().empty()) text += "\n(SQLSTATE " + e.sqlstate() + ")";
  return text;
}

std::string compatible_identifier(const std::string& name) {
  bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9') && name[0] != '$';
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '$';
    if (!ok) plain = false;
  }
  std::string folded = name;
  if (plain) {
    for (char& c : folded) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  std::string quoted = "\"";
  for (char c : folded) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace rokso
