// rokso last-success: the revision of the last successfully applied migration.
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/output.hpp"

namespace {

int last_success(rokso::Session& session) {
  const std::vector<rokso::VersionRow> rows = session.version_table().read();
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    if (it->status == rokso::kStatusComplete) {
      rokso::out::line("Last successful version: " + it->version);
      return rokso::kExitOk;
    }
  }
  rokso::out::line("No last revision detected");
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "last-success";
  command.run = last_success;
  return rokso::run_command(argc, argv, command);
}
