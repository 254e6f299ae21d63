// read_custom_archive: pg_dump's custom-format table of contents, from archives built
// byte by byte here after pg_backup_archiver.c's WriteHead/WriteToc (and
// pg_backup_custom.c's offset), so every version's layout is exercised without pg_dump.
#include "core/pg_dump_archive.hpp"

#include "core/error.hpp"

#include <boost/test/unit_test.hpp>

#include <optional>
#include <string>
#include <vector>

namespace {

using Str = std::optional<std::string>;

struct Entry {
  long long dump_id = 1;
  long long had_dumper = 0;
  Str catalog_table = std::string("1259");
  Str oid = std::string("16384");
  Str tag = std::string("orders");
  Str desc = std::string("TABLE");
  long long section = 2;
  Str defn = std::string("CREATE TABLE public.orders (\n    id integer\n);\n");
  Str drop = std::string("DROP TABLE public.orders;\n");
  Str copy = std::string("");
  Str schema = std::string("public");
  Str tablespace = std::string("");
  Str tableam = std::string("heap");  // written from 1.14 on
  long long relkind = 'r';            // written from 1.16 on
  Str owner = std::string("postgres");
  Str with_oids = std::string("false");
  std::vector<Str> dependencies;
};

// Writes an archive the way pg_dump does, for the format version major.minor.
class Writer {
 public:
  int major = 1, minor = 14, revision = 0;
  int int_size = 4, offset_size = 8, format = 1;
  std::string magic = "PGDMP";
  Str dbname = std::string("shop");
  Str server_version = std::string("15.18 (Debian 15.18-0+deb12u1)");
  Str dump_version = std::string("15.18 (Debian 15.18-0+deb12u1)");

  std::string bytes;

  bool at_least(int ma, int mi) const { return major > ma || (major == ma && minor >= mi); }

  void byte(int b) { bytes += static_cast<char>(b & 0xFF); }
  // WriteInt: a sign byte, then int_size bytes, least significant first.
  void integer(long long v) {
    byte(v < 0 ? 1 : 0);
    unsigned long long u = static_cast<unsigned long long>(v < 0 ? -v : v);
    for (int i = 0; i < int_size; ++i) {
      byte(static_cast<int>(u & 0xFF));
      u >>= 8;
    }
  }
  // WriteStr: the length (-1 for NULL), then the bytes.
  void string(const Str& s) {
    if (!s) {
      integer(-1);
      return;
    }
    integer(static_cast<long long>(s->size()));
    bytes += *s;
  }

  void header(long long entry_count) {
    bytes += magic;
    byte(major);
    byte(minor);
    byte(revision);
    byte(int_size);
    byte(offset_size);
    byte(format);
    if (at_least(1, 15)) {
      byte(0);  // compression algorithm: none
    } else {
      integer(0);  // compression level
    }
    for (int v : {12, 34, 5, 6, 7, 124, 0}) integer(v);  // sec, min, hour, mday, mon, year, isdst
    string(dbname);
    string(server_version);
    string(dump_version);
    integer(entry_count);
  }

  void entry(const Entry& e) {
    integer(e.dump_id);
    integer(e.had_dumper);
    string(e.catalog_table);
    string(e.oid);
    string(e.tag);
    string(e.desc);
    integer(e.section);
    string(e.defn);
    string(e.drop);
    string(e.copy);
    string(e.schema);
    string(e.tablespace);
    if (at_least(1, 14)) string(e.tableam);
    if (at_least(1, 16)) integer(e.relkind);
    string(e.owner);
    string(e.with_oids);
    for (const Str& d : e.dependencies) string(d);
    string(std::nullopt);  // end of the dependencies
    byte(3);               // K_OFFSET_NO_DATA
    for (int i = 0; i < offset_size; ++i) byte(0);
  }

