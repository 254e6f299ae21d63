#include "py_string_ops.hpp"

#include <rokso/utf8.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <optional>

namespace rokso::py {
namespace {

const char* py_type(const Value& v) {
  switch (v.type) {
    case Value::Type::str: return "str";
    case Value::Type::boolean: return "bool";
    case Value::Type::none: return "NoneType";
    case Value::Type::integer: return "int";
    case Value::Type::floating: return "float";
    case Value::Type::number: return "complex";
    case Value::Type::tuple: return "tuple";
    case Value::Type::list: return "list";
    case Value::Type::dict: return "dict";
  }
  return "object";
}

std::vector<std::uint32_t> code_points(const std::string& s) {
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < s.size();) {
    std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) len = 1;  // unreachable: values are valid UTF-8
    out.push_back(decode_utf8_at(s, i, len));
    i += len;
  }
  return out;
}

std::string from_code_points(const std::vector<std::uint32_t>& cps, std::size_t begin = 0,
                             std::size_t end = std::string::npos) {
  std::string out;
  end = std::min(end, cps.size());
  for (std::size_t i = begin; i < end; ++i) append_utf8(out, cps[i]);
  return out;
}

std::string truncated(const std::string& s, std::size_t chars) {
  return from_code_points(code_points(s), 0, chars);
}

bool all_ascii(const std::string& s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

void require_ascii(const std::string& s, std::string_view method) {
  if (!all_ascii(s)) {
    throw FoldError("str." + std::string(method) +
                    "() of text with non-ascii characters is not folded (rokso has no unicode case tables)");
  }
}

// ---- repr

std::string hex_digits(std::uint32_t value, int count) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (int shift = (count - 1) * 4; shift >= 0; shift -= 4) out += digits[(value >> shift) & 15];
  return out;
}

std::string str_repr(const std::string& s, bool ascii) {
  const bool has_single = s.find('\'') != std::string::npos;
  const bool has_double = s.find('"') != std::string::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (const std::uint32_t cp : code_points(s)) {
    if (cp == static_cast<std::uint32_t>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7F) {
      out += "\\x" + hex_digits(cp, 2);
    } else if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (!ascii && cp > 0xA0 && cp <= 0xFF && cp != 0xAD) {
      append_utf8(out, cp);  // printable Latin-1
    } else if (!ascii && cp > 0xFF) {
      throw FoldError("repr() of text with characters beyond U+00FF is not folded (rokso has no unicode tables)");
    } else if (cp <= 0xFF) {
      out += "\\x" + hex_digits(cp, 2);
    } else if (cp <= 0xFFFF) {
      out += "\\u" + hex_digits(cp, 4);
    } else {
      out += "\\U" + hex_digits(cp, 8);
    }
  }
  return out + quote;
}

// repr(float): the shortest string that reads back as the same double, laid out as
// CPython's float_repr_style 'short' does.
std::string float_repr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*e", precision - 1, d);
    if (std::strtod(buf, nullptr) == d) break;
  }
  std::string text(buf);
  std::string sign;
  if (text[0] == '-') {
    sign = "-";
    text.erase(0, 1);
  }
  const std::size_t e = text.find('e');
  const int exponent = std::atoi(text.c_str() + e + 1);
  std::string digits;
  for (std::size_t i = 0; i < e; ++i) {
    if (text[i] != '.') digits += text[i];
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return sign + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    const std::size_t int_len = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= int_len) return sign + digits + std::string(int_len - digits.size(), '0') + ".0";
    return sign + digits.substr(0, int_len) + "." + digits.substr(int_len);
  }
  std::string out = sign + digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  const int magnitude = exponent < 0 ? -exponent : exponent;
  out += std::string("e") + (exponent < 0 ? "-" : "+") + (magnitude < 10 ? "0" : "") + std::to_string(magnitude);
  return out;
}

std::string any_repr(const Value& v, bool ascii) {
  switch (v.type) {
    case Value::Type::str: return str_repr(v.str, ascii);
    case Value::Type::tuple:
    case Value::Type::list: {
      const bool tuple = v.type == Value::Type::tuple;
      std::string out = tuple ? "(" : "[";
      for (std::size_t i = 0; i < v.items.size(); ++i) {
        if (i > 0) out += ", ";
        out += any_repr(*v.items[i].value, ascii);
      }
      if (tuple && v.items.size() == 1) out += ",";
      return out + (tuple ? ")" : "]");
    }
    case Value::Type::dict: {
      std::string out = "{";
      for (std::size_t i = 0; i < v.keys.size(); ++i) {
        if (i > 0) out += ", ";
        out += str_repr(v.keys[i], ascii) + ": " + any_repr(*v.entries.at(v.keys[i]).value.value, ascii);
      }
      return out + "}";
    }
    default: return to_str(v);
  }
}

