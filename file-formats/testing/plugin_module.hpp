// Test support shared by the format plugins' tests: the built module loaded the way the
// host loads it (manifest first, then the factory), and a scratch directory.
#pragma once

#include <rokso/format_error.hpp>
#include <rokso/format_plugin.hpp>

#include <boost/test/unit_test.hpp>

#include <dlfcn.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>

namespace rokso::testing {

// The module stays loaded for the whole test run (plugins outlive nothing here).
struct LoadedPlugin {
  void* handle = nullptr;
  const rokso::PluginManifest* manifest = nullptr;
  std::unique_ptr<rokso::Plugin> plugin;

  explicit LoadedPlugin(const char* path) {
    handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    BOOST_TEST_REQUIRE(handle != nullptr, dlerror());
    manifest = static_cast<const rokso::PluginManifest*>(dlsym(handle, "rokso_plugin_manifest"));
    BOOST_TEST_REQUIRE(manifest != nullptr);
    using Create = rokso::Plugin* (*)();
    const auto create = reinterpret_cast<Create>(dlsym(handle, "rokso_plugin_create"));
    BOOST_TEST_REQUIRE(create != nullptr);
    plugin.reset(create());
  }
  rokso::FormatPlugin& format() {
    rokso::FormatPlugin* f = plugin->as_format();
    BOOST_TEST_REQUIRE(f != nullptr);
    return *f;
  }
};

// What the host checks before trusting a format module, and who it says it is.
inline void expect_format_identity(const LoadedPlugin& p, const std::string& name, const std::string& summary) {
  BOOST_TEST(p.manifest->magic == ROKSO_PLUGIN_MAGIC);
  BOOST_TEST(p.manifest->interface_version == ROKSO_PLUGIN_INTERFACE_VERSION);
  BOOST_TEST(p.manifest->cxx_abi == ROKSO_PLUGIN_CXX_ABI);
  BOOST_TEST(std::string(p.manifest->name) == name);
  BOOST_TEST(p.plugin->name() == name);
  BOOST_TEST(p.plugin->version() == "1.0.0");
  BOOST_TEST(p.plugin->summary() == summary);
  BOOST_TEST(p.plugin->as_object_kind() == nullptr);
}

// The message of the std::runtime_error (not a FormatError) reading `path` throws: the
// host reports those as "cannot read", not as a malformed file.
inline std::string runtime_error_of(const rokso::FormatPlugin& format, const std::string& path) {
  try {
    format.read(path);
    BOOST_ERROR("accepted");
  } catch (const rokso::FormatError& e) {
    BOOST_ERROR("a FormatError: " << e.what());
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

// A scratch directory removed at the end of each test.
struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/rokso_format_test_XXXXXX";
    const char* made = mkdtemp(tmpl);
    BOOST_TEST_REQUIRE(made != nullptr);
    path = made;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  std::string write(const std::string& name, const std::string& content) const {
    const std::string file = path + "/" + name;
    std::ofstream(file, std::ios::binary) << content;
    return file;
  }
};

}  // namespace rokso::testing
