#include "core/version_table.hpp"

#include "core/checksum.hpp"
#include "core/database_access.hpp"
#include "core/lease_lock.hpp"
#include "core/error.hpp"
#include "core/table_trust.hpp"

#include <nlohmann/json.hpp>

#include <pqxx/stream_from>

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string_view>

namespace rokso {

const char* const kStatusComplete = "complete";
const char* const kStatusError = "error";

namespace {

// Python's str(datetime), which roksopsql printed: microseconds only when non-zero.
std::string python_timestamp(std::string text) {
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
      identity_(TableIdentity::from_config(schema, table)),
      sql_name_(identity_.sql_name()),
      display_name_(schema + "." + table) {}

std::vector<std::string> VersionTable::column_names(pqxx::transaction_base& tx) {
  check_own_table(tx, sql_name_, display_name_);
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
// status only reads it) has no progress columns. Read by to_version_row() (a query's row)
// and version_row_from_json() (the same list as a JSON array, streamed): change all three.
std::string row_columns(bool progress_columns, bool checksum_columns) {
  return std::string("id, filename, version, status, "
                     "to_char(scheduledat, 'YYYY-MM-DD HH24:MI:SS.US'), to_char(executedat, 'YYYY-MM-DD HH24:MI:SS.US'), ") +
         (progress_columns ? "coalesce(progress, 0), coalesce(progress_checksum, '')" : "0, ''") +
         // Only a checksum this rokso can recompute counts (kChecksumAlgorithm is a constant).
         (checksum_columns ? std::string(", CASE WHEN checksum_algorithm = '") + kChecksumAlgorithm +
                                 "' THEN coalesce(checksum, '') ELSE '' END"
                           : std::string(", ''")) +
         // For JSON: ISO 8601 with the UTC offset. The columns are `timestamp` (no zone),
         // written as CURRENT_TIMESTAMP in the session's TimeZone; read in the same one,
         // PostgreSQL's JSON form of timestamptz is "2021-03-29T19:14:28.5+02:00".
         ", to_json(scheduledat::timestamptz) #>> '{}', to_json(executedat::timestamptz) #>> '{}'";
}

VersionRow to_version_row(const pqxx::row& row) {
  VersionRow v;
  v.id = row[0].as<long long>();
  v.filename = row[1].as<std::string>();
  v.version = row[2].as<std::string>();
  v.status = row[3].as<std::string>();
  v.scheduled_at = python_timestamp(row[4].as<std::string>(std::string()));
  v.executed_at = python_timestamp(row[5].as<std::string>(std::string()));
  v.progress = row[6].as<int>();
  v.progress_checksum = row[7].as<std::string>();
  v.checksum = row[8].as<std::string>();
  v.scheduled_at_iso = row[9].as<std::string>(std::string());
  v.executed_at_iso = row[10].as<std::string>(std::string());
  return v;
}

// The same from json_build_array(<row_columns()>)::text, as read_rows() streams it.
VersionRow version_row_from_json(std::string_view text) {
  const nlohmann::json a = nlohmann::json::parse(text);
  auto text_at = [&a](std::size_t i) { return a.at(i).is_null() ? std::string() : a.at(i).get<std::string>(); };
  VersionRow v;
  v.id = a.at(0).get<long long>();
  v.filename = a.at(1).get<std::string>();
  v.version = a.at(2).get<std::string>();
  v.status = a.at(3).get<std::string>();
  v.scheduled_at = python_timestamp(text_at(4));
  v.executed_at = python_timestamp(text_at(5));
  v.progress = a.at(6).get<int>();
  v.progress_checksum = a.at(7).get<std::string>();
  v.checksum = a.at(8).get<std::string>();
  v.scheduled_at_iso = text_at(9);
  v.executed_at_iso = text_at(10);
  return v;
}

}  // namespace

void VersionTable::note_columns(const std::vector<std::string>& columns) {
  has_rokso_columns_ = true;
  for (const char* name : kRoksoColumns) has_rokso_columns_ = has_rokso_columns_ && has_columns(columns, {name});
  has_progress_columns_ = has_columns(columns, {"progress", "progress_checksum"});
  has_checksum_columns_ = has_columns(columns, {"checksum", "checksum_algorithm"});
}

namespace {

// One field of a COPY ... TO STDOUT text line, from `at` up to the next tab or the end,
// into `field`: a view of `line` itself when the field has no escape (nearly always: a
// status reads every row of the table), else of `scratch`, with the escapes undone.
// False for \N (NULL). Moves `at` past the tab.
bool copy_field(const std::string& line, std::size_t& at, std::string& scratch, std::string_view& field) {
  const std::size_t end = std::min(line.find('\t', at), line.size());
  const std::size_t escape = line.find('\\', at);
  if (escape >= end) {
    field = std::string_view(line).substr(at, end - at);
    at = end + 1;
    return true;
  }
  if (escape == at && end - at == 2 && line[at + 1] == 'N') {
    at = end + 1;
    return false;
  }
  scratch.assign(line, at, escape - at);
  for (std::size_t i = escape; i < end; ++i) {
    char c = line[i];
    if (c != '\\' || i + 1 >= end) {
      scratch += c;
      continue;
    }
    c = line[++i];
    switch (c) {
      case 'b': scratch += '\b'; break;
      case 'f': scratch += '\f'; break;
      case 'n': scratch += '\n'; break;
      case 'r': scratch += '\r'; break;
      case 't': scratch += '\t'; break;
      case 'v': scratch += '\v'; break;
      case 'x': {
        int value = 0, digits = 0;
        while (digits < 2 && i + 1 < end && std::isxdigit(static_cast<unsigned char>(line[i + 1]))) {
          const char h = line[++i];
          value = value * 16 + (h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
          ++digits;
        }
        if (digits == 0) scratch += 'x';
        else scratch += static_cast<char>(value);
        break;
      }
      default:
        if (c >= '0' && c <= '7') {
          int value = c - '0', digits = 1;
          while (digits < 3 && i + 1 < end && line[i + 1] >= '0' && line[i + 1] <= '7') {
            value = value * 8 + (line[++i] - '0');
            ++digits;
          }
          scratch += static_cast<char>(value);
        } else {
          scratch += c;  // "\\" and any other escaped character stand for themselves
        }
    }
  }
  field = scratch;
  at = end + 1;
  return true;
}

constexpr std::size_t kBlockSize = 64 * 1024;

}  // namespace

const char* History::keep(std::string_view text) {
  const std::size_t need = text.size() + 1;
  if (need > block_left_) {
    const std::size_t size = std::max(kBlockSize, need);
    blocks_.push_back(std::make_unique<char[]>(size));
    block_next_ = blocks_.back().get();
    block_left_ = size;
  }
  char* at = block_next_;
  text.copy(at, text.size());
  at[text.size()] = '\0';
  block_next_ += need;
  block_left_ -= need;
  return at;
}

std::ptrdiff_t History::tree_index(const MigrationFile& file) const {
  if (!tree_) return -1;
  const auto& files = tree_->files();
  if (files.empty() || &file < files.data() || &file >= files.data() + files.size()) return -1;
  return static_cast<std::ptrdiff_t>(tree_->index_of(file));
}

void History::index_by(const MigrationTree& tree) {
  if (tree_ == &tree && !awaits_index_) return;
  if (tree_) throw std::logic_error("History::index_by() on a History read with another tree");
  attach(tree);
  sort_entries();
  awaits_index_ = false;
}

void History::sort_entries() {
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) { return a.identity < b.identity; });
  std::sort(odd_checksums_.begin(), odd_checksums_.end());
}

void History::attach(const MigrationTree& tree) {
  // The rows' bytes stay alive in `blocks` while they are added again.
  const std::vector<Entry> rows = std::move(entries_);
  const std::vector<std::unique_ptr<char[]>> blocks = std::move(blocks_);
  entries_.clear();
  blocks_.clear();
  block_next_ = nullptr;
  block_left_ = 0;
  rows_ = 0;
  tree_ = &tree;
  file_rows_.assign(tree.files().size(), static_cast<unsigned char>(State::absent));
  for (const Entry& row : rows) {
    add_row(row.identity, row.state == State::complete,
            row.checksum ? std::optional<std::string_view>(row.checksum) : std::nullopt);
  }
}

void History::add_row(std::string_view identity, bool complete, std::optional<std::string_view> checksum) {
  ++rows_;
  const State state = complete ? State::complete : State::failed;
  if (tree_) {
    const auto& files = tree_->files();
    const MigrationFile* file = nullptr;
    if (next_guess_ < files.size() && files[next_guess_].identity == identity) {
      file = &files[next_guess_];
    } else {
      file = tree_->find(identity);
    }
    if (file) {
      const std::size_t index = tree_->index_of(*file);
      next_guess_ = index + 1;
      unsigned char row = static_cast<unsigned char>(state);
      if (checksum && checksum->empty()) {
        row |= kOtherAlgorithm;
      } else if (checksum) {
        ChecksumDigest digest;
        if (parse_digest(*checksum, digest)) {
          if (digests_.empty()) digests_.resize(files.size());
          digests_[index] = digest;
          row |= kDigest;
        } else {
          odd_checksums_.emplace_back(index, keep(*checksum));
          row |= kOddText;
        }
      }
      file_rows_[index] = row;
      return;
    }
  }
  entries_.push_back({std::string_view(keep(identity), identity.size()), checksum ? keep(*checksum) : nullptr, state});
}

void History::require_indexed() const {
  if (awaits_index_) throw std::logic_error("a History read to be indexed, asked before History::index_by()");
}

const History::Entry* History::find(std::string_view identity) const {
  require_indexed();
  if (tree_ && tree_->find(identity)) {
    throw std::logic_error("History::find() on a tree file of a History read with the tree");
  }
  auto it = std::lower_bound(entries_.begin(), entries_.end(), identity,
                             [](const Entry& e, std::string_view id) { return e.identity < id; });
  return it == entries_.end() || it->identity != identity ? nullptr : &*it;
}

History::State History::state_of(std::string_view identity) const {
  require_indexed();
  if (tree_) {
    if (const MigrationFile* file = tree_->find(identity)) return state_of(*file);
  }
  auto it = std::lower_bound(entries_.begin(), entries_.end(), identity,
                             [](const Entry& e, std::string_view id) { return e.identity < id; });
  return it == entries_.end() || it->identity != identity ? State::absent : it->state;
}

History::State History::state_of(const MigrationFile& file) const {
  const std::ptrdiff_t index = tree_index(file);
  if (index < 0) return state_of(std::string_view(file.identity));
  return static_cast<State>(file_rows_[static_cast<std::size_t>(index)] & 3);
}

const ChecksumDigest* History::recorded_digest(const MigrationFile& file) const {
  const std::ptrdiff_t index = tree_index(file);
  if (index < 0 || (file_rows_[static_cast<std::size_t>(index)] & kChecksumMask) != kDigest) return nullptr;
  return &digests_[static_cast<std::size_t>(index)];
}

std::optional<std::string> History::recorded_checksum(const MigrationFile& file) const {
  const std::ptrdiff_t signed_index = tree_index(file);
  if (signed_index < 0) {
    const Entry* entry = find(file.identity);
    if (!entry || !entry->checksum) return std::nullopt;
    return std::string(entry->checksum);
  }
  const std::size_t index = static_cast<std::size_t>(signed_index);
  switch (file_rows_[index] & kChecksumMask) {
    case kOtherAlgorithm:
      return std::string();
    case kDigest:
      return digest_hex(digests_[index]);
    case kOddText: {
      auto it = std::lower_bound(odd_checksums_.begin(), odd_checksums_.end(), index,
                                 [](const std::pair<std::size_t, const char*>& p, std::size_t i) { return p.first < i; });
      return std::string(it->second);
    }
    default:
      return std::nullopt;
  }
}

std::vector<const History::Entry*> History::rows_not_in(const MigrationTree& tree) const {
  require_indexed();
  std::vector<const Entry*> rows;
  for (const Entry& entry : entries_) {
    if (tree_ == &tree || !tree.find(entry.identity)) rows.push_back(&entry);
  }
  return rows;
}

void VersionTable::bound_read(pqxx::transaction_base& tx) {
  const auto read_timeout_ms = static_cast<long long>(db_.settings().bounds.read_timeout_s * 1000);
  tx.exec_params("SELECT pg_catalog.set_config('lock_timeout', $1, true), pg_catalog.set_config('statement_timeout', $2, true)",
                 read_lock_timeout_, std::to_string(read_timeout_ms));
}

Error VersionTable::read_error(const pqxx::sql_error& e) {
  if (e.sqlstate() == "55P03") {
    // Who holds it: the user can then wait for, or end, that session.
    std::string holders;
    try {
      pqxx::nontransaction tx(db_.connection());
      const pqxx::result r = tx.exec_params(
          "SELECT a.pid, coalesce(a.application_name, ''), l.mode,"
          " coalesce(to_char(a.xact_start, 'YYYY-MM-DD HH24:MI:SS TZ'), '')"
          " FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid"
          " WHERE l.locktype = 'relation' AND l.granted AND l.relation = pg_catalog.to_regclass($1)"
          " AND l.pid <> pg_catalog.pg_backend_pid() ORDER BY a.xact_start LIMIT 3",
          sql_name_);
      for (const auto& row : r) {
        holders += std::string(holders.empty() ? "" : "; ") + "pid " + row[0].as<std::string>() +
                   ", application_name '" + row[1].as<std::string>() + "', " + row[2].as<std::string>() +
                   (row[3].as<std::string>().empty() ? "" : ", in a transaction since " + row[3].as<std::string>());
      }
    } catch (const pqxx::sql_error&) {
      // Only for the message.
    }
    return failure("cannot read " + display_name_ + ": another session holds a lock on it" +
                   (holders.empty() ? "" : " (" + holders + ")") + "; gave up after lock_timeout " +
                   read_lock_timeout_);
  }
  if (e.sqlstate() == "57014") {
    return failure("cannot read " + display_name_ + ": it took longer than read_timeout (" +
                   std::to_string(static_cast<long long>(db_.settings().bounds.read_timeout_s)) + " s)");
  }
  return failure("cannot read " + display_name_ + ": " + one_line(e.what()));
}

Error VersionTable::lost_error(const Database::ReplyDeadline& deadline, const pqxx::broken_connection& e) {
  if (!deadline.expired()) return failure("lost the database connection: " + one_line(e.what()));
  return failure("cannot read " + display_name_ + ": the server did not answer within " +
                 std::to_string(static_cast<long long>(db_.settings().bounds.read_timeout_s)) +
                 " s (read_timeout) and 5 s more; its process may be stopped or the network gone; gave up");
}

History History::from_rows(const std::vector<VersionRow>& rows, std::size_t recent, const MigrationTree* tree,
                           std::size_t tree_after) {
  History history;
  if (tree && tree_after == 0) history.attach(*tree);
  history.exists_ = true;
  std::vector<const VersionRow*> complete;
  for (const VersionRow& row : rows) {
    history.revisions_.insert(row.version);
    const bool is_complete = row.status == kStatusComplete;
    if (is_complete) {
      complete.push_back(&row);
    } else {
      history.failed_.push_back(row);
    }
    history.add_row(row.filename, is_complete,
                    row.checksum.empty() ? std::nullopt : std::optional<std::string_view>(row.checksum));
    if (tree && !history.tree_ && history.rows_ == tree_after) history.attach(*tree);
  }
  if (tree && !history.tree_) history.attach(*tree);
  for (std::size_t i = complete.size() - std::min(recent, complete.size()); i < complete.size(); ++i) {
    history.recent_complete_.push_back(*complete[i]);
  }
  history.sort_entries();
  return history;
}

History VersionTable::read_history(std::size_t recent, bool with_revisions, bool with_checksums,
                                   const MigrationTree* tree) {
  History history = read_rows(recent, with_revisions, with_checksums, tree, nullptr);
  history.sort_entries();
  return history;
}

History VersionTable::read_history_to_index(std::size_t recent, bool with_checksums,
                                            const std::function<const MigrationTree*()>& made_tree) {
  // Sorting 100,000 rows by identity was a tenth of a status: index_by() has no need of it.
  History history = read_rows(recent, false, with_checksums, nullptr, made_tree);
  if (history.tree_) {
    history.sort_entries();
  } else {
    history.awaits_index_ = true;
  }
  return history;
}

History VersionTable::read_rows(std::size_t recent, bool with_revisions, bool with_checksums,
                                const MigrationTree* tree, const std::function<const MigrationTree*()>& made_tree) {
  History history;
  if (tree) history.attach(*tree);
  std::vector<std::string> columns;
  Database::ReplyDeadline deadline(db_, db_.settings().bounds.read_timeout_s + 5);
  try {
    pqxx::read_transaction tx(db_.connection());
    bound_read(tx);
    columns = column_names(tx);
    history.exists_ = !columns.empty();
    if (!history.exists_) return history;
    note_columns(columns);
    const std::string kRowColumns = row_columns(has_progress_columns_, has_checksum_columns_);
    if (with_revisions) {
      for (const auto& row : tx.exec("SELECT DISTINCT version FROM " + sql_name_)) {
        history.revisions_.insert(row[0].as<std::string>());
      }
    }
    // Every row, streamed: one line at a time, nothing held but what History keeps.
    // libpqxx 6's stream_from runs "COPY <its argument> TO STDOUT", so a query in
    // parentheses streams too. A checksum made with another algorithm (a later rokso's)
    // reads as '': unverified. The algorithm's name is rokso's constant, quoted.
    // A failed row and each of the last `recent` complete ones also bring the whole row,
    // as a JSON array of kRowColumns: no second query, and no second pass over the table.
    // (`recent` is a number of this code's, not the user's: written into the query, as
    // COPY takes no parameters.)
    const std::string checksum =
        has_checksum_columns_ && with_checksums
            ? "CASE WHEN checksum IS NULL THEN NULL WHEN checksum_algorithm = " +
                  tx.quote(std::string(kChecksumAlgorithm)) + " THEN checksum ELSE '' END"
            : std::string("NULL");
    const std::string is_recent =
        recent == 0 ? std::string("false")
                    : "id >= coalesce((SELECT id FROM " + sql_name_ + " WHERE status = 'complete' ORDER BY id DESC OFFSET " +
                          std::to_string(recent - 1) + " LIMIT 1), id)";
    const std::string rows = "(SELECT filename, status = 'complete', " + checksum +
                             ", CASE WHEN status <> 'complete' OR (status = 'complete' AND " + is_recent +
                             ") THEN json_build_array(" + kRowColumns + ")::text END FROM " + sql_name_ + ")";
    pqxx::stream_from stream(tx, rows);
    std::string line, identity_scratch, complete_scratch, checksum_scratch, details_scratch;
    std::string_view identity, complete, checksum_text, details;
    std::vector<VersionRow> detailed;
    while (stream.get_raw_line(line)) {
      if (!line.empty() && line.back() == '\n') line.pop_back();  // libpqxx 6 keeps it
      std::size_t at = 0;
      copy_field(line, at, identity_scratch, identity);
      const bool is_complete = copy_field(line, at, complete_scratch, complete) && complete == "t";
      const bool has_checksum = copy_field(line, at, checksum_scratch, checksum_text);
      if (copy_field(line, at, details_scratch, details)) detailed.push_back(version_row_from_json(details));
      history.add_row(identity, is_complete, has_checksum ? std::optional<std::string_view>(checksum_text) : std::nullopt);
      // Asked every 256 rows, an atomic load each time.
      if (made_tree && !history.tree_ && history.rows_ % 256 == 0) {
        if (const MigrationTree* made = made_tree()) history.attach(*made);
      }
    }
    stream.complete();
    tx.commit();
    // By id, as they were asked for before (failed rows first in a status, by id too).
    std::sort(detailed.begin(), detailed.end(), [](const VersionRow& a, const VersionRow& b) { return a.id < b.id; });
    for (VersionRow& v : detailed) {
      (v.status == kStatusComplete ? history.recent_complete_ : history.failed_).push_back(std::move(v));
    }
  } catch (const pqxx::broken_connection& e) {
    throw lost_error(deadline, e);
  } catch (const pqxx::sql_error& e) {
    throw read_error(e);
  }
  return history;
}

std::vector<VersionRow> VersionTable::read(bool* exists) {
  std::vector<std::string> columns;
  pqxx::result r;
  Database::ReplyDeadline deadline(db_, db_.settings().bounds.read_timeout_s + 5);
  try {
    pqxx::read_transaction tx(db_.connection());
    bound_read(tx);
    columns = column_names(tx);
    if (exists) *exists = !columns.empty();
    if (columns.empty()) return {};
    note_columns(columns);
    r = tx.exec("SELECT " + row_columns(has_progress_columns_, has_checksum_columns_) + " FROM " + sql_name_ + " ORDER BY id");
    tx.commit();
  } catch (const pqxx::broken_connection& e) {
    throw lost_error(deadline, e);
  } catch (const pqxx::sql_error& e) {
    throw read_error(e);
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
    const bool created = tx.exec_params1("SELECT pg_catalog.to_regclass($1) IS NULL", sql_name_)[0].as<bool>();
    tx.exec("CREATE TABLE IF NOT EXISTS " + sql_name_ +
            " (\n"
            "    id serial PRIMARY KEY,\n"
            "    filename text NOT NULL,\n"
            "    version varchar(100) NOT NULL,\n"
            "    status VARCHAR(20) DEFAULT 'pending' NOT NULL,\n"
            "    scheduledAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
            "    executedAt timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,\n"
            "    " + unique + "UNIQUE (filename))");
    // Ours to write alone, whatever the schema's default privileges grant; and one that
    // was there already must be ours (table_trust.hpp) before rokso alters or writes it.
    if (created) make_owner_only(tx, sql_name_);
    check_own_table(tx, sql_name_, display_name_);
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

void VersionTable::record_complete(const std::string& identity, const std::string& revision, bool replaces_failed_row,
                                   const std::string& checksum) {
  pqxx::work tx(db_.connection());
  record(tx, identity, revision, kStatusComplete, replaces_failed_row, 0, 0, "", checksum);
  tx.commit();
}

void VersionTable::record_complete(const std::vector<std::pair<std::string, std::string>>& rows,
                                   const std::string& revision) {
  pqxx::work tx(db_.connection());
  record_complete(tx, rows, revision);
  tx.commit();
}

std::optional<std::string> VersionTable::set_checksums(const std::vector<std::pair<std::string, std::string>>& checksums) {
  pqxx::work tx(db_.connection());
  for (const auto& [identity, checksum] : checksums) {
    if (!set_checksum(tx, identity, checksum)) return identity;  // the transaction rolls back
  }
  tx.commit();
  return std::nullopt;
}

void VersionTable::remove(long long id) {
  pqxx::work tx(db_.connection());
  remove(tx, id);
  tx.commit();
}

std::set<long long> VersionTable::complete_executed_after(const std::string& timestamp) {
  pqxx::nontransaction tx(db_.connection());
  std::set<long long> ids;
  for (const auto& row : tx.exec_params("SELECT id FROM " + sql_name_ +
                                            " WHERE status = 'complete' AND executedat > $1::timestamp",
                                        timestamp)) {
    ids.insert(row[0].as<long long>());
  }
  return ids;
}

bool VersionTable::schema_exists() {
  pqxx::nontransaction tx(db_.connection());
  return tx.exec_params1("SELECT to_regnamespace(quote_ident($1)) IS NOT NULL", identity_.schema)[0].as<bool>();
}

std::set<unsigned> VersionTable::bookkeeping_relations() {
  std::string lease_table = sql_name_;  // a name too long for a lease table has none
  try {
    lease_table = lease_table_name(identity_);
  } catch (const Error&) {
  }
  pqxx::nontransaction tx(db_.connection());
  const pqxx::result r = tx.exec_params(
      "SELECT t.oid::bigint, s.oid::bigint FROM (SELECT to_regclass($1) AS oid UNION ALL SELECT to_regclass($2)) t "
      "LEFT JOIN pg_catalog.pg_depend d ON d.refclassid = 'pg_class'::regclass AND d.refobjid = t.oid "
      "  AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
      "LEFT JOIN pg_catalog.pg_class s ON s.oid = d.objid AND s.relkind = 'S' "
      "WHERE t.oid IS NOT NULL",
      sql_name_, lease_table);
  std::set<unsigned> oids;
  for (const auto& row : r) {
    for (const auto& field : row) {
      if (!field.is_null()) oids.insert(static_cast<unsigned>(field.as<long long>()));
    }
  }
  return oids;
}

}  // namespace rokso
