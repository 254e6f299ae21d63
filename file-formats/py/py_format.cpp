// The "py" format plugin: roksopsql's .py migration modules, read without Python.

#include "py_reader.hpp"
#include "py_writer.hpp"

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
    return rokso::py::read_py_migration(read_file(path));
  }

  std::vector<rokso::RenderedFile> render(const std::string& stem,
                                          const rokso::Migration& migration) const override {
    return {rokso::RenderedFile{stem + ".py", rokso::py::render_py_migration(migration)}};
  }

 private:
  static std::string read_file(const std::string& path) {
    const auto cannot = [&path](int error) {
      return std::runtime_error("cannot read '" + path + "': " + std::strerror(error));
    };
    errno = 0;
    const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) throw cannot(errno);
    std::string content;
    char buffer[65536];
    for (;;) {
      errno = 0;
      const std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
      content.append(buffer, n);
      if (n < sizeof buffer) {
        if (std::ferror(file.get())) throw cannot(errno != 0 ? errno : EIO);
        break;
      }
    }
    return content;
  }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("py", PyFormat)
