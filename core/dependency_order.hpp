// The order in which a set of migrations is applied once their `requires` are taken
// into account: a stable topological sort of the base order (roksopsql's: identities
// sorted as strings).
//
// Among the files whose requirements are all placed, the one earliest in the base order
// always goes next (Kahn's algorithm with a min-heap keyed by base position). So files
// without constraints keep their base order exactly, a requirement the base order already
// satisfies (it sorts earlier, or is applied) changes nothing, and a file that requires
// one sorted after it waits for it and goes as soon as its requirements are placed, while
// the files in between keep their base order (so a file that depends on the one that
// waited needs `requires` too). O((N + E) log N) for N files and E requirements.
//
// Used by `migrate`, `status` and `remap` (whose generated files list every file they
// depend on, so replaying them in this order recreates the objects).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace rokso {

struct DependencyNode {
  std::string_view identity;
  // The identities this one must come after; nullptr means none. Duplicates are harmless.
  const std::vector<std::string>* requires_identities = nullptr;
};

// Whether a required identity that is not among the nodes is already taken care of
// (applied, or otherwise settled before every node). nullptr: nothing is.
using IsSettled = std::function<bool(std::string_view identity)>;

// `nodes` in base order (the order files keep when nothing constrains them). Returns the
// indices of `nodes` in application order. Throws Error(kExitFailed), naming the files:
//   - "'a' requires itself"
//   - "'a' requires 'b', which is not under migration/ and not applied"
//     (b is neither a node nor settled)
//   - "dependency cycle: a → b → c → a (each file requires the next)", the actual
//     cycle, starting from its file earliest in the base order
//   - "'a' is listed twice" (a caller's mistake, never a tree's)
std::vector<std::size_t> dependency_order(const std::vector<DependencyNode>& nodes, const IsSettled& is_settled);

}  // namespace rokso
