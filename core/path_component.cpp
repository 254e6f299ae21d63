#include "core/path_component.hpp"

#include "core/sha256.hpp"

#include <rokso/utf8.hpp>

#include <algorithm>

namespace rokso {
namespace {

void append_escape(std::string& out, unsigned char byte) {
  static const char hex[] = "0123456789ABCDEF";
  out += '%';
  out += hex[byte >> 4];
  out += hex[byte & 0xF];
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

std::string encode_path_component(const std::string& name, std::size_t max_bytes) {
  max_bytes = std::max<std::size_t>(max_bytes, 16);  // room for a cut name's "~" and hash
  std::string out;
  out.reserve(name.size());
  std::size_t cut = std::string::npos;  // where a cut name ends, on a character boundary
  for (std::size_t i = 0; i < name.size();) {
    const auto byte = static_cast<unsigned char>(name[i]);
    std::size_t len = utf8_sequence_length(name, i);
    if (len == 0 || byte < 0x20 || byte == 0x7F || byte == '/' || byte == '%' || (i == 0 && byte == '.')) {
      append_escape(out, byte);
      len = 1;
    } else {
      out.append(name, i, len);
    }
    i += len;
    if (out.size() <= max_bytes - 13) cut = out.size();
  }
  if (out.size() <= max_bytes) return out;
  out.resize(cut);
  return out + "~" + sha256_hex(name).substr(0, 12);
}

std::string decode_path_component(const std::string& component) {
  std::string out;
  out.reserve(component.size());
  for (std::size_t i = 0; i < component.size(); ++i) {
    if (component[i] == '%' && i + 2 < component.size() && hex_value(component[i + 1]) >= 0 &&
        hex_value(component[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(component[i + 1]) * 16 + hex_value(component[i + 2]));
      i += 2;
    } else {
      out += component[i];
    }
  }
  return out;
}

}  // namespace rokso
