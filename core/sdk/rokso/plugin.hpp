// rokso plugin SDK: the base every plugin implements and the entry points it exports.
//
// A rokso plugin is a shared module with exactly two exported C symbols, both made by
// ROKSO_DECLARE_PLUGIN(Class):
//   rokso_plugin_manifest  a PluginManifest the host reads *before* running any plugin
//                          code, so a module built for another interface version is
//                          refused with a clear message instead of crashing (the model is
//                          PostgreSQL's PG_MODULE_MAGIC);
//   rokso_plugin_create    a factory returning a new Plugin the host owns.
// The host keeps the module loaded for as long as any object it made is alive.
//
// Plugins and the host exchange C++ types (std::string, std::vector), so a plugin must
// be built with the same C++ standard library ABI as rokso; the manifest records it.
// Bump ROKSO_PLUGIN_INTERFACE_VERSION on every change to any class in this SDK: the
// build reads it from this line (CMake's package config says the same number), and the
// test sdk.abi fails when the SDK's declarations change while it stays the same.
#pragma once

#include <cstdint>
#include <string>

#define ROKSO_PLUGIN_INTERFACE_VERSION 2u
#define ROKSO_PLUGIN_MAGIC 0x524f4b53u  // "ROKS"

// The SDK's classes cross module boundaries (vtables, typeinfo for catch): they stay
// visible even when a plugin is built with -fvisibility=hidden.
#define ROKSO_PLUGIN_EXPORT __attribute__((visibility("default")))

#if defined(_GLIBCXX_USE_CXX11_ABI)
#define ROKSO_PLUGIN_CXX_ABI (_GLIBCXX_USE_CXX11_ABI ? 1u : 0u)
#else
#define ROKSO_PLUGIN_CXX_ABI 2u
#endif

namespace rokso {

class FormatPlugin;
class ObjectKindPlugin;

// What the host checks before it trusts a module. Plain data: readable whatever the
// interface version the module was built for. Never reorder or remove these fields.
struct PluginManifest {
  std::uint32_t magic;              // ROKSO_PLUGIN_MAGIC
  std::uint32_t interface_version;  // ROKSO_PLUGIN_INTERFACE_VERSION at build time
  std::uint32_t cxx_abi;            // ROKSO_PLUGIN_CXX_ABI at build time
  const char* name;                 // the plugin's name, e.g. "py"
};

// The base of every plugin. Kinds are found with as_*() rather than dynamic_cast,
// which is unreliable across modules built with hidden visibility.
class ROKSO_PLUGIN_EXPORT Plugin {
 public:
  virtual ~Plugin() = default;

  // Short unique name: "py", "table". Shown by `rokso plugins`.
  virtual std::string name() const = 0;
  // The plugin's own version, e.g. "1.0.0". Shown by `rokso plugins`.
  virtual std::string version() const = 0;
  // One line saying what the plugin is for.
  virtual std::string summary() const = 0;

  virtual FormatPlugin* as_format() { return nullptr; }
  virtual ObjectKindPlugin* as_object_kind() { return nullptr; }
};

}  // namespace rokso

// Declares the module's entry points. Use once per module, at namespace scope:
//   ROKSO_DECLARE_PLUGIN("py", PyFormat)
#define ROKSO_DECLARE_PLUGIN(plugin_name, Class)                                          \
  extern "C" ROKSO_PLUGIN_EXPORT const ::rokso::PluginManifest rokso_plugin_manifest = { \
      ROKSO_PLUGIN_MAGIC, ROKSO_PLUGIN_INTERFACE_VERSION, ROKSO_PLUGIN_CXX_ABI,           \
      plugin_name};                                                                       \
  extern "C" ROKSO_PLUGIN_EXPORT ::rokso::Plugin* rokso_plugin_create() { return new Class(); }
