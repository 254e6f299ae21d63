// Tables printed the way roksopsql printed them (python-tabulate's "simple" format):
// a header, a rule of dashes, two spaces between columns, numbers aligned right.
#pragma once

#include <string>
#include <vector>

namespace rokso {

class TextTable {
 public:
  explicit TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}

  // REQUIRES: cells.size() == number of headers. A cell is shown with its control
  // characters escaped (a file name holding a line break stays on its row).
  void add_row(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }

  // The whole table, one line per row, each ending in '\n'.
  std::string render() const;

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

// Display width of UTF-8 text in terminal columns: two for East Asian wide characters
// and wide emoji, none for combining marks and zero-width characters, one otherwise.
std::size_t display_width(const std::string& text);

}  // namespace rokso
