// A stat cache of migration checksums, as git's index is one of blob ids: `status` at
// 100,000 applied files would otherwise read and parse every one of them to find the few
// that changed since they were applied.
//
// Per migration it keeps, for its file and each companion file the scan found beside it
// (MigrationTree::companions_of(): every file its format reads), the inode, size, mtime
// and ctime in nanoseconds, and the checksum made from them. A file whose stat is the
// same is not read again; any difference (an edit, a `touch -d` that restores the mtime
// but not the ctime, a new inode from an editor's rename, a companion added or removed)
// makes it read and hashed as before.
//
// Kept in <project>/.rokso/stat-cache (directory 0700 with a .gitignore of `*`, file
// 0600, written whole through core/atomic_file). A cache that is absent, corrupt
// (checked by a hash of its bytes), of another format version, written for another
// migration/ directory, by another rokso or set of format plugins, or for another
// tenant (MigrationTree::substitution()) is ignored and rewritten. It is not the
// project's state (git status refreshes its index too): status, migrate and accept, which
// verify checksums, may write it, and when they cannot (a read-only project, a full disk)
// they go on without a word.
//
// Racily clean entries are re-hashed as git does: a file whose mtime or ctime is not
// older than the cache file may have changed in the same clock tick after it was hashed.
// An entry is also only recorded when the file's times are older than the clock tick its
// reading started in. Limits, as git's: an edit that keeps size, mtime, ctime and inode
// (only by setting the system clock back) is not seen; on a file system with timestamps
// coarser than the kernel's tick (FAT, some network file systems) an edit within the
// same timestamp as the hashing may go unseen until the file changes again.
//
// Not used when .py files may be run by Python (ROKSO_PY_EVALUATE): what such a module
// returns may depend on more than its own file.
#pragma once

#include "core/checksum_digest.hpp"
#include "core/migration_tree.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace rokso {

class StatCache {
 public:
  // The cache of the project in `project_root` for `tree` read by `formats`; empty (and
  // rebuilt) when there is none usable. nullptr when the cache must not be used.
  static std::unique_ptr<StatCache> open(const std::string& project_root, const MigrationTree& tree,
                                         const std::vector<const FormatPlugin*>& formats);

  // Starts taking the tree's stats on other threads, so that they overlap what the
  // caller does meanwhile (status: connecting and reading the version table); checksum()
  // waits for them. The tree must not change until then.
  void stat_in_background();

  // file_checksum(tree, file), from the cache when every file of the migration has the
  // stat it had when it was hashed. Throws what file_checksum() throws (nothing recorded).
  std::string checksum(const MigrationFile& file);
  // checksum() as the digest its hex digits stand for (no string made).
  ChecksumDigest digest(const MigrationFile& file);

  // Writes the cache when a checksum was computed or an entry went stale; quietly does
  // nothing when the project cannot be written. Returns whether it wrote.
  bool save();

  ~StatCache();
  StatCache(const StatCache&) = delete;
  StatCache& operator=(const StatCache&) = delete;

  // How many checksums came from the cache, and how many were computed (for tests, -v).
  std::size_t hits() const { return hits_; }
  std::size_t misses() const { return misses_; }

  struct FileStat {
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t mtime_ns = 0;
    std::int64_t ctime_ns = 0;
  };

 private:
  // One record of the file as it lies in the buffer (layout in stat_cache.cpp).
  struct Record {
    std::string_view identity;
    std::string_view bytes;  // the whole record
  };

  StatCache(std::string cache_file, std::string migration_root, const MigrationTree& tree, std::string context);
  void load();
  void stat_tree();
  const Record* find(std::string_view identity);
  bool matches(const Record& record, const std::vector<std::string_view>& companions,
               const std::vector<FileStat>& stats) const;

  std::string cache_file_;
  std::string migration_root_;  // realpath of migration/: a cache copied with the project is not trusted
  const MigrationTree& tree_;
  std::string context_;  // rokso's version and the formats': who made the checksums
  std::int64_t cache_mtime_ns_ = 0;
  std::unique_ptr<char[]> buffer_;     // the cache file as read
  std::vector<Record> records_;        // in the order written (the tree's)
  std::size_t cursor_ = 0;             // lookups come in the tree's order: O(1) each
  std::vector<std::uint32_t> sorted_;  // indices into records_ by identity, built on a miss of the cursor
  // The records save() writes, in lookup order: a record read (copied only when the
  // cache is written, which a warm run does not do) or one made now, in fresh_.
  struct Piece {
    const Record* record;
    std::size_t fresh_offset;
    std::size_t fresh_size;
  };
  std::vector<Piece> pieces_;
  std::string fresh_;
  // The stat of every file of the tree and of its companions, taken at the first
  // checksum() by a few threads at once, as git's preload-index does: one fstatat() per
  // file is most of a warm run. File i's are at stats_[first_stat_[i]...first_stat_[i+1]);
  // stated_[i] says whether all of them could be stat'ed.
  std::vector<FileStat> stats_;
  std::vector<std::uint32_t> first_stat_;
  std::vector<char> stated_;
  std::vector<FileStat> file_stats_;  // checksum()'s, reused
  bool tree_stated_ = false;
  std::thread stat_thread_;  // stat_in_background()'s
  std::int64_t stat_tick_ns_ = 0;  // the clock tick stat_tree() began in
  bool dirty_ = false;
  std::size_t hits_ = 0;
  std::size_t misses_ = 0;
};

}  // namespace rokso