// ---- numbers

long long as_integer(const Value& v, const std::string& what) {
  if (v.type == Value::Type::integer) return v.integer;
  if (v.type == Value::Type::boolean) return v.boolean ? 1 : 0;
  throw FoldError(what + py_type(v));
}

bool is_real(const Value& v) {
  return v.type == Value::Type::integer || v.type == Value::Type::boolean || v.type == Value::Type::floating;
}

double as_double(const Value& v) {
  if (v.type == Value::Type::floating) return v.floating;
  return static_cast<double>(as_integer(v, "a real number is required, not "));
}

std::string unsigned_digits(unsigned long long magnitude, int base, bool upper) {
  const char* digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  std::string out;
  do {
    out.insert(out.begin(), digits[magnitude % static_cast<unsigned long long>(base)]);
    magnitude /= static_cast<unsigned long long>(base);
  } while (magnitude != 0);
  return out;
}

unsigned long long magnitude_of(long long n) {
  return n < 0 ? 0ULL - static_cast<unsigned long long>(n) : static_cast<unsigned long long>(n);
}

// Inserts `separator` every `group` digits from the right of `digits`.
std::string grouped(const std::string& digits, char separator, std::size_t group) {
  if (separator == 0) return digits;
  std::string out;
  const std::size_t n = digits.size();
  for (std::size_t i = 0; i < n; ++i) {
    if (i > 0 && (n - i) % group == 0) out += separator;
    out += digits[i];
  }
  return out;
}

// C's printf for one double: `conversion` is one of eEfFgG.
std::string c_format_double(double d, char conversion, int precision, bool alternate) {
  std::string format = "%";
  if (alternate) format += '#';
  format += ".*";
  format += conversion;
  const int size = std::snprintf(nullptr, 0, format.c_str(), precision, d);
  std::string out(static_cast<std::size_t>(size) + 1, '\0');
  std::snprintf(&out[0], out.size(), format.c_str(), precision, d);
  out.resize(static_cast<std::size_t>(size));
  return out;
}

std::string chr_of(const Value& v, const char* what) {
  if (v.type == Value::Type::str) {
    if (char_count(v.str) != 1) throw FoldError(std::string(what) + " requires a single character");
    return v.str;
  }
  if (v.type != Value::Type::integer && v.type != Value::Type::boolean) {
    throw FoldError(std::string(what) + " requires an int or a single character, not " + py_type(v));
  }
  const long long cp = as_integer(v, "");
  if (cp < 0 || cp > 0x10FFFF) throw FoldError(std::string(what) + " arg not in range(0x110000)");
  if (cp >= 0xD800 && cp <= 0xDFFF) throw FoldError("a lone surrogate, which utf-8 cannot encode");
  std::string out;
  append_utf8(out, static_cast<std::uint32_t>(cp));
  return out;
}

// ---- the format-spec mini-language

struct Spec {
  std::uint32_t fill = ' ';
  char align = 0;  // < > = ^ or 0 for the type's default
  char sign = 0;   // + - space or 0
  bool coerce_zero = false;
  bool alternate = false;
  bool zero = false;
  std::size_t width = 0;
  char grouping = 0;  // , _ or 0
  std::optional<int> precision;
  char type = 0;
};

bool is_align(std::uint32_t c) { return c == '<' || c == '>' || c == '=' || c == '^'; }

std::size_t read_number(const std::vector<std::uint32_t>& cps, std::size_t& i, const char* what) {
  std::size_t n = 0;
  while (i < cps.size() && cps[i] >= '0' && cps[i] <= '9') {
    n = n * 10 + (cps[i] - '0');
    if (n > 100000) throw FoldError(std::string(what) + " too big");
    ++i;
  }
  return n;
}

