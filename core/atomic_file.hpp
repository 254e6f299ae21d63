// Writing a file whole or not at all: what rokso creates (a migration by `create`,
// config.json by `init`) never exists half-written, not after a full disk, not after a
// crash, so a later `status` or `migrate` never trips over an empty migration.
#pragma once

#include <sys/types.h>

#include <string>

namespace rokso {

enum class Overwrite { never, allowed };

// Writes `content` to a new hidden file beside `path` (".<name>.tmp-<pid>-<n>", which
// every scan skips), fsyncs it, and renames it to `path`. `mode` is the new file's mode
// (less the umask); a private mode (no group or other bits) is set exactly, whatever the
// umask. With Overwrite::never an existing `path` is an error and stays as it was.
// Throws Error(kExitFailed) "cannot write '<path>': <the OS's reason>" (or "'<path>'
// already exists"); the temporary file is removed on every failure.
void write_file_atomically(const std::string& path, const std::string& content, mode_t mode, Overwrite overwrite);

// Renames `from` to `to` unless `to` exists (atomically where the file system can).
// Returns 0, or the errno (EEXIST when `to` exists).
int rename_no_replace(const std::string& from, const std::string& to);

}  // namespace rokso
