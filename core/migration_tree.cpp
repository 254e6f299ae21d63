#include "core/migration_tree.hpp"

#include "core/error.hpp"
#include "core/text_util.hpp"

#include <rokso/format_error.hpp>

#include <algorithm>

namespace rokso {
namespace fs = std::filesystem;


MigrationTree MigrationTree::scan(const fs::path& migration_dir,
                                  const std::vector<const FormatPlugin*>& formats,
                                  const MigrationOrder& order) {
  std::error_code ec;
  if (!fs::is_directory(migration_dir, ec)) {
    throw usage_error("no migration directory '" + migration_dir.string() +
                      "'; run 'rokso init' or create it");
  }
  std::unordered_map<std::string, MigrationFile> found;
  struct Companion {
    fs::path path;
    std::string owner;  // file name of the migration it belongs to, beside it
  };
  std::vector<Companion> companions;
  fs::recursive_directory_iterator it(migration_dir, fs::directory_options::none, ec);
  if (ec) throw failure("cannot read '" + migration_dir.string() + "': " + ec.message());
  for (fs::recursive_directory_iterator end; it != end; it.increment(ec)) {
    if (ec) throw failure("cannot read '" + it->path().string() + "': " + ec.message());
    const fs::path& path = it->path();
    const std::string name = path.filename().string();
    if (!name.empty() && (name[0] == '.' || name == "__pycache__")) {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    const FormatPlugin* claimant = nullptr;
    for (const FormatPlugin* format : formats) {
      const FileClaim claim = format->claim(name);
      if (claim == FileClaim::companion) {
        companions.push_back({path, format->companion_owner(name)});
        break;
      }
      if (claim == FileClaim::migration) {
        claimant = format;
        break;
      }
    }
    if (!claimant) continue;
    if (!it->is_regular_file(ec)) {
      std::error_code link_ec;
      if (!it->is_symlink(link_ec)) continue;  // e.g. a directory that happens to be named x.py
      // A migration's name that leads nowhere is never skipped silently: the user put it there.
      const bool leads_somewhere = fs::exists(path, link_ec);
      throw failure("cannot read '" + path.string() + "': " +
                    (leads_somewhere ? "a symbolic link to something that is not a file"
                                     : "a dangling or looping symbolic link"));
    }
    std::string identity = path.lexically_relative(migration_dir).generic_string();
    if (!valid_utf8(identity)) {
      throw failure("migration file name '" + path.string() + "' is not valid UTF-8");
    }
    found.emplace(identity, MigrationFile{identity, path, claimant});
  }
  if (ec) throw failure("cannot read '" + migration_dir.string() + "': " + ec.message());
  for (const Companion& c : companions) {
    const fs::path owner = c.path.parent_path() / c.owner;
    if (c.owner.empty() || !found.count(owner.lexically_relative(migration_dir).generic_string())) {
      throw failure("'" + c.path.string() + "' has no migration file beside it (expected '" +
                    owner.filename().string() + "')");
    }
  }

  std::vector<std::string> identities;
  identities.reserve(found.size());
  for (const auto& entry : found) identities.push_back(entry.first);
  order.sort(identities);

  MigrationTree tree;
  tree.root_ = migration_dir;
  tree.files_.reserve(identities.size());
  for (const std::string& identity : identities) {
    tree.index_.emplace(identity, tree.files_.size());
    tree.files_.push_back(std::move(found.at(identity)));
  }
  return tree;
}

const MigrationFile* MigrationTree::find(const std::string& identity) const {
  auto it = index_.find(identity);
  return it == index_.end() ? nullptr : &files_[it->second];
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

Migration MigrationTree::read(const MigrationFile& file) {
  try {
    return file.format->read(file.path.string());
  } catch (const FormatError& e) {
    // Line 0 means the whole file (e.g. "no apply_sql"): no position to show.
    const std::string where = e.line() > 0 ? ":" + std::to_string(e.line()) + ":" + std::to_string(e.column()) : "";
    throw failure(file.path.string() + where + ": " + e.what());
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw failure(one_line(e.what()));
  }
}

}  // namespace rokso
