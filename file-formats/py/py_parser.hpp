// Stage 3 of the .py reader: recursive descent over a module's statements and
// expressions, evaluating as it goes into immutable, shared Values bound to names, then
// reading the migration out of the names the module bound.
#pragma once

#include "py_source.hpp"

#include <rokso/migration.hpp>

namespace rokso::py {

// Throws FormatError for a module that is malformed or that needs running code.
Migration parse_module(const Source& src);

}  // namespace rokso::py
