// The order in which pending migrations are applied. A strategy, so a project can
// choose another one later without touching the commands.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace rokso {

class MigrationOrder {
 public:
  virtual ~MigrationOrder() = default;
  virtual std::string name() const = 0;
  // Whether identity `a` comes before `b`.
  virtual bool before(std::string_view a, std::string_view b) const = 0;
  // The indices of `identities` in application order (how MigrationTree::scan sorts the
  // files it finds). By default, a stable sort with before(); an order may know faster.
  virtual std::vector<std::uint32_t> application_order(const std::vector<std::string_view>& identities) const;
};

// roksopsql's order: identities sorted as byte strings, which is schema, then kind rank
// ("100.database_types" < "200.tables" ...), then object, then timestamp.
std::unique_ptr<MigrationOrder> roksopsql_order();

}  // namespace rokso
