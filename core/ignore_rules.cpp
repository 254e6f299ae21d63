#include "core/ignore_rules.hpp"

#include <fnmatch.h>

namespace rokso {

IgnoreRules::IgnoreRules(std::vector<std::string> patterns) : patterns_(std::move(patterns)) {}

bool IgnoreRules::matches(const std::string& relative_path, const std::string& name, bool directory) const {
  for (const std::string& raw : patterns_) {
    std::string pattern = raw;
    const bool directories_only = !pattern.empty() && pattern.back() == '/';
    while (!pattern.empty() && pattern.back() == '/') pattern.pop_back();
    if (pattern.empty() || (directories_only && !directory)) continue;
    const bool anchored = pattern.find('/') != std::string::npos;
    const std::string& subject = anchored ? relative_path : name;
    if (::fnmatch(pattern.c_str(), subject.c_str(), FNM_PATHNAME) == 0) return true;
  }
  return false;
}

bool IgnoreRules::ignores_file(const std::string& relative_path, const std::string& name) const {
  return !patterns_.empty() && matches(relative_path, name, false);
}

bool IgnoreRules::ignores_directory(const std::string& relative_path, const std::string& name) const {
  return !patterns_.empty() && matches(relative_path, name, true);
}

bool IgnoreRules::is_documentation(const std::string& name) {
  if (name.compare(0, 6, "README") == 0) return true;
  return name.size() > 3 && name.compare(name.size() - 3, 3, ".md") == 0;
}

}  // namespace rokso
