// rokso last-success: the revision of the last successfully applied migration.
#include "core/command.hpp"
#include "core/error.hpp"
#include "core/output.hpp"

#include <nlohmann/json.hpp>

namespace {

// Bump when the JSON shape changes incompatibly (README: "JSON output").
constexpr int kJsonVersion = 1;

int last_success(rokso::Session& session) {
  const std::string format = session.get<std::string>("format");
  if (format != "text" && format != "json") {
    throw rokso::usage_error("unknown output format '" + format + "' (text or json)");
  }
  const std::vector<rokso::VersionRow> rows = session.version_table().read();
  const rokso::VersionRow* last = nullptr;
  for (auto it = rows.rbegin(); it != rows.rend() && !last; ++it) {
    if (it->status == rokso::kStatusComplete) last = &*it;
  }
  if (format == "json") {
    nlohmann::ordered_json doc = {
        {"rokso_json_version", kJsonVersion},
        {"command", "last-success"},
        {"revision", last ? nlohmann::ordered_json(last->version) : nlohmann::ordered_json(nullptr)},
        {"identity", last ? nlohmann::ordered_json(last->filename) : nlohmann::ordered_json(nullptr)},
        {"executed_at", last ? nlohmann::ordered_json(last->executed_at_iso) : nlohmann::ordered_json(nullptr)},
    };
    rokso::out::document(doc.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
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
  command.options.add_options()
      ("format", rokso::po::value<std::string>()->default_value("text")->value_name("<text|json>"),
       "output format");
  command.run = last_success;
  return rokso::run_command(argc, argv, command);
}
