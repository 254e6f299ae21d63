#include "core/new_files.hpp"

#include "core/error.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

namespace rokso {

NewFiles::~NewFiles() {
  if (kept_) return;
  for (auto it = made_files_.rbegin(); it != made_files_.rend(); ++it) ::unlink(it->c_str());
  for (auto it = made_directories_.rbegin(); it != made_directories_.rend(); ++it) ::rmdir(it->c_str());
}

void NewFiles::make_directory(const std::string& dir) {
  {
    std::lock_guard<std::mutex> guard(mutex_);
    if (known_directories_.count(dir)) return;
  }
  int err = ::mkdir(dir.c_str(), 0777) == 0 ? 0 : errno;
  if (err == ENOENT) {
    const std::size_t slash = dir.rfind('/');
    if (slash != std::string::npos && slash > 0) {
      make_directory(dir.substr(0, slash));
      err = ::mkdir(dir.c_str(), 0777) == 0 ? 0 : errno;
    }
  }
  if (err != 0 && err != EEXIST) throw failure("cannot create '" + dir + "': " + std::strerror(err));
  std::lock_guard<std::mutex> guard(mutex_);
  if (err == 0) made_directories_.push_back(dir);  // another thread's EEXIST comes after it
  known_directories_.insert(dir);
}

void NewFiles::write_file(const File& file) {
  make_directory(file.directory);
  const std::string path = file.directory + "/" + file.name;
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
  if (fd < 0) {
    if (errno == EEXIST) throw failure("'" + path + "' already exists; nothing was written");
    throw failure("cannot write '" + path + "': " + std::strerror(errno));
  }
  {
    std::lock_guard<std::mutex> guard(mutex_);
    made_files_.push_back(path);
  }
  std::size_t done = 0;
  while (done < file.content.size()) {
    const ssize_t n = ::write(fd, file.content.data() + done, file.content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      throw failure("cannot write '" + path + "': " + std::strerror(err));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw failure("cannot write '" + path + "': " + std::strerror(errno));
}

void NewFiles::write(unsigned threads, const std::function<void(std::size_t)>& progress) {
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::string first_error;
  auto work = [&] {
    for (std::size_t i; !failed && (i = next++) < files_.size();) {
      try {
        write_file(files_[i]);
        ++done;
      } catch (const std::exception& e) {
        std::lock_guard<std::mutex> guard(mutex_);
        if (!failed.exchange(true)) first_error = e.what();
      }
    }
  };
  std::vector<std::thread> workers;
  if (threads > 1 && files_.size() > 1) {
    for (unsigned t = 0; t < threads; ++t) workers.emplace_back(work);
  }
  if (workers.empty()) {
    work();
  } else {
    while (!failed && done < files_.size()) {
      progress(done);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  for (std::thread& w : workers) w.join();
  if (failed) throw failure(first_error);
  progress(done);
}

}  // namespace rokso
