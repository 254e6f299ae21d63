// What the .py reader folds: Python's str(), repr(), format(), `%` formatting,
// str.format() and the str methods roksopsql migration modules use, on Values, with
// CPython 3.11's results.
//
// Each operation either gives exactly what CPython gives or throws FoldError: for what
// CPython raises (the message says what Python would say) and for what rokso does not
// fold (the message says so). The parser adds the file position.
//
// Stateless and thread-safe.
#pragma once

#include "py_value.hpp"

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rokso::py {

class FoldError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Keywords = std::vector<std::pair<std::string, ValuePtr>>;

// str(v), repr(v), ascii(v).
std::string to_str(const Value& v);
std::string to_repr(const Value& v);
std::string to_ascii(const Value& v);

// format(v, spec): the format-spec mini-language for str, int, bool, float.
std::string format_value(const Value& v, std::string_view spec);

// fmt % args: a single value, a tuple of values or a dict for %(key)s.
std::string percent_format(const std::string& fmt, const Value& args);

// fmt.format(*args, **kwargs).
std::string str_format(const std::string& fmt, const std::vector<ValuePtr>& args, const Keywords& kwargs);

// Whether `name` is a str method str_method() folds.
bool is_folded_str_method(std::string_view name);

// self.<method>(*args, **kwargs) for a method is_folded_str_method() names.
Value str_method(const std::string& self, std::string_view method, const std::vector<ValuePtr>& args,
                 const Keywords& kwargs);

// Number of characters (code points) of a valid UTF-8 string.
std::size_t char_count(const std::string& s);

}  // namespace rokso::py
