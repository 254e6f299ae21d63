// The "yaml" format plugin: a migration as one YAML document, read with yaml-cpp.

#include "yaml_reader.hpp"
#include "yaml_writer.hpp"

#include <rokso/file_text.hpp>
#include <rokso/format_plugin.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class YamlFormat final : public rokso::FormatPlugin {
 public:
  std::string name() const override { return "yaml"; }
  std::string version() const override { return "1.0.0"; }
  std::string summary() const override {
    return "YAML migrations (.yaml, .yml): apply, rollback, transaction, requires, description";
  }

  rokso::FileClaim claim(const std::string& file_name) const override {
    if (file_name.empty() || file_name[0] == '.') return rokso::FileClaim::none;
    if (ends_with(file_name, ".yaml") || ends_with(file_name, ".yml")) return rokso::FileClaim::migration;
    return rokso::FileClaim::none;
  }

  rokso::Migration read(const std::string& path) const override {
    return rokso::yaml::read_yaml_migration(rokso::read_file_text(path));
  }

  std::vector<rokso::RenderedFile> render(const std::string& stem,
                                          const rokso::Migration& migration) const override {
    return {rokso::RenderedFile{stem + ".yaml", rokso::yaml::render_yaml_migration(migration)}};
  }

};

}  // namespace

ROKSO_DECLARE_PLUGIN("yaml", YamlFormat)
