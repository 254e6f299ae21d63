#include "core/dependency_order.hpp"

#include "core/error.hpp"

#include <algorithm>
#include <functional>
#include <queue>
#include <unordered_map>

namespace rokso {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// The cycle among the files Kahn's algorithm could not place (each of them still waits
// for a requirement that is not placed either, so walking "requires" from any of them
// must come back to a file already seen). Returns the message naming it.
std::string describe_cycle(const std::vector<DependencyNode>& nodes, const std::vector<std::size_t>& req_offset,
                           const std::vector<std::size_t>& req_index, const std::vector<std::size_t>& waiting) {
  std::size_t start = 0;
  while (waiting[start] == 0) ++start;
  std::vector<std::size_t> place_in_path(nodes.size(), kNone);
  std::vector<std::size_t> path;
  std::size_t v = start;
  while (place_in_path[v] == kNone) {
    place_in_path[v] = path.size();
    path.push_back(v);
    std::size_t next = kNone;
    for (std::size_t e = req_offset[v]; e < req_offset[v + 1]; ++e) {
      if (waiting[req_index[e]] > 0) {
        next = req_index[e];
        break;
      }
    }
    if (next == kNone) throw failure("internal error: dependency cycle not found");
    v = next;
  }
  std::vector<std::size_t> cycle(path.begin() + static_cast<std::ptrdiff_t>(place_in_path[v]), path.end());
  // Start from the file earliest in the base order, so the message does not depend on
  // where the walk began.
  std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
  // A long cycle keeps its first files and its last, so the message stays one readable line.
  constexpr std::size_t kShown = 10;
  std::string text = "dependency cycle: ";
  for (std::size_t k = 0; k < cycle.size(); ++k) {
    if (cycle.size() > kShown + 2 && k == kShown) {
      text += "… (" + std::to_string(cycle.size() - kShown - 1) + " more) → ";
      k = cycle.size() - 1;
    }
    text.append(nodes[cycle[k]].identity).append(" → ");
  }
  text.append(nodes[cycle.front()].identity);
  text += " (each file requires the next)";
  return text;
}

}  // namespace

std::vector<std::size_t> dependency_order(const std::vector<DependencyNode>& nodes, const IsSettled& is_settled) {
  const std::size_t n = nodes.size();
  std::unordered_map<std::string_view, std::size_t> position;
  position.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (!position.emplace(nodes[i].identity, i).second) {
      throw failure("'" + std::string(nodes[i].identity) + "' is listed twice");
    }
  }

  // Requirements among the nodes, as a compressed adjacency list: node i requires
  // req_index[req_offset[i] .. req_offset[i+1]).
  std::vector<std::size_t> req_offset(n + 1, 0);
  std::vector<std::size_t> req_index;
  std::vector<std::size_t> waiting(n, 0);       // requirements of node i not yet placed
  std::vector<std::size_t> succ_count(n + 1, 0);  // how many nodes require node i
  for (std::size_t i = 0; i < n; ++i) {
    req_offset[i] = req_index.size();
    if (!nodes[i].requires_identities) continue;
    for (const std::string& required : *nodes[i].requires_identities) {
      if (required == nodes[i].identity) throw failure("'" + required + "' requires itself");
      const auto found = position.find(required);
      if (found == position.end()) {
        if (is_settled && is_settled(required)) continue;
        throw failure("'" + std::string(nodes[i].identity) + "' requires '" + required +
                      "', which is not under migration/ and not applied");
      }
      req_index.push_back(found->second);
      ++waiting[i];
      ++succ_count[found->second];
    }
  }
  req_offset[n] = req_index.size();

  // Who requires node j: succ_index[succ_offset[j] .. succ_offset[j+1]).
  std::vector<std::size_t> succ_offset(n + 1, 0);
  for (std::size_t j = 0; j < n; ++j) succ_offset[j + 1] = succ_offset[j] + succ_count[j];
  std::vector<std::size_t> succ_index(req_index.size());
  {
    std::vector<std::size_t> fill(succ_offset.begin(), succ_offset.end() - 1);
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t e = req_offset[i]; e < req_offset[i + 1]; ++e) succ_index[fill[req_index[e]]++] = i;
    }
  }

  // Kahn's algorithm; of the files ready to go, the one earliest in the base order goes.
  std::vector<std::size_t> ready;
  for (std::size_t i = 0; i < n; ++i) {
    if (waiting[i] == 0) ready.push_back(i);
  }
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<std::size_t>> heap(
      std::greater<std::size_t>(), std::move(ready));
  std::vector<std::size_t> order;
  order.reserve(n);
  while (!heap.empty()) {
    const std::size_t v = heap.top();
    heap.pop();
    order.push_back(v);
    for (std::size_t e = succ_offset[v]; e < succ_offset[v + 1]; ++e) {
      if (--waiting[succ_index[e]] == 0) heap.push(succ_index[e]);
    }
  }
  if (order.size() != n) throw failure(describe_cycle(nodes, req_offset, req_index, waiting));
  return order;
}

}  // namespace rokso