  std::string archive(const std::vector<Entry>& entries) {
    bytes.clear();
    header(static_cast<long long>(entries.size()));
    for (const Entry& e : entries) entry(e);
    return bytes;
  }
};

// Three entries: a table, its primary key (post-data, depending on it), a comment with
// NULL strings where pg_dump writes NULL.
std::vector<Entry> sample_entries() {
  Entry table;
  table.dump_id = 215;

  Entry pkey;
  pkey.dump_id = 3300;
  pkey.catalog_table = std::string("2606");
  pkey.oid = std::string("4294967295");  // the largest OID
  pkey.tag = std::string("orders orders_pkey");
  pkey.desc = std::string("CONSTRAINT");
  pkey.section = 4;
  pkey.defn = std::string("ALTER TABLE ONLY public.orders\n    ADD CONSTRAINT orders_pkey PRIMARY KEY (id);\n");
  pkey.drop = std::string("ALTER TABLE ONLY public.orders DROP CONSTRAINT orders_pkey;\n");
  pkey.tableam = std::string("");
  pkey.relkind = 0;
  pkey.dependencies = {std::string("215"), std::string("7")};

  Entry comment;
  comment.dump_id = 3301;
  comment.catalog_table = std::nullopt;
  comment.oid = std::nullopt;
  comment.tag = std::string("TABLE orders");
  comment.desc = std::string("COMMENT");
  comment.defn = std::string("COMMENT ON TABLE public.orders IS 'the orders';\n");
  comment.drop = std::nullopt;
  comment.copy = std::nullopt;
  comment.tablespace = std::nullopt;
  comment.tableam = std::nullopt;
  comment.owner = std::nullopt;
  comment.dependencies = {std::string("215")};
  return {table, pkey, comment};
}

// The message of the rokso::Error read_custom_archive throws for `bytes` (exit 1).
std::string failure_of(const std::string& bytes) {
  try {
    rokso::read_custom_archive(bytes);
  } catch (const rokso::Error& e) {
    BOOST_TEST(e.exit_code() == rokso::kExitFailed);
    return e.what();
  }
  BOOST_FAIL("no error thrown");
  return "";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void check_sample(const rokso::Archive& a) {
  BOOST_TEST(a.server_version == "15.18 (Debian 15.18-0+deb12u1)");
  BOOST_TEST(a.dump_version == "15.18 (Debian 15.18-0+deb12u1)");
  BOOST_REQUIRE(a.entries.size() == 3u);

  const rokso::ArchiveEntry& t = a.entries[0];
  BOOST_TEST(t.dump_id == 215);
  BOOST_TEST(t.catalog_table == 1259u);
  BOOST_TEST(t.oid == 16384u);
  BOOST_TEST(t.tag == "orders");
  BOOST_TEST(t.desc == "TABLE");
  BOOST_TEST(t.section == 2);
  BOOST_TEST(t.defn == "CREATE TABLE public.orders (\n    id integer\n);\n");
  BOOST_TEST(t.drop_stmt == "DROP TABLE public.orders;\n");
  BOOST_TEST(t.schema == "public");
  BOOST_TEST(t.tablespace == "");
  BOOST_TEST(t.dependencies.empty());

  const rokso::ArchiveEntry& k = a.entries[1];
  BOOST_TEST(k.dump_id == 3300);
  BOOST_TEST(k.catalog_table == 2606u);
  BOOST_TEST(k.oid == 4294967295u);
  BOOST_TEST(k.tag == "orders orders_pkey");
  BOOST_TEST(k.desc == "CONSTRAINT");
  BOOST_TEST(k.section == 4);
  BOOST_TEST(k.drop_stmt == "ALTER TABLE ONLY public.orders DROP CONSTRAINT orders_pkey;\n");
  BOOST_TEST((k.dependencies == std::vector<int>{215, 7}));

  const rokso::ArchiveEntry& c = a.entries[2];
  BOOST_TEST(c.dump_id == 3301);
  BOOST_TEST(c.catalog_table == 0u);  // NULL
  BOOST_TEST(c.oid == 0u);
  BOOST_TEST(c.desc == "COMMENT");
  BOOST_TEST(c.drop_stmt == "");  // NULL
  BOOST_TEST(c.schema == "public");
  BOOST_TEST(c.tablespace == "");
  BOOST_TEST(c.table_access_method == "");
  BOOST_TEST((c.dependencies == std::vector<int>{215}));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(pg_dump_archive)

BOOST_AUTO_TEST_CASE(reads_a_1_14_archive) {
  Writer w;
  const rokso::Archive a = rokso::read_custom_archive(w.archive(sample_entries()));
  check_sample(a);
  BOOST_TEST(a.entries[0].table_access_method == "heap");
}

BOOST_AUTO_TEST_CASE(reads_every_supported_version) {
  // 1.12/1.13 (pg_dump 11): no table access method; 1.15 (pg_dump 16): a compression
  // algorithm byte in the header instead of an int; 1.16 (pg_dump 17): relkind per entry.
  for (int minor : {12, 13, 14, 15, 16}) {
    BOOST_TEST_INFO("archive format 1." << minor);
    Writer w;
    w.minor = minor;
    const rokso::Archive a = rokso::read_custom_archive(w.archive(sample_entries()));
    check_sample(a);
    BOOST_TEST(a.entries[0].table_access_method == (minor >= 14 ? "heap" : ""));
  }
}

BOOST_AUTO_TEST_CASE(the_1_16_relkind_is_read_not_taken_for_a_string) {
  Writer w;
  w.minor = 16;
  std::vector<Entry> entries = sample_entries();
  entries[0].relkind = 'p';
  entries[1].relkind = 0x7fffffff;
  check_sample(rokso::read_custom_archive(w.archive(entries)));
}

BOOST_AUTO_TEST_CASE(eight_byte_integers_and_other_offset_sizes) {
  for (int int_size : {4, 8}) {
    for (int offset_size : {4, 8}) {
      BOOST_TEST_INFO("int size " << int_size << ", offset size " << offset_size);
      Writer w;
      w.int_size = int_size;
      w.offset_size = offset_size;
      check_sample(rokso::read_custom_archive(w.archive(sample_entries())));
    }
  }
}

BOOST_AUTO_TEST_CASE(null_strings) {
  Writer w;
  w.server_version = std::nullopt;
  w.dump_version = std::nullopt;
  w.dbname = std::nullopt;
  Entry e;
  e.tag = std::nullopt;
  e.desc = std::nullopt;
  e.defn = std::nullopt;
  e.schema = std::nullopt;
  e.tableam = std::nullopt;
  e.with_oids = std::nullopt;
  const rokso::Archive a = rokso::read_custom_archive(w.archive({e}));
  BOOST_TEST(a.server_version == "");
  BOOST_TEST(a.dump_version == "");
  BOOST_REQUIRE(a.entries.size() == 1u);
  BOOST_TEST(a.entries[0].tag == "");
  BOOST_TEST(a.entries[0].desc == "");
  BOOST_TEST(a.entries[0].defn == "");
  BOOST_TEST(a.entries[0].schema == "");
  BOOST_TEST(a.entries[0].table_access_method == "");
}

BOOST_AUTO_TEST_CASE(dependencies_that_are_not_dump_ids_are_ignored) {
  Writer w;
  Entry e;
  e.dependencies = {std::string("12"), std::string(""), std::string("x1"), std::string("0"), std::string("99999999999"),
                    std::string("3")};
  const rokso::Archive a = rokso::read_custom_archive(w.archive({e}));
  BOOST_REQUIRE(a.entries.size() == 1u);
  BOOST_TEST((a.entries[0].dependencies == std::vector<int>{12, 3}));
}

BOOST_AUTO_TEST_CASE(oids_that_are_not_numbers_read_as_zero) {
  Writer w;
  Entry e;
  e.catalog_table = std::string("pg_class");
  e.oid = std::string("4294967296");  // one above the largest OID
  const rokso::Archive a = rokso::read_custom_archive(w.archive({e}));
  BOOST_TEST(a.entries[0].catalog_table == 0u);
  BOOST_TEST(a.entries[0].oid == 0u);
}

BOOST_AUTO_TEST_CASE(empty_archive) {
  Writer w;
  const rokso::Archive a = rokso::read_custom_archive(w.archive({}));
  BOOST_TEST(a.entries.empty());
}

BOOST_AUTO_TEST_CASE(trailing_data_blocks_are_ignored) {
  Writer w;
  const std::string bytes = w.archive(sample_entries()) + std::string("\x01\x02\x03 data", 8);
  check_sample(rokso::read_custom_archive(bytes));
}

BOOST_AUTO_TEST_CASE(every_truncation_is_an_error) {
  for (int minor : {13, 14, 16}) {
    Writer w;
    w.minor = minor;
    const std::string bytes = w.archive(sample_entries());
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      BOOST_TEST_INFO("1." << minor << " cut to " << n << " of " << bytes.size() << " bytes");
      const std::string message = failure_of(bytes.substr(0, n));
      if (n < 5) {
        BOOST_TEST(contains(message, "not a custom-format archive"));
      } else {
        BOOST_TEST(contains(message, "cannot read pg_dump's archive: it ends early at byte "));
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(wrong_magic) {
  Writer w;
  w.magic = "PGDMX";
  BOOST_TEST(failure_of(w.archive(sample_entries())) == "pg_dump's output is not a custom-format archive");
  BOOST_TEST(failure_of("") == "pg_dump's output is not a custom-format archive");
  BOOST_TEST(failure_of("--\n-- PostgreSQL database dump\n--\n") == "pg_dump's output is not a custom-format archive");
}

BOOST_AUTO_TEST_CASE(unsupported_versions) {
  for (auto [major, minor] : std::vector<std::pair<int, int>>{{1, 11}, {1, 17}, {0, 14}, {2, 0}, {2, 14}}) {
    BOOST_TEST_INFO("archive format " << major << "." << minor);
    Writer w;
    w.major = major;
    w.minor = minor;
    const std::string message = failure_of(w.archive(sample_entries()));
    BOOST_TEST(contains(message, "archive format " + std::to_string(major) + "." + std::to_string(minor) +
                                     " is not one rokso reads (1.12 to 1.16"));
  }
}

BOOST_AUTO_TEST_CASE(not_the_custom_format) {
  Writer w;
  w.format = 3;  // tar
  BOOST_TEST(contains(failure_of(w.archive(sample_entries())), "not the custom format"));
}

BOOST_AUTO_TEST_CASE(bad_integer_sizes) {
  for (int size : {0, 9}) {
    Writer w;
    std::string bytes = w.archive(sample_entries());
    bytes[8] = static_cast<char>(size);  // int size
    BOOST_TEST(contains(failure_of(bytes), "bad integer sizes"));
    bytes = w.archive(sample_entries());
    bytes[9] = static_cast<char>(size);  // offset size
    BOOST_TEST(contains(failure_of(bytes), "bad integer sizes"));
  }
}

BOOST_AUTO_TEST_CASE(bad_counts_and_ids) {
  {
    Writer w;
    w.header(-1);
    BOOST_TEST(contains(failure_of(w.bytes), "a negative entry count"));
  }
  {
    Writer w;
    Entry e;
    e.dump_id = 0;
    BOOST_TEST(contains(failure_of(w.archive({e})), "an entry without a dump id"));
  }
  {
    // A string length beyond any archive: an integer out of range, not an allocation.
    Writer w;
    w.int_size = 8;
    w.header(1);
    w.integer(1);                   // dump id
    w.integer(0);                   // had dumper
    w.integer(0x100000000LL);       // catalog table's length
    BOOST_TEST(contains(failure_of(w.bytes), "an integer out of range"));
  }
  {
    // A huge count with nothing behind it ends early rather than reserving memory for it.
    Writer w;
    w.header(0x7fffffff);
    BOOST_TEST(contains(failure_of(w.bytes), "it ends early"));
  }
}

BOOST_AUTO_TEST_SUITE_END()
