// rokso status: the last successful migrations, the failed ones, and what is pending —
// like `git status`. Read-only: one connection, one read of the version table.
// --format json gives the same as one JSON document; --exit-code makes "something is
// pending, failed, modified or unknown" exit 1, for CI gates (like `git diff --exit-code`).
// Exit 1 without it too when migrate would stop before applying anything because a
// pending file cannot be read or ordered.
// Applied files are read and compared with their recorded checksums (core/checksum.hpp):
// one read per applied file, skipped with --no-checksums.
#include "core/checksum.hpp"
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/history_table.hpp"
#include "core/migration_plan.hpp"
#include "core/output.hpp"
#include "core/project_plugins.hpp"
#include "core/replicas.hpp"
#include "core/schema_drift.hpp"
#include "core/stat_cache.hpp"
#include "core/text_table.hpp"
#include "core/text_util.hpp"

namespace {

// roksopsql showed the last ten rows.
constexpr std::size_t kRecentRows = 10;

using rokso::PendingFile;

nlohmann::ordered_json row_json(const rokso::VersionRow& row) {
  return {
      {"id", row.id},
      {"identity", row.filename},
      {"revision", row.version},
      {"status", row.status},
      {"scheduled_at", row.scheduled_at_iso},
      {"executed_at", row.executed_at_iso},
  };
}

nlohmann::ordered_json string_or_null(const std::string& text) {
  return text.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(text);
}

// -v: one JSON object per streaming replica (core/replicas.hpp).
nlohmann::ordered_json replicas_json(const std::vector<rokso::Replica>& replicas) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const rokso::Replica& r : replicas) {
    list.push_back({{"name", r.name},
                    {"client_addr", string_or_null(r.client_addr)},
                    {"state", r.state},
                    {"replay_lag_bytes", r.replay_lag_bytes ? nlohmann::ordered_json(*r.replay_lag_bytes) : nullptr},
                    {"replay_lag_s", r.replay_lag_s ? nlohmann::ordered_json(*r.replay_lag_s) : nullptr}});
  }
  return list;
}

// -v: "replica node2 (127.0.0.1): streaming, replay 0 bytes / 0.001 s behind", one per replica.
std::string replica_line(const rokso::Replica& r) {
  std::string line = "replica " + rokso::escape_for_display(r.name);
  if (!r.client_addr.empty() && r.client_addr != r.name) line += " (" + r.client_addr + ")";
  line += ": " + r.state + ", replay ";
  line += r.replay_lag_bytes ? std::to_string(*r.replay_lag_bytes) + " bytes" : std::string("? bytes");
  if (r.replay_lag_s) {
    char text[32];
    std::snprintf(text, sizeof text, "%.3f", *r.replay_lag_s);
    line += std::string(" / ") + text + " s";
  }
  return line + " behind";
}

nlohmann::ordered_json json_view(rokso::Session& session, const rokso::History& history, const std::vector<PendingFile>& pending,
                      const rokso::DriftReport& drift, const std::string& order_error,
                      const std::vector<rokso::Replica>* replicas = nullptr) {
  const std::vector<std::string>& unknown_files = session.tree().unknown_files();
  nlohmann::ordered_json unknown = nlohmann::ordered_json::array(), formats = nlohmann::ordered_json::array();
  for (const std::string& identity : unknown_files) unknown.push_back({{"identity", identity}});
  for (const rokso::FormatPlugin* format : session.plugins().formats()) formats.push_back(format->name());
  nlohmann::ordered_json recent = nlohmann::ordered_json::array(), failed = nlohmann::ordered_json::array(), files = nlohmann::ordered_json::array();
  nlohmann::ordered_json modified = nlohmann::ordered_json::array(), missing = nlohmann::ordered_json::array(),
                         unverified = nlohmann::ordered_json::array();
  for (const auto& m : drift.modified) {
    modified.push_back({{"identity", m.identity},
                        {"recorded_checksum", m.recorded},
                        {"current_checksum", string_or_null(m.current)},
                        {"error", string_or_null(m.error)}});
  }
  for (const auto& m : drift.missing) {
    missing.push_back({{"identity", m.identity}, {"status", m.complete ? rokso::kStatusComplete : rokso::kStatusError}});
  }
  for (const auto& u : drift.unverified) {
    unverified.push_back({{"identity", u.identity}});
  }
  for (const auto& row : history.recent_complete()) recent.push_back(row_json(row));
  for (const auto& row : history.failed()) failed.push_back(row_json(row));
  for (const auto& p : pending) {
    files.push_back({{"identity", p.identity},
                     {"requires", p.requires_identities},
                     {"notes", p.notes},
                     {"error", p.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(p.error)}});
  }
  const std::size_t applied = history.size() - history.failed().size();
  nlohmann::ordered_json doc = {
      {"version_table", session.version_table().display_name()},
      {"version_table_exists", history.table_exists()},
      {"last_revision",
       history.recent_complete().empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(history.recent_complete().back().version)},
      {"counts", {{"applied", applied},
                  {"failed", history.failed().size()},
                  {"pending", pending.size()},
                  {"modified", drift.modified.size()},
                  {"missing", drift.missing.size()},
                  {"unverified", drift.unverified_count},
                  {"unknown", unknown_files.size()}}},
      {"up_to_date", history.failed().empty() && pending.empty() && unknown_files.empty()},
      {"recent_applied", recent},
      {"failed", failed},
      {"pending", files},
      {"pending_order_error", order_error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(order_error)},
      {"checksum_algorithm", rokso::kChecksumAlgorithm},
      {"checksums_checked", drift.files_read},
      {"modified", modified},
      {"missing", missing},
      {"unverified", unverified},
      {"unknown", unknown},
      {"formats", formats},
  };
  if (replicas) doc["replicas"] = replicas_json(*replicas);
  return doc;
}

