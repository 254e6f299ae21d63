// The text of a .py module as CPython sees it before tokenizing, and the mapping from
// byte offsets to the line:column a FormatError reports.
//
// decode_module() does what importlib does to a module's bytes (importlib compiles the
// bytes): UTF-8 BOM, universal newlines (CRLF and CR become LF, inside string literals
// too), PEP 263 coding cookie (utf-8, latin-1 and ascii only), strict UTF-8 validation,
// no NUL. Whatever CPython would reject is rejected.
#pragma once

#include "reader_text.hpp"

#include <rokso/format_error.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace rokso::py {

// The decoded, newline-normalised source and the mapping from offsets to positions.
using format_support::Source;

// Reads the raw bytes of a module into its text: valid UTF-8 with LF newlines.
// Throws FormatError for bytes CPython would refuse.
Source decode_module(const std::string& raw);

// Character helpers shared by the stages.
std::string lower_ascii(std::string_view s);
bool is_name_char(char c);
using format_support::code_point_name;  // "U+0041"
using format_support::hex_byte;         // "0x41"

}  // namespace rokso::py
