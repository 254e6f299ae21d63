#include "core/config.hpp"

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/output.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

namespace rokso {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A settings value: roksopsql wrote strings, hand-edited files often hold numbers.
std::optional<std::string> optional_text(const json& object, const char* key,
                                         const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::nullopt;
  if (it->is_string()) return it->get<std::string>();
  if (it->is_number_integer()) return std::to_string(it->get<long long>());
  throw usage_error(where + ": \"" + key + "\" must be a string");
}

// PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 bytes: two names that
// differ only after that would silently be one table (while rokso's lock, keyed on the
// whole name, would be two).
void check_identifier_length(const std::string& name, const char* key, const std::string& where) {
  if (name.size() > 63) {
    throw usage_error(where + ": \"" + key + "\" is " + std::to_string(name.size()) +
                      " bytes long; PostgreSQL would cut it to 63");
  }
}

// A whole number from `min` to `max` (a number, or a string of digits as libpq takes it).
int bounded_integer(const json& object, const char* key, int min, int max, int fallback, const std::string& where) {
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  long long value = 0;
  bool ok = false;
  if (it->is_number_integer()) {
    value = it->get<long long>();
    ok = true;
  } else if (it->is_string()) {
    const std::string text = it->get<std::string>();
    ok = !text.empty() && text.size() <= 10 && text.find_first_not_of("0123456789") == std::string::npos;
    if (ok) value = std::stoll(text);
  }
  if (!ok || value < min || value > max) {
    throw usage_error(where + ": \"" + key + "\" must be a whole number from " + std::to_string(min) + " to " +
                      std::to_string(max));
  }
  return static_cast<int>(value);
}

void add_keyword(std::string& conninfo, const char* keyword,
                 const std::optional<std::string>& value) {
  if (!value) return;
  if (!conninfo.empty()) conninfo += ' ';
  conninfo += keyword;
  conninfo += "='";
  for (char c : *value) {
    if (c == '\'' || c == '\\') conninfo += '\\';
    conninfo += c;
  }
  conninfo += '\'';
}

// A list of non-empty strings ("ignore", "plugins"), or nothing when the key is absent.
std::vector<std::string> optional_text_list(const json& object, const char* key, const std::string& where) {
  std::vector<std::string> list;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return list;
  if (!it->is_array()) throw usage_error(where + ": \"" + key + "\" must be a list of strings");
  for (const json& item : *it) {
    if (!item.is_string() || item.get<std::string>().empty()) {
      throw usage_error(where + ": \"" + key + "\" must be a list of non-empty strings");
    }
    list.push_back(item.get<std::string>());
  }
  return list;
}

}  // namespace

namespace {

bool is_duration(const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0 || digits > 9) return false;
  const std::string unit = text.substr(digits);
  return unit.empty() || unit == "ms" || unit == "s" || unit == "min" || unit == "h";
}

}  // namespace

bool is_wait_seconds(double seconds) { return std::isfinite(seconds) && seconds >= 0 && seconds <= 86400; }

LockMode parse_lock_mode(const std::string& text, const std::string& where) {
  if (text == "session") return LockMode::session;
  if (text == "lease") return LockMode::lease;
  throw usage_error(where + ": lock mode must be \"session\" or \"lease\", not '" + text + "'");
}

const char* lock_mode_name(LockMode mode) { return mode == LockMode::lease ? "lease" : "session"; }

LockSettings with_lock_environment(LockSettings settings) {
  if (const char* env = std::getenv("ROKSO_LOCK_MODE")) {
    if (*env != '\0') settings.mode = parse_lock_mode(env, "ROKSO_LOCK_MODE");
  }
  return settings;
}

void check_migration_settings(const MigrationSettings& settings, const std::string& where) {
  if (!is_duration(settings.lock_timeout)) {
    throw usage_error(where + ": lock timeout '" + settings.lock_timeout + "' is not a duration like 5s, 500ms or 2min");
  }
  if (!settings.statement_timeout.empty() && !is_duration(settings.statement_timeout)) {
    throw usage_error(where + ": statement timeout '" + settings.statement_timeout +
                      "' is not a duration like 30s, 500ms or 2min");
  }
  if (settings.lock_retries < 0 || settings.lock_retries > 100) {
    throw usage_error(where + ": lock retries must be from 0 to 100");
  }
}

