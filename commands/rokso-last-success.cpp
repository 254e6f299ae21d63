// rokso last-success: the revision of the last successfully applied migration.
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/output.hpp"

namespace {

int last_success(rokso::Session& session) {
  const std::vector<rokso::VersionRow> rows = session.version_table().read();
  const rokso::VersionRow* last = nullptr;
  for (auto it = rows.rbegin(); it != rows.rend() && !last; ++it) {
    if (it->status == rokso::kStatusComplete) last = &*it;
  }
  if (session.json()) {
    using rokso::Json;
    session.print_json({
        {"revision", last ? Json(last->version) : Json(nullptr)},
        {"identity", last ? Json(last->filename) : Json(nullptr)},
        {"executed_at", last ? Json(last->executed_at_iso) : Json(nullptr)},
    });
  } else {
    rokso::out::line(last ? "Last successful version: " + last->version : "No last revision detected");
  }
  return rokso::kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  rokso::CommandDefinition command;
  command.name = "last-success";
  command.synopsis = "[--format text|json]";
  command.run = last_success;
  return rokso::run_command(argc, argv, command);
}
