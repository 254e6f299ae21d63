#include "core/json_document.hpp"

#include "core/output.hpp"

namespace rokso {

void print_json_as_is(const Json& doc) { out::document(doc.dump(2, ' ', false, Json::error_handler_t::replace)); }

void print_json_document(const std::string& command, const Json& body) {
  Json doc = {{"rokso_json_version", kJsonVersion}, {"command", command}};
  for (const auto& item : body.items()) doc[item.key()] = item.value();
  print_json_as_is(doc);
}

}  // namespace rokso
