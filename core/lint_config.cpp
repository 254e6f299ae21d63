#include "core/lint_config.hpp"

#include "core/error.hpp"

#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

namespace rokso {

namespace {

using nlohmann::json;

const LintRule& known_rule(const std::string& id, const std::string& where) {
  const LintRule* rule = find_lint_rule(id);
  if (!rule) throw usage_error(where + ": unknown rule '" + id + "' (rokso lint --rules lists them)");
  return *rule;
}

}  // namespace

bool is_zero_duration(const std::string& duration) {
  std::size_t digits = 0;
  while (digits < duration.size() && duration[digits] == '0') ++digits;
  return digits > 0 && (digits == duration.size() || !(duration[digits] >= '1' && duration[digits] <= '9'));
}

LintSettings load_lint_settings(const std::filesystem::path& config_file, const MigrationSettings& migrations) {
  LintSettings settings;
  settings.lock_timeout_off = is_zero_duration(migrations.lock_timeout);
  std::ifstream in(config_file, std::ios::binary);
  // config.json was read already when the project was found: a broken one is reported there.
  const json doc = json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return settings;
  const auto lint = doc.find("lint");
  if (lint == doc.end()) return settings;
  const std::string where = config_file.string() + ": \"lint\"";
  if (!lint->is_object()) throw usage_error(where + " must be an object with \"ignore\" and \"severity\"");
  for (const auto& item : lint->items()) {
    if (item.key() == "ignore") {
      if (!item.value().is_array()) throw usage_error(where + ": \"ignore\" must be a list of rule ids");
      for (const json& id : item.value()) {
        if (!id.is_string()) throw usage_error(where + ": \"ignore\" must be a list of rule ids");
        settings.severity[known_rule(id.get<std::string>(), where).id] = LintSeverity::off;
      }
    } else if (item.key() == "severity") {
      if (!item.value().is_object()) {
        throw usage_error(where + ": \"severity\" must map rule ids to \"error\", \"warning\" or \"off\"");
      }
      for (const auto& rule : item.value().items()) {
        const LintRule& known = known_rule(rule.key(), where);
        const std::string value = rule.value().is_string() ? rule.value().get<std::string>() : "";
        LintSeverity severity;
        if (value == "error") {
          severity = LintSeverity::error;
        } else if (value == "warning") {
          severity = LintSeverity::warning;
        } else if (value == "off") {
          severity = LintSeverity::off;
        } else {
          throw usage_error(where + ": the severity of '" + rule.key() + "' must be \"error\", \"warning\" or \"off\"");
        }
        // "ignore" wins over "severity": a rule listed there stays off.
        settings.severity.emplace(known.id, severity);
      }
    } else {
      throw usage_error(where + ": unknown key \"" + item.key() + "\" (\"ignore\" and \"severity\")");
    }
  }
  return settings;
}

LintSource lint_source(const std::string& path, const std::string& display_path) {
  LintSource source;
  source.display_path = display_path;
  // In one read, not a character at a time: lint reads every file of a tree this way.
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  const std::streamoff size = in ? static_cast<std::streamoff>(in.tellg()) : 0;
  if (size > 0) {
    source.file_text.resize(static_cast<std::size_t>(size));
    in.seekg(0);
    in.read(source.file_text.data(), size);
    source.file_text.resize(static_cast<std::size_t>(in.gcount()));
  }
  return source;
}

}  // namespace rokso
