// A rokso project: the directory holding config.json and the migration/ tree.
#pragma once

#include "core/config.hpp"

#include <filesystem>
#include <optional>

namespace rokso {

struct Project {
  std::filesystem::path root;  // the directory holding config.json
  Config config;

  std::filesystem::path config_file() const { return root / "config.json"; }
  std::filesystem::path migration_dir() const { return root / "migration"; }
};

// The nearest of `start` (absolute) and its parents that holds a config.json.
std::optional<std::filesystem::path> project_root_of(const std::filesystem::path& start);

// The project in `start` or its nearest parent holding config.json (as git finds
// .git). `explicit_dir` (from -C) is used as the start directory.
// Throws Error(kExitUsage) when there is none, or when its config.json is broken.
Project find_project(const std::optional<std::filesystem::path>& explicit_dir);

}  // namespace rokso
