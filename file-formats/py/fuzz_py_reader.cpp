// libFuzzer harness for the .py reader and writer.
//
//   cmake -DROKSO_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ... && ./fuzz_py_reader -max_total_time=60
//
// Checks, for every input:
//   * the reader either returns or throws FormatError with a sane position;
//   * what it returns is valid UTF-8 and survives render -> read unchanged;
//   * the input itself, used as SQL, survives render -> read unchanged.

#include "py_reader.hpp"
#include "py_writer.hpp"

#include <rokso/utf8.hpp>

#include <rokso/format_error.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

namespace {

bool same(const rokso::Migration& a, const rokso::Migration& b) {
  return a.apply_sql == b.apply_sql && a.rollback_sql == b.rollback_sql &&
         a.transactional == b.transactional && a.requires_identities == b.requires_identities &&
         a.description == b.description;
}

void round_trip(const rokso::Migration& m) {
  const std::string text = rokso::py::render_py_migration(m);
  rokso::Migration back;
  try {
    back = rokso::py::read_py_migration(text);
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
    const rokso::Migration m = rokso::py::read_py_migration(input);
    round_trip(m);
  } catch (const rokso::FormatError& e) {
    const bool whole_file = e.line() == 0 && e.column() == 0;
    if (!whole_file && (e.line() < 1 || e.column() < 1)) std::abort();
    if (std::string(e.what()).empty()) std::abort();
  }

  if (rokso::valid_utf8(input)) {
    rokso::Migration m;
    m.apply_sql = input;
    m.rollback_sql = input.substr(boundary(input, size / 2));
    m.description = input.substr(0, boundary(input, size / 3));
    m.requires_identities = {input.substr(boundary(input, size / 4)), ""};
    m.transactional = size % 2 == 0;
    round_trip(m);
  }
  return 0;
}
