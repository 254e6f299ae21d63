// Small text helpers shared by the core and the commands.
#pragma once

#include <rokso/utf8.hpp>  // valid_utf8(), shared with the plugins

#include <cstddef>
#include <string>

namespace rokso {

// `s` without leading and trailing spaces, tabs, CR and LF.
std::string trim(const std::string& s);

// Levenshtein distance (insert, delete, replace: one each), for "did you mean".
std::size_t edit_distance(const std::string& a, const std::string& b);

// The time now as migration file names start with it: "2021_03_29__19_14_28", in UTC
// unless `local` (roksopsql's choice; config.json's "timestamps": "local").
std::string file_timestamp_now(bool local = false);

// `text` made safe to print on a terminal: a file or migration name, or a message that
// quotes one, can hold escape sequences that clear the screen or forge lines. Control
// characters become \n, \r or \xNN (a tab stays), DEL and the C1 controls \u007f ..
// \u009f (valid JSON escapes, so a JSON document printed through it stays valid), and
// bytes that are not well-formed UTF-8 \xNN. With `keep_line_breaks` a '\n' stays a line
// break: for whole messages whose names were escaped already (the output funnel).
std::string escape_for_display(const std::string& text, bool keep_line_breaks = false);

}  // namespace rokso
