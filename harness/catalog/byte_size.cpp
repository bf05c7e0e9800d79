#include "harness/catalog/byte_size.hpp"

#include <fmt/format.h>

#include <array>
#include <cctype>
#include <limits>

namespace crm::harness::catalog {

util::Result<std::uint64_t> parse_byte_size(std::string_view text) {
    auto bad = [&] {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("bad size \"{}\" (use e.g. 500M, 2G, or bytes)", text));
    };
    std::string_view s = text;
    if (s.ends_with("iB"))
        s.remove_suffix(2);
    else if (s.ends_with("B"))
        s.remove_suffix(1);
    int shift = 0;
    if (!s.empty()) {
        switch (std::toupper(static_cast<unsigned char>(s.back()))) {
            case 'K':
                shift = 10;
                break;
            case 'M':
                shift = 20;
                break;
            case 'G':
                shift = 30;
                break;
            case 'T':
                shift = 40;
                break;
            default:
                break;
        }
        if (shift != 0) s.remove_suffix(1);
    }
    // Twelve digits times 2^40 stays inside uint64.
    if (s.empty() || s.size() > 12) return bad();
    std::uint64_t n = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return bad();
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (n == 0) return util::fail(util::ErrorCode::invalid_input, "must be positive");
    if (n > (std::numeric_limits<std::uint64_t>::max() >> shift)) return bad();
    return n << shift;
}

std::string format_byte_size(std::uint64_t bytes) {
    static constexpr std::array<char, 4> k_units{'K', 'M', 'G', 'T'};
    if (bytes < 1024) return fmt::format("{}B", bytes);
    auto v = static_cast<double>(bytes) / 1024.0;
    std::size_t unit = 0;
    while (v >= 1024.0 && unit + 1 < k_units.size()) {
        v /= 1024.0;
        ++unit;
    }
    return fmt::format("{:.1f}{}", v, k_units[unit]);
}

}  // namespace crm::harness::catalog
