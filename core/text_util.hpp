// Small text helpers shared by the core and the commands.
#pragma once

#include <rokso/utf8.hpp>  // valid_utf8(), shared with the plugins

#include <string>

namespace rokso {

// `s` without leading and trailing spaces, tabs, CR and LF.
std::string trim(const std::string& s);

// The local time as migration file names start with it: "2021_03_29__19_14_28".
std::string file_timestamp_now();

}  // namespace rokso
