#include "core/database_access.hpp"

#include "core/connection_settings.hpp"
#include "core/error.hpp"
#include "core/table_identity.hpp"
#include "core/output.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>

namespace rokso {

struct Database::Handle {
  explicit Handle(const std::string& options) : c(options) {}
  pqxx::connection c;
};

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

namespace {

// "cannot connect to the database (from DATABASE_URL postgres://u:***@h/db): <libpq's
// reason>": which source won says why this server. libpq's reasons quote hosts and
// users, not passwords; the password is masked anyway should a future one quote it.
std::string connect_failure_message(const DatabaseSettings& settings, const std::string& reason) {
  std::string message = "cannot connect to the database";
  if (settings.url) message += " (from " + settings.origin + " " + mask_url(*settings.url) + ")";
  std::string why = one_line(reason);
  if (settings.password && !settings.password->empty()) {
    for (std::size_t at = why.find(*settings.password); at != std::string::npos; at = why.find(*settings.password, at + 3)) {
      why.replace(at, settings.password->size(), "***");
    }
  }
  return message + ": " + why;
}

}  // namespace

Database::Database(const DatabaseSettings& settings) : settings_(settings) {
  settings_.lock = with_lock_environment(settings.lock);
  try {
    connection_ = std::make_unique<Handle>(connection_string(settings));
  } catch (const pqxx::failure& e) {
    throw failure(connect_failure_message(settings, e.what()));
  }
  notices_ = std::make_unique<NoticeRouter>(connection_->c);
}

Database::~Database() {
  notices_.reset();
  connection_.reset();
}

pqxx::connection_base& Database::connection() { return connection_->c; }

bool Database::connection_lost() const { return !connection_ || !connection_->c.is_open(); }

void Database::reconnect() {
  std::unique_ptr<Handle> fresh;
  try {
    fresh = std::make_unique<Handle>(connection_string(settings_));
  } catch (const pqxx::failure& e) {
    throw failure(connect_failure_message(settings_, e.what()));
  }
  notices_.reset();  // unregisters from the old connection, before that goes
  connection_ = std::move(fresh);
  notices_ = std::make_unique<NoticeRouter>(connection_->c);
  behind_pooler_ = false;
  migration_settings_.reset();
  client_encoding_.clear();
  lock_probe_.clear();
}

std::string Database::quote_name(const std::string& name) { return connection_->c.quote_name(name); }

std::string Database::server_version() {
  pqxx::nontransaction tx(connection_->c);
  return tx.exec1("SELECT version()")[0].as<std::string>();
}

std::vector<std::string> Database::user_schemas() {
  pqxx::nontransaction tx(connection_->c);
  std::vector<std::string> names;
  for (const auto& row : tx.exec(
           "SELECT nspname FROM pg_catalog.pg_namespace "
           "WHERE nspname <> 'information_schema' AND nspname !~ '^pg_' ORDER BY nspname")) {
    names.push_back(row[0].as<std::string>());
  }
  return names;
}

void Database::create_schema_if_missing(const std::string& schema) {
  pqxx::nontransaction tx(connection_->c);
  tx.exec("CREATE SCHEMA IF NOT EXISTS " + compatible_identifier(schema));
}

int Database::server_version_number() { return connection_->c.server_version(); }

Database::Endpoint Database::endpoint() {
  pqxx::connection& c = connection_->c;
  const char* host = c.hostname();
  const char* port = c.port();
  return {c.username() ? c.username() : "", c.dbname() ? c.dbname() : "", host ? host : "", port ? port : ""};
}

std::optional<std::string> Database::normalized_timestamp(const std::string& text, std::string* problem) {
  try {
    pqxx::nontransaction tx(connection_->c);
    return tx.exec_params1("SELECT to_char($1::timestamp, 'YYYY-MM-DD HH24:MI:SS.US')", text)[0].as<std::string>();
  } catch (const pqxx::broken_connection&) {
    throw;
  } catch (const pqxx::sql_error& e) {
    // Class 22: data exception (invalid syntax, out of range).
    if (e.sqlstate().compare(0, 2, "22") != 0) throw;
    // The server's primary message only ("invalid input syntax for type timestamp: ...").
    std::string message = e.what();
    message = message.substr(0, message.find('\n'));
    if (message.compare(0, 6, "ERROR:") == 0) message.erase(0, std::min(message.size(), message.find_first_not_of(' ', 6)));
    if (problem) *problem = message;
    return std::nullopt;
  }
}

namespace {

// "pg_catalog.set_config('lock_timeout', <value>, <local>), ..." for `settings`, with the
// values quoted by `quote`.
template <typename Quote>
std::string settings_sql(const MigrationSettings& settings, bool local, int server_version, Quote quote) {
  const std::string scope = local ? "true" : "false";
  std::string sql = "pg_catalog.set_config('lock_timeout', " + quote(settings.lock_timeout) + ", " + scope + ")";
  if (!settings.statement_timeout.empty()) {
    sql += ", pg_catalog.set_config('statement_timeout', " + quote(settings.statement_timeout) + ", " + scope + ")";
  }
  if (!settings.search_path.empty()) {
    sql += ", pg_catalog.set_config('search_path', " + quote(settings.search_path) + ", " + scope + ")";
  }
  if (server_version >= 140000) {
    sql += ", pg_catalog.set_config('client_connection_check_interval', '1000', " + scope + ")";
  }
  return sql;
}

}  // namespace

void Database::prepare_for_migrations(const MigrationSettings& settings) {
  // One round trip, as plain SETs took: the settings are made only when the server
  // process answering is the one this connection logged in to (no pooler in between).
  std::string sql =
      "SELECT p.pid, pg_catalog.current_setting('client_encoding'),"
      " CASE WHEN p.pid = $1 THEN pg_catalog.set_config('lock_timeout', $2, false) END,"
      " CASE WHEN p.pid = $1 AND $3 <> '' THEN pg_catalog.set_config('statement_timeout', $3, false) END,"
      " CASE WHEN p.pid = $1 AND $4 <> '' THEN pg_catalog.set_config('search_path', $4, false) END";
  if (connection_->c.server_version() >= 140000) {
    sql +=
        ", CASE WHEN p.pid = $1 THEN pg_catalog.set_config('client_connection_check_interval', '1000', false) END";
  }
  sql += " FROM (SELECT pg_catalog.pg_backend_pid() AS pid) p";
  pqxx::nontransaction tx(connection_->c);
  const pqxx::row row = tx.exec_params1(sql, connection_->c.backendpid(), settings.lock_timeout, settings.statement_timeout,
                                          settings.search_path);
  note_server_pid(row[0].as<int>());
  client_encoding_ = row[1].as<std::string>();
  migration_settings_ = settings;
}

std::string Database::begin_migration(pqxx::transaction_base& tx) {
  std::string sql = "SELECT pg_catalog.txid_current()";
  if (migration_settings_) {
    sql += ", " + settings_sql(*migration_settings_, true, connection_->c.server_version(),
                               [&tx](const std::string& v) { return tx.quote(v); });
  }
  return tx.exec1(sql)[0].as<std::string>();
}

Database::BookkeepingCheck Database::protect_bookkeeping(pqxx::transaction_base& tx, const std::string& xid) {
  if (xid.find_first_not_of("0123456789") != std::string::npos) throw failure("internal: bad transaction id " + xid);
  // SET LOCAL: the migration's own SETs come back after the commit until reset_session(),
  // but nothing of rokso's runs before that.
  // search_path is set by a statement of its own: the SELECT's operators are looked up
  // when it is analysed, after that (a migration's look-alike "=" cannot answer).
  std::string sql =
      "SET LOCAL SESSION AUTHORIZATION DEFAULT; SET LOCAL ROLE NONE; SET LOCAL search_path = pg_catalog, pg_temp; ";
  if (!client_encoding_.empty()) sql += "SET LOCAL client_encoding = " + tx.quote(client_encoding_) + "; ";
  sql += "SELECT ";
  sql += xid.empty() ? "true" : "pg_catalog.txid_current_if_assigned() IS NOT DISTINCT FROM " + xid + "::bigint";
  sql += ", " + (lock_probe_.empty() ? std::string("true") : "(" + lock_probe_ + ")");
  const pqxx::row row = tx.exec1(sql);
  BookkeepingCheck check;
  check.same_transaction = row[0].as<bool>();
  check.lock_held = row[1].as<bool>();
  return check;
}

void Database::reset_session() {
  if (behind_pooler_) return;
  pqxx::nontransaction tx(connection_->c);
  std::string sql = "RESET SESSION AUTHORIZATION; RESET ROLE; RESET ALL";
  if (migration_settings_) {
    sql += "; SELECT " + settings_sql(*migration_settings_, false, connection_->c.server_version(),
                                      [&tx](const std::string& v) { return tx.quote(v); });
  }
  tx.exec(sql);
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

void Database::reset_session(pqxx::transaction_base& tx) {
  std::string sql = "RESET SESSION AUTHORIZATION; RESET ROLE; RESET ALL";
  if (migration_settings_) {
    sql += "; SELECT " + settings_sql(*migration_settings_, true, connection_->c.server_version(),
                                      [&tx](const std::string& v) { return tx.quote(v); });
  }
  tx.exec(sql);
}

bool Database::note_server_pid(int pid) {
  const bool differs = pid != connection_->c.backendpid();
  if (differs) behind_pooler_ = true;
  return differs;
}

std::string describe_sql_error(const pqxx::sql_error& e) {
  std::string text = e.what();
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (!e.sqlstate().empty()) text += "\n(SQLSTATE " + e.sqlstate() + ")";
  return text;
}

}  // namespace rokso
