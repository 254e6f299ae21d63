#include "core/plugin_registry.hpp"

#include "core/install_paths.hpp"
#include "core/output.hpp"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

namespace rokso {
namespace fs = std::filesystem;

namespace {

std::string abi_name(std::uint32_t abi) {
  switch (abi) {
    case 0: return "libstdc++ pre-C++11 ABI";
    case 1: return "libstdc++ C++11 ABI";
    default: return "a non-libstdc++ ABI";
  }
}

// Boost.DLL wraps dlerror() as "boost::dll::shared_library::load() failed (dlerror system
// message: <file>: <reason>): <unrelated errno text>"; the user needs only <reason>.
std::string load_failure_reason(const std::string& what, const std::string& file) {
  const std::string marker = "dlerror system message: ";
  std::string reason = what;
  const std::size_t at = what.find(marker);
  if (at != std::string::npos) {
    const std::size_t begin = at + marker.size();
    const std::size_t end = what.rfind("):");
    reason = what.substr(begin, end != std::string::npos && end > begin ? end - begin : std::string::npos);
  }
  if (reason.compare(0, file.size() + 2, file + ": ") == 0) reason.erase(0, file.size() + 2);
  for (char& c : reason) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return reason;
}

}  // namespace

std::vector<std::string> PluginRegistry::search_path() {
  std::vector<std::string> dirs = split_path_list(std::getenv("ROKSO_PLUGIN_PATH"));
  dirs.push_back(install_paths().plugins.string());
  return dirs;
}

std::unique_ptr<LoadedPlugin> PluginRegistry::load_file(const std::string& file, std::string& reason) {
  auto loaded = std::make_unique<LoadedPlugin>();
  loaded->file = file;
  try {
    // rtld_now: a module with unresolved symbols fails here, not in the middle of a run.
    loaded->library.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    reason = "cannot be loaded: " + load_failure_reason(e.what(), file);
    return nullptr;
  }
  if (!loaded->library.has("rokso_plugin_manifest") || !loaded->library.has("rokso_plugin_create")) {
    reason = "is not a rokso plugin (it has no rokso_plugin_manifest)";
    return nullptr;
  }
  const auto& manifest = loaded->library.get<const PluginManifest>("rokso_plugin_manifest");
  if (manifest.magic != ROKSO_PLUGIN_MAGIC) {
    reason = "is not a rokso plugin (bad magic number in its manifest)";
    return nullptr;
  }
  if (manifest.interface_version != ROKSO_PLUGIN_INTERFACE_VERSION) {
    reason = "was built for rokso plugin interface " + std::to_string(manifest.interface_version) +
             ", but this rokso speaks interface " + std::to_string(ROKSO_PLUGIN_INTERFACE_VERSION) +
             "; rebuild it against this rokso's SDK";
    return nullptr;
  }
  if (manifest.cxx_abi != ROKSO_PLUGIN_CXX_ABI) {
    reason = "was built for " + abi_name(manifest.cxx_abi) + ", but this rokso uses " +
             abi_name(ROKSO_PLUGIN_CXX_ABI) + "; rebuild it with the same compiler settings";
    return nullptr;
  }
  try {
    auto create = loaded->library.get<Plugin*()>("rokso_plugin_create");
    loaded->plugin.reset(create());
  } catch (const std::exception& e) {
    reason = "failed to start: " + std::string(e.what());
    return nullptr;
  }
  if (!loaded->plugin || (!loaded->plugin->as_format() && !loaded->plugin->as_object_kind())) {
    reason = "provides neither a file format nor an object kind";
    return nullptr;
  }
  return loaded;
}

PluginRegistry PluginRegistry::load(bool report_refusals) {
  PluginRegistry registry;
  std::set<std::string> names;
  for (const std::string& dir : search_path()) {
    std::error_code ec;
    std::vector<fs::path> files;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".so") files.push_back(it->path());
    }
    std::sort(files.begin(), files.end());  // deterministic, whatever readdir says
    for (const fs::path& file : files) {
      std::string reason;
      auto loaded = load_file(file.string(), reason);
      if (!loaded) {
        registry.refused_.push_back({file.string(), reason});
        if (report_refusals) out::warning("plugin '" + file.string() + "' " + reason + "; skipped");
        continue;
      }
      if (!names.insert(loaded->plugin->name()).second) continue;  // shadowed by an earlier one
      registry.loaded_.push_back(std::move(loaded));
    }
  }
  return registry;
}

std::vector<const FormatPlugin*> PluginRegistry::formats() const {
  std::vector<const FormatPlugin*> result;
  for (const auto& l : loaded_) {
    if (const FormatPlugin* f = l->plugin->as_format()) result.push_back(f);
  }
  return result;
}

std::vector<const ObjectKindPlugin*> PluginRegistry::object_kinds() const {
  std::vector<const ObjectKindPlugin*> result;
  for (const auto& l : loaded_) {
    if (const ObjectKindPlugin* k = l->plugin->as_object_kind()) result.push_back(k);
  }
  std::stable_sort(result.begin(), result.end(), [](const ObjectKindPlugin* a, const ObjectKindPlugin* b) {
    return a->menu_position() < b->menu_position();
  });
  return result;
}

const FormatPlugin* PluginRegistry::format(const std::string& name) const {
  for (const FormatPlugin* f : formats()) {
    if (f->name() == name) return f;
  }
  return nullptr;
}

const ObjectKindPlugin* PluginRegistry::object_kind_by_letter(char letter) const {
  for (const ObjectKindPlugin* k : object_kinds()) {
    if (k->letter() != '\0' && k->letter() == letter) return k;
  }
  return nullptr;
}

const ObjectKindPlugin* PluginRegistry::object_kind_by_directory(const std::string& directory) const {
  for (const ObjectKindPlugin* k : object_kinds()) {
    if (k->directory() == directory) return k;
  }
  return nullptr;
}

}  // namespace rokso
