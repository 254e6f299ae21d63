#include "core/project_plugins.hpp"

#include "core/checksum.hpp"
#include "core/error.hpp"

#include <cstdlib>

namespace rokso {

void check_required_plugins(const Config& config, const std::filesystem::path& config_file,
                            const PluginRegistry& plugins) {
  std::vector<std::string> missing;
  for (const std::string& name : config.required_plugins) {
    bool loaded = false;
    for (const auto& p : plugins.loaded()) loaded = loaded || p->plugin->name() == name;
    if (!loaded) missing.push_back("'" + name + "'");
  }
  if (missing.empty()) return;
  std::string searched;
  for (const std::string& dir : PluginRegistry::search_path()) searched += (searched.empty() ? "" : ", ") + dir;
  const char* env = std::getenv("ROKSO_PLUGIN_PATH");
  throw usage_error("this project needs the plugin" + std::string(missing.size() == 1 ? " " : "s ") +
                    list_identities(missing, missing.size()) + " (\"plugins\" in " + config_file.string() +
                    "), not loaded; searched " + searched +
                    (env && *env ? "" : " (ROKSO_PLUGIN_PATH adds directories)") + "; see 'rokso plugins'");
}

std::string loaded_format_names(const PluginRegistry& plugins) {
  std::string names;
  for (const FormatPlugin* format : plugins.formats()) names += (names.empty() ? "" : ", ") + format->name();
  return names.empty() ? "none" : names;
}

std::string unknown_files_problem(const std::vector<std::string>& unknown, const PluginRegistry& plugins) {
  return std::to_string(unknown.size()) + (unknown.size() == 1 ? " file" : " files") +
         " under migration/ that no loaded format reads: " + list_identities(unknown, unknown.size()) +
         " (formats loaded: " + loaded_format_names(plugins) +
         "); install the plugin that reads " + (unknown.size() == 1 ? "it" : "them") + ", rename " +
         (unknown.size() == 1 ? "it" : "them") + ", or list " + (unknown.size() == 1 ? "it" : "them") +
         " under \"ignore\" in config.json";
}

}  // namespace rokso
