// rokso plugin SDK: the error a format plugin throws for a malformed file.
#pragma once

#include <stdexcept>
#include <string>

namespace rokso {

// A file that cannot be read as a migration. The host prints it as
// `<file>:<line>:<column>: <message>`; line and column are 1-based, 0 when unknown.
class FormatError : public std::runtime_error {
 public:
  FormatError(int line, int column, const std::string& message)
      : std::runtime_error(message), line_(line), column_(column) {}
  int line() const { return line_; }
  int column() const { return column_; }

 private:
  int line_;
  int column_;
};

}  // namespace rokso
