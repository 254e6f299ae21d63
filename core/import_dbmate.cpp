// dbmate's tree: <digits><anything>.sql files in one directory, each holding its up block
// after a `-- migrate:up` line and its down block after a `-- migrate:down` line, run in
// the order of their file names as strings (dbmate sorts them so: 10_x runs before 2_x).
// The version recorded in schema_migrations is the leading digits, as written.
#include "core/error.hpp"
#include "core/import_tree.hpp"

#include <cctype>
#include <map>

namespace rokso {

namespace {

// Go's \s: the blanks dbmate's regular expressions skip.
bool go_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// The offsets of every line matching (?m)^--\s*migrate:<word>(\s*$|\s+\S+).
std::vector<std::size_t> directive_lines(const std::string& text, const std::string& word) {
  std::vector<std::size_t> found;
  const std::string keyword = "migrate:" + word;
  for (std::size_t line = 0; line < text.size();) {
    if (text.compare(line, 2, "--") == 0) {
      std::size_t p = line + 2;
      while (p < text.size() && go_space(text[p])) ++p;
      if (text.compare(p, keyword.size(), keyword) == 0) {
        p += keyword.size();
        if (p == text.size() || go_space(text[p])) found.push_back(line);
      }
    }
    const std::size_t eol = text.find('\n', line);
    if (eol == std::string::npos) break;
    line = eol + 1;
  }
  return found;
}

// transaction:false on the block's directive line (dbmate reads key:value words there).
bool block_is_transactional(const std::string& block) {
  std::string line = block.substr(0, block.find('\n'));
  std::size_t p = 2;
  while (p < line.size() && go_space(line[p])) ++p;
  p = line.find(':', p);
  p = p == std::string::npos ? line.size() : p + 1;
  while (p < line.size() && !go_space(line[p])) ++p;  // "up" or "down"
  std::map<std::string, std::string> options;
  while (p < line.size()) {
    while (p < line.size() && go_space(line[p])) ++p;
    const std::size_t start = p;
    while (p < line.size() && !go_space(line[p])) ++p;
    const std::string word = line.substr(start, p - start);
    const std::size_t colon = word.find(':');
    if (colon != std::string::npos && word.find(':', colon + 1) == std::string::npos) {
      options[word.substr(0, colon)] = word.substr(colon + 1);
    }
  }
  return options["transaction"] != "false";
}

}  // namespace

ImportTree read_dbmate_tree(const std::filesystem::path& dir) {
  ImportTree tree;
  tree.tool = ImportTool::dbmate;
  std::map<std::string, std::string> file_of_version;
  for (const std::string& file : import_detail::list_files(dir, false)) {
    std::size_t digits = 0;
    while (digits < file.size() && std::isdigit(static_cast<unsigned char>(file[digits]))) ++digits;
    const bool sql = file.size() >= 4 && file.compare(file.size() - 4, 4, ".sql") == 0;
    if (digits == 0 || !sql) {
      tree.skipped.push_back({file, "not named <version>*.sql: dbmate ignores it"});
      continue;
    }
    const std::string version = file.substr(0, digits);
    auto [known, fresh] = file_of_version.emplace(version, file);
    if (!fresh) {
      throw failure("'" + known->second + "' and '" + file + "' have the same version " + version +
                    " (dbmate records one row for both)");
    }
    const std::string text = import_detail::read_bytes(dir / file);
    const std::vector<std::size_t> ups = directive_lines(text, "up"), downs = directive_lines(text, "down");
    const std::string where = "'" + file + "': ";
    if (ups.empty()) throw failure(where + "no '-- migrate:up' line, which dbmate refuses");
    if (downs.empty()) throw failure(where + "no '-- migrate:down' line, which dbmate refuses (an empty down block is fine)");
    if (ups.size() > 1 || downs.size() > 1) {
      throw failure(where + "several '-- migrate:up' or '-- migrate:down' blocks: rokso imports one migration per file");
    }
    if (ups[0] > downs[0]) throw failure(where + "'-- migrate:down' comes before '-- migrate:up', which dbmate refuses");
    // Only blank and comment lines may come before the up block.
    for (std::size_t line = 0; line < ups[0];) {
      const std::size_t eol = std::min(text.find('\n', line), ups[0]);
      std::size_t p = line;
      while (p < eol && go_space(text[p])) ++p;
      if (p < eol && text.compare(p, 2, "--") != 0) {
        throw failure(where + "statements before '-- migrate:up', which dbmate refuses");
      }
      line = eol + 1;
    }
    ImportedMigration m;
    m.version = ImportVersion::parse(version);
    m.version.text = version;
    std::size_t name = digits;
    while (name < file.size() - 4 && (file[name] == '_' || file[name] == '-')) ++name;
    m.description = file.substr(name, file.size() - 4 - name);
    m.up_sql = text.substr(ups[0], downs[0] - ups[0]);
    m.down_sql = text.substr(downs[0]);
    m.has_down = true;
    m.transactional = block_is_transactional(m.up_sql);
    m.source_files.push_back(file);
    tree.migrations.push_back(std::move(m));
    tree.original_stems.push_back(file.substr(0, file.size() - 4));
  }
  return tree;
}

}  // namespace rokso
