// A sha256-v1 checksum (core/checksum.hpp) as the 32 bytes its 64 hex digits stand for:
// how the History keeps the recorded ones and the stat cache the computed ones, so a
// status compares 10,000 of them without making a string.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace rokso {

using ChecksumDigest = std::array<unsigned char, 32>;

// `hex` as a digest when it is 64 lowercase hex digits (what rokso writes); false, and
// `digest` unspecified, otherwise (uppercase too: such a text is not one of rokso's).
bool parse_digest(std::string_view hex, ChecksumDigest& digest);

// The 64 lowercase hex digits of `digest`.
std::string digest_hex(const ChecksumDigest& digest);

}  // namespace rokso
