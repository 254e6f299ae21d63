// Sorting strings in byte order (std::string's operator<, bytes unsigned) faster than
// comparing them whole when they share long prefixes, as a tree's identities do
// ("offline/200.tables/users/2021_03_29__..."): roksopsql's application order
// (core/ordering.cpp) is byte order, and sorting 10,000 identities with whole-string
// comparisons was a fifth of the scan of migration/.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace rokso {

// The indices of `keys` (at most 2^32 - 1 of them) in byte order, equal keys in the
// order given: what std::stable_sort with operator< gives. Keys are compared 16 bytes at
// a time, as two big-endian integers; only the keys that tie on those go on to the next 16.
std::vector<std::uint32_t> byte_order(const std::vector<std::string_view>& keys);

}  // namespace rokso
