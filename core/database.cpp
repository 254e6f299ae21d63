#include "core/database.hpp"

#include "core/error.hpp"
#include "core/output.hpp"

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

Database::Database(const DatabaseSettings& settings) {
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
  pqxx::nontransaction tx(*connection_);
  // The values were checked to be plain durations (check_migration_settings); quoted anyway.
  std::string sql = "SET lock_timeout = " + tx.quote(settings.lock_timeout);
  if (!settings.statement_timeout.empty()) sql += "; SET statement_timeout = " + tx.quote(settings.statement_timeout);
  if (connection_->server_version() >= 140000) sql += "; SET client_connection_check_interval = 1000";
  tx.exec(sql);
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
