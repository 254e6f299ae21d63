#include "core/import_history.hpp"

#include "core/database_access.hpp"
#include "core/error.hpp"

#include <map>
#include <set>

namespace rokso {

namespace {

// The canonical versions of `tree`, to find a migration by the version a history names.
std::map<std::string, std::size_t> index_by_version(const ImportTree& tree) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < tree.migrations.size(); ++i) {
    index.emplace(tree.tool == ImportTool::dbmate ? tree.migrations[i].version.text
                                                  : canonical(tree.migrations[i].version),
                  i);
  }
  return index;
}

// Marks the migrations of `versions` applied; the others go to `unknown`.
void mark(ToolHistory& history, const ImportTree& tree, const std::set<std::string>& versions) {
  const std::map<std::string, std::size_t> index = index_by_version(tree);
  for (const std::string& v : versions) {
    const auto it = index.find(v);
    if (it == index.end()) {
      history.unknown.push_back(v);
    } else {
      history.applied[it->second] = true;
    }
  }
}

std::string version_key(const std::string& text) { return canonical(ImportVersion::parse(text)); }

bool digits_and_dots(const std::string& s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(c >= '0' && c <= '9') && c != '.' && c != '_') return false;
  }
  return s.front() != '.' && s.back() != '.';
}

void read_golang_migrate(pqxx::transaction_base& tx, const std::string& sql_name, const ImportTree& tree,
                         ToolHistory& history) {
  const pqxx::result rows = tx.exec("SELECT version::text, dirty FROM " + sql_name);
  if (rows.size() > 1) {
    throw failure(history.table + " holds " + std::to_string(rows.size()) +
                  " rows; golang-migrate keeps one (the current version): fix it before adopting");
  }
  if (rows.empty()) return;
  const std::string version = rows[0][0].as<std::string>();
  if (rows[0][1].as<bool>()) {
    throw failure("golang-migrate's " + history.table + " says version " + version +
                  " is dirty (a migration failed part-way): repair the database and run 'migrate force' first");
  }
  if (version.front() == '-') return;  // -1: golang-migrate's "no version"
  const std::map<std::string, std::size_t> index = index_by_version(tree);
  const auto current = index.find(version_key(version));
  if (current == index.end()) {
    throw failure("golang-migrate's " + history.table + " is at version " + version +
                  ", which has no up migration in the tree");
  }
  for (std::size_t i = 0; i <= current->second; ++i) history.applied[i] = true;
}

void read_dbmate(pqxx::transaction_base& tx, const std::string& sql_name, const ImportTree& tree,
                 ToolHistory& history) {
  std::set<std::string> versions;
  for (const auto& row : tx.exec("SELECT version::text FROM " + sql_name)) versions.insert(row[0].as<std::string>());
  mark(history, tree, versions);
}

void read_goose(pqxx::transaction_base& tx, const std::string& sql_name, const ImportTree& tree,
                ToolHistory& history) {
  std::map<std::string, bool> latest;  // version -> its newest row's is_applied
  for (const auto& row : tx.exec("SELECT version_id::text, is_applied FROM " + sql_name + " ORDER BY id")) {
    latest[version_key(row[0].as<std::string>())] = row[1].as<bool>();
  }
  std::set<std::string> versions;
  for (const auto& [version, applied] : latest) {
    if (applied && version != "0") versions.insert(version);  // version 0: goose's own first row
  }
  mark(history, tree, versions);
}

void read_flyway(pqxx::transaction_base& tx, const std::string& sql_name, const ImportTree& tree,
                 ToolHistory& history) {
  std::set<std::string> versions;
  std::string baseline;
  for (const auto& row : tx.exec("SELECT installed_rank, version, type, success, script FROM " + sql_name +
                                 " ORDER BY installed_rank")) {
    const std::string version = row[1].is_null() ? "" : row[1].as<std::string>();
    const std::string type = row[2].as<std::string>();
    if (!row[3].as<bool>()) {
      throw failure("Flyway's " + history.table + " records a failed migration (" + row[4].as<std::string>("") +
                    "): repair it with 'flyway repair' first");
    }
    if (version.empty() || !digits_and_dots(version)) continue;  // repeatable migrations; SCHEMA markers
    const std::string key = version_key(version);
    if (type == "BASELINE") {
      baseline = key;
    } else if (type == "UNDO_SQL" || type == "UNDO_SCRIPT" || type == "DELETE") {
      versions.erase(key);
    } else if (type != "SCHEMA") {
      versions.insert(key);
    }
  }
  if (!baseline.empty()) {
    const ImportVersion b = ImportVersion::parse(baseline);
    for (const ImportedMigration& m : tree.migrations) {
      if (compare(m.version, b) <= 0) versions.insert(canonical(m.version));
    }
  }
  mark(history, tree, versions);
}

}  // namespace

const char* default_history_table(ImportTool tool) {
  switch (tool) {
    case ImportTool::golang_migrate:
    case ImportTool::dbmate: return "schema_migrations";
    case ImportTool::goose: return "goose_db_version";
    case ImportTool::flyway: return "flyway_schema_history";
  }
  return "";
}

ToolHistory read_tool_history(pqxx::transaction_base& tx, const ImportTree& tree, const std::string& table_name) {
  const std::string tool = import_tool_name(tree.tool);
  const pqxx::result found = tx.exec_params(
      "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
      "WHERE c.oid = pg_catalog.to_regclass($1)",
      table_name);
  if (found.empty()) {
    throw failure("no table '" + table_name + "' (" + tool +
                  "'s history) on the search path of the project's database; name it with --history-table");
  }
  ToolHistory history;
  history.table = found[0][0].as<std::string>() + "." + found[0][1].as<std::string>();
  history.applied.assign(tree.migrations.size(), false);
  const std::string sql_name = tx.quote_name(found[0][0].as<std::string>()) + "." +
                               tx.quote_name(found[0][1].as<std::string>());
  try {
    switch (tree.tool) {
      case ImportTool::golang_migrate: read_golang_migrate(tx, sql_name, tree, history); break;
      case ImportTool::dbmate: read_dbmate(tx, sql_name, tree, history); break;
      case ImportTool::goose: read_goose(tx, sql_name, tree, history); break;
      case ImportTool::flyway: read_flyway(tx, sql_name, tree, history); break;
    }
  } catch (const pqxx::sql_error& e) {
    throw failure("cannot read " + history.table + " as " + tool + "'s history: " + one_line(e.what()));
  } catch (const pqxx::conversion_error& e) {
    throw failure("cannot read " + history.table + " as " + tool + "'s history: " + one_line(e.what()));
  }
  return history;
}

ToolHistory read_tool_history(Database& db, const ImportTree& tree, const std::string& table_name) {
  pqxx::read_transaction tx(db.connection());
  return read_tool_history(tx, tree, table_name);
}

bool record_adopted(Database& db, VersionTable& table, const ImportTree& tree, const std::string& table_name,
                    const ToolHistory& shown, const std::vector<std::pair<std::string, std::string>>& rows,
                    const std::string& revision) {
  pqxx::work tx(db.connection());
  // Read again in the transaction that records: what is recorded is what the history
  // says at commit time, even if the tool ran in between.
  if (read_tool_history(tx, tree, table_name).applied != shown.applied) return false;
  table.record_complete(tx, rows, revision);
  tx.commit();
  return true;
}

}  // namespace rokso
