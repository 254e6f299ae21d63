// rokso remap: reverse-engineers an existing database into one migration file per
// object, and records them all as applied in one revision, so a team can adopt rokso
// on a database that already exists.
//
// It reads the database with pg_dump (once, schema only; see core/pg_dump.hpp for why)
// and changes nothing in the user's schemas: the only writes are the files and the
// version-table rows. Either both happen or neither, a kill -9 included: the files are
// written into migration/.rokso-remap-<revision>/ (hidden, so no command sees them), the
// rows committed, and only then are the files moved into place. The next remap finishes
// what a crash interrupted: it moves the files of a recorded revision into place, and
// deletes those of a revision that was never recorded.
#include "core/atomic_file.hpp"
#include "core/checksum.hpp"
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/new_files.hpp"
#include "core/output.hpp"
#include "core/path_component.hpp"
#include "core/pg_dump.hpp"
#include "core/pg_dump_archive.hpp"
#include "core/prompt.hpp"
#include "core/remap_plan.hpp"
#include "core/revision_id.hpp"
#include "core/text_table.hpp"
#include "core/text_util.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

namespace {

namespace fs = std::filesystem;

// Status lines for long runs, on stderr and only on a terminal: a log stays clean.
class Progress {
 public:
  Progress() : terminal_(::isatty(STDERR_FILENO) != 0) {}
  void say(const std::string& text) {
    if (!terminal_) return;
    std::fprintf(stderr, "\r\033[K%s", text.c_str());
    std::fflush(stderr);
    shown_ = true;
  }
  void done() {
    if (shown_) std::fprintf(stderr, "\r\033[K");
    shown_ = false;
  }
  ~Progress() { done(); }

