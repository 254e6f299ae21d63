// rokso plugins: what the plugin host loaded (name, kind, version, file) and what it
// refused, and why.
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/text_table.hpp"

#include <nlohmann/json.hpp>

namespace {

// Bump when the JSON shape changes incompatibly (README: "JSON output").
constexpr int kJsonVersion = 1;

int plugins(rokso::Session& session) {
  const std::string format = session.get<std::string>("format");
  if (format != "text" && format != "json") {
    throw rokso::usage_error("unknown output format '" + format + "' (text or json)");
  }
  const rokso::PluginRegistry registry = rokso::PluginRegistry::load(false);
  if (format == "json") {
    nlohmann::ordered_json loaded = nlohmann::ordered_json::array(), refused = nlohmann::ordered_json::array();
    for (const auto& entry : registry.loaded()) {
      rokso::Plugin& plugin = *entry->plugin;
      const bool is_format = plugin.as_format() != nullptr;
      loaded.push_back({
          {"name", plugin.name()},
          {"kind", is_format ? "format" : "object-kind"},
          {"directory", is_format ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(plugin.as_object_kind()->directory())},
          {"version", plugin.version()},
          {"file", entry->file},
      });
    }
    for (const auto& r : registry.refused()) refused.push_back({{"file", r.file}, {"reason", r.reason}});
    nlohmann::ordered_json doc = {
        {"rokso_json_version", kJsonVersion},
        {"command", "plugins"},
        {"plugins", loaded},
        {"refused", refused},
    };
    rokso::out::document(doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
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
  command.options.add_options()
      ("format", rokso::po::value<std::string>()->default_value("text")->value_name("<text|json>"),
       "output format");
  command.run = plugins;
  return rokso::run_command(argc, argv, command);
}
