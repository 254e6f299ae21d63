// Flyway's tree: V<version>__<description>.sql versioned migrations anywhere below the
// directory, U<version>__<description>.sql undo migrations (Flyway Teams) paired with
// them by version, run in numeric version order, part by part (1.2 < 1.10 < 2; 1.0 is 1;
// '_' in a version is '.'). A <script>.conf beside a script may say
// executeInTransaction=false. R__ repeatable migrations have no counterpart in rokso:
// they are reported, not imported.
#include "core/error.hpp"
#include "core/import_tree.hpp"
#include "core/text_util.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace rokso {

namespace {

struct FlywayName {
  char prefix = 0;  // 'V', 'U' or 'R'
  std::string version, description;
};

// V<version>__<description>.sql, U... or R__<description>.sql (Flyway's default prefixes,
// separator and suffix).
bool parse_name(const std::string& base, FlywayName* name) {
  if (base.size() < 5 || base.compare(base.size() - 4, 4, ".sql") != 0) return false;
  const char prefix = base[0];
  if (prefix != 'V' && prefix != 'U' && prefix != 'R') return false;
  const std::string stem = base.substr(1, base.size() - 5);
  const std::size_t separator = stem.find("__");
  if (separator == std::string::npos) return false;
  const std::string version = stem.substr(0, separator);
  if (prefix == 'R') {
    if (!version.empty()) return false;
  } else {
    if (version.empty()) return false;
    bool digit_before = false;
    for (char c : version) {
      if (std::isdigit(static_cast<unsigned char>(c))) {
        digit_before = true;
      } else if ((c == '.' || c == '_') && digit_before) {
        digit_before = false;
      } else {
        return false;
      }
    }
    if (!digit_before) return false;
  }
  name->prefix = prefix;
  name->version = version;
  name->description = stem.substr(separator + 2);
  return true;
}

// Whether `<script>.conf` says executeInTransaction=false.
bool conf_says_no_transaction(const std::string& conf) {
  std::size_t start = 0;
  while (start <= conf.size()) {
    std::size_t eol = conf.find('\n', start);
    if (eol == std::string::npos) eol = conf.size();
    const std::string line = trim(conf.substr(start, eol - start));
    const std::size_t eq = line.find('=');
    if (eq != std::string::npos && trim(line.substr(0, eq)) == "executeInTransaction" &&
        trim(line.substr(eq + 1)) == "false") {
      return true;
    }
    start = eol + 1;
  }
  return false;
}

std::string base_name(const std::string& relative) {
  const std::size_t slash = relative.rfind('/');
  return slash == std::string::npos ? relative : relative.substr(slash + 1);
}

}  // namespace

ImportTree read_flyway_tree(const std::filesystem::path& dir) {
  ImportTree tree;
  tree.tool = ImportTool::flyway;
  const std::vector<std::string> files = import_detail::list_files(dir, true);
  const std::set<std::string> all(files.begin(), files.end());
  std::map<std::string, std::string> undo_of;  // canonical version -> U file
  std::vector<std::pair<std::string, FlywayName>> versioned;
  for (const std::string& file : files) {
    const std::string base = base_name(file);
    if (base.size() > 9 && base.compare(base.size() - 9, 9, ".sql.conf") == 0 &&
        all.count(file.substr(0, file.size() - 5))) {
      continue;  // read with its script
    }
    FlywayName name;
    if (!parse_name(base, &name)) {
      tree.skipped.push_back({file, "not named V<version>__<description>.sql: not a Flyway versioned migration"});
      continue;
    }
    if (name.prefix == 'R') {
      tree.skipped.push_back({file, "a repeatable migration: rokso has none, so it is not imported "
                                    "(Flyway reruns it whenever it changes; keep its SQL in a rokso migration by hand)"});
      continue;
    }
    if (name.prefix == 'U') {
      const std::string key = canonical(ImportVersion::parse(name.version));
      auto [known, fresh] = undo_of.emplace(key, file);
      if (!fresh) {
        throw failure("'" + known->second + "' and '" + file + "' are both undo migrations of version " + key +
                      ", which Flyway refuses");
      }
      continue;
    }
    versioned.emplace_back(file, name);
  }
  std::set<std::string> paired;
  for (const auto& [file, name] : versioned) {
    ImportedMigration m;
    m.version = ImportVersion::parse(name.version);
    m.description = name.description;
    m.up_sql = import_detail::read_bytes(dir / file);
    m.source_files.push_back(file);
    if (all.count(file + ".conf")) {
      m.transactional = !conf_says_no_transaction(import_detail::read_bytes(dir / (file + ".conf")));
      m.source_files.push_back(file + ".conf");
    }
    const auto undo = undo_of.find(canonical(m.version));
    if (undo != undo_of.end()) {
      m.down_sql = import_detail::read_bytes(dir / undo->second);
      m.has_down = true;
      m.source_files.push_back(undo->second);
      paired.insert(undo->first);
    }
    if (m.up_sql.find("${") != std::string::npos) {
      tree.warnings.push_back({file, "holds '${': Flyway replaces placeholders in it, rokso imports and runs it as written"});
    }
    tree.migrations.push_back(std::move(m));
  }
  for (const auto& [key, file] : undo_of) {
    if (!paired.count(key)) tree.skipped.push_back({file, "an undo migration without a versioned migration " + key});
  }
  import_detail::sort_by_version(tree.migrations, tree.tool);
  std::sort(tree.skipped.begin(), tree.skipped.end(),
            [](const FileNote& a, const FileNote& b) { return a.file < b.file; });
  return tree;
}

}  // namespace rokso
