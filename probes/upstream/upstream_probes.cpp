#include "probes/upstream/upstream_probes.hpp"

namespace crm::probes::upstream {
namespace {

gateway::ProbeTarget as_probe_target(const UpstreamTarget& target) {
    gateway::ProbeTarget t;
    t.base_url = target.base_url;
    t.api_key = target.api_key;
    t.auth = AuthStyle::bearer;
    t.timeouts = target.timeouts;
    t.max_response_bytes = target.max_response_bytes;
    t.target_kind = "upstream";
    t.cancel = target.cancel;
    return t;
}

}  // namespace

gateway::ModelsResult probe_upstream_models(HttpTransport& http, const UpstreamTarget& target,
                                            std::string_view expected_model) {
    return gateway::probe_models(http, as_probe_target(target), expected_model);
}

gateway::ChatResult probe_upstream_chat(HttpTransport& http, const UpstreamTarget& target, std::string_view model) {
    return gateway::probe_chat(http, as_probe_target(target), model);
}

gateway::ChatStreamResult probe_upstream_chat_stream(HttpTransport& http, const UpstreamTarget& target,
                                                     std::string_view model, bool require_usage) {
    return gateway::probe_chat_stream(http, as_probe_target(target), model, require_usage);
}

}  // namespace crm::probes::upstream
