#pragma once
// A `crm-accept stubhost` process for e2e tests (to a run it is a real host), and a read-back of
// what a run owns on it through the host's own admin API.
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "probes/http/transport.hpp"
#include "probes/sub2api/admin_client.hpp"
#include "tests/e2e/cli_process.hpp"
#include "util/secrets.hpp"

namespace crm::e2e {

// Started with `args` after "stubhost", its one ready line parsed, stopped with SIGTERM on
// destruction.
struct StubHostProcess {
    Spawned proc;
    util::json::value ready;

    explicit StubHostProcess(std::vector<std::string> args = {}) {
        args.insert(args.begin(), "stubhost");
        proc = spawn_cli(args);
        // Bounded: 500 polls of 20 ms. The line is printed once the listeners are up.
        for (int i = 0; i < 500; ++i) {
            auto text = util::read_file(proc.out_file).value_or("");
            if (auto nl = text.find('\n'); nl != std::string::npos) {
                ready = util::parse_json(text.substr(0, nl), "stubhost stdout").value_or(nullptr);
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    ~StubHostProcess() {
        ::kill(proc.pid, SIGTERM);
        (void)wait_cli(proc);
    }
    StubHostProcess(const StubHostProcess&) = delete;
    StubHostProcess& operator=(const StubHostProcess&) = delete;

    std::string get(std::string_view key) const { return util::get_string(ready, key).value_or(""); }
    std::string upstream(std::string_view group, std::string_view name) const {
        const auto* g = util::find(ready, group);
        return g ? util::get_string(*g, name).value_or("") : "";
    }
};

// Everything on the host whose name (or user email) starts with `prefix`, plus every key of such
// a user and every active subscription (the stub starts with none), one line each, read through
// the admin API. A read failure is a line too: nothing unverified passes.
inline std::vector<std::string> owned_on_host(const StubHostProcess& stub, const std::string& prefix = "crm-") {
    auto http = probes::make_curl_transport();
    util::SecretRegistry secrets;
    probes::sub2api::AdminClientOptions o;
    o.base_url = stub.get("host_url");
    o.credentials.api_key = stub.get("admin_api_key");
    probes::sub2api::AdminClient admin(*http, o, secrets);
    std::vector<std::string> out;
    auto mine = [&](const std::string& s) { return s.rfind(prefix, 0) == 0; };
    if (auto g = admin.list_groups()) {
        for (const auto& x : *g)
            if (mine(x.name)) out.push_back("group " + x.name);
    } else {
        out.push_back("groups: " + g.error().message);
    }
    if (auto a = admin.list_accounts()) {
        for (const auto& x : *a)
            if (mine(x.name)) out.push_back("account " + x.name);
    } else {
        out.push_back("accounts: " + a.error().message);
    }
    if (auto c = admin.list_channels()) {
        for (const auto& x : *c)
            if (mine(x.name)) out.push_back("channel " + x.name);
    } else {
        out.push_back("channels: " + c.error().message);
    }
    if (auto u = admin.list_users()) {
        for (const auto& x : *u) {
            if (!mine(x.email)) continue;
            out.push_back("user " + x.email);
            if (auto k = admin.list_user_keys(x.id)) {
                for (const auto& key : *k) out.push_back("api_key " + key.name);
            }
        }
    } else {
        out.push_back("users: " + u.error().message);
    }
    probes::sub2api::SubscriptionFilter active;
    active.status = "active";
    if (auto s = admin.list_subscriptions(active)) {
        for (const auto& x : *s) out.push_back("subscription " + std::to_string(x.id) + " (active)");
    } else {
        out.push_back("subscriptions: " + s.error().message);
    }
    return out;
}

// Polls `done` every 50 ms, at most `polls` times; true once it held.
inline bool poll_until(const std::function<bool()>& done, int polls = 2400) {
    for (int i = 0; i < polls; ++i) {
        if (done()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

}  // namespace crm::e2e
