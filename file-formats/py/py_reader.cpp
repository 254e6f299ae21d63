// A static reader for the subset of Python that roksopsql migration modules use.
//
// Three stages, each linear in the input, each in its own file:
//   1. py_source: what CPython does to a module's bytes before tokenizing them.
//   2. py_lexer: CPython's tokenizer rules for what we accept.
//   3. py_parser: recursive descent over statements and expressions, evaluating as it
//      goes into immutable, shared Values (py_value) bound to names.
// Whatever CPython would reject is rejected; whatever needs running code is refused.
// Where CPython 3.11 and 3.12 differ, the stricter reading is taken.

#include "py_reader.hpp"

#include "py_parser.hpp"
#include "py_source.hpp"

namespace rokso::py {

Migration read_py_migration(const std::string& text) {
  return parse_module(decode_module(text));
}

}  // namespace rokso::py