Spec parse_spec(std::string_view text) {
  const std::vector<std::uint32_t> cps = code_points(std::string(text));
  Spec spec;
  std::size_t i = 0;
  if (cps.size() >= 2 && is_align(cps[1])) {
    spec.fill = cps[0];
    spec.align = static_cast<char>(cps[1]);
    i = 2;
  } else if (!cps.empty() && is_align(cps[0])) {
    spec.align = static_cast<char>(cps[0]);
    i = 1;
  }
  if (i < cps.size() && (cps[i] == '+' || cps[i] == '-' || cps[i] == ' ')) spec.sign = static_cast<char>(cps[i++]);
  if (i < cps.size() && cps[i] == 'z') {
    spec.coerce_zero = true;
    ++i;
  }
  if (i < cps.size() && cps[i] == '#') {
    spec.alternate = true;
    ++i;
  }
  if (i < cps.size() && cps[i] == '0') {
    spec.zero = true;
    ++i;
  }
  spec.width = read_number(cps, i, "Too many decimal digits in format string: width");
  if (i < cps.size() && (cps[i] == ',' || cps[i] == '_')) spec.grouping = static_cast<char>(cps[i++]);
  if (i < cps.size() && (cps[i] == ',' || cps[i] == '_')) throw FoldError("Cannot specify both ',' and '_'.");
  if (i < cps.size() && cps[i] == '.') {
    ++i;
    const std::size_t begin = i;
    spec.precision = static_cast<int>(read_number(cps, i, "Too many decimal digits in format string: precision"));
    if (i == begin) throw FoldError("Format specifier missing precision");
  }
  if (i < cps.size()) {
    if (cps[i] >= 0x80) throw FoldError("Invalid format specifier '" + std::string(text) + "'");
    spec.type = static_cast<char>(cps[i++]);
  }
  if (i < cps.size()) throw FoldError("Invalid format specifier '" + std::string(text) + "'");
  if (spec.zero && spec.align == 0) {
    spec.fill = '0';
    spec.align = '=';
  }
  return spec;
}

// Pads `body` (after `prefix`, the sign and base prefix) to the spec's width.
std::string pad(const std::string& prefix, const std::string& body, const Spec& spec, char default_align) {
  const std::size_t length = char_count(prefix) + char_count(body);
  if (length >= spec.width) return prefix + body;
  const std::size_t missing = spec.width - length;
  std::string fill;
  append_utf8(fill, spec.fill);
  const auto repeat = [&](std::size_t n) {
    std::string out;
    for (std::size_t k = 0; k < n; ++k) out += fill;
    return out;
  };
  switch (spec.align ? spec.align : default_align) {
    case '<': return prefix + body + repeat(missing);
    case '^': return repeat(missing / 2) + prefix + body + repeat(missing - missing / 2);
    case '=': return prefix + repeat(missing) + body;
    default: return repeat(missing) + prefix + body;
  }
}

std::string sign_of(bool negative, char sign) {
  if (negative) return "-";
  if (sign == '+') return "+";
  if (sign == ' ') return " ";
  return "";
}

std::string format_str(const std::string& s, const Spec& spec) {
  if (spec.type != 0 && spec.type != 's') {
    throw FoldError(std::string("Unknown format code '") + spec.type + "' for object of type 'str'");
  }
  if (spec.sign) throw FoldError("Sign not allowed in string format specifier");
  if (spec.alternate) throw FoldError("Alternate form (#) not allowed in string format specifier");
  if (spec.grouping) throw FoldError(std::string("Cannot specify '") + spec.grouping + "' with 's'.");
  if (spec.align == '=' && !spec.zero) throw FoldError("'=' alignment not allowed in string format specifier");
  Spec text_spec = spec;
  if (spec.zero && text_spec.align == '=') text_spec.align = '<';  // '0' on a str is a fill, left-aligned
  const std::string body = spec.precision ? truncated(s, static_cast<std::size_t>(*spec.precision)) : s;
  return pad("", body, text_spec, '<');
}

std::string format_float(double d, const Spec& spec, char type) {
  char conversion = type;
  int precision = spec.precision.value_or(6);
  bool percent = false;
  if (type == '%') {
    d *= 100;
    conversion = 'f';
    percent = true;
  } else if (type == 0) {
    if (spec.precision) throw FoldError("a float format with a precision and no type is not folded");
    conversion = 'r';
  } else if (type == 'n') {
    conversion = 'g';
  }
  if (spec.coerce_zero && d == 0) d = 0.0;
  const bool negative = std::signbit(d) && !std::isnan(d);
  const double magnitude = std::fabs(d);
  std::string body;
  if (conversion == 'r') {
    body = float_repr(magnitude);
  } else {
    body = c_format_double(magnitude, conversion, precision, spec.alternate);
    if (spec.coerce_zero && negative && std::stod(body) == 0) return format_float(0.0, spec, type);
  }
  if (spec.grouping) {
    std::size_t int_end = 0;
    while (int_end < body.size() && body[int_end] >= '0' && body[int_end] <= '9') ++int_end;
    body = grouped(body.substr(0, int_end), spec.grouping, 3) + body.substr(int_end);
  }
  if (percent) body += '%';
  return pad(sign_of(negative, spec.sign), body, spec, '>');
}

