#include "core/pg_dump_archive.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace rokso {
namespace {

// Archive format versions, as pg_backup_archiver.h numbers them (major, minor, rev).
constexpr int version(int major, int minor) { return major * 100 + minor; }
constexpr int kOldest = version(1, 12);  // pg_dump 11
constexpr int kNewest = version(1, 16);  // pg_dump 17
constexpr int kFormatCustom = 1;

// Follows ReadInt/ReadStr in pg_backup_archiver.c: an int is a sign byte then
// `int_size` bytes, least significant first; a string is its length (-1: NULL) then
// its bytes.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}

  unsigned char byte() {
    need(1);
    return static_cast<unsigned char>(bytes_[pos_++]);
  }
  long long integer() {
    const bool negative = byte() != 0;
    need(int_size_);
    unsigned long long value = 0;
    for (int i = 0; i < int_size_; ++i) {
      value |= static_cast<unsigned long long>(static_cast<unsigned char>(bytes_[pos_ + i])) << (8 * i);
    }
    pos_ += int_size_;
    if (value > 0x7fffffffULL) fail("an integer out of range");
    return negative ? -static_cast<long long>(value) : static_cast<long long>(value);
  }
  std::optional<std::string> string() {
    const long long length = integer();
    if (length < 0) return std::nullopt;
    need(static_cast<std::size_t>(length));
    std::string s(bytes_.substr(pos_, static_cast<std::size_t>(length)));
    pos_ += static_cast<std::size_t>(length);
    return s;
  }
  std::string string_or_empty() { return string().value_or(""); }
  void skip(std::size_t n) {
    need(n);
    pos_ += n;
  }
  void set_int_size(int n) { int_size_ = n; }

  [[noreturn]] void fail(const std::string& what) const {
    throw failure("cannot read pg_dump's archive: " + what + " at byte " + std::to_string(pos_));
  }

 private:
  void need(std::size_t n) const {
    if (bytes_.size() - pos_ < n) fail("it ends early");
  }
  std::string_view bytes_;
  std::size_t pos_ = 0;
  int int_size_ = 4;
};

unsigned to_oid(const std::string& s) {
  unsigned long value = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return 0;
    value = value * 10 + static_cast<unsigned long>(c - '0');
    if (value > 0xffffffffUL) return 0;
  }
  return static_cast<unsigned>(value);
}

}  // namespace

Archive read_custom_archive(std::string_view bytes) {
  if (bytes.substr(0, 5) != "PGDMP") throw failure("pg_dump's output is not a custom-format archive");
  Reader in(bytes);
  in.skip(5);
  const int major = in.byte(), minor = in.byte();
  in.byte();  // revision
  const int v = version(major, minor);
  if (v < kOldest || v > kNewest) {
    throw failure("pg_dump's archive format " + std::to_string(major) + "." + std::to_string(minor) +
                  " is not one rokso reads (1.12 to 1.16: pg_dump 11 to 17)");
  }
  const int int_size = in.byte(), offset_size = in.byte();
  if (int_size < 1 || int_size > 8 || offset_size < 1 || offset_size > 8) in.fail("bad integer sizes");
  in.set_int_size(int_size);
  if (in.byte() != kFormatCustom) in.fail("not the custom format");
  if (v >= version(1, 15)) {
    in.byte();  // compression algorithm
  } else {
    in.integer();  // compression level
  }
  for (int i = 0; i < 7; ++i) in.integer();  // creation date: sec, min, hour, mday, mon, year, isdst
  in.string();                               // database name

  Archive archive;
  archive.server_version = in.string_or_empty();
  archive.dump_version = in.string_or_empty();

  const long long count = in.integer();
  if (count < 0) in.fail("a negative entry count");
  // Not more than the bytes could hold: the count is read, not trusted.
  archive.entries.reserve(static_cast<std::size_t>(std::min<long long>(count, static_cast<long long>(bytes.size() / 64))));
  for (long long i = 0; i < count; ++i) {
    ArchiveEntry e;
    e.dump_id = static_cast<int>(in.integer());
    if (e.dump_id <= 0) in.fail("an entry without a dump id");
    in.integer();  // had a data dumper
    e.catalog_table = to_oid(in.string_or_empty());
    e.oid = to_oid(in.string_or_empty());
    e.tag = in.string_or_empty();
    e.desc = in.string_or_empty();
    e.section = static_cast<int>(in.integer());
    e.defn = in.string_or_empty();
    e.drop_stmt = in.string_or_empty();
    in.string();  // COPY statement
    e.schema = in.string_or_empty();
    e.tablespace = in.string_or_empty();
    if (v >= version(1, 14)) e.table_access_method = in.string_or_empty();  // pg_dump 12 on
    if (v >= version(1, 16)) in.integer();  // relkind
    in.string();                           // owner
    in.string();                           // "with oids", always "false" since PostgreSQL 12
    while (std::optional<std::string> dependency = in.string()) {
      const unsigned id = to_oid(*dependency);
      if (id > 0) e.dependencies.push_back(static_cast<int>(id));
    }
    in.byte();  // the custom format's data offset: a flag byte, then the offset
    in.skip(static_cast<std::size_t>(offset_size));
    archive.entries.push_back(std::move(e));
  }
  return archive;
}

}  // namespace rokso
