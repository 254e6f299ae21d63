// Which entries under migration/ are not migrations, so a file no format claims is
// either ignored on purpose or reported as unknown — never skipped in silence.
#pragma once

#include <string>
#include <vector>

namespace rokso {

class IgnoreRules {
 public:
  // `patterns`: config.json's "ignore", globs relative to migration/ (fnmatch, `*` and `?`
  // never crossing '/'). A pattern without '/' matches a name at any depth, one with '/'
  // the whole relative path; a trailing '/' matches directories only. A directory that
  // matches is ignored with everything under it.
  explicit IgnoreRules(std::vector<std::string> patterns = {});

  // The project's patterns: they apply to every entry, a migration's file included.
  // `relative_path` is relative to migration/, `name` its last component.
  bool ignores_file(const std::string& relative_path, const std::string& name) const;
  bool ignores_directory(const std::string& relative_path, const std::string& name) const;

  // Files that are obviously not migrations, ignored when no format claims them:
  // README*, *.md (.gitkeep and other dot-files are never looked at).
  static bool is_documentation(const std::string& name);

 private:
  bool matches(const std::string& relative_path, const std::string& name, bool directory) const;

  std::vector<std::string> patterns_;
};

}  // namespace rokso
