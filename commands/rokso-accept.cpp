// rokso accept: records the current content of an applied migration as the applied one,
// deliberately, after its file was edited (status shows it as `modified` and migrate
// refuses to run). Only the checksum in its version-table row changes: no SQL of the
// migration runs, so whatever the edit means for the database is the user's to do.
//   rokso accept <identity>   one file
//   rokso accept --all        every modified file, and every applied file with no checksum yet
// Like mark, it holds the migration lock and asks first unless --yes.
#include "core/checksum.hpp"
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/stat_cache.hpp"

namespace {

struct Acceptance {
  std::string identity;
  std::string recorded;  // "" when the row has none
  std::string current;
};

std::string describe(const Acceptance& a) {
  return "\t" + a.identity + "\n\t  recorded: " + (a.recorded.empty() ? "(none)" : a.recorded) +
         "\n\t  current:  " + a.current + " (" + rokso::kChecksumAlgorithm + ")";
}

// Locks, asks, and records every acceptance in one transaction.
int record(rokso::Session& session, rokso::VersionTable& table, const std::vector<Acceptance>& accepted,
           const std::string& question) {
  std::string list;
  for (const Acceptance& a : accepted) list += "\n" + describe(a);
  rokso::out::line("The current content of " +
                   (accepted.size() == 1 ? std::string("this migration") : std::to_string(accepted.size()) + " migrations") +
                   " will be recorded as applied (no SQL is run):" + list);
  if (!session.confirmed(question + " (y/yes)")) return rokso::kExitOk;
  if (!table.is_current()) table.ensure();
  std::vector<std::pair<std::string, std::string>> checksums;
  for (const Acceptance& a : accepted) checksums.emplace_back(a.identity, a.current);
  if (const std::optional<std::string> gone = table.set_checksums(checksums)) {
    throw rokso::failure("'" + *gone + "' is no longer applied; nothing was recorded");
  }
  for (const Acceptance& a : accepted) {
    rokso::out::line("✅ Accepted '" + a.identity + "' (checksum " + a.current.substr(0, 12) + "…)");
  }
  return rokso::kExitOk;
}

int accept_one(rokso::Session& session, const std::string& named) {
  const rokso::MigrationTree& tree = session.tree();
  const rokso::MigrationFile* file = tree.resolve(named);
  if (!file) {
    throw rokso::usage_error("unknown migration '" + named +
                             "' (no such file under migration/; a row whose file is gone is forgotten with"
                             " 'rokso mark --pending <identity>')");
  }
  const std::string identity = file->identity;
  const std::string current = rokso::file_checksum(tree, *file);  // a file rokso cannot read cannot be accepted

  session.lock_for_migrations();
  rokso::VersionTable& table = session.version_table();
  const rokso::History history = table.read_history(0, false);
  const rokso::History::Entry* entry = history.find(identity);
  if (!entry || entry->state != rokso::History::State::complete) {
    throw rokso::usage_error("'" + identity + "' is not applied" +
                             (entry ? " (its last attempt failed)" : "") +
                             "; only an applied migration can be accepted (see 'rokso status')");
  }
  const std::string recorded = entry->checksum ? entry->checksum : "";
  if (recorded == current) {
    rokso::out::line("'" + identity + "' is unchanged since it was applied; nothing to accept.");
    return rokso::kExitOk;
  }
  return record(session, table, {{identity, recorded, current}},
                "Accept the current content of '" + identity + "' as applied?");
}

int accept_all(rokso::Session& session) {
  const rokso::MigrationTree& tree = session.tree();
  session.lock_for_migrations();
  rokso::VersionTable& table = session.version_table();
  const rokso::History history = table.read_history(0, false);
  // Through the stat cache, as status: only the files whose stat changed are read.
  const std::unique_ptr<rokso::StatCache> cache =
      rokso::StatCache::open(session.project().root.string(), tree, session.plugins().formats());
  const rokso::DriftReport drift = rokso::find_drift(tree, history, rokso::DriftCheck::all, true, cache.get());
  if (cache) cache->save();

  std::vector<std::string> unreadable;
  std::vector<Acceptance> accepted;
  for (const auto& m : drift.modified) {
    if (!m.error.empty()) unreadable.push_back(m.identity);
    accepted.push_back({m.identity, m.recorded, m.current});
  }
  if (!unreadable.empty()) {
    throw rokso::failure("cannot read " + rokso::list_identities(unreadable) +
                         "; fix or restore it first (see 'rokso status'); nothing was recorded");
  }
  for (const auto& u : drift.unverified) {
    if (u.error.empty()) accepted.push_back({u.identity, "", u.current});
  }
  if (accepted.empty()) {
    rokso::out::line("Nothing to accept: every applied migration matches its recorded checksum.");
    return rokso::kExitOk;
  }
  return record(session, table, accepted,
                "Accept the current content of these " + std::to_string(accepted.size()) + " migration" +
                    (accepted.size() == 1 ? "" : "s") + " as applied?");
}

int accept(rokso::Session& session) {
  const bool all = session.has("all"), one = session.has("identity");
  if (all == one) throw rokso::usage_error("say which: rokso accept <identity> or rokso accept --all");
  if (all) return accept_all(session);
  const std::string named = session.get<std::string>("identity");
  if (named.empty()) throw rokso::usage_error("name the migration to accept");
  return accept_one(session, named);
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "accept";
  command.synopsis = "(<identity> | --all) [--yes]";
  command.options.add_options()
      ("identity", rokso::po::value<std::string>()->value_name("<identity>"),
       "the applied migration whose current content to accept: its path relative to migration/, or a path to its file")
      ("all", "accept every modified migration, and record a checksum for every applied one that has none");
  command.positional.add("identity", 1);
  command.run = accept;
  return rokso::run_command(argc, argv, command);
}