std::string format_int(long long n, const Spec& spec) {
  char type = spec.type;
  if (type == 'e' || type == 'E' || type == 'f' || type == 'F' || type == 'g' || type == 'G' || type == '%') {
    return format_float(static_cast<double>(n), spec, type);
  }
  if (spec.precision) throw FoldError("Precision not allowed in integer format specifier");
  if (type == 'c') {
    if (spec.sign) throw FoldError("Sign not allowed with integer format specifier 'c'");
    Value v;
    v.type = Value::Type::integer;
    v.integer = n;
    return pad("", chr_of(v, "%c"), spec, '>');
  }
  int base = 10;
  std::string prefix;
  if (type == 'b') {
    base = 2;
    prefix = "0b";
  } else if (type == 'o') {
    base = 8;
    prefix = "0o";
  } else if (type == 'x' || type == 'X') {
    base = 16;
    prefix = type == 'x' ? "0x" : "0X";
  } else if (type != 0 && type != 'd' && type != 'n') {
    throw FoldError(std::string("Unknown format code '") + type + "' for object of type 'int'");
  }
  if (spec.grouping == ',' && base != 10) throw FoldError(std::string("Cannot specify ',' with '") + type + "'.");
  std::string digits = unsigned_digits(magnitude_of(n), base, type == 'X');
  digits = grouped(digits, spec.grouping, base == 10 ? 3 : 4);
  return pad(sign_of(n < 0, spec.sign) + (spec.alternate ? prefix : ""), digits, spec, '>');
}

// ---- % formatting

struct PercentArgs {
  const Value& all;
  std::vector<const Value*> positional;
  std::size_t next = 0;
  bool mapping = false;

  const Value& take() {
    if (next >= positional.size()) throw FoldError("not enough arguments for format string");
    return *positional[next++];
  }
};

std::string percent_one(char conversion, const Value& v, const std::string& flags, std::optional<std::size_t> width,
                        std::optional<int> precision) {
  const bool left = flags.find('-') != std::string::npos;
  const bool zero = flags.find('0') != std::string::npos && !left;
  const bool alternate = flags.find('#') != std::string::npos;
  const char sign = flags.find('+') != std::string::npos ? '+' : flags.find(' ') != std::string::npos ? ' ' : 0;
  Spec spec;
  spec.width = width.value_or(0);
  spec.align = left ? '<' : '>';
  spec.sign = sign;
  if (zero) {
    spec.fill = '0';
    spec.align = '=';
  }
  switch (conversion) {
    case 's':
    case 'r':
    case 'a': {
      std::string text = conversion == 's' ? to_str(v) : conversion == 'r' ? to_repr(v) : to_ascii(v);
      if (precision) text = truncated(text, static_cast<std::size_t>(*precision));
      Spec text_spec;
      text_spec.width = spec.width;
      text_spec.align = left ? '<' : '>';
      return pad("", text, text_spec, '>');
    }
    case 'c': {
      Spec text_spec;
      text_spec.width = spec.width;
      text_spec.align = left ? '<' : '>';
      return pad("", chr_of(v, "%c"), text_spec, '>');
    }
    case 'd':
    case 'i':
    case 'u':
    case 'o':
    case 'x':
    case 'X': {
      long long n = 0;
      if (v.type == Value::Type::floating && (conversion == 'd' || conversion == 'i' || conversion == 'u')) {
        if (!(std::fabs(v.floating) < 9.2e18)) throw FoldError("an int beyond 64 bits is not folded");
        n = static_cast<long long>(v.floating);
      } else if (v.type == Value::Type::integer || v.type == Value::Type::boolean) {
        n = as_integer(v, "");
      } else if (conversion == 'd' || conversion == 'i' || conversion == 'u') {
        throw FoldError(std::string("%") + conversion + " format: a real number is required, not " + py_type(v));
      } else {
        throw FoldError(std::string("%") + conversion + " format: an integer is required, not " + py_type(v));
      }
      const int base = conversion == 'o' ? 8 : (conversion == 'x' || conversion == 'X') ? 16 : 10;
      std::string digits = unsigned_digits(magnitude_of(n), base, conversion == 'X');
      if (precision && digits.size() < static_cast<std::size_t>(*precision)) {
        digits.insert(0, static_cast<std::size_t>(*precision) - digits.size(), '0');
      }
      std::string prefix = sign_of(n < 0, sign);
      if (alternate && base != 10) prefix += conversion == 'o' ? "0o" : conversion == 'x' ? "0x" : "0X";
      return pad(prefix, digits, spec, '>');
    }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G': {
      if (!is_real(v)) {
        throw FoldError(std::string("%") + conversion + " format: a real number is required, not " + py_type(v));
      }
      const double d = as_double(v);
      const bool negative = std::signbit(d) && !std::isnan(d);
      const std::string body = c_format_double(std::fabs(d), conversion, precision.value_or(6), alternate);
      return pad(sign_of(negative, sign), body, spec, '>');
    }
    default: break;
  }
  throw FoldError(std::string("unsupported format character '") + conversion + "'");
}

