// The one writer of `--format json` documents (README: "JSON output"): every command's
// document starts with the same keys and is printed the same way, as one document on
// stdout (out::document), non-UTF-8 bytes replaced rather than thrown on.
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace rokso {

using Json = nlohmann::ordered_json;

// Bump when a JSON shape changes incompatibly (README: "JSON output").
constexpr int kJsonVersion = 1;

// Prints {"rokso_json_version": kJsonVersion, "command": <command>, <body's keys...>}.
void print_json_document(const std::string& command, const Json& body);

// Prints `doc` as it is: for the documents whose head is their own (rokso show's
// "rokso_show_version", lint's "rokso_lint_version"), kept as documented.
void print_json_as_is(const Json& doc);

}  // namespace rokso
