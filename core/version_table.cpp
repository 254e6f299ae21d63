#include "core/version_table.hpp"

#include "core/checksum.hpp"
#include "core/error.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <initializer_list>
#include <optional>

namespace rokso {

const char* const kStatusComplete = "complete";
const char* const kStatusError = "error";

namespace {

// Python's str(datetime), which roksopsql printed: microseconds only when non-zero.
std::string python_timestamp(const pqxx::field& f) {
  std::string text = f.is_null() ? "" : f.as<std::string>();
  const std::string zero = ".000000";
  if (text.size() > zero.size() && text.compare(text.size() - zero.size(), zero.size(), zero) == 0) {
    text.resize(text.size() - zero.size());
  }
  return text;
}

}  // namespace

VersionTable::VersionTable(Database& db, const std::string& schema, const std::string& table)
    : db_(db),
      schema_(schema),
      table_(table),
      sql_name_(compatible_identifier(schema) + "." + compatible_identifier(table)),
      display_name_(schema + "." + table) {}

std::vector<std::string> VersionTable::column_names() {
  pqxx::nontransaction tx(db_.connection());
  pqxx::result r = tx.exec_params(
      "SELECT a.attname FROM pg_catalog.pg_attribute a "
      "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped",
      sql_name_);
  std::vector<std::string> names;
  for (const auto& row : r) names.push_back(row[0].as<std::string>());
  return names;
}

namespace {

// rokso's columns, added to roksopsql's table by ensure().
const char* const kRoksoColumns[] = {"executed_by", "duration_ms", "progress", "progress_checksum", "checksum",
                                     "checksum_algorithm"};

bool has_columns(const std::vector<std::string>& columns, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    if (std::find(columns.begin(), columns.end(), name) == columns.end()) return false;
  }
  return true;
}

// The select list for a VersionRow; a roksopsql-made table (not upgraded yet, e.g. when
// status only reads it) has no progress columns.
std::string row_columns(bool progress_columns) {
  return std::string("id, filename, version, status, "
                     "to_char(scheduledat, 'YYYY-MM-DD HH24:MI:SS.US'), to_char(executedat, 'YYYY-MM-DD HH24:MI:SS.US'), ") +
         (progress_columns ? "coalesce(progress, 0), coalesce(progress_checksum, '')" : "0, ''");
}

VersionRow to_version_row(const pqxx::row& row) {
  VersionRow v;
  v.id = row[0].as<long long>();
  v.filename = row[1].as<std::string>();
  v.version = row[2].as<std::string>();
  v.status = row[3].as<std::string>();
  v.scheduled_at = python_timestamp(row[4]);
  v.executed_at = python_timestamp(row[5]);
  v.progress = row[6].as<int>();
  v.progress_checksum = row[7].as<std::string>();
  return v;
}

std::string_view view_of(const pqxx::field& f) { return std::string_view(f.c_str(), f.size()); }

}  // namespace

void VersionTable::note_columns(const std::vector<std::string>& columns) {
  has_rokso_columns_ = true;
  for (const char* name : kRoksoColumns) has_rokso_columns_ = has_rokso_columns_ && has_columns(columns, {name});
  has_progress_columns_ = has_columns(columns, {"progress", "progress_checksum"});
  has_checksum_columns_ = has_columns(columns, {"checksum", "checksum_algorithm"});
}

const History::Entry* History::find(std::string_view identity) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), identity,
                             [](const Entry& e, std::string_view id) { return e.identity < id; });
  return it == entries_.end() || it->identity != identity ? nullptr : &*it;
}

History::State History::state_of(std::string_view identity) const {
  const Entry* entry = find(identity);
  return entry ? entry->state : State::absent;
}

