#include "core/stat_cache.hpp"

#include "core/atomic_file.hpp"
#include "core/checksum.hpp"
#include "core/error.hpp"
#include "core/project_state_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace rokso {

// The file, in the machine's byte order (a cache is never shared between machines; one
// from another byte order fails the version check and is rebuilt):
//   "rokso stat cache\n"  u32 format version  u32 n + migration/'s realpath
//   u32 n + context (rokso's version, each format's name and version)  u32 record count
//   records  u64 content_hash() of everything before it
// A record:
//   u16 n + identity  u8 companion count  (u16 n + companion path) per companion
//   (u64 inode, i64 size, i64 mtime ns, i64 ctime ns) for the file, then per companion
//   32 bytes: the SHA-256 of the checksum, raw
namespace {

constexpr char kMagic[] = "rokso stat cache\n";
constexpr std::size_t kMagicSize = sizeof kMagic - 1;
// Bump when the layout above changes: an older cache is then rebuilt, not misread.
constexpr std::uint32_t kFormatVersion = 1;
constexpr std::size_t kStatSize = 32;
constexpr std::size_t kDigestSize = 32;
// Larger than any real tree's cache (100,000 migrations: about 13 MB): a bigger file is not one of ours.
constexpr off_t kMaxCacheSize = off_t{1} << 30;

// Enough to tell a torn or damaged file from the one written; not a defence against
// someone who can write the project (they can edit the migrations themselves).
std::uint64_t content_hash(std::string_view bytes) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, p + i, 8);
    h = (h ^ word) * 0x100000001b3ULL;
    h ^= h >> 29;
  }
  for (; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
  return h ^ (h >> 32);
}

template <typename T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof value);
}

// Reads a T at `at`, advancing it; false when the buffer ends first.
template <typename T>
bool get(std::string_view in, std::size_t& at, T& value) {
  if (in.size() - at < sizeof value) return false;
  std::memcpy(&value, in.data() + at, sizeof value);
  at += sizeof value;
  return true;
}

template <typename Length>
bool get_text(std::string_view in, std::size_t& at, std::string_view& text) {
  Length n;
  if (!get(in, at, n) || in.size() - at < n) return false;
  text = in.substr(at, n);
  at += n;
  return true;
}

std::int64_t nanoseconds(const timespec& t) { return std::int64_t{t.tv_sec} * 1000000000 + t.tv_nsec; }

bool stat_of(int dir_fd, const char* name, StatCache::FileStat& out) {
  struct stat st {};
  if (::fstatat(dir_fd, name, &st, 0) != 0) return false;
  out.inode = st.st_ino;
  out.size = st.st_size;
  out.mtime_ns = nanoseconds(st.st_mtim);
  out.ctime_ns = nanoseconds(st.st_ctim);
  return true;
}

// Into `content`, uninitialised first: zeroing 12 MB (100,000 migrations) only to
// overwrite it cost as much as the read itself.
bool read_whole(const std::string& path, std::unique_ptr<char[]>& content, std::size_t& size, std::int64_t& mtime_ns) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  struct stat st {};
  bool ok = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < kMaxCacheSize;
  if (ok) {
    size = static_cast<std::size_t>(st.st_size);
    content.reset(new char[size]);
    std::size_t done = 0;
    while (ok && done < size) {
      const ssize_t n = ::read(fd, content.get() + done, size - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) ok = false;
      else done += static_cast<std::size_t>(n);
    }
    mtime_ns = nanoseconds(st.st_mtim);
  }
  ::close(fd);
  return ok;
}

}  // namespace

std::unique_ptr<StatCache> StatCache::open(const std::string& project_root, const MigrationTree& tree,
                                           const std::vector<const FormatPlugin*>& formats) {
  const char* evaluate = std::getenv("ROKSO_PY_EVALUATE");
  if (evaluate && *evaluate) return nullptr;
  char* real = ::realpath(tree.root().c_str(), nullptr);
  if (!real) return nullptr;
  std::string migration_root = real;
  std::free(real);
  std::string context = "rokso " ROKSO_VERSION;
  for (const FormatPlugin* format : formats) context += "\n" + format->name() + " " + format->version();
  // A tenant's tree ({tenant} replaced by its name) makes other checksums from the same
  // files: a cache made for another tenant, or for none, is not used.
  const std::string substitution = tree.substitution();
  if (!substitution.empty()) context += "\nsubstitute " + substitution;
  std::unique_ptr<StatCache> cache(
      new StatCache(project_root + "/.rokso/stat-cache", std::move(migration_root), tree, std::move(context)));
  cache->load();
  return cache;
}

