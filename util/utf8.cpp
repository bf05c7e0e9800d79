#include "util/utf8.hpp"

#include <algorithm>

namespace crm::util {

namespace {

// Length of the well-formed sequence starting at s[i], 0 when there is none.
std::size_t sequence_length(std::string_view s, std::size_t i) noexcept {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) return 1;
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        if (c == 0xE0) lo = 0xA0;  // overlong
        if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        if (c == 0xF0) lo = 0x90;  // overlong
        if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
        return 0;
    }
    if (i + len > s.size()) return 0;
    const auto c1 = static_cast<unsigned char>(s[i + 1]);
    if (c1 < lo || c1 > hi) return 0;
    for (std::size_t k = 2; k < len; ++k) {
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return 0;
    }
    return len;
}

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        auto len = sequence_length(s, i);
        if (len == 0) return i;
        i += len;
    }
    return std::nullopt;
}

std::string repair_utf8(std::string_view s) {
    if (!first_invalid_utf8(s)) return std::string(s);
    std::string out;
    out.reserve(s.size() + 16);
    std::size_t i = 0;
    while (i < s.size()) {
        auto len = sequence_length(s, i);
        if (len == 0) {
            out += "\xEF\xBF\xBD";
            ++i;
            continue;
        }
        out.append(s.substr(i, len));
        i += len;
    }
    return out;
}

std::string one_line(std::string_view text, std::size_t cap) {
    std::size_t end = std::min(cap, text.size());
    while (end > 0 && end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    std::string out;
    for (char ch : text.substr(0, end)) {
        const bool space = ch == '\n' || ch == '\r' || ch == '\t' || ch == ' ';
        if (space && (out.empty() || out.back() == ' ')) continue;
        out += space ? ' ' : ch;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    if (text.size() > end) out += "...";
    return out;
}

}  // namespace crm::util
