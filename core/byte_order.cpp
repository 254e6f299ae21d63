#include "core/byte_order.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

namespace rokso {

namespace {

struct Slot {
  std::uint64_t high = 0, low = 0;  // key bytes [depth, depth + 16), big-endian, zero-padded
  std::uint32_t index = 0;
};

std::uint64_t big_endian_at(std::string_view key, std::size_t at) {
  unsigned char bytes[8] = {};
  if (at < key.size()) std::memcpy(bytes, key.data() + at, std::min<std::size_t>(8, key.size() - at));
  std::uint64_t value;
  std::memcpy(&value, bytes, 8);
  return __builtin_bswap64(value);  // x86-64 and arm64 Linux alike are little-endian
}

// How many bytes from `depth` on all the keys of [begin, end) share.
std::size_t shared_bytes(const Slot* begin, const Slot* end, std::size_t depth, const std::vector<std::string_view>& keys) {
  const std::string_view first = keys[begin->index];
  std::size_t shared = first.size() > depth ? first.size() - depth : 0;
  for (const Slot* s = begin + 1; s != end && shared > 0; ++s) {
    const std::string_view key = keys[s->index];
    const std::size_t most = std::min(shared, key.size() > depth ? key.size() - depth : 0);
    if (std::memcmp(key.data() + depth, first.data() + depth, most) == 0) {
      shared = most;  // the usual case: one memcmp
      continue;
    }
    std::size_t same = 0;
    while (key[depth + same] == first[depth + same]) ++same;
    shared = same;
  }
  return shared;
}

// A function object, not a function: std::sort then inlines it.
struct WindowLess {
  bool operator()(const Slot& a, const Slot& b) const {
    if (a.high != b.high) return a.high < b.high;
    if (a.low != b.low) return a.low < b.low;
    return a.index < b.index;  // stable: equal keys keep their order
  }
};

// Sorts [begin, end), whose keys are equal in their first `depth` bytes.
void sort_from(Slot* begin, Slot* end, std::size_t depth, const std::vector<std::string_view>& keys) {
  if (end - begin < 2) return;
  // Past what every key shares (a common directory, say): the window then starts where
  // they differ. (No key ends before that: a shared byte is one every key has.)
  depth += shared_bytes(begin, end, depth, keys);
  for (Slot* s = begin; s != end; ++s) {
    s->high = big_endian_at(keys[s->index], depth);
    s->low = big_endian_at(keys[s->index], depth + 8);
  }
  // A window all the keys share (a common directory, say) needs no sort of its own.
  const bool shared = std::all_of(begin + 1, end, [begin](const Slot& s) { return s.high == begin->high && s.low == begin->low; });
  if (!shared) std::sort(begin, end, WindowLess());
  // Within a run tied on the window (zero-padded), a key that ends in it is a prefix of
  // the others, the shorter first, and equal keys stay in the order given; the keys that
  // go on past it are sorted by what follows.
  const std::size_t next = depth + 16;
  for (Slot* run = begin; run != end;) {
    Slot* run_end = run + 1;
    while (run_end != end && run_end->high == run->high && run_end->low == run->low) ++run_end;
    if (run_end - run > 1) {
      Slot* longer = std::stable_partition(run, run_end, [&](const Slot& s) { return keys[s.index].size() <= next; });
      std::stable_sort(run, longer, [&](const Slot& a, const Slot& b) { return keys[a.index].size() < keys[b.index].size(); });
      sort_from(longer, run_end, next, keys);
    }
    run = run_end;
  }
}

}  // namespace

std::vector<std::uint32_t> byte_order(const std::vector<std::string_view>& keys) {
  std::vector<Slot> slots(keys.size());
  for (std::size_t i = 0; i < slots.size(); ++i) slots[i].index = static_cast<std::uint32_t>(i);
  sort_from(slots.data(), slots.data() + slots.size(), 0, keys);
  std::vector<std::uint32_t> order(slots.size());
  for (std::size_t i = 0; i < slots.size(); ++i) order[i] = slots[i].index;
  return order;
}

}  // namespace rokso
