#include "util/duration.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

namespace crm::util {

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    if (text.size() < 2) return std::nullopt;
    const char unit = text.back();
    const std::int64_t mult = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 0;
    const std::string_view digits = text.substr(0, text.size() - 1);
    // Nine digits keep n * 86400 far inside int64.
    if (mult == 0 || digits.empty() || digits.size() > 9 ||
        !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return std::nullopt;
    const std::int64_t n = std::stoll(std::string(digits));
    if (n <= 0) return std::nullopt;
    return std::chrono::seconds(n * mult);
}

}  // namespace crm::util
