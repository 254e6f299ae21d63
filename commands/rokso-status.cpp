// rokso status: the last successful migrations, the failed ones, and what is pending —
// like `git status`. Read-only: one connection, one read of the version table.
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/history_table.hpp"
#include "core/output.hpp"
#include "core/text_table.hpp"


namespace {

// roksopsql showed the last ten rows.
constexpr std::size_t kRecentRows = 10;

int status(rokso::Session& session) {
  const rokso::MigrationTree& tree = session.tree();
  const rokso::History history = session.version_table().read_history(kRecentRows, false);

  std::vector<const rokso::VersionRow*> complete, failed;
  for (const auto& row : history.recent_complete()) complete.push_back(&row);
  for (const auto& row : history.failed()) failed.push_back(&row);

  std::string text = "Last few successful migrations:\n" + rokso::render_history(complete);
  if (!failed.empty()) text += "\nFailed migrations:\n" + rokso::render_history(failed);

  // Pending files are read now, so status tells what migrate would stumble on.
  rokso::TextTable pending({"filename", "version", "status"});
  std::vector<std::string> notes, problems;
  for (const auto& file : tree.files()) {
    if (history.state_of(file.identity) != rokso::History::State::absent) continue;
    pending.add_row({file.identity, "NA", "pending"});
    try {
      for (const auto& note : tree.read(file).notes) notes.push_back(file.identity + ": " + note);
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