std::string text_view(rokso::Session& session, const rokso::History& history, const std::vector<PendingFile>& pending,
                      const rokso::DriftReport& drift) {
  std::vector<const rokso::VersionRow*> complete, failed;
  for (const auto& row : history.recent_complete()) complete.push_back(&row);
  for (const auto& row : history.failed()) failed.push_back(&row);

  std::string text = "Last few successful migrations:\n" + rokso::render_history(complete);
  if (!failed.empty()) text += "\nFailed migrations:\n" + rokso::render_history(failed);
  // A file that cannot be read is listed on its own, with why; the others stay pending.
  std::size_t readable = 0;
  for (const auto& p : pending) readable += p.error.empty() ? 1 : 0;
  if (pending.empty()) {
    text += "\nNo new migration to process.";
  } else if (readable > 0) {
    rokso::TextTable table({"filename", "version", "status"});
    for (const auto& p : pending) {
      if (p.error.empty()) table.add_row({p.identity, "NA", "pending"});
    }
    text += "\nPending migrations for application:\n" + table.render();
    text.pop_back();
  }
  for (const auto& p : pending) {
    for (const auto& note : p.notes) text += "\nnote: " + rokso::escape_for_display(p.identity) + ": " + note;
  }
  if (readable < pending.size()) {
    text += "\n\nPending, but cannot be read (migrate stops before applying anything until they are fixed):";
    for (const auto& p : pending) {
      if (!p.error.empty()) text += "\n\tunreadable: " + p.identity + "\n\t  " + rokso::one_line(p.error);
    }
  }
  const std::vector<std::string>& unknown = session.tree().unknown_files();
  if (!unknown.empty()) {
    text += "\n\nNot read by any loaded format (formats: " + rokso::loaded_format_names(session.plugins()) +
            "; migrate refuses to run while they are here):";
    for (const auto& identity : unknown) text += "\n\tunknown:   " + identity;
    text += "\n  (install the plugin that reads them, rename them, or list them under \"ignore\" in config.json)";
  }
  if (!drift.modified.empty()) {
    text += "\n\nModified since applied (migrate refuses to run until this is resolved):";
    for (const auto& m : drift.modified) {
      text += "\n\tmodified:  " + rokso::escape_for_display(m.identity) + (m.error.empty() ? "" : "  (cannot be read: " + m.error + ")");
    }
    text += "\n  (restore the file as it was applied, or record its new content with 'rokso accept <identity>'"
            " or 'rokso accept --all')";
  }
  if (!drift.missing.empty()) {
    text += "\n\nRecorded, but no longer under migration/:";
    for (const auto& m : drift.missing) {
      text += "\n\tmissing:   " + rokso::escape_for_display(m.identity) + (m.complete ? "" : "  (failed)");
    }
    text += "\n  (restore the file, or forget its row with 'rokso mark --pending <identity>')";
  }
  if (drift.unverified_count > 0) {
    text += "\n\nnote: " + std::to_string(drift.unverified_count) + " applied migration" +
            (drift.unverified_count == 1 ? " has" : "s have") +
            " no checksum yet (applied by roksopsql or an older rokso, or marked applied); the next"
            " 'rokso migrate' records it from the file as it is now";
  }
  return text;
}

// --short / --porcelain: one line per file that is not simply applied, "<letter> <identity>",
// as `git status --short`; the letters are documented in README.md ("Output and
// scripting") and never change meaning. --porcelain is never coloured, whatever --color.
void print_short(rokso::Session& session, const rokso::History& history, const std::vector<PendingFile>& pending,
                 const rokso::DriftReport& drift, bool porcelain) {
  using Style = rokso::out::Style;
  auto add = [porcelain](char letter, Style style, const std::string& identity) {
    rokso::out::marked_line(porcelain ? Style::plain : style, std::string(1, letter), identity);
  };
  for (const auto& row : history.failed()) add('F', Style::error, row.filename);
  for (const auto& m : drift.modified) add('M', Style::warning, m.identity);
  // A failed row whose file is gone is listed once, as F.
  for (const auto& m : drift.missing) {
    if (m.complete) add('D', Style::warning, m.identity);
  }
  for (const auto& p : pending) add(p.error.empty() ? 'P' : '!', p.error.empty() ? Style::success : Style::error, p.identity);
  for (const auto& identity : session.tree().unknown_files()) add('?', Style::plain, identity);
}

