// Revision ids: 8 lowercase hex characters, one per `migrate` run, shared by every file
// that run applies (roksopsql's format).
#pragma once

#include <string>
#include <unordered_set>

namespace rokso {

// A fresh random id that is not in `taken`.
std::string new_revision_id(const std::unordered_set<std::string>& taken);

// Whether `text` has the shape of a revision id.
bool is_revision_id(const std::string& text);

}  // namespace rokso
