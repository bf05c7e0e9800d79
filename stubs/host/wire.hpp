#pragma once
// Pure helpers of the stub host's wire format (sub2api v0.1.179): envelopes, both error shapes,
// pagination, JWT-shaped tokens, key formats, model mapping and upstream URL building.
// No IO; unit-tested in tests/unit/stubs.
#include <cstdint>
#include <ctime>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/json.hpp"

namespace crm::stubs::wire {

namespace json = util::json;

// {"code":0,"message":"success","data":<data>}
[[nodiscard]] std::string envelope(const json::value& data);
// Handler error {"code":<status>,"message":...,"reason"?,"metadata"?}
[[nodiscard]] std::string handler_error(int status, std::string_view message, std::string_view reason = {},
                                        const json::object* metadata = nullptr);
// Middleware error {"code":"STRING","message":...}
[[nodiscard]] std::string middleware_error(std::string_view code, std::string_view message);
// OpenAI-shaped {"error":{"type":...,"message":...}}
[[nodiscard]] std::string openai_error(std::string_view type, std::string_view message);

struct PageQuery {
    std::int64_t page = 1;
    std::int64_t page_size = 20;
    friend bool operator==(const PageQuery&, const PageQuery&) = default;
};
// page (default 1), page_size or limit (default 20, max 1000); junk falls back to defaults.
[[nodiscard]] PageQuery parse_page(const std::map<std::string, std::string>& query);
// {items,total,page,page_size,pages}; pages is at least 1.
[[nodiscard]] json::object paginate(const std::vector<json::value>& all, const PageQuery& q);
// The positions [begin, end) of `total` items that page `q` shows (empty past the last page), so
// a listing builds views for one page only.
struct PageWindow {
    std::size_t begin = 0;
    std::size_t end = 0;
};
[[nodiscard]] PageWindow page_window(std::size_t total, const PageQuery& q);
// The same envelope as paginate() around the items of one page, already sliced by page_window().
[[nodiscard]] json::object page_of(json::array items, std::size_t total, const PageQuery& q);

// base64url without padding.
[[nodiscard]] std::string base64url(std::string_view bytes);
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view text);
// header.payload.signature; the signature is a SHA-256 keyed digest (stub-grade, not HS256).
[[nodiscard]] std::string make_jwt(const json::object& claims, std::string_view secret);
// The claims when the signature matches and `exp` (unix seconds) is after `now`.
enum class JwtCheck { ok, malformed, bad_signature, expired };
[[nodiscard]] JwtCheck verify_jwt(std::string_view token, std::string_view secret, std::int64_t now,
                                  json::object* claims_out);

[[nodiscard]] std::string make_admin_key();  // admin-<64 hex>
[[nodiscard]] std::string make_user_key();   // sk-<64 hex>
[[nodiscard]] bool is_admin_key_shape(std::string_view key);
[[nodiscard]] bool is_user_key_shape(std::string_view key);
[[nodiscard]] std::string mask_key(std::string_view key);  // "admin-1234...abcd"

// Resolves `requested` through a model_mapping object (requested -> upstream). An empty or
// absent mapping allows every model unchanged. Exact keys win; then `prefix*` keys, longest
// prefix first; a target ending in '*' receives the matched suffix. nullopt = not allowed.
[[nodiscard]] std::optional<std::string> map_model(const json::value* mapping, std::string_view requested);

// base_url + "/v1/chat/completions" without doubling a trailing /v1.
[[nodiscard]] std::string chat_url(std::string_view base_url);
[[nodiscard]] std::string rfc3339(std::int64_t unix_seconds);
[[nodiscard]] std::int64_t now_unix();

}  // namespace crm::stubs::wire
