// rokso plugins: what the plugin host loaded (name, kind, version, file) and what it
// refused, and why.
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/text_table.hpp"

namespace {

int plugins(rokso::Session&) {
  const rokso::PluginRegistry registry = rokso::PluginRegistry::load(false);
  rokso::TextTable table({"name", "kind", "version", "file"});
  for (const auto& loaded : registry.loaded()) {
    rokso::Plugin& plugin = *loaded->plugin;
    std::string kind = plugin.as_format() ? "format" : "object-kind " + plugin.as_object_kind()->directory();
    table.add_row({plugin.name(), kind, plugin.version(), loaded->file});
  }
  std::string text = table.render();
  text.pop_back();
  rokso::out::line(text);
  for (const auto& refused : registry.refused()) {
    rokso::out::warning("plugin '" + refused.file + "' " + refused.reason + "; skipped");
  }
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "plugins";
  command.run = plugins;
  return rokso::run_command(argc, argv, command);
}
