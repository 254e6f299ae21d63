// rokso status: the last successful migrations, the failed ones, and what is pending —
// like `git status`. Read-only: one connection, one read of the version table.
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/history_table.hpp"
#include "core/output.hpp"
#include "core/text_table.hpp"

#include <unordered_set>

namespace {

// roksopsql showed the last ten rows.
constexpr std::size_t kRecentRows = 10;

int status(rokso::Session& session) {
  rokso::MigrationTree& tree = session.tree();
  std::vector<rokso::VersionRow> rows = session.version_table().read();

  std::vector<const rokso::VersionRow*> complete, failed;
  std::unordered_set<std::string> recorded;
  recorded.reserve(rows.size());
  for (const auto& row : rows) {
    recorded.insert(row.filename);
    (row.status == rokso::kStatusError ? failed : complete).push_back(&row);
  }
  if (complete.size() > kRecentRows) complete.erase(complete.begin(), complete.end() - kRecentRows);

  std::string text = "Last few successful migrations:\n" + rokso::render_history(complete);
  if (!failed.empty()) text += "\nFailed migrations:\n" + rokso::render_history(failed);

  // Pending files are read now, so status tells what migrate would stumble on.
  rokso::TextTable pending({"filename", "version", "status"});
  std::vector<std::string> notes, problems;
  for (const auto& file : tree.files()) {
    if (recorded.count(file.identity)) continue;
    pending.add_row({file.identity, "NA", "pending"});
    try {
      for (const auto& note : rokso::MigrationTree::read(file).notes) notes.push_back(file.identity + ": " + note);
    } catch (const rokso::Error& e) {
      problems.push_back(e.what());
    }
  }
  if (pending.empty()) {
    text += "\nNo new migration to process.";
  } else {
    text += "\nPending migrations for application:\n" + pending.render();
    text.pop_back();
  }
  for (const auto& note : notes) text += "\nnote: " + note;
  rokso::out::line(text);
  for (const auto& problem : problems) rokso::out::error(problem);
  // A malformed pending file is what migrate would fail on: say so in the exit code.
  return problems.empty() ? rokso::kExitOk : rokso::kExitFailed;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "status";
  command.run = status;
  return rokso::run_command(argc, argv, command);
}
