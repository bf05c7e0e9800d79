// Engine scale benchmark, against the in-process stub host on loopback:
//   1. import of one provider with 200 models and 20 accounts (self_service + subscription);
//   2. reconcile of that batch on a host holding N foreign resources of the same platform, for
//      growing N (default 2,500 / 5,000 / 10,000 / 20,000; the host is seeded up to each N through
//      its admin API, not timed as engine work). Each line shows time/N and its ratio to the
//      previous N: ~1.0 means linear growth, ~2 per doubling quadratic;
//   3. rollback of the batch.
// Prints wall time and the host calls each step made (the stub's per-route counters), so a
// regression in call count (e.g. a per-resource GET turning into a per-page walk) shows up.
//
// Usage: bench_engine_scale [N ...]   (a single N reproduces the former one-size run)
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "engine/engine.hpp"
#include "engine/packs/pack_catalog.hpp"
#include "probes/sub2api/admin_client.hpp"
#include "stubs/stub_cluster.hpp"
#include "util/random.hpp"

using namespace crm;
using Clock = std::chrono::steady_clock;
namespace json = boost::json;

namespace {

std::uint64_t host_calls(const stubs::StubCluster& c) {
    std::uint64_t n = 0;
    for (const auto& [route, count] : c.counters().host_routes) n += count;
    return n;
}

std::string big_pack(int models, int accounts) {
    std::string list, pricing;
    for (int i = 0; i < models; ++i) {
        std::string m = i == 0 ? "deepseek-chat" : fmt::format("bench-model-{:03}", i);
        list += (i ? "," : "") + fmt::format("\"{}\"", m);
        pricing += (i ? "," : "") + fmt::format("\"{}\":{{\"input\":1e-7,\"output\":2e-7}}", m);
    }
    return fmt::format(
        R"({{"schema_version":1,"id":"bench","version":"1","providers":[{{"name":"big","platform":"deepseek",
      "account_type":"apikey","upstream_base_url":"${{DS_URL}}","models":[{}],"pricing":{{{}}},
      "smoke_test_model":"deepseek-chat","accounts":{},"key_source":{{"env":"DS_KEY"}}}}]}})",
        list, pricing, accounts);
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

// Foreign resources seeded so far; 2/5 groups, 2/5 accounts, 1/5 channels of every N.
struct Seeded {
    int groups = 0, accounts = 0, channels = 0;
    std::vector<std::int64_t> gids;
};

