#include "stubs/host/wire.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "stubs/host/json_access.hpp"
#include "util/random.hpp"
#include "util/sha256.hpp"

namespace crm::stubs::wire {

std::string envelope(const json::value& data) {
    return json::serialize(json::object{{"code", 0}, {"message", "success"}, {"data", data}});
}

std::string handler_error(int status, std::string_view message, std::string_view reason, const json::object* metadata) {
    json::object o{{"code", status}, {"message", message}};
    if (!reason.empty()) o["reason"] = reason;
    if (metadata) o["metadata"] = *metadata;
    return json::serialize(o);
}

std::string middleware_error(std::string_view code, std::string_view message) {
    return json::serialize(json::object{{"code", code}, {"message", message}});
}

std::string openai_error(std::string_view type, std::string_view message) {
    return json::serialize(json::object{{"error", json::object{{"type", type}, {"message", message}}}});
}

namespace {
std::optional<std::int64_t> to_int(const std::map<std::string, std::string>& q, const std::string& key) {
    auto it = q.find(key);
    if (it == q.end() || it->second.empty()) return std::nullopt;
    try {
        std::size_t used = 0;
        long long v = std::stoll(it->second, &used);
        if (used != it->second.size()) return std::nullopt;
        return v;
    } catch (...) {
        return std::nullopt;
    }
}
}  // namespace

PageQuery parse_page(const std::map<std::string, std::string>& query) {
    PageQuery q;
    if (auto p = to_int(query, "page"); p && *p > 0) q.page = *p;
    auto size = to_int(query, "page_size");
    if (!size) size = to_int(query, "limit");
    if (size && *size > 0) q.page_size = std::min<std::int64_t>(*size, 1000);
    return q;
}

json::object paginate(const std::vector<json::value>& all, const PageQuery& q) {
    const auto w = page_window(all.size(), q);
    json::array items;
    for (std::size_t i = w.begin; i < w.end; ++i) items.push_back(all[i]);
    return page_of(std::move(items), all.size(), q);
}

PageWindow page_window(std::size_t total, const PageQuery& q) {
    const auto n = static_cast<std::int64_t>(total);
    const std::int64_t start = (q.page - 1) * q.page_size;
    if (start < 0 || start >= n) return {total, total};
    return {static_cast<std::size_t>(start), static_cast<std::size_t>(std::min(n, start + q.page_size))};
}

json::object page_of(json::array items, std::size_t total, const PageQuery& q) {
    const auto n = static_cast<std::int64_t>(total);
    std::int64_t pages = (n + q.page_size - 1) / q.page_size;
    if (pages < 1) pages = 1;
    return json::object{
        {"items", std::move(items)}, {"total", n}, {"page", q.page}, {"page_size", q.page_size}, {"pages", pages}};
}

namespace {
constexpr std::string_view k_b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
}

std::string base64url(std::string_view bytes) {
    std::string out;
    std::size_t i = 0;
    while (i + 2 < bytes.size()) {
        unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                     static_cast<unsigned char>(bytes[i + 2]);
        out += k_b64[(v >> 18) & 63];
        out += k_b64[(v >> 12) & 63];
        out += k_b64[(v >> 6) & 63];
        out += k_b64[v & 63];
        i += 3;
    }
    if (i + 1 == bytes.size()) {
        unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        out += k_b64[(v >> 18) & 63];
        out += k_b64[(v >> 12) & 63];
    } else if (i + 2 == bytes.size()) {
        unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
        out += k_b64[(v >> 18) & 63];
        out += k_b64[(v >> 12) & 63];
        out += k_b64[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    std::string out;
    unsigned acc = 0;
    int bits = 0;
    for (char c : text) {
        auto pos = k_b64.find(c);
        if (pos == std::string_view::npos) return std::nullopt;
        acc = (acc << 6) | static_cast<unsigned>(pos);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    return out;
}

namespace {
std::string sign(std::string_view data, std::string_view secret) {
    std::string material(secret);
    material += '.';
    material += data;
    return base64url(util::sha256_hex(material));
}
}  // namespace

std::string make_jwt(const json::object& claims, std::string_view secret) {
    std::string head = base64url(R"({"alg":"HS256","typ":"JWT"})");
    std::string body = base64url(json::serialize(claims));
    std::string data = head + "." + body;
    return data + "." + sign(data, secret);
}

JwtCheck verify_jwt(std::string_view token, std::string_view secret, std::int64_t now, json::object* claims_out) {
    auto d1 = token.find('.');
    if (d1 == std::string_view::npos) return JwtCheck::malformed;
    auto d2 = token.find('.', d1 + 1);
    if (d2 == std::string_view::npos) return JwtCheck::malformed;
    auto payload = base64url_decode(token.substr(d1 + 1, d2 - d1 - 1));
    if (!payload) return JwtCheck::malformed;
    auto parsed = util::parse_json(*payload, "jwt");
    if (!parsed || !parsed->is_object()) return JwtCheck::malformed;
    if (sign(token.substr(0, d2), secret) != token.substr(d2 + 1)) return JwtCheck::bad_signature;
    auto exp = jint(*parsed, "exp");
    if (!exp || *exp <= now) return JwtCheck::expired;
    if (claims_out) *claims_out = parsed->as_object();
    return JwtCheck::ok;
}

std::string make_admin_key() { return "admin-" + util::random_hex(32); }
std::string make_user_key() { return "sk-" + util::random_hex(32); }

namespace {
bool is_hex64(std::string_view s) {
    return s.size() == 64 &&
           std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
}  // namespace

bool is_admin_key_shape(std::string_view key) { return key.starts_with("admin-") && is_hex64(key.substr(6)); }
bool is_user_key_shape(std::string_view key) { return key.starts_with("sk-") && is_hex64(key.substr(3)); }

std::string mask_key(std::string_view key) {
    if (key.size() < 14) return "****";
    return std::string(key.substr(0, 10)) + "..." + std::string(key.substr(key.size() - 4));
}

std::optional<std::string> map_model(const json::value* mapping, std::string_view requested) {
    if (!mapping || !mapping->is_object() || mapping->as_object().empty()) return std::string(requested);
    const auto& m = mapping->as_object();
    if (auto it = m.find(requested); it != m.end() && it->value().is_string())
        return std::string(it->value().as_string());
    std::size_t best = 0;
    std::optional<std::string> out;
    for (const auto& kv : m) {
        std::string_view key = kv.key();
        if (!key.ends_with('*') || !kv.value().is_string()) continue;
        std::string_view prefix = key.substr(0, key.size() - 1);
        if (!requested.starts_with(prefix) || (out && prefix.size() < best)) continue;
        best = prefix.size();
        std::string target(kv.value().as_string());
        if (target.ends_with('*'))
            target = target.substr(0, target.size() - 1) + std::string(requested.substr(prefix.size()));
        out = target;
    }
    return out;
}

std::string chat_url(std::string_view base_url) {
    std::string base(base_url);
    while (!base.empty() && base.back() == '/') base.pop_back();
    if (base.ends_with("/v1")) return base + "/chat/completions";
    return base + "/v1/chat/completions";
}

std::string rfc3339(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace crm::stubs::wire
