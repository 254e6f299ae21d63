// rokso plugins: what the plugin host loaded (name, kind, version, file) and what it
// refused, and why.
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/text_table.hpp"

namespace {

using rokso::Json;

int plugins(rokso::Session& session) {
  const rokso::PluginRegistry registry = rokso::PluginRegistry::load(false);
  if (session.json()) {
    Json loaded = Json::array(), refused = Json::array();
    for (const auto& entry : registry.loaded()) {
      rokso::Plugin& plugin = *entry->plugin;
      const bool is_format = plugin.as_format() != nullptr;
      loaded.push_back({
          {"name", plugin.name()},
          {"kind", is_format ? "format" : "object-kind"},
          {"directory", is_format ? Json(nullptr) : Json(plugin.as_object_kind()->directory())},
          {"version", plugin.version()},
          {"file", entry->file},
      });
    }
    for (const auto& r : registry.refused()) refused.push_back({{"file", r.file}, {"reason", r.reason}});
    session.print_json({{"plugins", loaded}, {"refused", refused}});
  } else {
    rokso::TextTable table({"name", "kind", "version", "file"});
    for (const auto& loaded : registry.loaded()) {
      rokso::Plugin& plugin = *loaded->plugin;
      std::string kind = plugin.as_format() ? "format" : "object-kind " + plugin.as_object_kind()->directory();
      table.add_row({plugin.name(), kind, plugin.version(), loaded->file});
    }
    std::string text = table.render();
    text.pop_back();
    rokso::out::line(text);
  }
  for (const auto& refused : registry.refused()) {
    rokso::out::warning("plugin '" + refused.file + "' " + refused.reason + "; skipped");
  }
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "plugins";
  command.synopsis = "[--format text|json]";
  command.run = plugins;
  return rokso::run_command(argc, argv, command);
}