bool seed_up_to(probes::sub2api::AdminClient& admin, int foreign, Seeded& s) {
    const int groups = foreign * 2 / 5, accounts = foreign * 2 / 5, channels = foreign - groups - accounts;
    for (; s.groups < groups; ++s.groups) {
        probes::sub2api::GroupCreate g;
        g.name = fmt::format("foreign-g-{}", s.groups);
        g.platform = "deepseek";
        auto r = admin.create_group(g);
        if (!r) {
            std::fprintf(stderr, "seed group: %s\n", r.error().message.c_str());
            return false;
        }
        s.gids.push_back(r->id);
    }
    for (; s.accounts < accounts; ++s.accounts) {
        probes::sub2api::AccountCreate a;
        a.name = fmt::format("foreign-a-{}", s.accounts);
        a.platform = "deepseek";
        a.credentials = json::object{{"api_key", "sk-foreign"}, {"base_url", "http://127.0.0.1:9"}};
        a.group_ids = {s.gids[static_cast<std::size_t>(s.accounts) % s.gids.size()]};
        if (auto r = admin.create_account(a); !r) {
            std::fprintf(stderr, "seed account: %s\n", r.error().message.c_str());
            return false;
        }
    }
    for (; s.channels < channels; ++s.channels) {
        probes::sub2api::ChannelCreate c;
        c.name = fmt::format("foreign-c-{}", s.channels);
        c.group_ids = {s.gids[static_cast<std::size_t>(s.channels) % s.gids.size()]};
        c.model_mapping = json::object{{"deepseek", json::object{{"deepseek-chat", "deepseek-chat"}}}};
        if (auto r = admin.create_channel(c); !r) {
            std::fprintf(stderr, "seed channel: %s\n", r.error().message.c_str());
            return false;
        }
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<int> sizes;
    for (int i = 1; i < argc; ++i)
        if (int n = std::atoi(argv[i]); n > 0) sizes.push_back(n);
    if (sizes.empty()) sizes = {2500, 5000, 10000, 20000};
    std::sort(sizes.begin(), sizes.end());
    stubs::StubOptions so;
    auto cluster = stubs::StubCluster::start(so);
    if (!cluster) {
        std::fprintf(stderr, "stub: %s\n", cluster.error().message.c_str());
        return 3;
    }
    const auto& ep = (*cluster)->endpoints();
    std::map<std::string, std::string> envmap{{"DS_URL", ep.upstream_urls.at("deepseek")},
                                              {"DS_KEY", ep.upstream_keys.at("deepseek")}};
    util::EnvLookup env = [envmap](std::string_view n) -> std::optional<std::string> {
        auto it = envmap.find(std::string(n));
        return it == envmap.end() ? std::nullopt : std::optional<std::string>(it->second);
    };
    engine::PackCatalog packs;
    auto pack = engine::parse_pack(big_pack(200, 20), "bench.json", env);
    if (!pack || !packs.add(*pack)) {
        std::fprintf(stderr, "pack: %s\n", pack ? "add failed" : pack.error().message.c_str());
        return 3;
    }
    auto dir = std::filesystem::temp_directory_path() / ("crm-bench-" + util::random_hex(4));
    auto store = engine::StateStore::open(dir / "engine.db");
    if (!store) return 3;
    auto http = probes::make_curl_transport();
    util::SecretRegistry secrets;
    engine::Engine eng(
        engine::EngineDeps{*store, *http, secrets, env, packs, nullptr, {}, engine::filesystem_reader()});
    engine::HostTarget host{"stub", ep.host_url, {ep.admin_api_key, "", ""}, true, {}, {}};

    // 1. import
    auto calls0 = host_calls(**cluster);
    auto t0 = Clock::now();
    auto imp = eng.import(
        host, {"bench", "big", {engine::AccessMode::self_service, engine::AccessMode::subscription}, "bench"});
    double import_s = seconds_since(t0);
    if (!imp || imp->batch_status != engine::BatchStatus::succeeded) {
        std::fprintf(stderr, "import failed: %s\n", imp ? imp->error.c_str() : imp.error().message.c_str());
        return 1;
    }
    std::printf("import  200 models x 20 accounts: %.3f s, %llu host calls (%zu writes, %zu resources)\n", import_s,
                static_cast<unsigned long long>(host_calls(**cluster) - calls0), eng.host_writes(),
                imp->resources.size());

    // 2 + 3. seed foreign resources up to each N, then reconcile against them
    probes::sub2api::AdminClientOptions ao;
    ao.base_url = ep.host_url;
    ao.credentials.api_key = ep.admin_api_key;
    probes::sub2api::AdminClient admin(*http, ao, secrets);
    Seeded seeded;
    double previous_per_n = 0;
    std::size_t last_residue = 0;
    for (int foreign : sizes) {
        auto ts = Clock::now();
        if (!seed_up_to(admin, foreign, seeded)) return 3;
        std::printf("seed    %d foreign resources (%d groups, %d accounts, %d channels): %.3f s\n", foreign,
                    seeded.groups, seeded.accounts, seeded.channels, seconds_since(ts));
        auto calls1 = host_calls(**cluster);
        auto t1 = Clock::now();
        auto rec = eng.reconcile(host, imp->batch_id);
        double rec_s = seconds_since(t1);
        if (!rec) {
            std::fprintf(stderr, "reconcile failed: %s\n", rec.error().message.c_str());
            return 1;
        }
        const double per_n_us = rec_s * 1e6 / foreign;
        std::printf(
            "reconcile vs %d foreign: %.3f s, %llu host calls, status %s, %zu owned checked, %zu residue; "
            "%.1f us per foreign resource%s\n",
            foreign, rec_s, static_cast<unsigned long long>(host_calls(**cluster) - calls1), rec->status.c_str(),
            rec->owned_checked, rec->residue.size(), per_n_us,
            previous_per_n > 0 ? fmt::format(" (x{:.2f} vs previous N)", per_n_us / previous_per_n).c_str() : "");
        std::fflush(stdout);
        previous_per_n = per_n_us;
        last_residue = rec->residue.size();
    }

    // 4. rollback (the cost of proving a clean host)
    auto calls2 = host_calls(**cluster);
    auto t2 = Clock::now();
    auto rb = eng.rollback(host, imp->batch_id);
    if (!rb) return 1;
    std::printf("rollback %zu resources: %.3f s, %llu host calls, %s\n", rb->resources.size(), seconds_since(t2),
                static_cast<unsigned long long>(host_calls(**cluster) - calls2),
                std::string(engine::to_string(rb->batch_status)).c_str());
    std::filesystem::remove_all(dir);
    return last_residue >= static_cast<std::size_t>(sizes.back()) ? 0 : 1;
}
