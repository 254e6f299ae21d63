#include "core/table_identity.hpp"

namespace rokso {

TableIdentity TableIdentity::from_config(const std::string& schema, const std::string& name) {
  return {resolved_identifier(schema), resolved_identifier(name)};
}

std::string TableIdentity::sql_name() const { return quoted_identifier(schema) + "." + quoted_identifier(name); }

std::string quoted_identifier(const std::string& name) {
  std::string quoted = "\"";
  for (char c : name) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string resolved_identifier(const std::string& name) {
  bool plain = !name.empty() && !(name[0] >= '0' && name[0] <= '9') && name[0] != '$';
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '_' || c == '$';
    if (!ok) plain = false;
  }
  std::string folded = name;
  if (plain) {
    for (char& c : folded) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return folded;
}

}  // namespace rokso