StatCache::StatCache(std::string cache_file, std::string migration_root, const MigrationTree& tree, std::string context)
    : cache_file_(std::move(cache_file)), migration_root_(std::move(migration_root)), tree_(tree), context_(std::move(context)) {}

void StatCache::load() {
  std::size_t size = 0;
  if (!read_whole(cache_file_, buffer_, size, cache_mtime_ns_)) {
    buffer_.reset();
    return;
  }
  const std::string_view in(buffer_.get(), size);
  auto corrupt = [this] {
    records_.clear();
    buffer_.reset();
    dirty_ = true;  // rewritten even when no checksum is computed this time
  };
  std::uint64_t recorded_hash = 0;
  if (in.size() < kMagicSize + sizeof recorded_hash || in.compare(0, kMagicSize, kMagic) != 0) return corrupt();
  std::memcpy(&recorded_hash, in.data() + in.size() - sizeof recorded_hash, sizeof recorded_hash);
  const std::string_view body = in.substr(0, in.size() - sizeof recorded_hash);
  if (content_hash(body) != recorded_hash) return corrupt();
  std::size_t at = kMagicSize;
  std::uint32_t version = 0, count = 0;
  std::string_view root, context;
  if (!get(body, at, version) || version != kFormatVersion || !get_text<std::uint32_t>(body, at, root) ||
      root != migration_root_ || !get_text<std::uint32_t>(body, at, context) || context != context_ ||
      !get(body, at, count)) {
    return corrupt();
  }
  records_.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::size_t start = at;
    Record record;
    std::uint8_t companions = 0;
    if (!get_text<std::uint16_t>(body, at, record.identity) || !get(body, at, companions)) return corrupt();
    for (std::uint8_t c = 0; c < companions; ++c) {
      std::string_view name;
      if (!get_text<std::uint16_t>(body, at, name)) return corrupt();
    }
    const std::size_t rest = (1 + std::size_t{companions}) * kStatSize + kDigestSize;
    if (body.size() - at < rest) return corrupt();
    at += rest;
    record.bytes = body.substr(start, at - start);
    records_.push_back(record);
  }
  if (at != body.size()) return corrupt();
}

const StatCache::Record* StatCache::find(std::string_view identity) {
  if (cursor_ < records_.size() && records_[cursor_].identity == identity) return &records_[cursor_++];
  if (sorted_.size() != records_.size()) {
    sorted_.resize(records_.size());
    for (std::size_t i = 0; i < records_.size(); ++i) sorted_[i] = static_cast<std::uint32_t>(i);
    std::sort(sorted_.begin(), sorted_.end(),
              [this](std::uint32_t a, std::uint32_t b) { return records_[a].identity < records_[b].identity; });
  }
  auto it = std::lower_bound(sorted_.begin(), sorted_.end(), identity,
                             [this](std::uint32_t i, std::string_view id) { return records_[i].identity < id; });
  if (it == sorted_.end() || records_[*it].identity != identity) return nullptr;
  cursor_ = *it + 1;
  return &records_[*it];
}

bool StatCache::matches(const Record& record, const std::vector<std::string_view>& companions,
                        const std::vector<FileStat>& stats) const {
  const std::string_view in = record.bytes;
  std::size_t at = sizeof(std::uint16_t) + record.identity.size();
  std::uint8_t count = 0;
  get(in, at, count);
  if (count != companions.size()) return false;
  for (const std::string_view companion : companions) {
    std::string_view name;
    get_text<std::uint16_t>(in, at, name);
    if (name != companion) return false;
  }
  for (const FileStat& now : stats) {
    FileStat then;
    get(in, at, then.inode);
    get(in, at, then.size);
    get(in, at, then.mtime_ns);
    get(in, at, then.ctime_ns);
    if (then.inode != now.inode || then.size != now.size || then.mtime_ns != now.mtime_ns ||
        then.ctime_ns != now.ctime_ns) {
      return false;
    }
    // Racily clean (git's word): changed in the tick the cache was written, perhaps
    // after it was hashed. Read again.
    if (now.mtime_ns >= cache_mtime_ns_ || now.ctime_ns >= cache_mtime_ns_) return false;
  }
  return true;
}