// ---- str methods

bool is_space(std::uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

const std::string& str_arg(const std::vector<ValuePtr>& args, std::size_t i, std::string_view method) {
  if (args[i]->type != Value::Type::str) {
    throw FoldError("str." + std::string(method) + "() argument " + std::to_string(i + 1) + " must be str, not " +
                    py_type(*args[i]));
  }
  return args[i]->str;
}

void arity(std::string_view method, const std::vector<ValuePtr>& args, const Keywords& kwargs, std::size_t min,
           std::size_t max) {
  if (!kwargs.empty()) throw FoldError("str." + std::string(method) + "() takes no keyword arguments");
  if (args.size() < min || args.size() > max) {
    throw FoldError("str." + std::string(method) + "() takes " +
                    (min == max ? "exactly " + std::to_string(min) : "at most " + std::to_string(max)) + " argument" +
                    (max == 1 ? "" : "s") + " (" + std::to_string(args.size()) + " given)");
  }
}

std::string stripped(const std::string& self, std::string_view method, const std::vector<ValuePtr>& args, bool left,
                     bool right) {
  std::vector<std::uint32_t> chars;
  bool whitespace = true;
  if (!args.empty() && args[0]->type != Value::Type::none) {
    if (args[0]->type != Value::Type::str) {
      throw FoldError(std::string(method) + " arg must be None or str");
    }
    chars = code_points(args[0]->str);
    whitespace = false;
  }
  const auto strip_it = [&](std::uint32_t cp) {
    return whitespace ? is_space(cp) : std::find(chars.begin(), chars.end(), cp) != chars.end();
  };
  const std::vector<std::uint32_t> cps = code_points(self);
  std::size_t begin = 0;
  std::size_t end = cps.size();
  while (left && begin < end && strip_it(cps[begin])) ++begin;
  while (right && end > begin && strip_it(cps[end - 1])) --end;
  return from_code_points(cps, begin, end);
}

std::string replaced(const std::string& self, const std::string& old, const std::string& replacement, long long count) {
  if (count < 0) count = std::numeric_limits<long long>::max();
  std::string out;
  if (old.empty()) {
    const std::vector<std::uint32_t> cps = code_points(self);
    long long done = 0;
    for (std::size_t i = 0; i <= cps.size(); ++i) {
      if (done < count) {
        out += replacement;
        ++done;
      }
      if (i < cps.size()) append_utf8(out, cps[i]);
    }
    return out;
  }
  std::size_t from = 0;
  long long done = 0;
  for (std::size_t at = self.find(old); at != std::string::npos && done < count; at = self.find(old, from)) {
    out.append(self, from, at - from);
    out += replacement;
    from = at + old.size();
    ++done;
  }
  out.append(self, from, std::string::npos);
  return out;
}

std::string joined(const std::string& separator, const Value& iterable) {
  std::vector<std::string> parts;
  if (iterable.type == Value::Type::str) {
    for (const std::uint32_t cp : code_points(iterable.str)) {
      parts.emplace_back();
      append_utf8(parts.back(), cp);
    }
  } else if (iterable.type == Value::Type::list || iterable.type == Value::Type::tuple) {
    for (std::size_t i = 0; i < iterable.items.size(); ++i) {
      const Value& item = *iterable.items[i].value;
      if (item.type != Value::Type::str) {
        throw FoldError("sequence item " + std::to_string(i) + ": expected str instance, " + py_type(item) +
                        " found");
      }
      parts.push_back(item.str);
    }
  } else {
    throw FoldError(std::string("str.join() of ") + py_type(iterable) +
                    " is not folded: rokso folds join() of a list or tuple literal");
  }
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += separator;
    out += parts[i];
  }
  return out;
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }
char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }
bool ascii_cased(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

}  // namespace

