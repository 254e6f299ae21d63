// Version-table rows shown as roksopsql showed them (status, rollback).
#pragma once

#include "core/version_table.hpp"

#include <string>
#include <vector>

namespace rokso {

// id, filename, version, status, scheduledat, executedat — one line per row.
std::string render_history(const std::vector<const VersionRow*>& rows);

}  // namespace rokso
