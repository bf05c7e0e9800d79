#pragma once
// ASCII case folding for protocol text: HTTP header names, classifier needles, host-side name
// searches. Bytes outside A-Z are kept as they are (UTF-8 sequences pass through unchanged),
// so the result never depends on the process locale.
#include <string>
#include <string_view>

namespace crm::util {

[[nodiscard]] std::string ascii_lower(std::string_view s);

}  // namespace crm::util
