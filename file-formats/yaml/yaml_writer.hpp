// rokso .yaml format: writes a migration as one readable YAML document.
#pragma once

#include <rokso/migration.hpp>

#include <string>

namespace rokso::yaml {

// The text of a .yaml file holding `migration`:
//   description: ...        only when not empty
//   requires:               only when not empty, one "- <identity>" line each
//   transaction: false      only when the migration is not transactional
//   apply: |                the SQL as a literal block scalar when one can hold it
//     ...
//   rollback: |
//     ...
// A string goes in a literal block (`|`, `|-` or `|+`, with an indentation indicator
// when its first line starts with a space) when it holds only characters a block can
// hold as they are; otherwise (CR, other control characters, U+FEFF, U+2028, ...) in
// a one-line double-quoted scalar with escapes. Short plain words (descriptions,
// identities) are written without quotes when YAML reads them back as the same string.
// So read_yaml_migration(render_yaml_migration(m)) == m for every m (notes aside).
//
// REQUIRES: every string in `migration` is valid UTF-8 without NUL and no required
// identity is empty (the reader refuses those); throws std::invalid_argument otherwise.
std::string render_yaml_migration(const rokso::Migration& migration);

}  // namespace rokso::yaml
