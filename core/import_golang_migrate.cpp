// golang-migrate's tree: <version>_<name>.up.<ext> and <version>_<name>.down.<ext> in one
// directory, paired by version (the names may differ), run in numeric version order.
// Its file source reads every file, whatever the extension, and steps over names it
// cannot parse.
#include "core/error.hpp"
#include "core/import_tree.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace rokso {

namespace {

struct ParsedName {
  std::string version, name;
  bool up = false;
};

// golang-migrate's ^([0-9]+)_(.*)\.(down|up)\.(.*)$, the name being greedy: the last
// ".up." or ".down." splits it.
bool parse_name(const std::string& file, ParsedName* parsed) {
  std::size_t digits = 0;
  while (digits < file.size() && std::isdigit(static_cast<unsigned char>(file[digits]))) ++digits;
  if (digits == 0 || digits >= file.size() || file[digits] != '_') return false;
  // Versions are unsigned 64-bit: golang-migrate steps over a longer one.
  const std::string version = file.substr(0, digits);
  const std::size_t significant = version.size() - std::min(version.size() - 1, version.find_first_not_of('0'));
  if (significant > 20 || (significant == 20 && version.substr(version.size() - 20) > "18446744073709551615")) {
    return false;
  }
  const std::size_t up = file.rfind(".up."), down = file.rfind(".down.");
  const std::size_t at = up == std::string::npos ? down : down == std::string::npos ? up : std::max(up, down);
  if (at == std::string::npos || at < digits + 1) return false;
  parsed->version = version;
  parsed->name = file.substr(digits + 1, at - digits - 1);
  parsed->up = at == up;
  return true;
}

}  // namespace

ImportTree read_golang_migrate_tree(const std::filesystem::path& dir) {
  ImportTree tree;
  tree.tool = ImportTool::golang_migrate;
  struct Pair {
    std::string up, down;
    std::string name;
  };
  std::map<std::string, Pair> by_version;  // canonical version -> its files
  std::map<std::string, ImportVersion> versions;
  for (const std::string& file : import_detail::list_files(dir, false)) {
    ParsedName parsed;
    if (!parse_name(file, &parsed)) {
      tree.skipped.push_back({file, "not named <version>_<name>.up|down.<ext>: golang-migrate ignores it"});
      continue;
    }
    const ImportVersion version = ImportVersion::parse(parsed.version);
    const std::string key = canonical(version);
    Pair& pair = by_version[key];
    versions.emplace(key, version);
    std::string& slot = parsed.up ? pair.up : pair.down;
    if (!slot.empty()) {
      throw failure("'" + slot + "' and '" + file + "' are both the " + (parsed.up ? "up" : "down") +
                    " migration of version " + key + ", which golang-migrate refuses");
    }
    slot = file;
    if (parsed.up) pair.name = parsed.name;
  }
  for (const auto& [key, pair] : by_version) {
    if (pair.up.empty()) {
      tree.skipped.push_back({pair.down, "a down migration without an up migration for version " + key +
                                             ": golang-migrate runs nothing for it on the way up"});
      continue;
    }
    ImportedMigration m;
    m.version = versions.at(key);
    m.description = pair.name;
    m.up_sql = import_detail::read_bytes(dir / pair.up);
    m.source_files.push_back(pair.up);
    if (!pair.down.empty()) {
      m.down_sql = import_detail::read_bytes(dir / pair.down);
      m.has_down = true;
      m.source_files.push_back(pair.down);
    }
    tree.migrations.push_back(std::move(m));
  }
  import_detail::sort_by_version(tree.migrations, tree.tool);
  std::sort(tree.skipped.begin(), tree.skipped.end(),
            [](const FileNote& a, const FileNote& b) { return a.file < b.file; });
  return tree;
}

}  // namespace rokso
