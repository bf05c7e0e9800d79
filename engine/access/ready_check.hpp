#pragma once
// The READY RULE: a mode is ready only when the gateway's GET /v1/models lists the
// provider's smoke_test_model AND a minimal POST /v1/chat/completions succeeds (and the stream
// variant when asked), authenticated with `Authorization: Bearer <user key>`. /v1/models alone
// never makes a mode ready.
#include <string>

#include "engine/model/outcomes.hpp"
#include "probes/http/transport.hpp"

namespace crm::engine {

[[nodiscard]] ReadyCheck check_ready(probes::HttpTransport& http, const std::string& host_url,
                                     const std::string& api_key, const std::string& smoke_model, bool stream_check,
                                     const probes::Timeouts& timeouts);

}  // namespace crm::engine