 private:
  bool terminal_;
  bool shown_ = false;
};

// --schemas / the answer: "a" or "all", or a comma-separated list of exact names (a
// plain name also matches its lower-case form, as PostgreSQL folds unquoted names).
std::vector<std::string> chosen_schemas(const std::string& answer, const std::vector<std::string>& available) {
  const std::string trimmed = rokso::trim(answer);
  if (trimmed == "a" || trimmed == "all") return available;
  std::vector<std::string> chosen;
  std::size_t start = 0;
  while (start <= trimmed.size()) {
    std::size_t comma = trimmed.find(',', start);
    if (comma == std::string::npos) comma = trimmed.size();
    const std::string name = rokso::trim(trimmed.substr(start, comma - start));
    start = comma + 1;
    if (name.empty()) continue;
    std::string found;
    if (std::binary_search(available.begin(), available.end(), name)) {
      found = name;
    } else {
      std::string lower = name;
      for (char& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      if (std::binary_search(available.begin(), available.end(), lower)) found = lower;
    }
    if (found.empty()) {
      std::string list;
      for (const std::string& s : available) list += (list.empty() ? "" : ", ") + s;
      throw rokso::usage_error("unknown schema '" + name + "' (the database has: " + list + ")");
    }
    if (std::find(chosen.begin(), chosen.end(), found) == chosen.end()) chosen.push_back(found);
  }
  if (chosen.empty()) throw rokso::usage_error("no schema given: name one or more, comma-separated, or 'all'");
  return chosen;
}

// Where remap stages its files before their rows commit: a hidden directory, which every
// scan of migration/ skips.
const std::string kStagingPrefix = ".rokso-remap-";

// Moves every file under `staging` to the same place under `root`, then removes
// `staging`. A file already in place with the same content (a move interrupted between
// link and unlink) is fine; one with other content is an error naming it.
std::size_t move_into_place(const fs::path& staging, const fs::path& root) {
  std::size_t moved = 0;
  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::recursive_directory_iterator(staging)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  for (const fs::path& from : files) {
    const fs::path to = root / from.lexically_relative(staging);
    std::error_code ec;
    fs::create_directories(to.parent_path(), ec);
    if (ec) throw rokso::failure("cannot create '" + to.parent_path().string() + "': " + ec.message());
    const int err = rokso::rename_no_replace(from.string(), to.string());
    if (err == EEXIST && fs::equivalent(from, to, ec)) {
      fs::remove(from, ec);
    } else if (err == EEXIST) {
      throw rokso::failure("cannot move '" + from.string() + "' into place: '" + to.string() +
                           "' already exists; move one of them aside and run 'rokso remap' again");
    } else if (err != 0) {
      throw rokso::failure("cannot move '" + from.string() + "' to '" + to.string() + "': " + std::strerror(err));
    }
    ++moved;
  }
  std::error_code ec;
  fs::remove_all(staging, ec);
  if (ec) throw rokso::failure("cannot remove '" + staging.string() + "': " + ec.message());
  return moved;
}

// What an interrupted remap left under migration/: the files of a revision the version
// table records are moved into place (the rows committed, the moves did not finish);
// those of any other revision are deleted (it died before its rows committed). Returns
// whether a recorded revision was finished.
bool finish_interrupted_remaps(const fs::path& root, const rokso::History& history) {
  std::error_code ec;
  std::vector<fs::path> leftovers;
  for (const fs::directory_entry& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.compare(0, kStagingPrefix.size(), kStagingPrefix) == 0 && entry.is_directory()) {
      leftovers.push_back(entry.path());
    }
  }
  bool finished = false;
  for (const fs::path& staging : leftovers) {
    const std::string revision = staging.filename().string().substr(kStagingPrefix.size());
    if (history.revision_taken(revision)) {
      const std::size_t moved = move_into_place(staging, root);
      rokso::out::line("[*] finished the remap of revision " + revision + " that was interrupted: " +
                       std::to_string(moved) + " file(s) moved into place");
      finished = true;
    } else {
      fs::remove_all(staging, ec);
      if (ec) throw rokso::failure("cannot remove '" + staging.string() + "': " + ec.message());
      rokso::out::warning("removed '" + staging.string() +
                          "': the files of a remap that was interrupted before it recorded anything");
    }
  }
  return finished;
}

int remap(rokso::Session& session) {
  rokso::Project& project = session.project();
  rokso::PluginRegistry& plugins = session.plugins();
  const rokso::FormatPlugin* format = plugins.format(project.config.default_format);
  if (!format) {
    throw rokso::usage_error("unknown migration format '" + project.config.default_format +
                             "' in config.json's default_format (see 'rokso plugins')");
  }
  rokso::Database& db = session.database();
  const std::vector<std::string> available = db.user_schemas();
  const std::string answer =
      session.has("schemas") ? session.get<std::string>("schemas")
      : session.has("yes")   ? std::string("all")
                             : rokso::ask("Enter the schemas to reverse engineer, comma-separated (a/all for all of them)", "all");
  const std::vector<std::string> schemas = chosen_schemas(answer, available);

  rokso::VersionTable& table = session.version_table();
  session.lock_for_migrations();
  rokso::History history = table.read_history(0, true);
  if (finish_interrupted_remaps(project.migration_dir(), history)) return rokso::kExitOk;
  if (history.size() > 0 && !session.has("force")) {
    throw rokso::failure("the version table " + table.display_name() + " already records " +
                         std::to_string(history.size()) +
                         " migration(s): remap adopts a database before anything is recorded "
                         "(use --force to add the remapped files anyway)");
  }

  Progress progress;
  std::string schema_list;
  for (const std::string& s : schemas) schema_list += (schema_list.empty() ? "" : ", ") + s;
  progress.say("remap: reading " + schema_list + " with pg_dump ...");
  rokso::PgDumpRequest dump;
  dump.connection = db.settings();  // after --url and DATABASE_URL, as rokso connected
  dump.schemas = schemas;
  dump.server_major = db.server_version_number() / 10000;
  dump.lock_wait_timeout = session.migration_settings().lock_timeout;
  const rokso::Archive archive = rokso::read_custom_archive(rokso::run_pg_dump(dump));

  rokso::RemapRequest request;
  request.schemas.insert(schemas.begin(), schemas.end());
  request.excluded_relations = table.bookkeeping_relations();
  request.timestamp = rokso::file_timestamp_now(project.config.local_timestamps);
  const rokso::RemapPlan plan = rokso::plan_remap(archive, request, plugins.object_kinds());
  if (plan.files.empty()) {
    progress.done();
    rokso::out::line("Nothing to remap: " + schema_list + " hold(s) no objects.");
    return rokso::kExitOk;
  }

  // Identities first: files name the files they require.
  const std::vector<rokso::RenderedFile> probe = format->render("x", rokso::Migration{});
  const std::string suffix = probe.empty() ? "" : probe.front().file_name.substr(1);
  std::vector<std::string> identities;
  identities.reserve(plan.files.size());
  for (const rokso::RemapFile& file : plan.files) {
    identities.push_back(file.directory + "/" + file.encoded_stem + suffix);
    if (history.state_of(identities.back()) != rokso::History::State::absent) {
      throw rokso::failure("'" + identities.back() + "' is already in the version table");
    }
  }

  const std::string root = project.migration_dir().string();
  for (const std::string& identity : identities) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(root + "/" + identity, ec))) {
      throw rokso::failure("'" + root + "/" + identity + "' already exists; nothing was written");
    }
  }
  const std::string revision = rokso::new_revision_id(
      [&history](const std::string& candidate) { return history.revision_taken(candidate); });
  const std::string staging = root + "/" + kStagingPrefix + revision;
  rokso::NewFiles written;
  for (const rokso::RemapFile& file : plan.files) {
    rokso::Migration m;
    m.apply_sql = rokso::remap_apply_sql(file);
    m.rollback_sql = file.kind->remap_rollback(file.entries);
    for (std::size_t needed : file.requires_files) m.requires_identities.push_back(identities[needed]);
    m.description = file.entries.front().type + " " + file.schema + "." + file.entries.front().name +
                    " (remapped from database " + db.settings().dbname.value_or("") + ")";
    for (rokso::RenderedFile& rendered : format->render(file.encoded_stem, m)) {
      written.add({staging + "/" + file.directory, std::move(rendered.file_name), std::move(rendered.content)});
    }
  }
  written.write(4, [&](std::size_t done) {
    progress.say("remap: writing files " + std::to_string(done) + "/" + std::to_string(written.size()));
  });

  // What is recorded is the checksum of the SQL as the format reads it back, which is
  // what status and migrate compare with: a format may keep its own lines in the SQL
  // (the .sql format keeps its "-- rokso:" directives in the apply SQL).
  std::vector<std::string> checksums(plan.files.size());
  for (std::size_t i = 0; i < plan.files.size(); ++i) {
    const std::string path = staging + "/" + identities[i];
    try {
      const rokso::Migration back = format->read(path);
      checksums[i] = rokso::migration_checksum(back.apply_sql, back.rollback_sql);
    } catch (const std::exception& e) {
      throw rokso::failure("cannot read back '" + path + "': " + e.what());
    }
  }

  progress.say("remap: recording " + std::to_string(plan.files.size()) + " files in " + table.display_name());
  if (!history.table_exists() || !table.is_current()) table.ensure();
  {
    std::vector<std::pair<std::string, std::string>> rows;
    rows.reserve(plan.files.size());
    for (std::size_t i = 0; i < plan.files.size(); ++i) rows.emplace_back(identities[i], checksums[i]);
    table.record_complete(rows, revision);
  }
  // Recorded: from here on the files belong in the tree, and a crash before they are
  // all moved is finished by the next remap.
  written.keep();
  move_into_place(staging, root);
  progress.done();

  // Summary: files per schema and kind.
  std::map<std::pair<std::string, std::string>, std::size_t> counts;
  for (const rokso::RemapFile& file : plan.files) ++counts[{file.schema, file.kind->directory()}];
  rokso::TextTable summary({"schema", "kind", "files"});
  for (const auto& [key, n] : counts) summary.add_row({key.first, key.second, std::to_string(n)});
  rokso::out::line(summary.render() + "[*] " + std::to_string(plan.files.size()) + " migration files written under " +
                   root + " and recorded as applied.");
  rokso::out::line("✅ Your database is at revision# " + revision);
  if (history.size() > 0) {
    rokso::out::warning("the version table already recorded " + std::to_string(history.size()) +
                        " migration(s) (--force): objects they created were remapped again, so the tree will not "
                        "replay on an empty database until those duplicates are removed");
  }
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "remap";
  command.synopsis = "[--schemas <a|all|schema,schema...>] [--force]";
  command.options.add_options()
      ("schemas", rokso::po::value<std::string>()->value_name("<list>"),
       "schemas to reverse-engineer: a comma-separated list, or a/all")
      ("force", "add the remapped files even though the version table already records migrations")
      ("yes,y", "do not ask anything (the schemas then default to all)");
  command.run = remap;
  return rokso::run_command(argc, argv, command);
}
