#include "core/connection_settings.hpp"

#include "core/error.hpp"
#include "core/text_util.hpp"
#include "core/output.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>

namespace rokso {
using nlohmann::json;

namespace {

struct LibpqKeyword {
  std::string keyword;
  std::string envvar;  // "" when libpq reads no variable for it
};

// Every keyword this libpq knows, from libpq itself, so a newer libpq's keywords pass
// through without a rokso release.
const std::vector<LibpqKeyword>& libpq_keywords() {
  static const std::vector<LibpqKeyword> keywords = [] {
    std::vector<LibpqKeyword> list;
    std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(PQconndefaults(), PQconninfoFree);
    for (const PQconninfoOption* o = options.get(); o && o->keyword; ++o) {
      list.push_back({o->keyword, o->envvar ? o->envvar : ""});
    }
    return list;
  }();
  return keywords;
}

bool is_libpq_keyword(const std::string& key) {
  const auto& keywords = libpq_keywords();
  return std::any_of(keywords.begin(), keywords.end(), [&key](const LibpqKeyword& k) { return k.keyword == key; });
}

// Keys of the "database" object that are rokso's, not libpq's: load_config reads them.
const std::set<std::string>& rokso_database_keys() {
  static const std::set<std::string> keys = {"dbschema",    "url",         "version_table_name", "default_format",
                                             "lock_wait_timeout", "lock_mode", "read_timeout",  "lock_lease_expiry",
                                             "failover_wait"};
  return keys;
}

// A settings value: roksopsql wrote strings, hand-edited files often hold numbers.
std::optional<std::string> text_value(const json& value, const std::string& key, const std::string& where) {
  if (value.is_null()) return std::nullopt;
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number_integer()) return std::to_string(value.get<long long>());
  throw usage_error(where + ": \"" + key + "\" must be a string");
}

// A whole number from `min` to `max`, as libpq takes it (digits only).
int bounded_integer(const std::string& text, const std::string& key, int min, int max, const std::string& where) {
  const bool digits = !text.empty() && text.size() <= 10 && text.find_first_not_of("0123456789") == std::string::npos;
  const long long value = digits ? std::stoll(text) : -1;
  if (!digits || value < min || value > max) {
    throw usage_error(where + ": \"" + key + "\" must be a whole number from " + std::to_string(min) + " to " +
                      std::to_string(max));
  }
  return static_cast<int>(value);
}

// libpq would refuse a bad port too, but as a connection failure (exit 1), not as the
// configuration mistake it is. A list ("5432,5433") goes with a list of hosts.
void check_port(const std::string& ports, const std::string& where) {
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = ports.find(',', start);
    const std::string port = ports.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    unsigned long value = 0;
    for (char c : port) {
      if (c < '0' || c > '9') throw usage_error(where + ": \"port\" must be a number");
      value = std::min(value * 10 + static_cast<unsigned long>(c - '0'), 100000ul);
    }
    if (!port.empty() && (value < 1 || value > 65535)) {
      throw usage_error(where + ": \"port\" must be a number from 1 to 65535");
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
}

// Sets one libpq keyword (or roksopsql's "database") in `s`. An empty value unsets it,
// as roksopsql's "" meant "not given" (an empty password lets ~/.pgpass apply).
void set_keyword(DatabaseSettings& s, const std::string& key, const std::string& value, const std::string& where) {
  std::optional<std::string> v;
  if (!value.empty()) v = value;
  if (key == "host") {
    s.host = v;
  } else if (key == "port") {
    if (v) check_port(*v, where);
    s.port = v;
  } else if (key == "dbname" || key == "database") {
    s.dbname = v;
  } else if (key == "user") {
    s.user = v;
  } else if (key == "password") {
    s.password = v;
  } else {
    WaitBounds& b = s.bounds;
    const WaitBounds defaults;
    if (key == "connect_timeout") {
      b.connect_timeout_s = v ? bounded_integer(*v, key, 2, 86400, where) : defaults.connect_timeout_s;
    } else if (key == "keepalives_idle") {
      b.keepalives_idle_s = v ? bounded_integer(*v, key, 1, 86400, where) : defaults.keepalives_idle_s;
    } else if (key == "keepalives_interval") {
      b.keepalives_interval_s = v ? bounded_integer(*v, key, 1, 86400, where) : defaults.keepalives_interval_s;
    } else if (key == "keepalives_count") {
      b.keepalives_count = v ? bounded_integer(*v, key, 1, 100, where) : defaults.keepalives_count;
    } else if (key == "tcp_user_timeout") {
      b.tcp_user_timeout_ms = v ? bounded_integer(*v, key, 0, 86400000, where) : defaults.tcp_user_timeout_ms;
    }
    if (v) {
      s.parameters[key] = *v;
    } else {
      s.parameters.erase(key);
    }
  }
}

// The text of a URL's password as typed (before percent-decoding), for scrubbing
// libpq's messages, which quote a token they cannot decode.
std::string raw_password(const std::string& url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  const std::size_t authority = scheme + 3;
  const std::size_t end = url.find_first_of("/?", authority);
  const std::string host_part = url.substr(authority, end == std::string::npos ? std::string::npos : end - authority);
  const std::size_t at = host_part.rfind('@');
  if (at == std::string::npos) return "";
  const std::size_t colon = host_part.find(':');
  if (colon == std::string::npos || colon > at) return "";
  return host_part.substr(colon + 1, at - colon - 1);
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

bool is_postgres_url(const std::string& url) {
  return url.rfind("postgres://", 0) == 0 || url.rfind("postgresql://", 0) == 0;
}

// The URL's keywords as libpq reads them, in `s` (over what it holds).
void apply_url(DatabaseSettings& s, const std::string& url, const std::string& origin) {
  if (!is_postgres_url(url)) {
    throw usage_error(origin + ": not a postgres:// or postgresql:// URL");
  }
  char* message = nullptr;
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(PQconninfoParse(url.c_str(), &message),
                                                                         PQconninfoFree);
  if (!options) {
    std::string why = message ? one_line(message) : "out of memory";
    PQfreemem(message);
    // libpq quotes the token it could not read, which may be the password.
    const std::string password = raw_password(url);
    if (!password.empty()) why = replace_all(why, password, "***");
    throw usage_error(origin + ": invalid connection URL " + mask_url(url) + ": " + why);
  }
  for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
    if (!o->val) continue;
    set_keyword(s, o->keyword, o->val, origin);
  }
  s.url = url;
  s.origin = origin;
}

std::string fallback_application_name = "rokso";

void add_keyword(std::string& conninfo, const std::string& keyword, const std::optional<std::string>& value) {
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

bool is_wait_bound(const std::string& key) {
  return key == "connect_timeout" || key == "keepalives_idle" || key == "keepalives_interval" ||
         key == "keepalives_count" || key == "tcp_user_timeout";
}

}  // namespace

std::string closest_word(const std::string& word, const std::vector<std::string>& known) {
  std::string best;
  // Farther than a third of the word (at least 2) is not a typo.
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const std::string& candidate : known) {
    const std::size_t d = edit_distance(word, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

DatabaseSettings database_settings_from_json(const json& object, const std::string& where) {
  DatabaseSettings s;
  s.origin = where;
  auto url = object.find("url");
  if (url != object.end()) {
    if (auto text = text_value(*url, "url", where)) {
      if (!text->empty()) apply_url(s, *text, where + ": \"url\"");
      s.origin = where;
    }
  }
  if (object.contains("database") && object.contains("dbname")) {
    throw usage_error(where + ": \"database\" and \"dbname\" both name the database; keep one");
  }
  std::vector<std::string> unknown;
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string& key = it.key();
    if (rokso_database_keys().count(key)) continue;
    if (key != "database" && !is_libpq_keyword(key)) {
      unknown.push_back(key);
      continue;
    }
    if (auto value = text_value(it.value(), key, where)) set_keyword(s, key, *value, where);
  }
  if (auto schema = object.find("dbschema"); schema != object.end()) {
    if (auto text = text_value(*schema, "dbschema", where)) s.schema = *text;
  }
  if (s.schema.empty()) throw usage_error(where + ": \"dbschema\" must not be empty");
  if (s.schema.size() > 63) {
    throw usage_error(where + ": \"dbschema\" is " + std::to_string(s.schema.size()) +
                      " bytes long; PostgreSQL would cut it to 63");
  }
  if (!unknown.empty()) {
    std::vector<std::string> known = {"database", "dbschema", "url"};
    for (const LibpqKeyword& k : libpq_keywords()) known.push_back(k.keyword);
    for (const std::string& key : rokso_database_keys()) known.push_back(key);
    for (const std::string& key : unknown) {
      const std::string near = closest_word(key, known);
      out::warning(where + ": unknown key \"" + key + "\" in \"database\" is ignored" +
                   (near.empty() ? std::string() : "; did you mean \"" + near + "\"?"));
    }
  }
  return s;
}

DatabaseSettings database_settings_from_url(const std::string& url, const std::string& origin) {
  DatabaseSettings s;
  apply_url(s, url, origin);
  return s;
}

std::optional<std::pair<std::string, std::string>> connection_url(const std::optional<std::string>& cli_url) {
  if (cli_url) {
    if (cli_url->empty()) throw usage_error("--url needs a postgres:// URL");
    return std::make_pair(std::string("--url"), *cli_url);
  }
  for (const char* variable : {"ROKSO_DATABASE_URL", "DATABASE_URL"}) {
    const char* value = std::getenv(variable);
    if (value && *value) return std::make_pair(std::string(variable), std::string(value));
  }
  return std::nullopt;
}

DatabaseSettings effective_database_settings(const DatabaseSettings& configured,
                                             const std::optional<std::string>& cli_url) {
  const auto url = connection_url(cli_url);
  if (!url) return configured;
  DatabaseSettings s = database_settings_from_url(url->second, url->first);
  s.schema = configured.schema;
  s.lock = configured.lock;
  s.bounds.read_timeout_s = configured.bounds.read_timeout_s;
  return s;
}

void set_default_application_name(const std::string& name) { fallback_application_name = name; }

std::string connection_string(const DatabaseSettings& s) {
  std::string conninfo;
  add_keyword(conninfo, "host", s.host);
  add_keyword(conninfo, "port", s.port);
  add_keyword(conninfo, "dbname", s.dbname);
  add_keyword(conninfo, "user", s.user);
  add_keyword(conninfo, "password", s.password);
  // Used only when neither the settings nor PGAPPNAME name one.
  add_keyword(conninfo, "fallback_application_name", fallback_application_name);
  const WaitBounds& b = s.bounds;
  add_keyword(conninfo, "connect_timeout", std::to_string(b.connect_timeout_s));
  add_keyword(conninfo, "keepalives", std::optional<std::string>("1"));
  add_keyword(conninfo, "keepalives_idle", std::to_string(b.keepalives_idle_s));
  add_keyword(conninfo, "keepalives_interval", std::to_string(b.keepalives_interval_s));
  add_keyword(conninfo, "keepalives_count", std::to_string(b.keepalives_count));
  add_keyword(conninfo, "tcp_user_timeout", std::to_string(b.tcp_user_timeout_ms));
  // Last: libpq takes the last of a repeated keyword, so a configured "keepalives": "0" wins.
  for (const auto& [key, value] : s.parameters) {
    if (!is_wait_bound(key)) add_keyword(conninfo, key, value);
  }
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

std::string mask_url(const std::string& url) {
  std::string masked = url;
  const std::size_t scheme = masked.find("://");
  if (scheme == std::string::npos) return masked;
  const std::size_t authority = scheme + 3;
  std::size_t end = masked.find_first_of("/?", authority);
  if (end == std::string::npos) end = masked.size();
  const std::size_t at = masked.rfind('@', end);
  if (at != std::string::npos && at >= authority) {
    const std::size_t colon = masked.find(':', authority);
    if (colon != std::string::npos && colon < at) masked.replace(colon + 1, at - colon - 1, "***");
  }
  // ?password=... (and &password=...) in the query.
  const std::size_t query = masked.find('?', authority);
  if (query != std::string::npos) {
    std::size_t start = query + 1;
    while (start < masked.size()) {
      std::size_t amp = masked.find('&', start);
      if (amp == std::string::npos) amp = masked.size();
      const std::size_t equals = masked.find('=', start);
      if (equals != std::string::npos && equals < amp && masked.compare(start, equals - start, "password") == 0) {
        masked.replace(equals + 1, amp - equals - 1, "***");
        amp = equals + 4;
      }
      start = amp + 1;
    }
  }
  return masked;
}

std::vector<std::pair<std::string, std::string>> libpq_environment(const DatabaseSettings& s) {
  std::vector<std::pair<std::string, std::string>> env;
  auto add = [&env](const char* name, const std::optional<std::string>& value) {
    if (value) env.emplace_back(name, *value);
  };
  add("PGHOST", s.host);
  add("PGPORT", s.port);
  add("PGDATABASE", s.dbname);
  add("PGUSER", s.user);
  for (const auto& [key, value] : s.parameters) {
    for (const LibpqKeyword& k : libpq_keywords()) {
      if (k.keyword == key && !k.envvar.empty()) env.emplace_back(k.envvar, value);
    }
  }
  return env;
}

}  // namespace rokso
