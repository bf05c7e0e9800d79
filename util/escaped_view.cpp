#include "util/escaped_view.hpp"

#include <numeric>
#include <optional>

namespace crm::util {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// The code unit of "\uXXXX" at s[i] (s[i] == '\\'), or -1.
long code_unit_at(std::string_view s, std::size_t i) {
    if (i + 6 > s.size() || s[i] != '\\' || s[i + 1] != 'u') return -1;
    long v = 0;
    for (std::size_t k = 2; k < 6; ++k) {
        int h = hex_value(s[i + k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

void append_utf8(std::string& out, unsigned long cp) {
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xC0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xE0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

// One level of unescaping, mapped to `s` (identity spans); nullopt when nothing was unescaped.
std::optional<EscapedView> unescape_once(std::string_view s) {
    EscapedView v;
    v.text.reserve(s.size());
    v.from.reserve(s.size());
    v.to.reserve(s.size());
    bool changed = false;
    auto emit = [&](std::string_view bytes, std::size_t begin, std::size_t end) {
        for (char c : bytes) {
            v.text += c;
            v.from.push_back(begin);
            v.to.push_back(end);
        }
    };
    // A run without a backslash decodes to itself, byte for byte: copied in bulk (the audit
    // decodes every artifact that has one escape, so this loop is on the path of verify and of
    // every catalog refresh).
    auto emit_run = [&](std::size_t begin, std::size_t end) {
        v.text.append(s.data() + begin, end - begin);
        const std::size_t at = v.from.size();
        v.from.resize(at + (end - begin));
        v.to.resize(at + (end - begin));
        std::iota(v.from.begin() + static_cast<std::ptrdiff_t>(at), v.from.end(), begin);
        std::iota(v.to.begin() + static_cast<std::ptrdiff_t>(at), v.to.end(), begin + 1);
    };
    std::size_t i = 0;
    while (i < s.size()) {
        if (s[i] != '\\') {
            const std::size_t next = s.find('\\', i);
            const std::size_t end = next == std::string_view::npos ? s.size() : next;
            emit_run(i, end);
            i = end;
            continue;
        }
        if (i + 1 >= s.size()) {
            emit_run(i, i + 1);
            ++i;
            continue;
        }
        char simple = 0;
        switch (s[i + 1]) {
            case '"':
                simple = '"';
                break;
            case '\\':
                simple = '\\';
                break;
            case '/':
                simple = '/';
                break;
            case 'b':
                simple = '\b';
                break;
            case 'f':
                simple = '\f';
                break;
            case 'n':
                simple = '\n';
                break;
            case 'r':
                simple = '\r';
                break;
            case 't':
                simple = '\t';
                break;
            default:
                break;
        }
        if (simple != 0) {
            emit(std::string_view(&simple, 1), i, i + 2);
            i += 2;
            changed = true;
            continue;
        }
        long unit = code_unit_at(s, i);
        if (unit < 0) {
            emit(s.substr(i, 1), i, i + 1);
            ++i;
            continue;
        }
        std::size_t len = 6;
        unsigned long cp = static_cast<unsigned long>(unit);
        if (unit >= 0xD800 && unit <= 0xDBFF) {
            long low = code_unit_at(s, i + 6);
            if (low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((static_cast<unsigned long>(unit) - 0xD800) << 10) +
                     (static_cast<unsigned long>(low) - 0xDC00);
                len = 12;
            } else {
                cp = 0xFFFD;
            }
        } else if (unit >= 0xDC00 && unit <= 0xDFFF) {
            cp = 0xFFFD;
        }
        std::string bytes;
        append_utf8(bytes, cp);
        emit(bytes, i, i + len);
        i += len;
        changed = true;
    }
    if (!changed) return std::nullopt;
    return v;
}

}  // namespace

std::vector<EscapedView> escaped_views(std::string_view text, int max_levels) {
    std::vector<EscapedView> out;
    for (int level = 0; level < max_levels; ++level) {
        std::string_view current = out.empty() ? text : std::string_view(out.back().text);
        auto next = unescape_once(current);
        if (!next) break;
        if (!out.empty()) {
            // Compose: map the new level's spans (offsets into the previous level) to `text`.
            const auto& prev = out.back();
            for (std::size_t j = 0; j < next->text.size(); ++j) {
                std::size_t b = next->from[j], e = next->to[j];
                next->from[j] = prev.from[b];
                next->to[j] = prev.to[e - 1];
            }
        }
        out.push_back(std::move(*next));
    }
    return out;
}

}  // namespace crm::util
