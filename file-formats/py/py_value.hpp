// The values the .py reader evaluates a module's expressions to.
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace rokso::py {

struct Value;
using ValuePtr = std::shared_ptr<const Value>;

// A value and where the expression that produced it starts.
struct Item {
  ValuePtr value;
  std::size_t pos = 0;
};

struct DictEntry {
  Item value;
  std::size_t key_pos = 0;
};

// Immutable once built, shared between every name bound to it, so copying a name is
// O(1) whatever the value's size.
struct Value {
  // number: a number rokso does not fold (a complex, an int beyond 64 bits).
  enum class Type { str, boolean, none, integer, floating, number, tuple, list, dict } type = Type::none;
  std::string str;
  bool boolean = false;
  long long integer = 0;
  double floating = 0;
  std::vector<Item> items;                   // tuple, list
  std::map<std::string, DictEntry> entries;  // dict
  std::vector<std::string> keys;             // dict: the keys in insertion order, as repr() lists them
  int depth = 0;                             // nesting of containers
};

inline const char* type_name(const Value& v) {
  switch (v.type) {
    case Value::Type::str: return "a string";
    case Value::Type::boolean: return "a bool";
    case Value::Type::none: return "None";
    case Value::Type::integer: return "an int";
    case Value::Type::floating: return "a float";
    case Value::Type::number: return "a number";
    case Value::Type::tuple: return "a tuple";
    case Value::Type::list: return "a list";
    case Value::Type::dict: return "a dict";
  }
  return "a value";
}

// A name's binding. `value` is null for a name bound by an import.
struct Binding {
  ValuePtr value;
  std::size_t pos = 0;
};

}  // namespace rokso::py