int status(rokso::Session& session) {
  const bool json = session.json();
  const bool porcelain = session.has("porcelain");
  const bool short_format = porcelain || session.has("short");
  if (short_format && json) throw rokso::usage_error("--short and --porcelain exclude --format json");
  if (session.has("drift")) {  // the schema against what the tree makes (rokso diff)
    const rokso::MigrationTree& tree = session.tree();
    if (json) throw rokso::usage_error("--drift prints text; for JSON use 'rokso diff --format json'");
    const rokso::SchemaDrift schema = rokso::find_schema_drift(
        tree, session.project(), session.migration_settings(), session.database(),
        session.has("dev-url") ? std::optional<std::string>(session.get<std::string>("dev-url")) : std::nullopt);
    for (const std::string& line : rokso::drift_summary(schema)) rokso::out::line(line);
    return session.has("exit-code") && !schema.changes.empty() ? rokso::kExitFailed : rokso::kExitOk;
  }
  // Three things at once: this thread connects and reads the version table while another
  // loads the plugins and scans migration/, then opens the stat cache (.rokso/stat-cache)
  // and starts stat()ing the applied files in the background, so that only the files whose
  // stat changed are read to check their checksums.
  const bool checksums = !session.has("no-checksums");
  std::unique_ptr<rokso::StatCache> cache;
  rokso::History history;
  session.connect_while_scanning(
      [&] {
        history = session.version_table().read_history_to_index(kRecentRows, checksums,
                                                                 [&session] { return session.scanned_tree(); });
      },
      [&] {
        if (!checksums) return;
        cache = rokso::StatCache::open(session.project().root.string(), session.tree(), session.plugins().formats());
        if (cache) cache->stat_in_background();
      });
  const rokso::MigrationTree& tree = session.tree();
  history.index_by(tree);

  // Pending files are read now, so status tells what migrate would stumble on; an order
  // that cannot be computed is what migrate would stop on: exit 1 (core/migration_plan.hpp).
  const rokso::PendingList listed = rokso::list_pending(tree, history);
  const std::vector<PendingFile>& pending = listed.files;
  const std::string& order_error = listed.order_error;
  const bool malformed = listed.malformed;
  // Applied files: changed (one read each) or gone since they were applied.
  // The text shows how many are unverified, the JSON which.
  const rokso::DriftReport drift = rokso::find_drift(
      tree, history, session.has("no-checksums") ? rokso::DriftCheck::missing_only : rokso::DriftCheck::recorded,
      json, cache.get());
  if (cache) {
    const bool wrote = cache->save();
    rokso::out::detail("checksums: " + std::to_string(cache->hits()) + " from the stat cache, " +
                       std::to_string(cache->misses()) + " read" + (wrote ? " (stat cache written)" : ""));
  }
  // -v: the replicas' lag (pg_stat_replication), nothing when there are none. --format json
  // turns the -v lines off but keeps this.
  std::optional<std::vector<rokso::Replica>> replicas;
  if (session.has("verbose") && !short_format) replicas = rokso::replicas(session.database());
  if (json) {
    session.print_json(json_view(session, history, pending, drift, order_error, replicas ? &*replicas : nullptr));
  } else if (short_format) {
    print_short(session, history, pending, drift, porcelain);
  } else {
    rokso::out::line(text_view(session, history, pending, drift));
    if (replicas) {
      for (const rokso::Replica& r : *replicas) rokso::out::line(replica_line(r));
    }
  }
  for (const auto& p : pending) {
    if (!p.error.empty()) rokso::out::error(rokso::one_line(p.error));
  }
  if (!order_error.empty()) rokso::out::error(order_error + " (pending files shown in the tree's order)");
  // A malformed pending file is what migrate would fail on: say so in the exit code.
  if (malformed) return rokso::kExitFailed;
  if (session.has("exit-code") && (!pending.empty() || !history.failed().empty() || !drift.modified.empty() ||
                                   !tree.unknown_files().empty())) {
    return rokso::kExitFailed;
  }
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "status";
  command.synopsis = "[--format text|json | --short | --porcelain] [--exit-code] [--no-checksums] [--drift [--dev-url <url>]]";
  command.options.add_options()
      ("short,s", "one line per file that is not simply applied: a status letter and its identity")
      ("porcelain", "as --short, in a format kept stable for scripts (never coloured)")
      ("exit-code", "exit 1 when a migration is pending, failed or modified, or a file is unknown (for CI), 0 otherwise")
      ("no-checksums", "do not read the applied files to find the modified ones (faster on a long history)")
      ("drift", "compare the database's schema with what the migrations make instead (see 'rokso diff')")
      ("dev-url", rokso::po::value<std::string>()->value_name("<url>"), "with --drift: the server to replay them on");
  command.run = status;
  return rokso::run_command(argc, argv, command);
}
