#pragma once
// The control plane's route tables, one function per resource (api_hosts.cpp, api_packs.cpp,
// api_providers.cpp, api_batches.cpp). Each handler borrows `ctx`, reports every engine
// operation it runs through ctx.events, and answers errors in the API's codes (map_error).
#include <vector>

#include "harness/serve/api_context.hpp"
#include "harness/serve/api_types.hpp"

namespace crm::harness::serve {

[[nodiscard]] std::vector<Route> host_routes(ApiContext& ctx);
[[nodiscard]] std::vector<Route> pack_routes(ApiContext& ctx);
[[nodiscard]] std::vector<Route> provider_routes(ApiContext& ctx);
[[nodiscard]] std::vector<Route> batch_routes(ApiContext& ctx);

}  // namespace crm::harness::serve
