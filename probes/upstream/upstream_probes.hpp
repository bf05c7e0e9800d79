#pragma once
// Direct upstream probes (artifacts 17 and 19): the provider's own OpenAI-compatible API, called
// with the provider key as Bearer and the very payload the gateway smoke uses, so a gateway
// failure can be compared like-for-like with the provider's answer.
//
// Base URLs are taken as a pack (and sub2api) would hold them, with or without "/v1":
// "https://api.deepseek.com" -> https://api.deepseek.com/v1/models,
// "https://api.minimaxi.com/v1" -> https://api.minimaxi.com/v1/models (never "/v1/v1").
// MiniMax `base_resp` errors answered at HTTP 200 are reported in exchange.error_info and make
// ok() false. Results are the gateway result types with RequestSummary::target == "upstream".
#include <atomic>
#include <string>
#include <string_view>

#include "probes/gateway/gateway_probes.hpp"

namespace crm::probes::upstream {

struct UpstreamTarget {
    std::string base_url;  // provider base URL, with or without /v1
    std::string api_key;   // provider key (a registered secret); never recorded
    Timeouts timeouts{};
    std::size_t max_response_bytes = 4 * 1024 * 1024;
    const std::atomic<bool>* cancel = nullptr;
};

// GET {base}/v1/models (17-upstream-models).
[[nodiscard]] gateway::ModelsResult probe_upstream_models(HttpTransport& http, const UpstreamTarget& target,
                                                          std::string_view expected_model);

// POST {base}/v1/chat/completions, non-stream smoke payload (19-upstream-chat).
[[nodiscard]] gateway::ChatResult probe_upstream_chat(HttpTransport& http, const UpstreamTarget& target,
                                                      std::string_view model);

// The stream variant, for comparing a broken gateway stream with the provider's own stream.
[[nodiscard]] gateway::ChatStreamResult probe_upstream_chat_stream(HttpTransport& http, const UpstreamTarget& target,
                                                                   std::string_view model, bool require_usage = false);

}  // namespace crm::probes::upstream