std::size_t char_count(const std::string& s) {
  std::size_t n = 0;
  for (const char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string to_str(const Value& v) {
  switch (v.type) {
    case Value::Type::str: return v.str;
    case Value::Type::boolean: return v.boolean ? "True" : "False";
    case Value::Type::none: return "None";
    case Value::Type::integer: return std::to_string(v.integer);
    case Value::Type::floating: return float_repr(v.floating);
    case Value::Type::number:
      throw FoldError("a complex number, or an int beyond 64 bits, is not folded into text");
    default: return any_repr(v, false);
  }
}

std::string to_repr(const Value& v) { return any_repr(v, false); }
std::string to_ascii(const Value& v) { return any_repr(v, true); }

std::string format_value(const Value& v, std::string_view spec_text) {
  if (spec_text.empty()) return to_str(v);
  const Spec spec = parse_spec(spec_text);
  switch (v.type) {
    case Value::Type::str: return format_str(v.str, spec);
    case Value::Type::integer:
    case Value::Type::boolean: return format_int(as_integer(v, ""), spec);
    case Value::Type::floating: {
      const char t = spec.type;
      if (t != 0 && t != 'e' && t != 'E' && t != 'f' && t != 'F' && t != 'g' && t != 'G' && t != '%' && t != 'n') {
        throw FoldError(std::string("Unknown format code '") + t + "' for object of type 'float'");
      }
      return format_float(v.floating, spec, t);
    }
    default:
      throw FoldError(std::string("unsupported format string passed to ") + py_type(v) + ".__format__");
  }
}

std::string percent_format(const std::string& fmt, const Value& value) {
  PercentArgs args{value, {}, 0, false};
  if (value.type == Value::Type::tuple) {
    for (const Item& item : value.items) args.positional.push_back(item.value.get());
  } else {
    args.positional.push_back(&value);
    args.mapping = value.type == Value::Type::dict;
  }
  std::string out;
  std::size_t i = 0;
  while (i < fmt.size()) {
    const char c = fmt[i];
    if (c != '%') {
      out += c;
      ++i;
      continue;
    }
    ++i;
    if (i >= fmt.size()) throw FoldError("incomplete format");
    const Value* key_value = nullptr;
    if (fmt[i] == '(') {
      if (!args.mapping) throw FoldError("format requires a mapping");
      int depth = 1;
      const std::size_t begin = ++i;
      while (i < fmt.size() && depth > 0) {
        if (fmt[i] == '(') ++depth;
        if (fmt[i] == ')') --depth;
        ++i;
      }
      if (depth > 0) throw FoldError("incomplete format key");
      const std::string key = fmt.substr(begin, i - 1 - begin);
      const auto found = value.entries.find(key);
      if (found == value.entries.end()) throw FoldError("KeyError: " + str_repr(key, false));
      key_value = found->second.value.value.get();
    }
    std::string flags;
    while (i < fmt.size() && std::string_view("-+ #0").find(fmt[i]) != std::string_view::npos) flags += fmt[i++];
    std::optional<std::size_t> width;
    std::optional<int> precision;
    if (i < fmt.size() && fmt[i] == '*') throw FoldError("'*' width in '%' formatting is not folded");
    if (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') {
      std::size_t n = 0;
      while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') {
        n = n * 10 + static_cast<std::size_t>(fmt[i++] - '0');
        if (n > 100000) throw FoldError("width too big");
      }
      width = n;
    }
    if (i < fmt.size() && fmt[i] == '.') {
      ++i;
      if (i < fmt.size() && fmt[i] == '*') throw FoldError("'*' precision in '%' formatting is not folded");
      int n = 0;
      while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') {
        n = n * 10 + (fmt[i++] - '0');
        if (n > 100000) throw FoldError("precision too big");
      }
      precision = n;
    }
    while (i < fmt.size() && (fmt[i] == 'h' || fmt[i] == 'l' || fmt[i] == 'L')) ++i;
    if (i >= fmt.size()) throw FoldError("incomplete format");
    const char conversion = fmt[i++];
    if (conversion == '%') {
      out += '%';
      continue;
    }
    if (static_cast<unsigned char>(conversion) >= 0x80 ||
        std::string_view("diuoxXeEfFgGcrsa").find(conversion) == std::string_view::npos) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "%x", static_cast<unsigned char>(conversion));
      throw FoldError(std::string("unsupported format character '") +
                      (static_cast<unsigned char>(conversion) < 0x80 ? std::string(1, conversion) : std::string("?")) +
                      "' (0x" + hex + ") at index " + std::to_string(i - 1));
    }
    const Value& v = key_value ? *key_value : args.take();
    out += percent_one(conversion, v, flags, width, precision);
  }
  if (!args.mapping && args.next < args.positional.size()) {
    throw FoldError("not all arguments converted during string formatting");
  }
  return out;
}

