#pragma once
// Provider-shaped error answers of the stub upstreams, by name (the names a profile uses in
// chat_error / models_error). Bodies are the providers' real error bodies (OpenAI, DeepSeek,
// MiniMax base_resp, relay quota codes).
#include <string>
#include <string_view>

#include "stubs/http/http_types.hpp"

namespace crm::stubs {

// The named error as a complete HTTP answer. Unknown names give a 500 OpenAI-shaped body.
[[nodiscard]] Response upstream_error_response(std::string_view name);

// Authentication failure in the style of the provider (deepseek | minimax | openai).
[[nodiscard]] Response upstream_auth_error(std::string_view style, std::string_view key_tail);
// The strict provider's 400 for a `developer` role message at index `index`.
[[nodiscard]] Response upstream_developer_role_error(std::string_view style, std::size_t index);
// 400 for a body that is not JSON, in the provider's style.
[[nodiscard]] Response upstream_bad_json_error(std::string_view style, std::string_view detail);

}  // namespace crm::stubs
