// Small text helpers shared by the core and the commands.
#pragma once

#include <rokso/utf8.hpp>  // valid_utf8(), shared with the plugins

#include <string>

namespace rokso {

// `s` without leading and trailing spaces, tabs, CR and LF.
std::string trim(const std::string& s);

}  // namespace rokso
