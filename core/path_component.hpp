// Database names as file and directory names, reversibly.
//
// remap files each object under migration/<schema>/<kind>/<object>/, so names a
// PostgreSQL identifier may hold but a path component may not must be encoded. The rule
// keeps names readable (spaces, quotes, unicode stay as they are) and is undone by
// decode_path_component():
//   '/', '%', bytes below 0x20, 0x7F, bytes that are not well-formed UTF-8, and a
//   leading '.' become %XX (two uppercase hex digits), e.g. "a/b" -> "a%2Fb",
//   ".hidden" -> "%2Ehidden", "100%" -> "100%25".
// A name longer than kMaxNameBytes after encoding is cut (on a character boundary) and
// ends in "~" + 12 hex digits of the SHA-256 of the whole name, so it stays unique; only
// that form is not reversible, and the file holds the full name in its SQL anyway.
#pragma once

#include <cstddef>
#include <string>

namespace rokso {

inline constexpr std::size_t kMaxNameBytes = 150;

// `max_bytes` below 16 counts as 16.
std::string encode_path_component(const std::string& name, std::size_t max_bytes = kMaxNameBytes);
// The name encode_path_component() encoded (a cut name decodes to its cut form).
std::string decode_path_component(const std::string& component);

}  // namespace rokso
