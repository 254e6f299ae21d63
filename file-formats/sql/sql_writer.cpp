#include "sql_writer.hpp"

#include "sql_reader.hpp"
#include "reader_text.hpp"

#include <rokso/format_error.hpp>
#include <rokso/utf8.hpp>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace rokso::sql {
namespace {

using format_support::kUtf8Bom;

[[noreturn]] void refuse(const std::string& why) {
  throw std::invalid_argument("cannot write a .sql migration: " + why);
}

void require_text(const std::string& s, const std::string& what) {
  if (!rokso::valid_utf8(s)) refuse("the " + what + " is not valid utf-8");
  if (s.find('\0') != std::string::npos) refuse("the " + what + " holds a NUL character");
}

// Whether `value` survives a `-- rokso:<name> <value>` line unchanged.
void require_directive_value(const std::string& value, const std::string& what) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  if (value.empty()) refuse("the " + what + " is empty");
  if (blank(value.front()) || blank(value.back())) refuse("the " + what + " starts or ends with a blank");
  for (const char c : value) {
    const unsigned char u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7F) {
      refuse("the " + what + " holds a line break or another control character");
    }
  }
}

std::string with_bom_kept(const std::string& text) {
  return text.compare(0, kUtf8Bom.size(), kUtf8Bom) == 0 ? kUtf8Bom + text : text;
}

}  // namespace

SqlFiles render_sql_migration(const rokso::Migration& migration) {
  require_text(migration.apply_sql, "apply SQL");
  require_text(migration.rollback_sql, "rollback SQL");
  require_text(migration.description, "description");
  for (const std::string& identity : migration.requires_identities) require_text(identity, "required identity");

  Directives own;
  try {
    own = read_directives(migration.apply_sql);
  } catch (const FormatError& e) {
    refuse("the apply SQL has a bad directive at line " + std::to_string(e.line()) + ", column " +
           std::to_string(e.column()) + ": " + e.what());
  }

  std::string header;
  if (own.has_description) {
    if (own.description != migration.description) {
      refuse("the apply SQL's '-- rokso:description' line differs from the description");
    }
  } else if (!migration.description.empty()) {
    require_directive_value(migration.description, "description");
    header += "-- rokso:description " + migration.description + "\n";
  }

  // The SQL's own requires come after the header's, so they must end the list.
  const std::vector<std::string>& wanted = migration.requires_identities;
  const std::vector<std::string>& stated = own.requires_identities;
  if (stated.size() > wanted.size() ||
      !std::equal(stated.begin(), stated.end(), wanted.end() - static_cast<std::ptrdiff_t>(stated.size()))) {
    refuse("the apply SQL's '-- rokso:requires' lines are not the last of the required identities");
  }
  for (std::size_t i = 0; i + stated.size() < wanted.size(); ++i) {
    require_directive_value(wanted[i], "required identity");
    header += "-- rokso:requires " + wanted[i] + "\n";
  }

  if (own.no_transaction && migration.transactional) {
    refuse("the apply SQL says '-- rokso:no-transaction' but the migration is transactional");
  }
  if (!migration.transactional && !own.no_transaction) header += "-- rokso:no-transaction\n";

  return SqlFiles{with_bom_kept(header + migration.apply_sql), with_bom_kept(migration.rollback_sql)};
}

}  // namespace rokso::sql