History VersionTable::read_history(std::size_t recent, bool with_revisions, bool with_checksums) {
  History history;
  std::vector<std::string> columns;
  try {
    columns = column_names();
    history.exists_ = !columns.empty();
    if (!history.exists_) return history;
    note_columns(columns);
    const std::string kRowColumns = row_columns(has_progress_columns_);
    pqxx::nontransaction tx(db_.connection());
    // A checksum made with another algorithm (a later rokso's) reads as '': unverified.
    history.storage_ =
        has_checksum_columns_ && with_checksums
            ? tx.exec_params("SELECT filename, status = 'complete', CASE WHEN checksum IS NULL THEN NULL"
                             " WHEN checksum_algorithm = $1 THEN checksum ELSE '' END FROM " + sql_name_,
                             std::string(kChecksumAlgorithm))
            : tx.exec("SELECT filename, status = 'complete', NULL FROM " + sql_name_);
    if (with_revisions) {
      for (const auto& row : tx.exec("SELECT DISTINCT version FROM " + sql_name_)) {
        history.revisions_.insert(row[0].as<std::string>());
      }
    }
    const pqxx::result details = tx.exec_params(
        "SELECT " + kRowColumns + " FROM " + sql_name_ + " WHERE status <> 'complete' UNION ALL (SELECT " +
            kRowColumns + " FROM " + sql_name_ + " WHERE status = 'complete' ORDER BY id DESC LIMIT $1) ORDER BY 1",
        static_cast<long long>(recent));
    for (const auto& row : details) {
      VersionRow v = to_version_row(row);
      (v.status == kStatusComplete ? history.recent_complete_ : history.failed_).push_back(std::move(v));
    }
  } catch (const pqxx::sql_error& e) {
    throw failure("cannot read " + display_name_ + ": " + one_line(e.what()));
  }
  history.entries_.reserve(history.storage_.size());
  for (const auto& row : history.storage_) {
    const bool complete = !row[1].is_null() && row[1].c_str()[0] == 't';
    history.entries_.push_back({view_of(row[0]), row[2].is_null() ? nullptr : row[2].c_str(),
                                complete ? History::State::complete : History::State::failed});
  }
  std::sort(history.entries_.begin(), history.entries_.end(),
            [](const History::Entry& a, const History::Entry& b) { return a.identity < b.identity; });
  return history;
}

std::vector<VersionRow> VersionTable::read(bool* exists) {
  std::vector<std::string> columns;
  try {
    columns = column_names();
  } catch (const pqxx::sql_error& e) {
    throw failure("cannot read " + display_name_ + ": " + one_line(e.what()));
  }
  if (exists) *exists = !columns.empty();
  if (columns.empty()) return {};
  note_columns(columns);
  pqxx::result r;
  try {
    pqxx::nontransaction tx(db_.connection());
    r = tx.exec("SELECT " + row_columns(has_progress_columns_) + " FROM " + sql_name_ + " ORDER BY id");
  } catch (const pqxx::sql_error& e) {
    throw failure("cannot read " + display_name_ + ": " + one_line(e.what()));
  }
  std::vector<VersionRow> rows;
  rows.reserve(r.size());
  for (const auto& row : r) rows.push_back(to_version_row(row));
  return rows;
}

void VersionTable::ensure() {
  // roksopsql's DDL, so a table made by either tool is the same table. The constraint
  // keeps roksopsql's name for the default table; a custom table gets PostgreSQL's.
  const std::string unique = table_ == "rokso_db_version" ? "CONSTRAINT filename_UNQ " : "";
  try {
    pqxx::work tx(db_.connection());
    tx.exec("CREATE TABLE IF NOT EXISTS " + sql_name_ +
            " (\n"
            "    id serial PRIMARY KEY,\n"
            "    filename text NOT NULL,\n"
            "    version varchar(100) NOT NULL,\n"
            "    status VARCHAR(20) DEFAULT 'pending' NOT NULL,\n"
            "    scheduledAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
            "    executedAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
            "    " + unique + "UNIQUE (filename))");
    // rokso's additions: who applied a migration and how long it took.
    tx.exec("ALTER TABLE " + sql_name_ +
            " ADD COLUMN IF NOT EXISTS executed_by text,"
            " ADD COLUMN IF NOT EXISTS duration_ms bigint,"
            // How many statements of a failed non-transactional migration already ran,
            // and a fingerprint of them, so a retry resumes after them.
            " ADD COLUMN IF NOT EXISTS progress integer,"
            " ADD COLUMN IF NOT EXISTS progress_checksum text,"
            // A fingerprint of the migration as applied (core/checksum.hpp), so a file
            // edited after it was applied is noticed; and which algorithm made it.
            " ADD COLUMN IF NOT EXISTS checksum text,"
            " ADD COLUMN IF NOT EXISTS checksum_algorithm text");
    tx.commit();
    has_rokso_columns_ = has_progress_columns_ = has_checksum_columns_ = true;
  } catch (const pqxx::sql_error& e) {
    if (e.sqlstate() == "3F000") {
      throw failure("schema '" + schema_ + "' does not exist in this database; create it first (CREATE SCHEMA " +
                    compatible_identifier(schema_) + ")");
    }
    throw failure("cannot create the version table " + display_name_ + ": " + one_line(e.what()));
  }
}

