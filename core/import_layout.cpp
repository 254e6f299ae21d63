#include "core/import_layout.hpp"

#include "core/error.hpp"

#include <rokso/utf8.hpp>

#include <algorithm>
#include <cctype>

namespace rokso {

namespace {

// Long enough for any version these tools make by default (YYYYMMDDHHMMSS).
constexpr std::size_t kMinFirstPartWidth = 14;
// Keeps a file name well under the 255 bytes file systems allow.
constexpr std::size_t kMaxDescriptionBytes = 120;

std::string safe_name(const std::string& text) {
  const bool utf8 = valid_utf8(text);
  std::string out;
  for (char c : text) {
    const unsigned char u = static_cast<unsigned char>(c);
    const bool keep = std::isalnum(u) || c == '_' || c == '-' || (u >= 0x80 && utf8);
    out += keep ? c : '_';
  }
  if (out.size() > kMaxDescriptionBytes) {
    std::size_t cut = kMaxDescriptionBytes;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
    out.resize(cut);
  }
  return out;
}

std::vector<std::string> padded_version_stems(const ImportTree& tree) {
  std::vector<std::size_t> widths;
  for (const ImportedMigration& m : tree.migrations) {
    if (widths.size() < m.version.parts.size()) widths.resize(m.version.parts.size(), 1);
    for (std::size_t i = 0; i < m.version.parts.size(); ++i) widths[i] = std::max(widths[i], m.version.parts[i].size());
  }
  if (!widths.empty()) widths[0] = std::max(widths[0], kMinFirstPartWidth);
  std::vector<std::string> stems;
  for (const ImportedMigration& m : tree.migrations) {
    std::string stem;
    for (std::size_t i = 0; i < widths.size(); ++i) {
      const std::string part = i < m.version.parts.size() ? m.version.parts[i] : "0";
      stem += (i ? "." : "") + std::string(widths[i] - part.size(), '0') + part;
    }
    const std::string description = safe_name(m.description);
    if (!description.empty()) stem += "_" + description;
    stems.push_back(stem);
  }
  return stems;
}

}  // namespace

std::vector<std::string> import_stems(const ImportTree& tree, const std::string& suffix) {
  std::vector<std::string> stems;
  if (tree.tool == ImportTool::dbmate) {
    for (const std::string& original : tree.original_stems) stems.push_back(safe_name(original));
  } else {
    stems = padded_version_stems(tree);
  }
  for (std::size_t i = 1; i < stems.size(); ++i) {
    if (!(stems[i - 1] + suffix < stems[i] + suffix)) {
      throw failure("'" + tree.migrations[i - 1].source_files.front() + "' and '" +
                    tree.migrations[i].source_files.front() + "' would be named '" + stems[i - 1] + suffix +
                    "' and '" + stems[i] + suffix + "', which rokso would not run in " + import_tool_name(tree.tool) +
                    "'s order: rename one of them");
    }
  }
  return stems;
}

}  // namespace rokso
