#include "core/history_table.hpp"

#include "core/text_table.hpp"

namespace rokso {

std::string render_history(const std::vector<const VersionRow*>& rows) {
  TextTable table({"id", "filename", "version", "status", "scheduledat", "executedat"});
  for (const VersionRow* row : rows) {
    table.add_row({std::to_string(row->id), row->filename, row->version, row->status, row->scheduled_at,
                   row->executed_at});
  }
  return table.render();
}

}  // namespace rokso
