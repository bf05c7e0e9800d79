#include "engine/access/ready_check.hpp"

#include <fmt/format.h>

#include "probes/gateway/gateway_probes.hpp"

namespace crm::engine {

namespace gw = probes::gateway;

namespace {

std::string why(const probes::ProbeExchange& ex) {
    if (ex.transport_error) return ex.transport_error->message;
    if (ex.error_info) {
        const auto& e = *ex.error_info;
        std::string code = !e.code.empty() ? e.code : e.type;
        return fmt::format("{} {}: {}", ex.status(), code, e.message);
    }
    return fmt::format("HTTP {}", ex.status());
}

}  // namespace

ReadyCheck check_ready(probes::HttpTransport& http, const std::string& host_url, const std::string& api_key,
                       const std::string& smoke_model, bool stream_check, const probes::Timeouts& timeouts) {
    ReadyCheck out;
    gw::ProbeTarget target;
    target.base_url = host_url;
    target.api_key = api_key;
    target.auth = probes::AuthStyle::bearer;
    target.timeouts = timeouts;

    auto models = gw::probe_models(http, target, smoke_model);
    out.models_status = models.exchange.status();
    out.models_listed = models.ok();
    if (!out.models_listed) {
        out.detail = models.exchange.status() == 200 && models.list_parsed
                         ? fmt::format("/v1/models does not list {}", smoke_model)
                         : fmt::format("/v1/models: {}", why(models.exchange));
    }
    // The chat smoke runs even when /v1/models failed: its answer is evidence for the cause.
    auto chat = gw::probe_chat(http, target, smoke_model);
    out.chat_status = chat.exchange.status();
    out.chat_ok = chat.ok();
    if (!out.chat_ok && out.detail.empty()) {
        out.detail = fmt::format("/v1/chat/completions: {}", why(chat.exchange));
    }
    if (stream_check) {
        auto stream = gw::probe_chat_stream(http, target, smoke_model);
        out.stream_ok = stream.ok();
        if (!stream.ok() && out.detail.empty()) {
            out.detail = fmt::format("/v1/chat/completions stream: {}",
                                     stream.truncated ? std::string("ended without [DONE]") : why(stream.exchange));
        }
    }
    return out;
}

}  // namespace crm::engine
