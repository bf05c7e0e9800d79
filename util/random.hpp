#pragma once
// Random tokens from the OS CSPRNG (keys, passwords, per-cell resource name suffixes).
#include <cstddef>
#include <string>

namespace crm::util {

// `bytes` random bytes rendered as 2*bytes lowercase hex characters.
[[nodiscard]] std::string random_hex(std::size_t bytes);

}  // namespace crm::util
