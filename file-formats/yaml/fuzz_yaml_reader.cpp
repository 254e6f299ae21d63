// libFuzzer harness for the .yaml reader and writer.
//
//   cmake -DROKSO_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ... && ./fuzz_yaml_reader -max_total_time=60 fuzz-corpus
//
// Checks, for every input:
//   * the reader either returns or throws FormatError with a sane position, and never
//     lets yaml-cpp crash or exhaust the stack (ASan reports a stack overflow);
//   * what it returns is valid UTF-8 without NUL and survives render -> read unchanged;
//   * the input itself, used as SQL, description and identities, survives render -> read.

#include "yaml_reader.hpp"
#include "yaml_writer.hpp"

#include <rokso/format_error.hpp>
#include <rokso/utf8.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace {

bool same(const rokso::Migration& a, const rokso::Migration& b) {
  return a.apply_sql == b.apply_sql && a.rollback_sql == b.rollback_sql && a.transactional == b.transactional &&
         a.requires_identities == b.requires_identities && a.description == b.description;
}

bool clean(const std::string& s) { return rokso::valid_utf8(s) && s.find('\0') == std::string::npos; }

void round_trip(const rokso::Migration& m) {
  std::string text;
  try {
    text = rokso::yaml::render_yaml_migration(m);
  } catch (const std::invalid_argument&) {
    std::abort();
  }
  rokso::Migration back;
  try {
    back = rokso::yaml::read_yaml_migration(text);
  } catch (const rokso::FormatError&) {
    std::abort();
  }
  if (!same(m, back)) std::abort();
}

// `i` moved back to the start of the UTF-8 sequence it falls in.
std::size_t boundary(const std::string& s, std::size_t i) {
  while (i > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
  return i;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);

  try {
    const rokso::Migration m = rokso::yaml::read_yaml_migration(input);
    if (!clean(m.apply_sql) || !clean(m.rollback_sql) || !clean(m.description)) std::abort();
    for (const std::string& identity : m.requires_identities) {
      if (identity.empty() || !clean(identity)) std::abort();
    }
    round_trip(m);
  } catch (const rokso::FormatError& e) {
    const bool whole_file = e.line() == 0 && e.column() == 0;
    if (!whole_file && (e.line() < 1 || e.column() < 1)) std::abort();
    if (std::string(e.what()).empty()) std::abort();
  }

  if (clean(input)) {
    rokso::Migration m;
    m.apply_sql = input;
    m.rollback_sql = input.substr(boundary(input, size / 2));
    m.description = input.substr(0, boundary(input, size / 3));
    const std::string identity = input.substr(boundary(input, size / 4));
    if (!identity.empty()) m.requires_identities = {identity, "x" + identity};
    m.transactional = size % 2 == 0;
    round_trip(m);
  }
  return 0;
}
