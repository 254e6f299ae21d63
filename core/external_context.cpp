#include "core/external_context.hpp"

#include "core/connection_settings.hpp"
#include "core/error.hpp"
#include "core/project.hpp"

#include <filesystem>
#include <system_error>

namespace rokso {
namespace fs = std::filesystem;

namespace {

// A .pgpass field: '*' matches anything; ':' and '\' are escaped with '\'.
std::string passfile_field(const std::optional<std::string>& value) {
  // A list of hosts or ports is matched host by host by libpq: one line cannot name them.
  if (!value || value->empty() || value->find(',') != std::string::npos) return "*";
  std::string field;
  for (char c : *value) {
    if (c == ':' || c == '\\') field += '\\';
    field += c;
  }
  return field;
}

}  // namespace

ExternalContext external_context(const std::optional<std::string>& cli_url) {
  ExternalContext context;
  std::error_code ec;
  const fs::path cwd = fs::current_path(ec);
  if (ec) return context;
  const auto root = project_root_of(cwd);
  if (!root) return context;
  const Project project = find_project(*root);
  const DatabaseSettings s = effective_database_settings(project.config.database, cli_url);
  auto& v = context.variables;
  v.emplace_back("ROKSO_PROJECT_ROOT", project.root.string());
  v.emplace_back("ROKSO_CONFIG", project.config_file().string());
  v.emplace_back("ROKSO_MIGRATION_DIR", project.migration_dir().string());
  v.emplace_back("ROKSO_VERSION_TABLE", project.config.version_table);
  v.emplace_back("ROKSO_SCHEMA", s.schema);
  for (const auto& variable : libpq_environment(s)) v.push_back(variable);
  if (s.password) {
    std::string password;
    for (char c : *s.password) {
      if (c == ':' || c == '\\') password += '\\';
      password += c;
    }
    context.password_line = passfile_field(s.host) + ":" + passfile_field(s.port) + ":" + passfile_field(s.dbname) +
                            ":" + passfile_field(s.user) + ":" + password + "\n";
  }
  return context;
}

}  // namespace rokso
