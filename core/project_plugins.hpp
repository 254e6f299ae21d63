// What a project needs from the loaded plugins: those config.json's "plugins" declares,
// and a format for every file under migration/ (core/ignore_rules.hpp says which files
// are not migrations). A missing one is said, never skipped in silence.
#pragma once

#include "core/config.hpp"
#include "core/plugin_registry.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace rokso {

// Throws Error(kExitUsage) naming each plugin of config.json's "plugins" that is not
// loaded, and the directories searched.
void check_required_plugins(const Config& config, const std::filesystem::path& config_file,
                            const PluginRegistry& plugins);

// The names of the loaded formats: "py, sql, yaml".
std::string loaded_format_names(const PluginRegistry& plugins);

// One line naming every file no loaded format claims, the formats that are loaded and
// what to do. REQUIRES: !unknown.empty().
std::string unknown_files_problem(const std::vector<std::string>& unknown, const PluginRegistry& plugins);

}  // namespace rokso
