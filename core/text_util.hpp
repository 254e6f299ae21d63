// Small text helpers shared by the core and the commands.
#pragma once

#include <string>

namespace rokso {

// Whether `s` is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool valid_utf8(const std::string& s);

// `s` without leading and trailing spaces, tabs, CR and LF.
std::string trim(const std::string& s);

}  // namespace rokso
