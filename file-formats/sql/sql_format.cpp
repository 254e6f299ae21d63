// The "sql" format plugin: a migration as <stem>.apply.sql and <stem>.rollback.sql
// (or <stem>.up.sql and <stem>.down.sql) side by side.

#include "sql_reader.hpp"
#include "sql_writer.hpp"

#include <rokso/format_error.hpp>
#include <rokso/format_plugin.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() > suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

class SqlFormat final : public rokso::FormatPlugin {
 public:
  std::string name() const override { return "sql"; }
  std::string version() const override { return "1.0.0"; }
  std::string summary() const override {
    return "plain SQL pairs: <stem>.apply.sql with <stem>.rollback.sql (or .up.sql with .down.sql)";
  }

  rokso::FileClaim claim(const std::string& file_name) const override {
    if (file_name.empty() || file_name[0] == '.') return rokso::FileClaim::none;
    if (ends_with(file_name, ".apply.sql") || ends_with(file_name, ".up.sql")) return rokso::FileClaim::migration;
    if (ends_with(file_name, ".rollback.sql") || ends_with(file_name, ".down.sql")) {
      return rokso::FileClaim::companion;
    }
    return rokso::FileClaim::none;
  }

  std::string companion_owner(const std::string& companion_file_name) const override {
    if (claim(companion_file_name) != rokso::FileClaim::companion) return "";
    return rokso::sql::apply_file_name_for(companion_file_name);
  }

  rokso::Migration read(const std::string& path) const override {
    const std::size_t slash = path.rfind('/');
    const std::string directory = slash == std::string::npos ? "" : path.substr(0, slash + 1);
    const std::string file_name = slash == std::string::npos ? path : path.substr(slash + 1);
    const std::string rollback_name = rokso::sql::rollback_file_name_for(file_name);
    if (claim(file_name) != rokso::FileClaim::migration || rollback_name.empty()) {
      throw std::invalid_argument("'" + path + "' is not a .apply.sql or .up.sql file");
    }
    // x.apply.sql beside x.up.sql would be two migrations of one name: say so.
    const bool apply_style = ends_with(file_name, ".apply.sql");
    const std::string stem = file_name.substr(0, file_name.size() - (apply_style ? 10 : 7));
    const std::string other = stem + (apply_style ? ".up.sql" : ".apply.sql");
    struct stat st {};
    if (::stat((directory + other).c_str(), &st) == 0) {
      throw rokso::FormatError(0, 0, "'" + other + "' beside it names the same migration; keep one of the two styles");
    }
    const std::string apply = read_file(path);
    return rokso::sql::read_sql_migration(apply, read_file_if_any(directory + rollback_name), rollback_name);
  }

  std::vector<rokso::RenderedFile> render(const std::string& stem,
                                          const rokso::Migration& migration) const override {
    rokso::sql::SqlFiles files = rokso::sql::render_sql_migration(migration);
    return {rokso::RenderedFile{stem + ".apply.sql", std::move(files.apply)},
            rokso::RenderedFile{stem + ".rollback.sql", std::move(files.rollback)}};
  }

 private:
  static std::runtime_error cannot(const std::string& path, int error) {
    return std::runtime_error("cannot read '" + path + "': " + std::strerror(error));
  }

  using File = std::unique_ptr<std::FILE, int (*)(std::FILE*)>;

  static std::string read_all(const std::string& path, std::FILE* file) {
    std::string content;
    char buffer[65536];
    for (;;) {
      errno = 0;
      const std::size_t n = std::fread(buffer, 1, sizeof buffer, file);
      content.append(buffer, n);
      if (n < sizeof buffer) {
        if (std::ferror(file)) throw cannot(path, errno != 0 ? errno : EIO);
        break;
      }
    }
    return content;
  }

  static std::string read_file(const std::string& path) {
    errno = 0;
    const File file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) throw cannot(path, errno);
    return read_all(path, file.get());
  }

  // The file's content, or nothing when there is no file of that name at all. A name
  // that is there but leads nowhere (a dangling symbolic link) is an error, not "no file".
  static std::optional<std::string> read_file_if_any(const std::string& path) {
    errno = 0;
    const File file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) {
      const int error = errno;
      struct stat link;
      if (error == ENOENT && ::lstat(path.c_str(), &link) != 0 && errno == ENOENT) return std::nullopt;
      if (error == ENOENT) {
        throw std::runtime_error("cannot read '" + path + "': a dangling symbolic link");
      }
      throw cannot(path, error);
    }
    return read_all(path, file.get());
  }
};

}  // namespace

ROKSO_DECLARE_PLUGIN("sql", SqlFormat)
