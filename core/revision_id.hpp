// Revision ids: 8 lowercase hex characters, one per `migrate` run, shared by every file
// that run applies (roksopsql's format).
#pragma once

#include <functional>
#include <string>

namespace rokso {

// A fresh random id for which `taken` says false.
std::string new_revision_id(const std::function<bool(const std::string&)>& taken);


// Whether `text` has the shape of a revision id.
bool is_revision_id(const std::string& text);

}  // namespace rokso