StatCache::~StatCache() {
  if (stat_thread_.joinable()) stat_thread_.join();
}

void StatCache::stat_in_background() {
  if (tree_stated_ || stat_thread_.joinable()) return;
  try {
    stat_thread_ = std::thread([this] {
      try {
        stat_tree();
      } catch (...) {
        // Out of memory, say: checksum() tries again in the caller's thread, where it can throw.
      }
    });
  } catch (const std::system_error&) {
    // No thread to be had: checksum() takes the stats itself.
  }
}

namespace {

// Migrations share directories (often thousands in one): stat by name relative to the
// directory, kept open, instead of walking the whole path again for each file.
class DirectoryStat {
 public:
  explicit DirectoryStat(const std::string& root) : root_(root) {}
  ~DirectoryStat() {
    if (fd_ >= 0) ::close(fd_);
  }
  DirectoryStat(const DirectoryStat&) = delete;
  DirectoryStat& operator=(const DirectoryStat&) = delete;

  bool stat(std::string_view relative, StatCache::FileStat& out) {
    const std::size_t slash = relative.rfind('/');
    const std::string_view dir = slash == std::string_view::npos ? std::string_view() : relative.substr(0, slash);
    if (fd_ < 0 || dir != dir_) {
      if (fd_ >= 0) ::close(fd_);
      dir_ = dir;
      const std::string path = dir.empty() ? root_ : root_ + "/" + dir_;
      fd_ = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd_ < 0) return false;
    }
    name_.assign(relative.substr(slash == std::string_view::npos ? 0 : slash + 1));  // reused: no allocation per file
    return stat_of(fd_, name_.c_str(), out);
  }

 private:
  const std::string& root_;
  int fd_ = -1;
  std::string dir_;  // fd_'s path relative to the root
  std::string name_;
};

// Enough stats for a thread to be worth starting (a thread costs about as much as a few
// hundred fstatat calls); at most this many threads, as git's preload-index.
constexpr std::size_t kStatsPerThread = 2000;
constexpr unsigned kMaxStatThreads = 8;

}  // namespace

void StatCache::stat_tree() {
  // The tick the stats are taken in, on the clock the kernel stamps files with: a file
  // last changed in it could change again, unseen, within the same timestamp after
  // being stat'ed and read; it is not recorded (checksum()).
  timespec tick {};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &tick);
  stat_tick_ns_ = nanoseconds(tick);
  stats_.clear();  // after a failed try on another thread (stat_in_background())
  first_stat_.clear();
  stated_.clear();

  const std::vector<MigrationFile>& files = tree_.files();
  std::vector<std::string_view> paths;  // every file, then its companions
  first_stat_.reserve(files.size() + 1);
  paths.reserve(files.size());
  for (const MigrationFile& file : files) {
    first_stat_.push_back(static_cast<std::uint32_t>(paths.size()));
    paths.push_back(file.identity);
    for (const std::string_view companion : tree_.companions_of(file)) paths.push_back(companion);
  }
  first_stat_.push_back(static_cast<std::uint32_t>(paths.size()));
  stats_.resize(paths.size());
  std::vector<char> ok(paths.size(), 0);
  auto stat_range = [this, &paths, &ok](std::size_t begin, std::size_t end) {
    DirectoryStat directory(tree_.root());
    for (std::size_t i = begin; i < end; ++i) ok[i] = directory.stat(paths[i], stats_[i]) ? 1 : 0;
  };
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  const std::size_t threads = std::min<std::size_t>({cores, kMaxStatThreads, 1 + paths.size() / kStatsPerThread});
  std::vector<std::thread> workers;
  const std::size_t share = (paths.size() + threads - 1) / threads;
  try {
    for (std::size_t t = 1; t < threads; ++t) {
      workers.emplace_back(stat_range, std::min(paths.size(), t * share), std::min(paths.size(), (t + 1) * share));
    }
  } catch (const std::system_error&) {
    // No more threads to be had: the ranges not started are done below.
  }
  stat_range(0, std::min(paths.size(), share));
  for (std::size_t t = 1 + workers.size(); t < threads; ++t) {
    stat_range(std::min(paths.size(), t * share), std::min(paths.size(), (t + 1) * share));
  }
  for (std::thread& worker : workers) worker.join();
  stated_.resize(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    stated_[i] = std::all_of(ok.begin() + first_stat_[i], ok.begin() + first_stat_[i + 1], [](char c) { return c != 0; });
  }
  tree_stated_ = true;
}

