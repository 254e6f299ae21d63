#include "core/migration_tree.hpp"

#include "core/error.hpp"
#include "core/transaction_control.hpp"
#include "core/transaction_mode.hpp"

#include <rokso/format_error.hpp>
#include <rokso/utf8.hpp>

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace rokso {
namespace fs = std::filesystem;

namespace {

struct Companion {
  std::string relative_dir;  // "" or "a/b/"
  std::string name;
  std::string owner;  // file name of the migration it belongs to, beside it
};

class Scanner {
 public:
  Scanner(std::string root, const std::vector<const FormatPlugin*>& formats, const IgnoreRules& ignore)
      : root_(std::move(root)), formats_(formats), ignore_(ignore) {
    char* real = ::realpath(root_.c_str(), nullptr);
    if (!real) throw failure("cannot read '" + root_ + "': " + std::strerror(errno));
    real_root_ = real;
    std::free(real);
  }

  void walk(const std::string& relative_dir) {
    // relative_dir is "" or ends in '/'.
    const std::string dir_path =
        relative_dir.empty() ? root_ : root_ + "/" + relative_dir.substr(0, relative_dir.size() - 1);
    std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(dir_path.c_str()), &::closedir);
    if (!dir) throw failure("cannot read '" + dir_path + "': " + std::strerror(errno));
    std::vector<std::string> subdirs;
    // The directory's part of every name in it, checked once.
    dir_is_utf8_ = valid_utf8(relative_dir);
    for (;;) {
      errno = 0;
      const dirent* entry = ::readdir(dir.get());
      if (!entry) {
        if (errno) throw failure("cannot read '" + dir_path + "': " + std::strerror(errno));
        break;
      }
      // name_ and path_ are reused: no allocation per file for the 100,000 of a long history.
      name_.assign(entry->d_name);
      const std::string& name = name_;
      if (name[0] == '.' || name == "__pycache__") continue;  // also "." and ".."
      unsigned char type = entry->d_type;
      if (type == DT_UNKNOWN) type = type_of(dir_path + "/" + name);
      path_.assign(relative_dir).append(name);
      if (type == DT_DIR) {
        if (!ignore_.ignores_directory(path_, name)) subdirs.push_back(path_ + "/");
        continue;
      }
      if (ignore_.ignores_file(path_, name)) continue;
      consider(relative_dir, name, type, dir_path);
    }
    dir.reset();
    for (const std::string& sub : subdirs) walk(sub);
  }

  std::vector<MigrationFile> files;
  std::vector<Companion> companions;
  std::vector<std::string> unknown;

 private:
  static unsigned char type_of(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return DT_UNKNOWN;
    if (S_ISDIR(st.st_mode)) return DT_DIR;
    if (S_ISREG(st.st_mode)) return DT_REG;
    if (S_ISLNK(st.st_mode)) return DT_LNK;
    return DT_UNKNOWN;
  }

  void consider(const std::string& relative_dir, const std::string& name, unsigned char type,
                const std::string& dir_path) {
    const FormatPlugin* claimant = nullptr;
    for (const FormatPlugin* format : formats_) {
      const FileClaim claim = format->claim(name);
      if (claim == FileClaim::companion) {
        if (type == DT_LNK) refuse_outside_link(dir_path + "/" + name);
        companions.push_back({relative_dir, name, format->companion_owner(name)});
        return;
      }
      if (claim == FileClaim::migration) {
        claimant = format;
        break;
      }
    }
    if (!claimant) {
      if (IgnoreRules::is_documentation(name)) return;
      // A link to a directory is not followed (no loops): not a file of the tree.
      struct stat st {};
      if (type == DT_LNK && ::stat((dir_path + "/" + name).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return;
      unknown.push_back(relative_dir + name);
      return;
    }
    if (type == DT_LNK) {
      // Links to files are followed; links to directories are not (no loops). A
      // migration's name that leads nowhere is never skipped silently.
      struct stat st {};
      const std::string path = dir_path + "/" + name;
      if (::stat(path.c_str(), &st) != 0) {
        throw failure("cannot read '" + path + "': a dangling or looping symbolic link");
      }
      if (!S_ISREG(st.st_mode)) throw failure("cannot read '" + path + "': not a regular file");
      refuse_outside_link(path);
    } else if (type != DT_REG) {
      // A FIFO, socket or device named like a migration: never read (a FIFO would
      // hang), never skipped silently.
      throw failure("cannot read '" + dir_path + "/" + name + "': not a regular file");
    }
    if (!dir_is_utf8_ || !(is_ascii(name) || valid_utf8(name))) {
      throw failure("migration file name '" + dir_path + "/" + name + "' is not valid UTF-8");
    }
    files.push_back({path_, claimant});  // path_ is relative_dir + name
  }

  // A link that leads out of migration/ would make rokso print (--dry-run) or send to the
  // server any file on the machine, config.json with its password first. Links within
  // the tree keep working.
  void refuse_outside_link(const std::string& path) const {
    char* real = ::realpath(path.c_str(), nullptr);
    if (!real) throw failure("cannot read '" + path + "': " + std::strerror(errno));
    const std::string target = real;
    std::free(real);
    if (target.size() <= real_root_.size() || target.compare(0, real_root_.size(), real_root_) != 0 ||
        target[real_root_.size()] != '/') {
      throw failure("refusing to read '" + path + "': it is a symbolic link to '" + target +
                    "', outside the migration directory");
    }
  }

  // Nearly every name is: then no byte needs decoding.
  static bool is_ascii(const std::string& text) {
    unsigned char any = 0;
    for (const char c : text) any |= static_cast<unsigned char>(c);
    return any < 0x80;
  }

  std::string root_;
  std::string real_root_;  // root_ with every symbolic link resolved
  std::string name_;       // walk()'s entry name
  std::string path_;       // its path relative to the root
  bool dir_is_utf8_ = true;  // walk()'s directory path is valid UTF-8
  const std::vector<const FormatPlugin*>& formats_;
  const IgnoreRules& ignore_;
};

}  // namespace

MigrationTree MigrationTree::scan(const fs::path& migration_dir, const std::vector<const FormatPlugin*>& formats,
                                  const MigrationOrder& order, const IgnoreRules& ignore) {
  std::error_code ec;
  if (!fs::is_directory(migration_dir, ec)) {
    if (ec == std::errc::too_many_symbolic_link_levels) {
      throw usage_error("cannot read the migration directory '" + migration_dir.string() +
                        "': a symbolic link loop");
    }
    if (fs::exists(fs::symlink_status(migration_dir, ec)) && !fs::exists(migration_dir, ec)) {
      throw usage_error("the migration directory '" + migration_dir.string() + "' is a dangling symbolic link");
    }
    throw usage_error("no migration directory '" + migration_dir.string() + "'; run 'rokso init' or create it");
  }
  Scanner scanner(migration_dir.string(), formats, ignore);
  scanner.walk("");

  MigrationTree tree;
  tree.root_ = migration_dir.string();
  {
    std::vector<std::string_view> identities;
    identities.reserve(scanner.files.size());
    for (const MigrationFile& file : scanner.files) identities.push_back(file.identity);
    const std::vector<std::uint32_t> in_order = order.application_order(identities);
    tree.files_.reserve(in_order.size());  // exactly: no growth slack (1.2 MB at 100,000 files)
    for (const std::uint32_t i : in_order) tree.files_.push_back(std::move(scanner.files[i]));
  }
  tree.unknown_ = std::move(scanner.unknown);
  std::sort(tree.unknown_.begin(), tree.unknown_.end());
  for (const Companion& c : scanner.companions) {
    const MigrationFile* owner = c.owner.empty() ? nullptr : tree.find(c.relative_dir + c.owner);
    if (!owner) {
      throw failure("'" + tree.root_ + "/" + c.relative_dir + c.name + "' has no migration file beside it (expected '" +
                    c.owner + "')");
    }
    tree.companions_.emplace_back(static_cast<std::uint32_t>(tree.index_of(*owner)), c.relative_dir + c.name);
  }
  std::sort(tree.companions_.begin(), tree.companions_.end());
  return tree;
}

void MigrationTree::prepare_find() const {
  if (by_identity_.size() == files_.size()) return;
  by_identity_.resize(files_.size());
  for (std::size_t i = 0; i < files_.size(); ++i) by_identity_[i] = static_cast<std::uint32_t>(i);
  // Often sorted already by the application order: then this is one pass.
  auto by_name = [this](std::uint32_t a, std::uint32_t b) { return files_[a].identity < files_[b].identity; };
  if (!std::is_sorted(by_identity_.begin(), by_identity_.end(), by_name)) {
    std::sort(by_identity_.begin(), by_identity_.end(), by_name);
  }
}

const MigrationFile* MigrationTree::find(std::string_view identity) const {
  prepare_find();
  auto it = std::lower_bound(by_identity_.begin(), by_identity_.end(), identity,
                             [this](std::uint32_t i, std::string_view id) { return files_[i].identity < id; });
  if (it == by_identity_.end() || files_[*it].identity != identity) return nullptr;
  return &files_[*it];
}

std::vector<std::string_view> MigrationTree::companions_of(const MigrationFile& file) const {
  std::vector<std::string_view> found;
  const auto index = static_cast<std::uint32_t>(index_of(file));
  auto it = std::lower_bound(companions_.begin(), companions_.end(), index,
                             [](const std::pair<std::uint32_t, std::string>& c, std::uint32_t i) { return c.first < i; });
  for (; it != companions_.end() && it->first == index; ++it) found.push_back(it->second);
  return found;
}

const MigrationFile* MigrationTree::resolve(const std::string& named) const {
  if (const MigrationFile* file = find(named)) return file;
  std::error_code ec;
  const fs::path file = fs::weakly_canonical(named, ec);
  if (ec) return nullptr;
  const fs::path root = fs::weakly_canonical(root_, ec);
  if (ec) return nullptr;
  const std::string relative = file.lexically_relative(root).generic_string();
  if (relative.empty() || relative.compare(0, 2, "..") == 0) return nullptr;
  return find(relative);
}

namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

void MigrationTree::keep_directory(const std::string& dir, bool inside) {
  const std::string prefix = dir + "/";
  auto outside = [&](const std::string& identity) { return (identity.compare(0, prefix.size(), prefix) == 0) != inside; };
  files_.erase(std::remove_if(files_.begin(), files_.end(), [&](const MigrationFile& f) { return outside(f.identity); }),
               files_.end());
  unknown_.erase(std::remove_if(unknown_.begin(), unknown_.end(), outside), unknown_.end());
  by_identity_.clear();
}

Migration MigrationTree::read(const MigrationFile& file) const {
  Migration migration = read_as_written(file);
  detect_transaction_mode(migration);
  note_wrapped_bodies(migration);
  return migration;
}

Migration MigrationTree::read_as_written(const MigrationFile& file) const {
  const std::string path = path_of(file);
  try {
    Migration migration = file.format->read(path);
    if (!placeholder_.empty()) {
      replace_all(migration.apply_sql, placeholder_, placeholder_value_);
      replace_all(migration.rollback_sql, placeholder_, placeholder_value_);
    }
    return migration;
  } catch (const FormatError& e) {
    // Line 0 means the whole file (e.g. "no apply_sql"): no position to show.
    const std::string where = e.line() > 0 ? ":" + std::to_string(e.line()) + ":" + std::to_string(e.column()) : "";
    throw failure(path + where + ": " + e.what());
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw failure(one_line(e.what()));
  } catch (...) {
    throw failure(path + ": the '" + file.format->name() + "' format plugin failed with an exception that is not a std::exception");
  }
}

}  // namespace rokso
