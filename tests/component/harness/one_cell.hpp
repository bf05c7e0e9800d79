#pragma once
// Runs one cell of cn-core/deepseek through the real cell pipeline against a running stub cluster
// (its host and deepseek upstream unless overridden), writing a real bundle and auditing it: the
// shared body of the component tests that check what a host or upstream behaviour yields.
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/packs/pack_catalog.hpp"
#include "engine/store/state_store.hpp"
#include "harness/classify/rule_set.hpp"
#include "harness/evidence/artifact_plan.hpp"
#include "harness/evidence/bundle_writer.hpp"
#include "harness/evidence/verify.hpp"
#include "harness/runner/cell_pipeline.hpp"
#include "harness/runner/cell_plan.hpp"
#include "harness/runner/evidence_sink.hpp"
#include "stubs/stub_cluster.hpp"
#include "util/random.hpp"

namespace crm::test {

struct OneCellOptions {
    std::filesystem::path dir;  // state file and bundle go here
    std::string host_url;       // "" = the cluster's host
    std::string upstream_url;   // "" = the cluster's deepseek upstream
    bool accept_compliance = false;
    std::chrono::milliseconds idle{10000};
    harness::scenario::Mode mode = harness::scenario::Mode::self_service;
    // Both access modes: two cells, run in parallel through the scheduler (one pipeline, so one
    // host session); OneCellResult::report is the first, `reports` has both.
    bool both_modes = false;
    bool admin_login = false;  // the admin email + password instead of the admin API key
    std::function<void(harness::scenario::Scenario&)> adjust;  // e.g. switch steps off
    std::function<void(int)> before_step;                      // called as each step starts (e.g. to arm a host fault)
    bool finalize = false;                                     // finish the bundle and run `verify` over it
};

struct OneCellResult {
    harness::runner::CellReport report;
    std::vector<harness::runner::CellReport> reports;         // every cell, in matrix order
    std::filesystem::path bundle_dir;                         // <dir>/bundle-<hex>; the cell folder is inside
    std::vector<harness::evidence::AuditHit> audit;           // the bundle's post-write audit
    std::optional<harness::evidence::VerifyReport> verified;  // with OneCellOptions::finalize
};

// Forwards step starts to OneCellOptions::before_step.
class StepHook final : public harness::runner::RunEvents {
  public:
    explicit StepHook(std::function<void(int)> fn) : m_fn(std::move(fn)) {}
    void step_started(const harness::matrix::Cell&, int number, std::string_view) override {
        if (m_fn) m_fn(number);
    }

  private:
    std::function<void(int)> m_fn;
};

inline OneCellResult run_one_cell(const stubs::StubEndpoints& ep, const OneCellOptions& opt) {
    using namespace crm::harness;
    util::SecretRegistry secrets;
    secrets.add(ep.admin_api_key);
    secrets.add(ep.upstream_keys.at("deepseek"));
    std::map<std::string, std::string, std::less<>> vars{
        {"DEEPSEEK_API_KEY", ep.upstream_keys.at("deepseek")},
        {"DEEPSEEK_BASE_URL", opt.upstream_url.empty() ? ep.upstream_urls.at("deepseek") : opt.upstream_url}};
    util::EnvLookup env = [&vars](std::string_view n) -> std::optional<std::string> {
        auto it = vars.find(n);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
    auto packs = engine::load_pack_dir(std::string(CRM_SOURCE_DIR) + "/packs", env);
    REQUIRE(packs.has_value());

    scenario::Scenario s;
    s.name = "one-cell";
    s.hosts.push_back({});
    s.modes = {opt.mode};
    if (opt.both_modes) s.modes = {scenario::Mode::self_service, scenario::Mode::subscription};
    scenario::ProviderSpec p;
    p.pack = "cn-core";
    p.provider = "deepseek";
    s.providers.push_back(p);
    s.timeouts.idle = opt.idle;
    if (opt.adjust) opt.adjust(s);

    auto store = engine::StateStore::open(opt.dir / ("state-" + util::random_hex(3) + ".sqlite"));
    REQUIRE(store.has_value());
    auto http = probes::make_curl_transport();
    auto rules = classify::builtin_rules();
    REQUIRE(rules.has_value());
    OneCellResult out;
    out.bundle_dir = opt.dir / ("bundle-" + util::random_hex(3));
    auto bundle = evidence::BundleWriter::open(out.bundle_dir, secrets);
    runner::EvidenceSink sink(bundle);
    runner::HostContext host;
    host.target.url = opt.host_url.empty() ? ep.host_url : opt.host_url;
    host.target.admin = opt.admin_login ? probes::sub2api::AdminCredentials{"", ep.admin_email, ep.admin_password}
                                        : probes::sub2api::AdminCredentials{ep.admin_api_key, "", ""};
    host.target.accept_compliance = opt.accept_compliance;
    runner::CellPipeline pipeline(
        runner::PipelineDeps{s, {host}, *store, *http, secrets, env, *packs, *rules, sink, {}, util::random_hex(3)});
    StepHook events(opt.before_step);
    std::atomic<bool> interrupted{false};
    auto cells = matrix::expand(s);
    REQUIRE_FALSE(cells.empty());
    if (cells.size() == 1)
        out.reports = {pipeline.run_cell(cells.at(0), interrupted, events)};
    else
        out.reports = runner::run_cells(cells, pipeline, events, interrupted, static_cast<unsigned>(cells.size()));
    out.report = out.reports.at(0);
    auto audit = bundle.audit();
    REQUIRE(audit.has_value());
    out.audit = std::move(*audit);
    if (opt.finalize) {
        runner::RunFacts facts;
        facts.scenario_name = s.name;
        facts.host_url = host.target.url;
        // The artifact plan, recorded as `run` records it: verify checks the cell against it.
        const auto& cell = cells.at(0);
        facts.matrix = util::json::object{
            {"cells_selected",
             util::json::array{util::json::object{{"index", cell.index},
                                                  {"cell", cell.id},
                                                  {"artifacts", evidence::artifact_plan_json(runner::recorded_artifacts(
                                                                    runner::plan_cell(cell, s.steps)))}}}}};
        auto run = runner::to_run_summary(facts, {out.report}, gate::GateDecision{}, 0);
        auto fin = bundle.finalize(run, true);
        REQUIRE(fin.has_value());
        auto v = evidence::verify(out.bundle_dir);
        REQUIRE(v.has_value());
        out.verified = std::move(*v);
    }
    return out;
}

}  // namespace crm::test
