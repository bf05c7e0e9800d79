#include "harness/runner/probe_retry.hpp"

namespace crm::harness::runner {

bool is_transient_exchange(const probes::ProbeExchange& exchange) {
    if (auto failure = exchange.failure()) {
        return *failure == util::ErrorCode::connect_failed || *failure == util::ErrorCode::timeout ||
               *failure == util::ErrorCode::stalled;
    }
    const int status = exchange.status();
    if (status != 429 && status < 500) return false;
    // An error envelope (OpenAI, Anthropic, sub2api, base_resp ...) is a verdict; an empty body,
    // a proxy's HTML page or bare text is not.
    if (!exchange.error_info) return true;
    using probes::envelope::BodyShape;
    const BodyShape shape = exchange.error_info->shape;
    return shape == BodyShape::empty || shape == BodyShape::html || shape == BodyShape::text;
}

}  // namespace crm::harness::runner
