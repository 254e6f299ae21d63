// A project's private state: <project>/.rokso/, made on first use, mode 0700, with a
// .gitignore of `*` so nothing in it is ever committed (a dev server's data, caches).
#pragma once

#include <filesystem>

namespace rokso {

// <root>/.rokso, created if missing (0700, with its .gitignore); safe to call again and
// from concurrent processes. Throws Error(kExitFailed) naming the directory when it
// cannot be made.
std::filesystem::path project_state_dir(const std::filesystem::path& root);

}  // namespace rokso
