#include "core/config.hpp"

#include "core/atomic_file.hpp"
#include "core/connection_settings.hpp"
#include "core/error.hpp"
#include "core/output.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
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

// A target name is typed on command lines and prefixes output lines: keep it plain.
bool is_target_name(const std::string& name) {
  if (name.empty() || name.size() > 63 || name[0] == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.';
  });
}

// "targets": checked for shape now, read (with its variables) when one is used.
std::map<std::string, std::string> read_targets(const json& doc, const std::string& where) {
  std::map<std::string, std::string> targets;
  auto it = doc.find("targets");
  if (it == doc.end() || it->is_null()) return targets;
  if (!it->is_object()) throw usage_error(where + ": \"targets\" must be an object of named targets");
  for (const auto& item : it->items()) {
    if (!is_target_name(item.key())) {
      throw usage_error(where + ": target name '" + item.key() +
                        "' must be 1 to 63 letters, digits, '_', '-' or '.', not starting with '-'");
    }
    if (!item.value().is_string() && !item.value().is_object()) {
      throw usage_error(where + ": target '" + item.key() + "' must be a connection URL or a \"database\"-shaped object");
    }
    targets.emplace(item.key(), item.value().dump());
  }
  return targets;
}

// ${NAME} -> the environment variable NAME; $${ -> a literal ${. Anything else is kept.
std::string interpolate(const std::string& text, const std::string& where) {
  std::string result;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 3, "$${") == 0) {
      result += "${";
      i += 2;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      result += text[i];
      continue;
    }
    const std::size_t end = text.find('}', i + 2);
    const std::string name = end == std::string::npos ? "" : text.substr(i + 2, end - i - 2);
    const bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
                       std::all_of(name.begin(), name.end(), [](char c) {
                         return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
                       });
    if (!plain) throw usage_error(where + ": '${' must start a ${VARIABLE_NAME} (write $${ for a literal ${)");
    const char* value = std::getenv(name.c_str());
    if (!value) throw usage_error(where + ": environment variable '" + name + "' is not set");
    result += value;
    i = end;
  }
  return result;
}

json interpolate_all(const json& value, const std::string& where) {
  if (value.is_string()) return interpolate(value.get<std::string>(), where);
  if (!value.is_object()) return value;
  json result = json::object();
  for (const auto& item : value.items()) result[item.key()] = interpolate_all(item.value(), where);
  return result;
}

// fnmatch(3) without the C library's locale: *, ? and [...] (with ! or ^ to negate).
bool glob_match(const char* pattern, const char* text) {
  for (; *pattern; ++pattern, ++text) {
    if (*pattern == '*') {
      while (pattern[1] == '*') ++pattern;
      for (const char* t = text;; ++t) {
        if (glob_match(pattern + 1, t)) return true;
        if (!*t) return false;
      }
    }
    if (!*text) return false;
    if (*pattern == '?') continue;
    if (*pattern == '[') {
      const char* p = pattern + 1;
      const bool negate = *p == '!' || *p == '^';
      if (negate) ++p;
      bool found = false;
      for (bool first = true; *p && (first || *p != ']'); ++p, first = false) {
        if (p[1] == '-' && p[2] && p[2] != ']') {
          if (*text >= p[0] && *text <= p[2]) found = true;
          p += 2;
        } else if (*p == *text) {
          found = true;
        }
      }
      if (*p != ']') {  // no closing bracket: a literal '['
        if (*text != '[') return false;
        continue;
      }
      if (found == negate) return false;
      pattern = p;
      continue;
    }
    if (*pattern != *text) return false;
  }
  return !*text;
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
  config.database = database_settings_from_json(*db, where);
  DatabaseSettings& s = config.database;

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
    auto failover_wait = scope->find("failover_wait");
    if (failover_wait != scope->end()) {
      if (!failover_wait->is_number() || !is_wait_seconds(failover_wait->get<double>())) {
        throw usage_error(where + ": \"failover_wait\" must be a number of seconds from 0 to 86400");
      }
      config.failover_wait_s = failover_wait->get<double>();
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
  config.targets = read_targets(doc, where);
  auto tenants = doc.find("tenants");
  if (tenants != doc.end() && !tenants->is_null()) {
    if (!tenants->is_object()) throw usage_error(where + ": \"tenants\" must be an object");
    auto schemas = optional_text(*tenants, "schemas", where);
    auto query = optional_text(*tenants, "query", where);
    if (!schemas == !query || (schemas && schemas->empty()) || (query && query->empty())) {
      throw usage_error(where + ": \"tenants\" must hold either \"schemas\" (a pattern like \"tenant_*\") or \"query\"");
    }
    config.tenants.schemas = schemas.value_or("");
    config.tenants.query = query.value_or("");
  }
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

bool set_config_port(const fs::path& file, int old_port, int port) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw failure("cannot read '" + file.string() + "': " + std::strerror(errno));
  std::stringstream buffer;
  buffer << in.rdbuf();
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(buffer.str());
  } catch (const nlohmann::ordered_json::exception&) {
    throw failure(file.string() + " changed while rokso ran and is no longer valid JSON: its port was not updated");
  }
  if (!doc.is_object() || !doc.contains("database") || !doc["database"].is_object()) {
    throw failure(file.string() + " changed while rokso ran: its port was not updated");
  }
  nlohmann::ordered_json& value = doc["database"]["port"];
  const bool says_old_port = value.is_number_integer() ? value.get<long long>() == old_port
                                                       : value.is_string() && value.get<std::string>() == std::to_string(old_port);
  if (!says_old_port) return false;
  value = port;
  write_file_atomically(file.string(), doc.dump(4, ' ', true) + "\n", 0600, Overwrite::allowed);
  return true;
}

DatabaseSettings target_settings(const Config& config, const std::string& name, const std::string& where) {
  auto it = config.targets.find(name);
  if (it == config.targets.end()) {
    if (config.targets.empty()) throw usage_error("unknown target '" + name + "': " + where + " defines no \"targets\"");
    std::string known;
    for (const auto& target : config.targets) known += (known.empty() ? "" : ", ") + target.first;
    throw usage_error("unknown target '" + name + "' (known: " + known + ")");
  }
  const std::string here = where + ": target '" + name + "'";
  const json value = interpolate_all(json::parse(it->second), here);
  // Who and where come from the target alone; the tree's schema and rokso's own waits
  // and locks stay the project's unless the target says otherwise.
  DatabaseSettings s = value.is_string() ? database_settings_from_url(value.get<std::string>(), here)
                                         : database_settings_from_json(value, here);
  if (value.is_string() || !value.contains("dbschema")) s.schema = config.database.schema;
  s.lock = config.database.lock;
  s.bounds.read_timeout_s = config.database.bounds.read_timeout_s;
  return s;
}

bool matches_glob(const std::string& pattern, const std::string& name) { return glob_match(pattern.c_str(), name.c_str()); }

std::vector<std::string> matching_targets(const Config& config, const std::string& pattern) {
  std::vector<std::string> names;
  for (const auto& target : config.targets) {
    if (glob_match(pattern.c_str(), target.first.c_str())) names.push_back(target.first);
  }
  return names;
}

}  // namespace rokso