namespace {

// file_checksum()'s hex digits, as a digest.
ChecksumDigest digest_of(const std::string& hex) {
  ChecksumDigest digest;
  if (!parse_digest(hex, digest)) throw std::logic_error("file_checksum() made '" + hex + "', not 64 hex digits");
  return digest;
}

}  // namespace

std::string StatCache::checksum(const MigrationFile& file) { return digest_hex(digest(file)); }

ChecksumDigest StatCache::digest(const MigrationFile& file) {
  if (stat_thread_.joinable()) stat_thread_.join();
  if (!tree_stated_) stat_tree();
  const std::size_t index = tree_.index_of(file);
  if (index >= stated_.size()) return digest_of(file_checksum(tree_, file));  // not one of the tree's: nothing cached
  const std::vector<std::string_view> companions = tree_.companions_of(file);
  std::vector<FileStat>& stats = file_stats_;  // reused: no allocation per file
  stats.assign(stats_.begin() + first_stat_[index], stats_.begin() + first_stat_[index + 1]);
  const bool stated = stated_[index] != 0;
  const Record* record = stated ? find(file.identity) : nullptr;
  if (record && matches(*record, companions, stats)) {
    ++hits_;
    pieces_.push_back({record, 0, 0});  // copied only if save() has to write
    ChecksumDigest cached;
    std::memcpy(cached.data(), record->bytes.data() + record->bytes.size() - kDigestSize, kDigestSize);
    return cached;
  }
  ++misses_;
  if (record) dirty_ = true;  // a stale entry goes
  const ChecksumDigest digest = digest_of(file_checksum(tree_, file));
  bool keep = stated && companions.size() <= 255 && file.identity.size() <= 65535;
  for (const FileStat& s : stats) keep = keep && s.mtime_ns < stat_tick_ns_ && s.ctime_ns < stat_tick_ns_;
  for (const std::string_view c : companions) keep = keep && c.size() <= 65535;
  if (keep) {
    const std::size_t start = fresh_.size();
    put(fresh_, static_cast<std::uint16_t>(file.identity.size()));
    fresh_.append(file.identity);
    put(fresh_, static_cast<std::uint8_t>(companions.size()));
    for (const std::string_view c : companions) {
      put(fresh_, static_cast<std::uint16_t>(c.size()));
      fresh_.append(c);
    }
    for (const FileStat& s : stats) {
      put(fresh_, s.inode);
      put(fresh_, s.size);
      put(fresh_, s.mtime_ns);
      put(fresh_, s.ctime_ns);
    }
    fresh_.append(reinterpret_cast<const char*>(digest.data()), kDigestSize);
    pieces_.push_back({nullptr, start, fresh_.size() - start});
    dirty_ = true;
  }
  return digest;
}

bool StatCache::save() {
  if (!dirty_) return false;
  const std::string dir = cache_file_.substr(0, cache_file_.rfind('/'));
  try {
    project_state_dir(dir.substr(0, dir.rfind('/')));  // .rokso/, 0700, git-ignored
  } catch (const Error&) {
    return false;  // a read-only project, or .rokso is not a directory of ours: left alone
  }
  std::string content;
  std::size_t records_size = 0;
  for (const Piece& piece : pieces_) records_size += piece.record ? piece.record->bytes.size() : piece.fresh_size;
  content.reserve(records_size + context_.size() + migration_root_.size() + 64);
  content.append(kMagic, kMagicSize);
  put(content, kFormatVersion);
  put(content, static_cast<std::uint32_t>(migration_root_.size()));
  content.append(migration_root_);
  put(content, static_cast<std::uint32_t>(context_.size()));
  content.append(context_);
  put(content, static_cast<std::uint32_t>(pieces_.size()));
  for (const Piece& piece : pieces_) {
    if (piece.record) content.append(piece.record->bytes);
    else content.append(fresh_, piece.fresh_offset, piece.fresh_size);
  }
  put(content, content_hash(content));
  try {
    write_file_atomically(cache_file_, content, 0600, Overwrite::allowed);
  } catch (const Error&) {
    return false;  // a read-only project, a full disk: status goes on, slower next time
  }
  return true;
}

}  // namespace rokso