Config load_config(const fs::path& file) {
  const std::string where = file.string();
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    throw usage_error("cannot read '" + where + "': " + std::strerror(errno));
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  json doc;
  // The key whose value is being read, for a number no double can hold ("1e400"):
  // nlohmann reports those without saying where.
  std::string last_key;
  const json::parser_callback_t note_key = [&last_key](int, json::parse_event_t event, json& parsed) {
    if (event == json::parse_event_t::key) last_key = parsed.get<std::string>();
    return true;
  };
  try {
    doc = json::parse(buffer.str(), note_key);
  } catch (const json::out_of_range&) {
    throw usage_error(where + ": the number for \"" + last_key + "\" is out of range");
  } catch (const json::parse_error& e) {
    // nlohmann's message starts with "[json.exception.parse_error.101] parse error at ...".
    std::string what = e.what();
    auto pos = what.find("] ");
    if (pos != std::string::npos) what = what.substr(pos + 2);
    // "; last read: '...'" quotes the file's text up to the error, which may be the
    // password (a hand-edited file with an unclosed or line-broken password string).
    // The line and column already say where; never echo the text.
    auto quoted = what.find("; last read: ");
    if (quoted != std::string::npos) what.erase(quoted);
    throw usage_error(where + " is not valid JSON: " + what);
  }
  if (!doc.is_object()) throw usage_error(where + ": expected a JSON object");
  auto db = doc.find("database");
  if (db == doc.end()) throw usage_error(where + ": missing the \"database\" object");
  if (!db->is_object()) throw usage_error(where + ": \"database\" must be an object");

  Config config;
  DatabaseSettings& s = config.database;
  s.host = optional_text(*db, "host", where);
  s.port = optional_text(*db, "port", where);
  s.dbname = optional_text(*db, "database", where);
  s.user = optional_text(*db, "user", where);
  s.password = optional_text(*db, "password", where);
  if (auto schema = optional_text(*db, "dbschema", where)) s.schema = *schema;
  if (s.schema.empty()) throw usage_error(where + ": \"dbschema\" must not be empty");
  check_identifier_length(s.schema, "dbschema", where);
  if (s.port && !s.port->empty()) {
    // libpq would refuse a bad port too, but as a connection failure (exit 1), not as
    // the configuration mistake it is.
    unsigned long port = 0;
    for (char c : *s.port) {
      if (c < '0' || c > '9') throw usage_error(where + ": \"port\" must be a number");
      port = std::min(port * 10 + static_cast<unsigned long>(c - '0'), 100000ul);
    }
    if (port < 1 || port > 65535) throw usage_error(where + ": \"port\" must be a number from 1 to 65535");
  }
  s.bounds.connect_timeout_s = bounded_integer(*db, "connect_timeout", 2, 86400, s.bounds.connect_timeout_s, where);
  s.bounds.keepalives_idle_s = bounded_integer(*db, "keepalives_idle", 1, 86400, s.bounds.keepalives_idle_s, where);
  s.bounds.keepalives_interval_s =
      bounded_integer(*db, "keepalives_interval", 1, 86400, s.bounds.keepalives_interval_s, where);
  s.bounds.keepalives_count = bounded_integer(*db, "keepalives_count", 1, 100, s.bounds.keepalives_count, where);
  s.bounds.tcp_user_timeout_ms =
      bounded_integer(*db, "tcp_user_timeout", 0, 86400000, s.bounds.tcp_user_timeout_ms, where);
  if (s.port && s.port->empty()) s.port.reset();
  if (s.password && s.password->empty()) s.password.reset();  // let ~/.pgpass apply
  if (s.host && s.host->empty()) s.host.reset();

  // rokso's own optional keys: at the top level, or inside "database".
  for (const json* scope : {&doc, &*db}) {
    if (auto table = optional_text(*scope, "version_table_name", where)) {
      if (table->empty()) throw usage_error(where + ": \"version_table_name\" must not be empty");
      check_identifier_length(*table, "version_table_name", where);
      config.version_table = *table;
    }
    if (auto format = optional_text(*scope, "default_format", where)) {
      if (format->empty()) throw usage_error(where + ": \"default_format\" must not be empty");
      config.default_format = *format;
    }
    if (auto clock = optional_text(*scope, "timestamps", where)) {
      if (*clock != "utc" && *clock != "local") {
        throw usage_error(where + ": \"timestamps\" must be \"utc\" or \"local\", not '" + *clock + "'");
      }
      config.local_timestamps = *clock == "local";
    }
    auto timeout = scope->find("lock_wait_timeout");
    if (timeout != scope->end()) {
      if (!timeout->is_number() || !is_wait_seconds(timeout->get<double>())) {
        throw usage_error(where + ": \"lock_wait_timeout\" must be a number of seconds from 0 to 86400");
      }
      config.lock_wait_timeout_s = timeout->get<double>();
    }
    if (auto mode = optional_text(*scope, "lock_mode", where)) s.lock.mode = parse_lock_mode(*mode, where);
    auto read_timeout = scope->find("read_timeout");
    if (read_timeout != scope->end()) {
      if (!read_timeout->is_number() || read_timeout->get<double>() < 1 || read_timeout->get<double>() > 86400) {
        throw usage_error(where + ": \"read_timeout\" must be a number of seconds from 1 to 86400");
      }
      s.bounds.read_timeout_s = read_timeout->get<double>();
    }
    auto expiry = scope->find("lock_lease_expiry");
    if (expiry != scope->end()) {
      if (!expiry->is_number() || expiry->get<double>() < 1 || expiry->get<double>() > 86400) {
        throw usage_error(where + ": \"lock_lease_expiry\" must be a number of seconds from 1 to 86400");
      }
      s.lock.lease_expiry_s = expiry->get<double>();
    }
  }
  config.ignore = optional_text_list(doc, "ignore", where);
  config.required_plugins = optional_text_list(doc, "plugins", where);
  auto migrations = doc.find("migrations");
  if (migrations != doc.end()) {
    if (!migrations->is_object()) throw usage_error(where + ": \"migrations\" must be an object");
    MigrationSettings& m = config.migrations;
    if (auto v = optional_text(*migrations, "lock_timeout", where)) m.lock_timeout = *v;
    if (auto v = optional_text(*migrations, "statement_timeout", where)) m.statement_timeout = *v;
    auto retries = migrations->find("lock_retries");
    if (retries != migrations->end()) {
      if (!retries->is_number_integer()) throw usage_error(where + ": \"lock_retries\" must be a whole number");
      const long long value = retries->get<long long>();
      m.lock_retries = value < 0 || value > 100 ? -1 : static_cast<int>(value);  // out of range either way
    }
    check_migration_settings(m, where);
  }
  struct stat st {};
  if (s.password && ::stat(file.c_str(), &st) == 0 && (st.st_mode & 077) != 0) {
    out::warning(where + " holds the database password and can be read by other users; run: chmod 600 '" + where +
                 "'");
  }
  return config;
}

