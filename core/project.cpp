#include "core/project.hpp"

#include "core/error.hpp"

#include <cstdlib>
#include <system_error>

namespace rokso {
namespace fs = std::filesystem;

std::optional<fs::path> project_root_of(const fs::path& start) {
  std::error_code ec;
  for (fs::path dir = start.lexically_normal();; dir = dir.parent_path()) {
    if (fs::exists(dir / "config.json", ec)) return dir;
    if (dir == dir.root_path() || dir.parent_path() == dir) break;
  }
  return std::nullopt;
}

Project find_project(const std::optional<fs::path>& explicit_dir) {
  std::error_code ec;
  fs::path start = explicit_dir ? fs::absolute(*explicit_dir, ec) : fs::current_path(ec);
  if (ec) throw usage_error("cannot determine the current directory: " + ec.message());
  if (explicit_dir && !fs::is_directory(start, ec)) {
    throw usage_error("cannot change to '" + explicit_dir->string() + "': no such directory");
  }
  if (auto root = project_root_of(start)) {
    Project project;
    project.root = *root;
    project.config = load_config(*root / "config.json");
    return project;
  }
  std::string message = "not a rokso project (no config.json in '" + start.string() + "' or any parent directory)";
  // config.json marks the project's root, as .git does; a URL only says where to connect.
  if (std::getenv("DATABASE_URL") || std::getenv("ROKSO_DATABASE_URL")) {
    message += "; a connection URL is not a project: run 'rokso init', or write a config.json holding {\"database\": {}}";
  } else {
    message += "; run 'rokso init' first";
  }
  throw usage_error(message);
}

}  // namespace rokso
