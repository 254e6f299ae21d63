#include "core/import_tree.hpp"

#include "core/error.hpp"
#include "core/transaction_control.hpp"

#include <rokso/file_text.hpp>

#include <algorithm>
#include <system_error>

namespace rokso {

namespace fs = std::filesystem;

const char* import_tool_name(ImportTool tool) {
  switch (tool) {
    case ImportTool::golang_migrate: return "golang-migrate";
    case ImportTool::dbmate: return "dbmate";
    case ImportTool::goose: return "goose";
    case ImportTool::flyway: return "flyway";
  }
  return "";
}

bool parse_import_tool(const std::string& name, ImportTool* tool) {
  for (ImportTool t : {ImportTool::golang_migrate, ImportTool::dbmate, ImportTool::goose, ImportTool::flyway}) {
    if (name == import_tool_name(t)) {
      *tool = t;
      return true;
    }
  }
  return false;
}

ImportVersion ImportVersion::parse(const std::string& text) {
  ImportVersion v;
  v.text = text;
  std::string part;
  const auto finish_part = [&v, &part] {
    const std::size_t first = part.find_first_not_of('0');
    v.parts.push_back(first == std::string::npos ? "0" : part.substr(first));
    part.clear();
  };
  for (char c : text) {
    if (c == '.' || c == '_') {
      finish_part();
    } else {
      part += c;
    }
  }
  finish_part();
  while (v.parts.size() > 1 && v.parts.back() == "0") v.parts.pop_back();
  return v;
}

int compare(const ImportVersion& a, const ImportVersion& b) {
  const std::size_t n = std::max(a.parts.size(), b.parts.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string& x = i < a.parts.size() ? a.parts[i] : std::string("0");
    const std::string& y = i < b.parts.size() ? b.parts[i] : std::string("0");
    if (x.size() != y.size()) return x.size() < y.size() ? -1 : 1;
    const int c = x.compare(y);
    if (c != 0) return c < 0 ? -1 : 1;
  }
  return 0;
}

std::string canonical(const ImportVersion& version) {
  std::string s;
  for (const std::string& part : version.parts) s += (s.empty() ? "" : ".") + part;
  return s;
}

namespace {

ImportTree read_as(ImportTool tool, const fs::path& dir) {
  switch (tool) {
    case ImportTool::golang_migrate: return read_golang_migrate_tree(dir);
    case ImportTool::dbmate: return read_dbmate_tree(dir);
    case ImportTool::goose: return read_goose_tree(dir);
    case ImportTool::flyway: return read_flyway_tree(dir);
  }
  throw failure("unknown tool");
}

}  // namespace

ImportTree read_import_tree(ImportTool tool, const fs::path& dir) {
  ImportTree tree = read_as(tool, dir);
  // dbmate's `transaction:false` and goose's NO TRANSACTION around a BEGIN ... COMMIT of
  // the file's own is how those tools' users run a body in a transaction they control.
  for (ImportedMigration& m : tree.migrations) {
    if (!m.transactional && is_wrapped_body(m.up_sql)) {
      m.transactional = true;
      m.wrapped_without_transaction = true;
    }
  }
  return tree;
}

namespace import_detail {

std::vector<std::string> list_files(const fs::path& dir, bool recursive) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw usage_error("'" + dir.string() + "' is not a directory");
  std::vector<std::string> files;
  const auto add = [&files, &dir](const fs::directory_entry& entry) {
    std::error_code e;
    if (!entry.is_regular_file(e)) return;
    files.push_back(entry.path().lexically_relative(dir).generic_string());
  };
  if (recursive) {
    fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (it->path().filename().string().front() == '.') {
        if (it->is_directory()) it.disable_recursion_pending();
        continue;
      }
      add(*it);
    }
  } else {
    fs::directory_iterator it(dir, ec), end;
    for (; !ec && it != end; it.increment(ec)) {
      if (it->path().filename().string().front() == '.') continue;
      add(*it);
    }
  }
  if (ec) throw usage_error("cannot read '" + dir.string() + "': " + ec.message());
  std::sort(files.begin(), files.end());
  return files;
}

std::string read_bytes(const fs::path& file) {
  try {
    return read_file_text(file.string());
  } catch (const std::exception& e) {
    throw failure(e.what());
  }
}

void sort_by_version(std::vector<ImportedMigration>& migrations, ImportTool tool) {
  std::stable_sort(migrations.begin(), migrations.end(),
                   [](const ImportedMigration& a, const ImportedMigration& b) { return compare(a.version, b.version) < 0; });
  for (std::size_t i = 1; i < migrations.size(); ++i) {
    if (compare(migrations[i - 1].version, migrations[i].version) == 0) {
      throw failure("'" + migrations[i - 1].source_files.front() + "' and '" + migrations[i].source_files.front() +
                    "' have the same version " + canonical(migrations[i].version) + ", which " +
                    import_tool_name(tool) + " refuses");
    }
  }
}

}  // namespace import_detail
}  // namespace rokso
