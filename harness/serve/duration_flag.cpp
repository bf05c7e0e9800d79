#include "harness/serve/duration_flag.hpp"

#include <cstdint>

namespace crm::harness::serve {

std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t total = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        std::int64_t n = 0;
        const std::size_t digits_from = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            n = n * 10 + (text[i] - '0');
            if (n > 1'000'000'000) return std::nullopt;
            ++i;
        }
        if (i == digits_from) return std::nullopt;
        std::int64_t scale = 0;
        if (text.substr(i, 2) == "ms") {
            scale = 1;
            i += 2;
        } else if (i < text.size() && text[i] == 's') {
            scale = 1000;
            ++i;
        } else if (i < text.size() && text[i] == 'm') {
            scale = 60'000;
            ++i;
        } else if (i < text.size() && text[i] == 'h') {
            scale = 3'600'000;
            ++i;
        } else {
            return std::nullopt;
        }
        total += n * scale;
        if (total > 1'000'000'000'000) return std::nullopt;
    }
    return std::chrono::milliseconds(total);
}

}  // namespace crm::harness::serve
