#include "util/json.hpp"

#include <fmt/format.h>

namespace crm::util {

namespace {

// Line/column of a byte offset, for "file:line:col" messages.
std::pair<std::size_t, std::size_t> line_col(std::string_view text, std::size_t offset) {
    std::size_t line = 1, col = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
    }
    return {line, col};
}

Result<json::value> parse_with(std::string_view text, std::string_view source, const json::parse_options& opts) {
    json::stream_parser parser({}, opts);
    boost::system::error_code ec;
    std::size_t consumed = parser.write_some(text.data(), text.size(), ec);
    if (!ec && consumed < text.size()) {
        ec = json::error::extra_data;
    }
    if (!ec) parser.finish(ec);
    if (ec) {
        auto [line, col] = line_col(text, consumed);
        return fail(ErrorCode::invalid_input,
                    fmt::format("{}:{}:{}: invalid JSON: {}", source, line, col, ec.message()));
    }
    return parser.release();
}

void pretty_into(std::string& out, const json::value& v, int indent) {
    const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
    const std::string pad_in(static_cast<std::size_t>(indent + 1) * 2, ' ');
    switch (v.kind()) {
        case json::kind::object: {
            const auto& o = v.get_object();
            if (o.empty()) {
                out += "{}";
                return;
            }
            out += "{\n";
            bool first = true;
            for (const auto& kv : o) {
                if (!first) out += ",\n";
                first = false;
                out += pad_in;
                out += json::serialize(json::value(kv.key()));
                out += ": ";
                pretty_into(out, kv.value(), indent + 1);
            }
            out += "\n" + pad + "}";
            return;
        }
        case json::kind::array: {
            const auto& a = v.get_array();
            if (a.empty()) {
                out += "[]";
                return;
            }
            out += "[\n";
            bool first = true;
            for (const auto& e : a) {
                if (!first) out += ",\n";
                first = false;
                out += pad_in;
                pretty_into(out, e, indent + 1);
            }
            out += "\n" + pad + "]";
            return;
        }
        default:
            out += json::serialize(v);
    }
}

}  // namespace

Result<json::value> parse_json(std::string_view text, std::string_view source) {
    return parse_with(text, source, json::parse_options{});
}

Result<json::value> parse_json_relaxed(std::string_view text, std::string_view source) {
    json::parse_options opts;
    opts.allow_comments = true;
    opts.allow_trailing_commas = true;
    return parse_with(text, source, opts);
}

std::string pretty(const json::value& v) {
    std::string out;
    pretty_into(out, v, 0);
    out += "\n";
    return out;
}

const json::value* find(const json::value& v, std::string_view key) {
    if (!v.is_object()) return nullptr;
    return v.get_object().if_contains(key);
}

const json::value* find_path(const json::value& v, std::string_view dotted) {
    const json::value* cur = &v;
    while (cur && !dotted.empty()) {
        auto dot = dotted.find('.');
        auto part = dotted.substr(0, dot);
        cur = find(*cur, part);
        dotted = dot == std::string_view::npos ? std::string_view{} : dotted.substr(dot + 1);
    }
    return cur;
}

std::optional<std::string> get_string(const json::value& v, std::string_view key) {
    const auto* p = find(v, key);
    if (!p || !p->is_string()) return std::nullopt;
    return std::string(p->get_string());
}

std::optional<std::int64_t> get_int(const json::value& v, std::string_view key) {
    const auto* p = find(v, key);
    if (!p) return std::nullopt;
    if (p->is_int64()) return p->get_int64();
    if (p->is_uint64()) return static_cast<std::int64_t>(p->get_uint64());
    if (p->is_double()) {
        // Only integral doubles inside the int64 range convert; anything else (1e300, NaN,
        // 2.5) is "not an integer" rather than undefined behaviour.
        double d = p->get_double();
        if (!(d >= -9.2e18 && d <= 9.2e18)) return std::nullopt;
        auto i = static_cast<std::int64_t>(d);
        if (static_cast<double>(i) == d) return i;
    }
    return std::nullopt;
}

std::optional<double> get_number(const json::value& v, std::string_view key) {
    const auto* p = find(v, key);
    if (!p) return std::nullopt;
    if (p->is_double()) return p->get_double();
    if (p->is_int64()) return static_cast<double>(p->get_int64());
    if (p->is_uint64()) return static_cast<double>(p->get_uint64());
    return std::nullopt;
}

std::optional<bool> get_bool(const json::value& v, std::string_view key) {
    const auto* p = find(v, key);
    if (!p || !p->is_bool()) return std::nullopt;
    return p->get_bool();
}

}  // namespace crm::util
