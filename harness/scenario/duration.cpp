#include "harness/scenario/duration.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <utility>

#include "util/duration.hpp"

namespace crm::harness::scenario {

util::Result<std::chrono::seconds> parse_duration(std::string_view text) {
    if (auto d = util::parse_duration(text)) return *d;
    return util::fail(util::ErrorCode::invalid_input,
                      fmt::format("bad duration \"{}\" (use e.g. 24h, 30m, 7d, 90s)", text));
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