void VersionTable::record(pqxx::transaction_base& tx, const std::string& identity, const std::string& revision,
                          const std::string& status, bool replaces_failed_row, long long duration_ms, int progress,
                          const std::string& progress_checksum, const std::string& checksum) {
  if (replaces_failed_row) {
    tx.exec_params("DELETE FROM " + sql_name_ + " WHERE filename = $1", identity);
  }
  if (has_rokso_columns_) {
    tx.exec_params("INSERT INTO " + sql_name_ +
                       " (filename, version, status, scheduledAt, executedAt, executed_by, duration_ms, progress,"
                       " progress_checksum, checksum, checksum_algorithm)"
                       " VALUES ($1, $2, $3, CURRENT_TIMESTAMP, clock_timestamp(), current_user, $4, $5, $6, $7, $8)"
                       " ON CONFLICT (filename) DO UPDATE SET status = EXCLUDED.status,"
                       " version = EXCLUDED.version, executedAt = EXCLUDED.executedAt,"
                       " executed_by = EXCLUDED.executed_by, duration_ms = EXCLUDED.duration_ms,"
                       " progress = EXCLUDED.progress, progress_checksum = EXCLUDED.progress_checksum,"
                       " checksum = EXCLUDED.checksum, checksum_algorithm = EXCLUDED.checksum_algorithm",
                   identity, revision, status, duration_ms,
                   progress > 0 ? std::optional<int>(progress) : std::nullopt,
                   progress > 0 ? std::optional<std::string>(progress_checksum) : std::nullopt,
                   checksum.empty() ? std::nullopt : std::optional<std::string>(checksum),
                   checksum.empty() ? std::nullopt : std::optional<std::string>(kChecksumAlgorithm));
  } else {
    tx.exec_params("INSERT INTO " + sql_name_ +
                       " (filename, version, status, scheduledAt, executedAt)"
                       " VALUES ($1, $2, $3, CURRENT_TIMESTAMP, clock_timestamp())"
                       " ON CONFLICT (filename) DO UPDATE SET status = EXCLUDED.status,"
                       " version = EXCLUDED.version, executedAt = EXCLUDED.executedAt",
                   identity, revision, status);
  }
}

bool VersionTable::set_checksum(pqxx::transaction_base& tx, const std::string& identity, const std::string& checksum) {
  const pqxx::result r = tx.exec_params("UPDATE " + sql_name_ +
                                            " SET checksum = $1, checksum_algorithm = $2"
                                            " WHERE filename = $3 AND status = 'complete'",
                                        checksum, std::string(kChecksumAlgorithm), identity);
  return r.affected_rows() > 0;
}

std::size_t VersionTable::adopt_checksums(const std::vector<std::pair<std::string, std::string>>& checksums) {
  if (checksums.empty()) return 0;
  // One statement whatever the count: the pairs travel as one JSON parameter, so no
  // file name is ever spliced into SQL. A row that got a checksum meanwhile is kept.
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& [identity, checksum] : checksums) pairs.push_back({{"f", identity}, {"c", checksum}});
  try {
    pqxx::work tx(db_.connection());
    // The planner cannot see how many pairs the JSON holds, and a table never analysed
    // looks small: a nested loop over both took 19 s at 10,000 rows. A hash join is O(N).
    tx.exec("SET LOCAL enable_nestloop = off");
    const pqxx::result r = tx.exec_params(
        "UPDATE " + sql_name_ + " AS t SET checksum = j.c, checksum_algorithm = $2"
        " FROM json_to_recordset($1::json) AS j(f text, c text)"
        " WHERE t.filename = j.f AND t.status = 'complete' AND t.checksum IS NULL",
        pairs.dump(), std::string(kChecksumAlgorithm));
    tx.commit();
    return static_cast<std::size_t>(r.affected_rows());
  } catch (const pqxx::sql_error& e) {
    throw failure("cannot record checksums in " + display_name_ + ": " + one_line(e.what()));
  }
}

void VersionTable::record_complete(pqxx::transaction_base& tx,
                                   const std::vector<std::pair<std::string, std::string>>& rows,
                                   const std::string& revision) {
  if (rows.empty()) return;
  // The rows travel as one JSON parameter (no file name is spliced into SQL) and are
  // inserted in their order, so ids follow it.
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [identity, checksum] : rows) list.push_back({identity, checksum});
  tx.exec_params("INSERT INTO " + sql_name_ +
                     " (filename, version, status, scheduledAt, executedAt, executed_by, duration_ms,"
                     " checksum, checksum_algorithm)"
                     " SELECT j.e->>0, $2, 'complete', CURRENT_TIMESTAMP, clock_timestamp(), current_user, 0,"
                     " j.e->>1, $3"
                     " FROM json_array_elements($1::json) WITH ORDINALITY AS j(e, n) ORDER BY j.n",
                 list.dump(), revision, std::string(kChecksumAlgorithm));
}

void VersionTable::remove(pqxx::transaction_base& tx, long long id) {
  tx.exec_params("DELETE FROM " + sql_name_ + " WHERE id = $1", id);
}

}  // namespace rokso
