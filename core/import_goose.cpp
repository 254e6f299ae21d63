// goose's tree: <version>_<name>.sql files in one directory, each holding an up section
// after a `-- +goose Up` line and a down section after a `-- +goose Down` line, run in
// numeric version order. `-- +goose NO TRANSACTION` runs the file outside a transaction;
// `-- +goose StatementBegin` / `StatementEnd` only tell goose's own splitter where a
// statement ends (rokso splits with PostgreSQL's parser), so they stay as comments.
#include "core/error.hpp"
#include "core/import_tree.hpp"

#include <cctype>

namespace rokso {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

// The annotation of a `-- +goose <annotation>` line, lower case with single blanks, or "".
std::string annotation(const std::string& line) {
  std::size_t p = 0;
  while (p < line.size() && blank(line[p])) ++p;
  if (line.compare(p, 2, "--") != 0) return "";
  p += 2;
  while (p < line.size() && blank(line[p])) ++p;
  if (lower(line.substr(p, 7)) != "+goose ") return "";
  std::string words, word;
  for (std::size_t i = p + 7; i <= line.size(); ++i) {
    if (i == line.size() || blank(line[i])) {
      if (!word.empty()) words += (words.empty() ? "" : " ") + lower(word);
      word.clear();
    } else {
      word += line[i];
    }
  }
  return words;
}

}  // namespace

ImportTree read_goose_tree(const std::filesystem::path& dir) {
  ImportTree tree;
  tree.tool = ImportTool::goose;
  for (const std::string& file : import_detail::list_files(dir, false)) {
    const std::size_t dot = file.rfind('.');
    const std::string ext = dot == std::string::npos ? "" : file.substr(dot);
    if (ext != ".sql" && ext != ".go") {
      tree.skipped.push_back({file, "neither .sql nor .go: goose ignores it"});
      continue;
    }
    const std::size_t underscore = file.find('_');
    std::size_t digits = 0;
    while (digits < file.size() && std::isdigit(static_cast<unsigned char>(file[digits]))) ++digits;
    if (underscore == std::string::npos || digits == 0 || digits != underscore || digits > 18 ||
        file.find_first_not_of('0') >= digits) {
      if (ext == ".go") {
        tree.skipped.push_back({file, "not a goose migration (no <version>_ prefix): goose ignores it"});
        continue;
      }
      throw failure("'" + file + "' is not named <version>_<name>.sql with a version above 0, which goose refuses");
    }
    if (ext == ".go") {
      tree.skipped.push_back({file, "a Go migration: goose runs it compiled into a program, rokso cannot import it"});
      continue;
    }
    const std::string text = import_detail::read_bytes(dir / file);
    const std::string where = "'" + file + "': ";
    std::size_t up = std::string::npos, down = std::string::npos;
    bool no_transaction = false;
    for (std::size_t line = 0; line < text.size();) {
      std::size_t eol = text.find('\n', line);
      if (eol == std::string::npos) eol = text.size();
      const std::string a = annotation(text.substr(line, eol - line));
      if (a == "up") {
        if (up != std::string::npos) throw failure(where + "two '-- +goose Up' lines, which goose refuses");
        up = line;
      } else if (a == "down") {
        if (down != std::string::npos) throw failure(where + "two '-- +goose Down' lines, which goose refuses");
        down = line;
      } else if (a == "no transaction") {
        no_transaction = true;
      } else if (a == "envsub on") {
        throw failure(where + "'-- +goose ENVSUB ON': goose substitutes environment variables into it, so its SQL "
                      "cannot be imported as written");
      }
      line = eol + 1;
    }
    if (up == std::string::npos) throw failure(where + "no '-- +goose Up' line, which goose refuses");
    if (down != std::string::npos && down < up) {
      throw failure(where + "'-- +goose Down' comes before '-- +goose Up': rokso cannot tell goose's sections apart");
    }
    ImportedMigration m;
    m.version = ImportVersion::parse(file.substr(0, digits));
    m.description = file.substr(underscore + 1, dot - underscore - 1);
    m.up_sql = text.substr(up, down == std::string::npos ? std::string::npos : down - up);
    if (down != std::string::npos) {
      m.down_sql = text.substr(down);
      m.has_down = true;
    }
    m.transactional = !no_transaction;
    m.source_files.push_back(file);
    tree.migrations.push_back(std::move(m));
  }
  import_detail::sort_by_version(tree.migrations, tree.tool);
  return tree;
}

}  // namespace rokso
