// libFuzzer harness for the .sql pair reader and writer.
//
//   cmake -DROKSO_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ... && ./fuzz_sql_reader -max_total_time=60 fuzz-corpus
//
// An input is `<apply file>` or `<apply file>\0\xff<rollback file>`. Checks, for every input:
//   * the reader either returns or throws FormatError with a sane position;
//   * what it returns is valid UTF-8 without NUL, renders without complaint to the same
//     apply bytes (but for a leading BOM), and reads back unchanged;
//   * the input itself, used as SQL with directive-free fields, survives render -> read.

#include "sql_reader.hpp"
#include "sql_writer.hpp"
#include "reader_text.hpp"

#include <rokso/format_error.hpp>
#include <rokso/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

namespace {

using rokso::format_support::kUtf8Bom;

bool same(const rokso::Migration& a, const rokso::Migration& b) {
  return a.apply_sql == b.apply_sql && a.rollback_sql == b.rollback_sql && a.transactional == b.transactional &&
         a.requires_identities == b.requires_identities && a.description == b.description;
}

bool clean(const std::string& s) { return rokso::valid_utf8(s) && s.find('\0') == std::string::npos; }

rokso::Migration read(const rokso::sql::SqlFiles& files) {
  try {
    return rokso::sql::read_sql_migration(files.apply, files.rollback, "m.rollback.sql");
  } catch (const rokso::FormatError&) {
    std::abort();  // the writer wrote something the reader refuses
  }
}

rokso::sql::SqlFiles render(const rokso::Migration& m) {
  try {
    return rokso::sql::render_sql_migration(m);
  } catch (const std::invalid_argument&) {
    std::abort();
  }
}

// The bytes a reader-accepted file renders back to: the same, but for a single BOM.
std::string canonical(const std::string& file) {
  if (file.compare(0, kUtf8Bom.size(), kUtf8Bom) == 0 && file.compare(kUtf8Bom.size(), kUtf8Bom.size(), kUtf8Bom) != 0) {
    return file.substr(kUtf8Bom.size());
  }
  return file;
}

// `s` made fit for a directive line: printable characters, no blank at either end.
std::string value_from(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = rokso::utf8_sequence_length(s, i);
    if (len == 0) {
      ++i;
      continue;
    }
    const unsigned char u = static_cast<unsigned char>(s[i]);
    if (len > 1 || (u >= 0x20 && u != 0x7F) || u == '\t') out.append(s, i, len);
    i += len;
  }
  while (!out.empty() && (out.front() == ' ' || out.front() == '\t')) out.erase(0, 1);
  while (!out.empty() && (out.back() == ' ' || out.back() == '\t')) out.pop_back();
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t split = input.find(std::string("\0\xff", 2));
  const std::string apply = input.substr(0, split);
  const std::optional<std::string> rollback =
      split == std::string::npos ? std::nullopt : std::optional<std::string>(input.substr(split + 2));

  try {
    const rokso::Migration m = rokso::sql::read_sql_migration(apply, rollback, "m.rollback.sql");
    if (!clean(m.apply_sql) || !clean(m.rollback_sql) || !clean(m.description)) std::abort();
    for (const std::string& identity : m.requires_identities) {
      if (identity.empty() || !clean(identity)) std::abort();
    }
    if (!rollback && m.notes.empty()) std::abort();  // a missing rollback always has its note
    const rokso::sql::SqlFiles files = render(m);
    if (files.apply != canonical(apply)) std::abort();
    if (rollback && files.rollback != canonical(*rollback)) std::abort();
    if (!same(m, read(files))) std::abort();
  } catch (const rokso::FormatError& e) {
    const bool whole_file = e.line() == 0 && e.column() == 0;
    if (!whole_file && (e.line() < 1 || e.column() < 1)) std::abort();
    if (whole_file && std::string(e.what()).rfind("rollback file 'm.rollback.sql', line ", 0) != 0) std::abort();
    if (std::string(e.what()).empty()) std::abort();
  }

  if (clean(input) && rokso::sql::first_directive_line(input) == 0) {
    rokso::Migration m;
    m.apply_sql = input;
    m.rollback_sql = input.substr(size / 2);
    if (!rokso::valid_utf8(m.rollback_sql)) m.rollback_sql.clear();
    m.description = value_from(input.substr(0, size / 3));
    const std::string identity = value_from(input.substr(size / 4));
    if (!identity.empty()) m.requires_identities = {identity, identity};
    m.transactional = size % 2 == 0;
    const rokso::Migration back = read(render(m));
    rokso::Migration expected = m;
    std::string header;
    if (!m.description.empty()) header += "-- rokso:description " + m.description + "\n";
    for (const std::string& id : m.requires_identities) header += "-- rokso:requires " + id + "\n";
    if (!m.transactional) header += "-- rokso:no-transaction\n";
    expected.apply_sql = header + m.apply_sql;
    if (!same(expected, back)) std::abort();
  }
  return 0;
}