std::string str_format(const std::string& fmt, const std::vector<ValuePtr>& args, const Keywords& kwargs) {
  std::string out;
  std::size_t auto_index = 0;
  bool used_auto = false;
  bool used_manual = false;
  std::size_t i = 0;
  while (i < fmt.size()) {
    const char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
        out += '}';
        i += 2;
        continue;
      }
      throw FoldError("Single '}' encountered in format string");
    }
    if (c != '{') {
      out += c;
      ++i;
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      i += 2;
      continue;
    }
    ++i;
    const std::size_t name_begin = i;
    while (i < fmt.size() && fmt[i] != '}' && fmt[i] != '!' && fmt[i] != ':') {
      if (fmt[i] == '[' || fmt[i] == '.') {
        throw FoldError("a replacement field with an index or attribute ('" + fmt.substr(name_begin, i + 1 - name_begin) +
                        "') is not folded");
      }
      if (fmt[i] == '{') throw FoldError("unexpected '{' in field name");
      ++i;
    }
    if (i >= fmt.size()) throw FoldError("expected '}' before end of string");
    const std::string name = fmt.substr(name_begin, i - name_begin);
    char conversion = 0;
    if (fmt[i] == '!') {
      if (i + 1 >= fmt.size()) throw FoldError("end of string while looking for conversion specifier");
      conversion = fmt[i + 1];
      i += 2;
      if (i >= fmt.size() || (fmt[i] != ':' && fmt[i] != '}')) throw FoldError("expected ':' after conversion specifier");
      if (conversion != 'r' && conversion != 's' && conversion != 'a') {
        throw FoldError(std::string("Unknown conversion specifier ") + conversion);
      }
    }
    std::string spec;
    if (fmt[i] == ':') {
      ++i;
      const std::size_t spec_begin = i;
      while (i < fmt.size() && fmt[i] != '}') {
        if (fmt[i] == '{') throw FoldError("a nested replacement field in a format spec is not folded");
        ++i;
      }
      if (i >= fmt.size()) throw FoldError("expected '}' before end of string");
      spec = fmt.substr(spec_begin, i - spec_begin);
    }
    ++i;  // '}'
    const Value* value = nullptr;
    if (name.empty()) {
      if (used_manual) throw FoldError("cannot switch from manual field specification to automatic field numbering");
      used_auto = true;
      if (auto_index >= args.size()) {
        throw FoldError("Replacement index " + std::to_string(auto_index) + " out of range for positional args tuple");
      }
      value = args[auto_index++].get();
    } else if (name.find_first_not_of("0123456789") == std::string::npos) {
      if (used_auto) throw FoldError("cannot switch from automatic field numbering to manual field specification");
      used_manual = true;
      if (name.size() > 6) throw FoldError("Too many decimal digits in format string");
      const std::size_t index = static_cast<std::size_t>(std::stoul(name));
      if (index >= args.size()) {
        throw FoldError("Replacement index " + name + " out of range for positional args tuple");
      }
      value = args[index].get();
    } else {
      for (const auto& [key, v] : kwargs) {
        if (key == name) value = v.get();
      }
      if (!value) throw FoldError("KeyError: " + str_repr(name, false));
    }
    if (conversion == 0) {
      out += format_value(*value, spec);
    } else {
      Value text;
      text.type = Value::Type::str;
      text.str = conversion == 's' ? to_str(*value) : conversion == 'r' ? to_repr(*value) : to_ascii(*value);
      out += format_value(text, spec);
    }
  }
  return out;
}

bool is_folded_str_method(std::string_view name) {
  static const char* const methods[] = {"strip",      "lstrip", "rstrip",       "lower",        "upper",
                                        "replace",    "format", "join",         "title",        "capitalize",
                                        "swapcase",   "removeprefix", "removesuffix", "zfill", "ljust",
                                        "rjust",      "center"};
  for (const char* m : methods) {
    if (name == m) return true;
  }
  return false;
}

