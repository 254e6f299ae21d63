// rokso .yaml format: a migration as one YAML document.
//
//   description: Adds the users table        # optional
//   requires:                                # optional: identities applied before this one
//     - public/100.database_types/status/2024_01_01__00_00_00_status.yaml
//   transaction: false                       # optional: run outside a transaction block
//   apply: |
//     CREATE TABLE users (id serial PRIMARY KEY, status status);
//   rollback: |                              # optional: missing means nothing to undo
//     DROP TABLE users;
//
// Read with yaml-cpp, strictly: one document, a mapping of exactly these keys, each
// once, with values of the right type under the YAML 1.2 core schema (a plain `5`,
// `true` or `~` is not a string; quote it). Scalars keep their text as YAML defines it:
// a `|` block keeps its final line break, `|-` strips it, nothing is trimmed.
//
// Refused before parsing: invalid UTF-8, NUL, characters YAML does not allow in a file,
// and a carriage return that is not part of CRLF (YAML makes it a line break; yaml-cpp
// would keep it as text).
//
// Refused while yaml-cpp parses, from its event stream, so that no input can exhaust its
// stack: collections nested deeper than kMaxNesting, anchors and aliases (which a
// migration never needs). yaml-cpp's parser recurses once per collection level and
// reports each collection before it descends into it, so the refusal bounds its depth
// whatever the text looks like; a textual pre-scan could not know what is structure
// without re-implementing yaml-cpp's scanner (block scalars, plain continuation lines).
//
// Refused after parsing, where yaml-cpp 0.7 would give a value YAML does not define
// (found by differential testing): a quoted string left open at the end of the file or
// ending in blank lines, a folded block scalar with keep chomping (>+) or in a file that
// ends in blanks without a line break, and the escapes \N and \_ (decoded to bytes
// that are not UTF-8).
//
// Stateless and thread-safe.
#pragma once

#include <rokso/migration.hpp>

#include <string>

namespace rokso::yaml {

// The deepest nesting of collections the reader lets yaml-cpp build.
constexpr int kMaxNesting = 64;

// Reads the migration held by `text`, the raw bytes of a .yaml file.
//
// Throws rokso::FormatError(line, column, message) for a file that is not such a
// migration. Line and column are 1-based, the column counting characters (code points)
// of the line, a tab counting as one.
rokso::Migration read_yaml_migration(const std::string& text);

}  // namespace rokso::yaml
