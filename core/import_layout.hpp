// Where `rokso import` puts another tool's migrations: one object directory,
// migration/<schema>/<NNN.kind>/<object>/, with file names whose string order is the
// tool's order (rokso runs the files of one directory in the string order of their names).
//
// golang-migrate, goose and Flyway run migrations in numeric version order, so their
// versions are zero-padded: every version gets as many dot-separated parts as the
// longest one (Flyway's 1 is 1.0), each part as many digits as the widest at its place,
// the first at least 14 — the width of the YYYYMMDDHHMMSS versions these tools make —
// so that they also sort before any file `rokso create` adds to the directory later
// (its names start with a year and '_'). 1_create_users.up.sql becomes
// 00000000000001_create_users. dbmate runs files in the string order of their names, so
// they keep their names.
#pragma once

#include "core/import_tree.hpp"

#include <string>
#include <vector>

namespace rokso {

// The file name stem (without the format's extension) of each of `tree.migrations`, in
// the same order. `suffix` is what the format adds to a stem for the identity file
// (".apply.sql"). Characters other than letters, digits, '_' and '-' in a description
// become '_'. Throws Error(kExitFailed) when the names would not sort in the tool's order.
std::vector<std::string> import_stems(const ImportTree& tree, const std::string& suffix);

}  // namespace rokso
