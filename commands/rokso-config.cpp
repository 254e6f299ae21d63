// rokso config: config.json's settings for scripts, as `git config` gives git's.
//
//   rokso config list          every setting, one "key=value" line each
//   rokso config get <key>     one value ("database.host", "version_table_name" ...)
//
// Keys are config.json's, nested objects joined with dots. The password is masked
// (***), in a URL too. rokso's own settings that the file leaves out are shown with
// the value rokso uses (database.dbschema, version_table_name, default_format). A key
// that is not there: nothing printed, exit 1, as `git config` does.
#include "core/command.hpp"
#include "core/connection_settings.hpp"
#include "core/error.hpp"
#include "core/output.hpp"

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

namespace {

using json = nlohmann::json;

bool is_secret(const std::string& key) {
  return key == "password" || (key.size() > 9 && key.compare(key.size() - 9, 9, ".password") == 0);
}
bool is_url(const std::string& key) {
  return key == "url" || (key.size() > 4 && key.compare(key.size() - 4, 4, ".url") == 0);
}

// The value as a script reads it: strings bare, everything else as JSON.
std::string shown(const std::string& key, const json& value) {
  std::string text = value.is_string() ? value.get<std::string>() : value.dump();
  if (is_secret(key) && !text.empty()) return "***";
  if (is_url(key)) return rokso::mask_url(text);
  return text;
}

void flatten(const json& object, const std::string& prefix, std::map<std::string, std::string>& settings) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) {
      flatten(*it, key, settings);
    } else {
      settings[key] = shown(key, *it);
    }
  }
}

std::map<std::string, std::string> settings_of(const rokso::Project& project) {
  // load_config() has read (and checked) the file already; this reads its keys as written.
  std::ifstream in(project.config_file(), std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::map<std::string, std::string> settings;
  flatten(json::parse(text.str()), "", settings);
  const rokso::Config& config = project.config;
  settings.emplace("database.dbschema", config.database.schema);
  if (!settings.count("database.version_table_name")) settings.emplace("version_table_name", config.version_table);
  if (!settings.count("database.default_format")) settings.emplace("default_format", config.default_format);
  return settings;
}

int config(rokso::Session& session) {
  const std::string action = session.has("action") ? session.get<std::string>("action") : "";
  const auto settings = settings_of(session.project());
  if (action == "list") {
    if (session.has("key")) throw rokso::usage_error("'config list' takes no key");
    for (const auto& [key, value] : settings) rokso::out::line(key + "=" + value);
    return rokso::kExitOk;
  }
  if (action == "get") {
    if (!session.has("key")) throw rokso::usage_error("'config get' needs a key, e.g. 'rokso config get database.host'");
    auto it = settings.find(session.get<std::string>("key"));
    if (it == settings.end()) return rokso::kExitFailed;
    rokso::out::line(it->second);
    return rokso::kExitOk;
  }
  if (action.empty()) throw rokso::usage_error("'config' needs 'list' or 'get <key>'");
  throw rokso::usage_error("unknown config action '" + action + "' (list or get <key>)");
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "config";
  command.synopsis = "list | get <key>";
  command.options.add_options()
      ("action", rokso::po::value<std::string>()->value_name("list|get"),
       "what to do; given by itself: 'rokso config list'")
      ("key", rokso::po::value<std::string>()->value_name("<key>"),
       "the setting to get; given by itself: 'rokso config get database.host'");
  command.positional.add("action", 1).add("key", 1);
  command.run = config;
  return rokso::run_command(argc, argv, command);
}
