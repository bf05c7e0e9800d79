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

std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text) {
    // 64 characters hold at most 6 nine-digit parts: the total stays far inside int64.
    if (text.empty() || text.size() > 64) return std::nullopt;
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
        const std::string_view digits = text.substr(start, i - start);
        if (digits.empty() || digits.size() > 9) return std::nullopt;
        std::int64_t mult = 0;
        if (text.substr(i).starts_with("ms")) {
            mult = 1;
            i += 2;
        } else if (i < text.size() && (text[i] == 'h' || text[i] == 'm' || text[i] == 's')) {
            mult = text[i] == 'h' ? 3600000 : text[i] == 'm' ? 60000 : 1000;
            ++i;
        } else {
            return std::nullopt;
        }
        total += std::stoll(std::string(digits)) * mult;
    }
    if (total <= 0) return std::nullopt;
    return std::chrono::milliseconds(total);
}

}  // namespace crm::util
