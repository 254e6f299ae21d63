// Where a long migrate or rollback is: "[120/2000] <identity>  1:02 elapsed, about 9:40
// left" on stderr, redrawn in place, and only on a terminal (core/output.hpp decides):
// a log or a pipe keeps the one line per file that stdout prints anyway.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

namespace rokso {

class RunProgress {
 public:
  // Shown only for more than one file: one file needs no counter.
  explicit RunProgress(std::size_t total);
  ~RunProgress();
  RunProgress(const RunProgress&) = delete;
  RunProgress& operator=(const RunProgress&) = delete;

  // File `index` (0-based) of the run starts now. The time left is the mean time of the
  // files done so far times the files not done.
  void start(std::size_t index, const std::string& identity);

 private:
  std::size_t total_;
  std::chrono::steady_clock::time_point began_;
};

// "0:42", "12:05", "1:02:33".
std::string format_duration(double seconds);

}  // namespace rokso
