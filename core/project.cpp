#include "core/project.hpp"

#include "core/error.hpp"

#include <system_error>

namespace rokso {
namespace fs = std::filesystem;

Project find_project(const std::optional<fs::path>& explicit_dir) {
  std::error_code ec;
  fs::path start = explicit_dir ? fs::absolute(*explicit_dir, ec) : fs::current_path(ec);
  if (ec) throw usage_error("cannot determine the current directory: " + ec.message());
  if (explicit_dir && !fs::is_directory(start, ec)) {
    throw usage_error("cannot change to '" + explicit_dir->string() + "': no such directory");
  }
  for (fs::path dir = start.lexically_normal();; dir = dir.parent_path()) {
    if (fs::exists(dir / "config.json", ec)) {
      Project project;
      project.root = dir;
      project.config = load_config(dir / "config.json");
      return project;
    }
    if (dir == dir.root_path() || dir.parent_path() == dir) break;
  }
  throw usage_error("not a rokso project (no config.json in '" + start.string() +
                    "' or any parent directory); run 'rokso init' first");
}

}  // namespace rokso
