#pragma once
// The scenario most matrix tests start from: one host, both modes, three cn providers, giving
// self_service__{deepseek,kimi,minimax} then subscription__{deepseek,kimi,minimax}.
#include "harness/scenario/scenario.hpp"

namespace crm::test {

inline harness::scenario::Scenario three_providers_two_modes() {
    using namespace crm::harness;
    scenario::Scenario s;
    s.name = "m";
    s.hosts.push_back({});
    s.modes = {scenario::Mode::self_service, scenario::Mode::subscription};
    for (const char* p : {"deepseek", "kimi", "minimax"}) {
        scenario::ProviderSpec ps;
        ps.pack = "cn";
        ps.provider = p;
        s.providers.push_back(ps);
    }
    return s;
}

// Two hosts "a" and "b" on the hosts axis of `s`.
inline void two_hosts(harness::scenario::Scenario& s) {
    s.hosts_axis = true;
    s.hosts = {harness::scenario::HostSpec{}, harness::scenario::HostSpec{}};
    s.hosts[0].name = "a";
    s.hosts[1].name = "b";
}

}  // namespace crm::test
