// The "py" format plugin: roksopsql's .py migration modules, read without Python.

#include "py_reader.hpp"
#include "py_writer.hpp"

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

class PyFormat final : public rokso::FormatPlugin {
 public:
  std::string name() const override { return "py"; }
  std::string version() const override { return "1.0.0"; }
  std::string summary() const override {
    return "roksopsql's .py migration modules, read without running Python";
  }

  rokso::FileClaim claim(const std::string& file_name) const override {
    const std::string ext = ".py";
    if (file_name.size() <= ext.size() || file_name[0] == '.' || file_name == "__init__.py" ||
        file_name.compare(file_name.size() - ext.size(), ext.size(), ext) != 0) {
      return rokso::FileClaim::none;
    }
    return rokso::FileClaim::migration;
  }

  rokso::Migration read(const std::string& path) const override {
    return rokso::py::read_py_migration(rokso::read_file_text(path));
  }

  std::vector<rokso::RenderedFile> render(const std::string& stem,
                                          const rokso::Migration& migration) const override {
    return {rokso::RenderedFile{stem + ".py", rokso::py::render_py_migration(migration)}};
  }

};

}  // namespace

ROKSO_DECLARE_PLUGIN("py", PyFormat)
