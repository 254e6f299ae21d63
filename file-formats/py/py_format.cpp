// The "py" format plugin: roksopsql's .py migration modules, read without Python.

#include "py_evaluate.hpp"
#include "py_reader.hpp"
#include "py_writer.hpp"

#include <rokso/file_text.hpp>
#include <rokso/format_error.hpp>
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

  // Folded statically; a file the reader refuses is run by Python only when the user
  // asked for it (--py-evaluate or ROKSO_PY_EVALUATE), never because of a project file.
  rokso::Migration read(const std::string& path) const override {
    const std::string text = rokso::read_file_text(path);
    try {
      return rokso::py::read_py_migration(text);
    } catch (const rokso::FormatError& refused) {
      const std::string interpreter = rokso::py::evaluation_interpreter();
      if (interpreter.empty()) throw;
      const std::string where =
          refused.line() > 0 ? "line " + std::to_string(refused.line()) + ":" + std::to_string(refused.column()) + ": " : "";
      return rokso::py::evaluate_py_migration(path, interpreter, where + refused.what());
    }
  }

  std::vector<rokso::RenderedFile> render(const std::string& stem,
                                          const rokso::Migration& migration) const override {
    return {rokso::RenderedFile{stem + ".py", rokso::py::render_py_migration(migration)}};
  }

};

}  // namespace

ROKSO_DECLARE_PLUGIN("py", PyFormat)
