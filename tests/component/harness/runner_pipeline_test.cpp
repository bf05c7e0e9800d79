// The real cell pipeline against the in-process stub host over loopback HTTP.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>

#include "engine/packs/pack_catalog.hpp"
#include "engine/store/state_store.hpp"
#include "harness/classify/rule_set.hpp"
#include "harness/runner/cell_pipeline.hpp"
#include "harness/evidence/bundle_writer.hpp"
#include "harness/runner/evidence_sink.hpp"
#include "stubs/stub_cluster.hpp"
#include "util/files.hpp"
#include "util/random.hpp"

using namespace crm;
using namespace crm::harness;
namespace fs = std::filesystem;

namespace {

struct Fixture {
    std::unique_ptr<stubs::StubCluster> cluster;
    fs::path dir = fs::temp_directory_path() / ("crm-pipeline-" + util::random_hex(5));
    util::SecretRegistry secrets;
    std::map<std::string, std::string, std::less<>> vars;
    util::EnvLookup env;
    engine::PackCatalog packs;

    explicit Fixture(const std::string& upstream_profile) {
        stubs::StubOptions o;
        o.upstreams.push_back({"deepseek", "deepseek", upstream_profile});
        auto c = stubs::StubCluster::start(o);
        REQUIRE(c.has_value());
        cluster = std::move(*c);
        const auto& ep = cluster->endpoints();
        secrets.add(ep.admin_api_key);
        secrets.add(ep.upstream_keys.at("deepseek"));
        vars["DEEPSEEK_API_KEY"] = ep.upstream_keys.at("deepseek");
        vars["DEEPSEEK_BASE_URL"] = ep.upstream_urls.at("deepseek");
        env = [this](std::string_view n) -> std::optional<std::string> {
            auto it = vars.find(n);
            if (it == vars.end()) return std::nullopt;
            return it->second;
        };
        auto p = engine::load_pack_dir(std::string(CRM_SOURCE_DIR) + "/packs", env);
        REQUIRE(p.has_value());
        packs = std::move(*p);
        fs::create_directories(dir);
    }
    ~Fixture() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

scenario::Scenario one_cell_scenario() {
    scenario::Scenario s;
    s.name = "pipeline";
    s.hosts.push_back({});
    s.modes = {scenario::Mode::subscription};
    scenario::ProviderSpec p;
    p.pack = "cn-core";
    p.provider = "deepseek";
    s.providers.push_back(p);
    return s;
}

runner::CellReport run_one(Fixture& f, const scenario::Scenario& s, evidence::BundleWriter& bundle) {
    auto store = engine::StateStore::open(f.dir / "state.sqlite");
    REQUIRE(store.has_value());
    auto http = probes::make_curl_transport();
    auto rules = classify::builtin_rules();
    REQUIRE(rules.has_value());
    runner::EvidenceSink sink(bundle);
    runner::HostContext host;
    host.target.url = f.cluster->endpoints().host_url;
    host.target.admin.api_key = f.cluster->endpoints().admin_api_key;
    runner::CellPipeline pipeline(runner::PipelineDeps{s, {host}, *store, *http, f.secrets, f.env, f.packs, *rules,
                                                       sink, {}, util::random_hex(3)});
    runner::RunEvents events;
    std::atomic<bool> interrupted{false};
    auto cells = matrix::expand(s);
    return pipeline.run_cell(cells.at(0), interrupted, events);
}

}  // namespace

TEST_CASE("pipeline: a healthy stub cell is ready, writes 00..21 and leaves nothing owned on the host") {
    Fixture f("healthy");
    auto bundle = evidence::BundleWriter::open(f.dir / "bundle", f.secrets);
    auto s = one_cell_scenario();
    auto r = run_one(f, s, bundle);
    INFO(r.explanation);
    CHECK(r.cause == "ready");
    CHECK(r.finished);
    CHECK(r.imported);
    CHECK(r.rolled_back);
    CHECK(r.gate.passed);
    auto cell_dir = f.dir / "bundle" / "subscription__deepseek";
    for (const char* file : {"00-cell.json", "05-import.json", "08-subscription-group-state.json", "11-chat-stream.sse",
                             "17-upstream-models.headers.txt", "20-rollback.json", "21-summary.md"}) {
        INFO(file);
        CHECK(fs::exists(cell_dir / file));
    }
    auto audit = bundle.audit();
    REQUIRE(audit.has_value());
    CHECK(audit->empty());
    // Host read-back: nothing named by this run is left (revoked subscriptions stay as history).
    auto snapshot = util::parse_json(f.cluster->snapshot_json(), "snapshot");
    REQUIRE(snapshot.has_value());
    for (const char* kind : {"groups", "accounts", "channels", "api_keys"}) {
        const auto* list = util::find(*snapshot, kind);
        if (!list || !list->is_array()) continue;
        for (const auto& item : list->get_array()) {
            INFO(kind);
            CHECK(util::get_string(item, "name").value_or("").rfind("crm-", 0) != 0);
        }
    }
}

TEST_CASE("pipeline: switched-off steps are recorded as skipped and write nothing") {
    Fixture f("healthy");
    auto bundle = evidence::BundleWriter::open(f.dir / "bundle", f.secrets);
    auto s = one_cell_scenario();
    s.steps.stream_smoke = false;
    s.steps.upstream_probes = false;
    auto r = run_one(f, s, bundle);
    CHECK(r.cause == "ready");
    int skipped = 0;
    for (const auto& st : r.steps) {
        if (st.status == "skipped") ++skipped;
    }
    CHECK(skipped == 3);
    CHECK_FALSE(fs::exists(f.dir / "bundle" / "subscription__deepseek" / "11-chat-stream.sse"));
    CHECK_FALSE(fs::exists(f.dir / "bundle" / "subscription__deepseek" / "19-upstream-chat.json"));
}

TEST_CASE("pipeline: an upstream whose quota is exhausted is upstream_key_quota_issue") {
    Fixture f("upstream_quota_exhausted");
    auto bundle = evidence::BundleWriter::open(f.dir / "bundle", f.secrets);
    auto r = run_one(f, one_cell_scenario(), bundle);
    INFO(r.explanation);
    CHECK(r.cause == "upstream_key_quota_issue");
    CHECK(r.verdict == "blocked");
    CHECK_FALSE(r.gate.passed);
}
