#include "harness/scenario/duration.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

namespace crm::harness::scenario {

util::Result<std::chrono::seconds> parse_duration(std::string_view text) {
    auto bad = [&] {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("bad duration \"{}\" (use e.g. 24h, 30m, 7d, 90s)", text));
    };
    if (text.size() < 2) return bad();
    const char unit = text.back();
    const std::int64_t mult = unit == 's' ? 1 : unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 0;
    const std::string_view digits = text.substr(0, text.size() - 1);
    // Nine digits keep n * 86400 far inside int64.
    if (mult == 0 || digits.empty() || digits.size() > 9 ||
        !std::ranges::all_of(digits, [](char c) { return c >= '0' && c <= '9'; }))
        return bad();
    std::int64_t n = 0;
    for (char c : digits) n = n * 10 + (c - '0');
    if (n <= 0) return util::fail(util::ErrorCode::invalid_input, "must be positive");
    return std::chrono::seconds(n * mult);
}

std::string format_duration(std::chrono::seconds d) {
    std::int64_t s = std::max<std::int64_t>(0, d.count());
    static constexpr std::array<std::pair<std::int64_t, char>, 4> k_units{
        {{86400, 'd'}, {3600, 'h'}, {60, 'm'}, {1, 's'}}};
    std::string out;
    int shown = 0;
    for (const auto& [size, unit] : k_units) {
        if (shown == 2) break;
        const std::int64_t n = s / size;
        if (n == 0 && shown == 0) continue;
        if (n == 0) break;  // "3d" rather than "3d0h"
        out += fmt::format("{}{}", n, unit);
        s -= n * size;
        ++shown;
    }
    return out.empty() ? "0s" : out;
}

}  // namespace crm::harness::scenario
