// The plugin host: loads rokso plugins (Boost.DLL) from $ROKSO_PLUGIN_PATH and the
// install's plugin directory, refusing anything that is not a rokso plugin of this
// interface version with one clear line, never a crash.
#pragma once

#include <rokso/format_plugin.hpp>
#include <rokso/object_kind_plugin.hpp>

#include <boost/dll/shared_library.hpp>

#include <memory>
#include <string>
#include <vector>

namespace rokso {

struct LoadedPlugin {
  std::string file;  // where it was loaded from
  // Declaration order matters: members are destroyed in reverse, so the plugin object
  // (whose code lives in the library) goes before the library is unloaded.
  boost::dll::shared_library library;
  std::unique_ptr<Plugin> plugin;
};

struct RefusedPlugin {
  std::string file;
  std::string reason;
};

class PluginRegistry {
 public:
  // Loads every *.so in the search path. The first plugin of a name wins, so a plugin
  // in $ROKSO_PLUGIN_PATH overrides a built-in one of the same name. Refusals are
  // reported on stderr when `report_refusals` is set, and kept for `rokso plugins`.
  static PluginRegistry load(bool report_refusals = true);

  // The directories searched, in order.
  static std::vector<std::string> search_path();

  const std::vector<std::unique_ptr<LoadedPlugin>>& loaded() const { return loaded_; }
  const std::vector<RefusedPlugin>& refused() const { return refused_; }

  std::vector<const FormatPlugin*> formats() const;
  // Ordered by menu position.
  std::vector<const ObjectKindPlugin*> object_kinds() const;

  const FormatPlugin* format(const std::string& name) const;
  const ObjectKindPlugin* object_kind_by_letter(char letter) const;
  const ObjectKindPlugin* object_kind_by_directory(const std::string& directory) const;

  // Loads one file; returns nullptr and fills `reason` when refused. Exposed for tests.
  static std::unique_ptr<LoadedPlugin> load_file(const std::string& file, std::string& reason);

 private:
  std::vector<std::unique_ptr<LoadedPlugin>> loaded_;
  std::vector<RefusedPlugin> refused_;
};

}  // namespace rokso