void save_config(const fs::path& file, const Config& config) {
  const DatabaseSettings& s = config.database;
  json db = json::object();
  db["database"] = s.dbname.value_or("");
  db["dbschema"] = s.schema;
  db["host"] = s.host.value_or("");
  db["password"] = s.password.value_or("");
  // roksopsql's click option made the port an int: the same file it wrote, byte for byte.
  const std::string port = s.port.value_or("5432");
  if (!port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string::npos) {
    db["port"] = std::stoi(port);
  } else {
    db["port"] = port;
  }
  db["user"] = s.user.value_or("");
  json doc = json::object();
  doc["database"] = db;
  if (config.version_table != "rokso_db_version") doc["version_table_name"] = config.version_table;
  if (config.default_format != "py") doc["default_format"] = config.default_format;
  if (s.lock.mode != LockMode::session) doc["lock_mode"] = lock_mode_name(s.lock.mode);
  if (s.lock.lease_expiry_s != LockSettings().lease_expiry_s) doc["lock_lease_expiry"] = s.lock.lease_expiry_s;
  // Python's json.dumps(indent=4, sort_keys=True) escapes non-ASCII as \uXXXX too.
  const std::string text = doc.dump(4, ' ', true) + "\n";

  write_file_atomically(file.string(), text, 0600, Overwrite::allowed);
}

std::string connection_string(const DatabaseSettings& s) {
  std::string conninfo;
  add_keyword(conninfo, "host", s.host);
  add_keyword(conninfo, "port", s.port);
  add_keyword(conninfo, "dbname", s.dbname);
  add_keyword(conninfo, "user", s.user);
  add_keyword(conninfo, "password", s.password);
  add_keyword(conninfo, "application_name", std::optional<std::string>("rokso"));
  const WaitBounds& b = s.bounds;
  add_keyword(conninfo, "connect_timeout", std::to_string(b.connect_timeout_s));
  add_keyword(conninfo, "keepalives", std::optional<std::string>("1"));
  add_keyword(conninfo, "keepalives_idle", std::to_string(b.keepalives_idle_s));
  add_keyword(conninfo, "keepalives_interval", std::to_string(b.keepalives_interval_s));
  add_keyword(conninfo, "keepalives_count", std::to_string(b.keepalives_count));
  add_keyword(conninfo, "tcp_user_timeout", std::to_string(b.tcp_user_timeout_ms));
  return conninfo;
}

std::string describe_connection(const DatabaseSettings& s) {
  std::string text;
  auto add = [&text](const char* key, const std::optional<std::string>& value) {
    if (!text.empty()) text += ", ";
    text += std::string("'") + key + "': '" + value.value_or("") + "'";
  };
  add("user", s.user);
  add("dbname", s.dbname);
  add("host", s.host);
  add("port", s.port);
  add("schema", std::optional<std::string>(s.schema));
  return "{" + text + "}";
}

}  // namespace rokso
