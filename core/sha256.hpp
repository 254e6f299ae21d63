// SHA-256, for fingerprints rokso stores (e.g. which statements of a non-transactional
// migration already ran). OpenSSL's implementation.
#pragma once

#include <string>

namespace rokso {

// Lowercase hex SHA-256 of `data`.
std::string sha256_hex(const std::string& data);

}  // namespace rokso
