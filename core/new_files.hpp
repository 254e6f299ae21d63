// Writes a batch of new files, all or nothing: a file that already exists is never
// overwritten, and if anything fails, or the batch is dropped before keep(), every file
// and directory it made is removed again.
//
// Written by a few threads: for `rokso remap` at 10,000 objects, making the directories
// and files is most of what it adds to pg_dump's time, and the file system takes them
// in parallel. Plain system calls, a few per file.
#pragma once

#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_set>
#include <vector>

namespace rokso {

class NewFiles {
 public:
  struct File {
    std::string directory;  // absolute, made with its missing parents
    std::string name;
    std::string content;
  };

  NewFiles() = default;
  NewFiles(const NewFiles&) = delete;
  NewFiles& operator=(const NewFiles&) = delete;
  ~NewFiles();

  void add(File file) { files_.push_back(std::move(file)); }
  std::size_t size() const { return files_.size(); }

  // Writes every file added, with up to `threads` threads; `progress(done)` is called
  // now and then from the calling thread. Throws Error(kExitFailed) naming the first
  // file that failed ("... already exists" for one that was there).
  void write(unsigned threads, const std::function<void(std::size_t)>& progress);

  // The files stay: the batch no longer removes them.
  void keep() { kept_ = true; }

 private:
  void make_directory(const std::string& dir);
  void write_file(const File& file);

  std::vector<File> files_;
  std::mutex mutex_;  // guards the three below
  std::unordered_set<std::string> known_directories_;
  std::vector<std::string> made_directories_;  // parents before children
  std::vector<std::string> made_files_;
  bool kept_ = false;
};

}  // namespace rokso
