#pragma once
// Test rig for engine component tests: a stub host on loopback, a temp SQLite state file, the
// libcurl transport, a pack pointing at the stub upstreams, and an Engine wired to all of them.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "engine/engine.hpp"
#include "engine/packs/pack_catalog.hpp"
#include "probes/sub2api/admin_client.hpp"
#include "stubs/stub_cluster.hpp"
#include "util/random.hpp"

namespace crm::test {

inline std::string stub_pack_json() {
    return R"({
  "schema_version": 1, "id": "stub-pack", "version": "1.0.0",
  "providers": [
    {"name": "deepseek", "platform": "deepseek", "account_type": "apikey",
     "upstream_base_url": "${DS_URL}",
     "models": ["deepseek-chat", "deepseek-reasoner"],
     "pricing": {"deepseek-chat": {"input": 2.8e-7, "output": 4.2e-7},
                 "deepseek-reasoner": {"input": 2.8e-7, "output": 4.2e-7}},
     "smoke_test_model": "deepseek-chat", "accounts": 2,
     "credentials": {"account_mode": "payg", "api_protocol": "chat_completions"},
     "key_source": {"env": "DS_KEY"}},
    {"name": "nokey", "platform": "deepseek", "account_type": "apikey",
     "upstream_base_url": "${DS_URL}", "models": ["deepseek-chat"],
     "pricing": {"deepseek-chat": {"input": 1e-7, "output": 1e-7}},
     "smoke_test_model": "deepseek-chat", "accounts": 1,
     "key_source": {"env": "UNSET_KEY_VAR"}}
  ]
})";
}

struct EngineRig {
    std::unique_ptr<stubs::StubCluster> cluster;
    std::filesystem::path db_path;
    std::unique_ptr<engine::StateStore> store;
    std::unique_ptr<probes::HttpTransport> http;
    util::SecretRegistry secrets;
    engine::PackCatalog packs;
    std::map<std::string, std::string> env_values;
    std::unique_ptr<engine::Engine> engine;
    engine::HostTarget host;

    // Starts the stub with `profile`; the rig's engine is built by make_engine().
    static std::unique_ptr<EngineRig> start(const std::string& profile = "healthy", bool fork_route = false) {
        auto rig = std::make_unique<EngineRig>();
        stubs::StubOptions opts;
        opts.host_profile = profile;
        opts.fork_admin_key_route = fork_route;
        auto c = stubs::StubCluster::start(opts);
        if (!c) throw std::runtime_error("stub start: " + c.error().message);
        rig->cluster = std::move(*c);
        auto dir = std::filesystem::temp_directory_path() / ("crm-engine-" + util::random_hex(6));
        std::filesystem::create_directories(dir);
        rig->db_path = dir / "engine.db";
        const auto& ep = rig->cluster->endpoints();
        rig->env_values["DS_URL"] = ep.upstream_urls.at("deepseek");
        rig->env_values["DS_KEY"] = ep.upstream_keys.at("deepseek");
        auto pack = engine::parse_pack(stub_pack_json(), "stub-pack.json", rig->env());
        if (!pack) throw std::runtime_error("pack: " + pack.error().message);
        if (auto a = rig->packs.add(*pack); !a) throw std::runtime_error(a.error().message);
        rig->host.name = "stub";
        rig->host.url = ep.host_url;
        rig->host.admin.api_key = ep.admin_api_key;
        rig->host.accept_compliance = true;
        rig->host.timeouts.total = std::chrono::milliseconds(10000);
        rig->make_engine();
        return rig;
    }

    util::EnvLookup env() const {
        auto values = env_values;
        return [values](std::string_view name) -> std::optional<std::string> {
            auto it = values.find(std::string(name));
            if (it == values.end()) return std::nullopt;
            return it->second;
        };
    }

    // (Re)opens the store and the transport and builds an engine; `hook` is the crash hook.
    void make_engine(std::function<void(std::size_t)> hook = {}) {
        engine.reset();
        auto s = engine::StateStore::open(db_path);
        if (!s) throw std::runtime_error("store: " + s.error().message);
        store = std::make_unique<engine::StateStore>(std::move(*s));
        http = probes::make_curl_transport();
        engine::EngineDeps deps{*store, *http, secrets, env(), packs, nullptr, std::move(hook)};
        engine = std::make_unique<engine::Engine>(std::move(deps));
    }

    // Drops the engine, the store connection and the transport (before fork(): a SQLite
    // connection or a curl handle must not cross into a child process).
    void release() {
        engine.reset();
        store.reset();
        http.reset();
    }

    // Runs `flow` in a forked child whose engine dies (_exit 42) right after its host write
    // number `n`, as a kill -9 would, and returns the child's wait status. The rig's own engine,
    // store and transport are released first and rebuilt by the caller's make_engine().
    int run_killed_after_write(std::size_t n, const std::function<void(engine::Engine&)>& flow) {
        release();
        pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            make_engine([n](std::size_t writes) {
                if (writes == n) ::_exit(42);
            });
            flow(*engine);
            ::_exit(0);
        }
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        return status;
    }

    // `owner_run` set: the batch belongs to a `crm-accept run` (recover removes it whatever its
    // status); empty: an installed provider.
    engine::ImportRequest request(std::vector<engine::AccessMode> modes, std::string prefix = {},
                                  std::string owner_run = {}) const {
        return {"stub-pack", "deepseek", std::move(modes),
                prefix.empty() ? "t" + util::random_hex(3) : std::move(prefix), std::move(owner_run)};
    }

    probes::sub2api::AdminClient admin() {
        probes::sub2api::AdminClientOptions o;
        o.base_url = host.url;
        o.credentials = host.admin;
        o.accept_compliance = true;
        return probes::sub2api::AdminClient(*http, o, secrets);
    }

    // Host resources whose name (or email) contains `prefix`, listed from the host itself.
    std::size_t host_resources_named(const std::string& prefix) {
        auto a = admin();
        std::size_t n = 0;
        auto has = [&](const std::string& s) { return s.find(prefix) != std::string::npos; };
        if (auto g = a.list_groups())
            for (auto& x : *g) n += has(x.name);
        else
            throw std::runtime_error(g.error().message);
        if (auto g = a.list_accounts())
            for (auto& x : *g) n += has(x.name);
        else
            throw std::runtime_error(g.error().message);
        if (auto g = a.list_channels())
            for (auto& x : *g) n += has(x.name);
        else
            throw std::runtime_error(g.error().message);
        if (auto g = a.list_users())
            for (auto& x : *g) n += has(x.email);
        else
            throw std::runtime_error(g.error().message);
        return n;
    }
};

// The full provisioning flow the crash tests run in a child: import both modes, close both.
inline void full_flow(engine::Engine& e, const engine::HostTarget& host, const engine::ImportRequest& req) {
    auto imp = e.import(host, req);
    if (!imp || imp->batch_status != engine::BatchStatus::succeeded) return;
    (void)e.close_access(host, imp->batch_id, engine::AccessMode::self_service, {});
    (void)e.close_access(host, imp->batch_id, engine::AccessMode::subscription, {});
}

}  // namespace crm::test