Value str_method(const std::string& self, std::string_view method, const std::vector<ValuePtr>& args,
                 const Keywords& kwargs) {
  Value result;
  result.type = Value::Type::str;
  std::string& out = result.str;
  if (method == "format") {
    out = str_format(self, args, kwargs);
    return result;
  }
  if (method == "strip" || method == "lstrip" || method == "rstrip") {
    arity(method, args, kwargs, 0, 1);
    out = stripped(self, method, args, method != "rstrip", method != "lstrip");
  } else if (method == "lower" || method == "upper" || method == "swapcase") {
    arity(method, args, kwargs, 0, 0);
    require_ascii(self, method);
    for (const char c : self) {
      out += method == "lower" ? ascii_lower(c) : method == "upper" ? ascii_upper(c) : ascii_lower(c) == c ? ascii_upper(c) : ascii_lower(c);
    }
  } else if (method == "title") {
    arity(method, args, kwargs, 0, 0);
    require_ascii(self, method);
    bool previous_cased = false;
    for (const char c : self) {
      out += previous_cased ? ascii_lower(c) : ascii_upper(c);
      previous_cased = ascii_cased(c);
    }
  } else if (method == "capitalize") {
    arity(method, args, kwargs, 0, 0);
    require_ascii(self, method);
    for (std::size_t i = 0; i < self.size(); ++i) out += i == 0 ? ascii_upper(self[i]) : ascii_lower(self[i]);
  } else if (method == "replace") {
    arity(method, args, kwargs, 2, 3);
    long long count = -1;
    if (args.size() == 3) count = as_integer(*args[2], "'" + std::string(py_type(*args[2])) + "' object cannot be interpreted as an integer: ");
    out = replaced(self, str_arg(args, 0, method), str_arg(args, 1, method), count);
  } else if (method == "join") {
    arity(method, args, kwargs, 1, 1);
    out = joined(self, *args[0]);
  } else if (method == "removeprefix" || method == "removesuffix") {
    arity(method, args, kwargs, 1, 1);
    const std::string& affix = str_arg(args, 0, method);
    out = self;
    if (method == "removeprefix" && self.compare(0, affix.size(), affix) == 0) out = self.substr(affix.size());
    if (method == "removesuffix" && self.size() >= affix.size() &&
        self.compare(self.size() - affix.size(), affix.size(), affix) == 0) {
      out = self.substr(0, self.size() - affix.size());
    }
  } else if (method == "zfill" || method == "ljust" || method == "rjust" || method == "center") {
    arity(method, args, kwargs, 1, method == "zfill" ? 1 : 2);
    const long long width = as_integer(*args[0], "'" + std::string(py_type(*args[0])) + "' object cannot be interpreted as an integer: ");
    Spec spec;
    spec.width = width < 0 ? 0 : static_cast<std::size_t>(std::min(width, 100000LL));
    if (width > 100000) throw FoldError("width too big");
    if (args.size() == 2) {
      const std::string& fill = str_arg(args, 1, method);
      if (char_count(fill) != 1) throw FoldError("The fill character must be exactly one character long");
      spec.fill = code_points(fill)[0];
    }
    if (method == "zfill") {
      std::string sign;
      std::string body = self;
      if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
        sign = body.substr(0, 1);
        body.erase(0, 1);
      }
      spec.fill = '0';
      spec.align = '=';
      out = pad(sign, body, spec, '=');
    } else {
      out = pad("", self, spec, method == "ljust" ? '<' : method == "rjust" ? '>' : '^');
    }
    if (method == "center") {
      // CPython's center puts the odd character on the right only when the width is odd
      // and the text even... it is: left = pad / 2 + (pad & width & 1).
      const std::size_t length = char_count(self);
      if (spec.width > length) {
        const std::size_t missing = spec.width - length;
        const std::size_t left_count = missing / 2 + (missing & spec.width & 1);
        std::string fill;
        append_utf8(fill, spec.fill);
        out.clear();
        for (std::size_t k = 0; k < left_count; ++k) out += fill;
        out += self;
        for (std::size_t k = 0; k < missing - left_count; ++k) out += fill;
      }
    }
  } else {
    throw FoldError("str." + std::string(method) + "() is not folded");
  }
  return result;
}

}  // namespace rokso::py
