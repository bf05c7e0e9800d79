// Every stub fault profile, probed over loopback through the real cell pipeline, yields the cause
// its mechanism stands for (docs/STUB-HOST.md "Fault profiles", docs/CAUSES.md). One self_service
// cell of cn-core/deepseek per profile; the upstream profile applies to the deepseek upstream only
// (its host part to the host accounts pointing there), host-wide profiles go to the host.
#include <catch2/catch.hpp>
#include <filesystem>

#include "stubs/stub_cluster.hpp"
#include "tests/component/harness/one_cell.hpp"
#include "util/files.hpp"
#include "util/random.hpp"

using namespace crm;
using namespace crm::harness;
namespace fs = std::filesystem;

namespace {

struct ProfileCase {
    std::string host_profile = "healthy";      // host-wide (compliance_gate, shared_host_residue)
    std::string upstream_profile = "healthy";  // deepseek upstream: name or file path
    bool accept_compliance = false;
    std::chrono::milliseconds idle{10000};
};

struct Outcome {
    std::string cause;
    std::string rule_id;
    std::string explanation;
    bool finished = false;
    std::vector<std::string> notes;
};

class ProfileRig {
  public:
    ProfileRig() { fs::create_directories(m_dir); }
    ~ProfileRig() {
        std::error_code ec;
        fs::remove_all(m_dir, ec);
    }
    ProfileRig(const ProfileRig&) = delete;
    ProfileRig& operator=(const ProfileRig&) = delete;

    // Writes a profile document into the rig's folder and returns its path.
    std::string write_profile(const std::string& name, const std::string& text) {
        const auto path = m_dir / (name + ".json");
        REQUIRE(util::write_atomic(path, text).has_value());
        return path.string();
    }

    Outcome run(const ProfileCase& pc) {
        stubs::StubOptions o;
        o.host_profile = pc.host_profile;
        o.upstreams.push_back({"deepseek", "deepseek", pc.upstream_profile});
        auto c = stubs::StubCluster::start(o);
        REQUIRE(c.has_value());
        auto cluster = std::move(*c);
        const auto& ep = cluster->endpoints();

        test::OneCellOptions opt;
        opt.dir = m_dir;
        opt.accept_compliance = pc.accept_compliance;
        opt.idle = pc.idle;
        auto r = test::run_one_cell(ep, opt).report;
        cluster->stop();
        return Outcome{std::string(crm::harness::classify::to_string(r.classification.cause)), r.classification.rule_id,
                       r.classification.explanation, r.finished, r.classification.notes};
    }

  private:
    fs::path m_dir = fs::temp_directory_path() / ("crm-fault-profiles-" + util::random_hex(5));
};

Outcome run_profile(const ProfileCase& pc) {
    ProfileRig rig;
    return rig.run(pc);
}

void expect_cause(const Outcome& o, const std::string& cause) {
    INFO("rule " << o.rule_id << ": " << o.explanation);
    CHECK(o.finished);
    CHECK(o.cause == cause);
}

ProfileCase upstream(const std::string& profile) {
    ProfileCase pc;
    pc.upstream_profile = profile;
    return pc;
}

}  // namespace

TEST_CASE("fault profiles: healthy is ready") { expect_cause(run_profile(upstream("healthy")), "ready"); }

TEST_CASE("fault profiles: upstream_quota_exhausted is upstream_key_quota_issue") {
    expect_cause(run_profile(upstream("upstream_quota_exhausted")), "upstream_key_quota_issue");
}

TEST_CASE("fault profiles: host_chat_incompatible is host_compatibility_gap") {
    expect_cause(run_profile(upstream("host_chat_incompatible")), "host_compatibility_gap");
}

TEST_CASE("fault profiles: gateway_rejects_x_api_key (Bearer works) is ready, with the x-api-key refusal as a note") {
    auto o = run_profile(upstream("gateway_rejects_x_api_key"));
    expect_cause(o, "ready");
    REQUIRE(o.notes.size() == 1);
    CHECK(o.notes[0].find("refuses the same key sent as 'x-api-key'") != std::string::npos);
    CHECK(o.notes[0].find("API_KEY_REQUIRED") != std::string::npos);
}

TEST_CASE("fault profiles: gateway_accepts_only_x_api_key (valid key, Bearer refused) is gateway_auth_mismatch") {
    auto o = run_profile(upstream("gateway_accepts_only_x_api_key"));
    expect_cause(o, "gateway_auth_mismatch");
    CHECK(o.rule_id == "gateway-rejects-bearer");
}

TEST_CASE("fault profiles: healthy has no notes") { CHECK(run_profile(upstream("healthy")).notes.empty()); }

TEST_CASE("fault profiles: reverse_proxy_errors (nginx HTML 504 on completions) is host_unreachable quoting the page") {
    ProfileCase pc;
    pc.host_profile = "reverse_proxy_errors";
    auto o = run_profile(pc);
    expect_cause(o, "host_unreachable");
    CHECK(o.rule_id == "gateway-proxy-error");
    CHECK(o.explanation.find("504 Gateway Time-out") != std::string::npos);
}

TEST_CASE("fault profiles: no_fork_key_route is ready (keys come from a user login)") {
    ProfileCase pc;
    pc.host_profile = "no_fork_key_route";
    expect_cause(run_profile(pc), "ready");
}

TEST_CASE("fault profiles: account_probe_429 (one transient 429 per key) is still ready") {
    expect_cause(run_profile(upstream("account_probe_429")), "ready");
}

TEST_CASE("fault profiles: models_only (host forces /v1/responses, upstream direct fine) is host_compatibility_gap") {
    expect_cause(run_profile(upstream("models_only")), "host_compatibility_gap");
}

TEST_CASE("fault profiles: sse_truncated is host_compatibility_gap") {
    expect_cause(run_profile(upstream("sse_truncated")), "host_compatibility_gap");
}

TEST_CASE("fault profiles: keepalive_stall is upstream_unavailable") {
    ProfileRig rig;
    ProfileCase pc;
    pc.upstream_profile = rig.write_profile(
        "keepalive_stall_short",
        R"({"name":"keepalive_stall_short","description":"keepalive_stall with a short stall",)"
        R"("host":{},"upstream":{"stream_mode":"keepalive_stall","stall_max_ms":2000,"keepalive_interval_ms":200}})");
    pc.idle = std::chrono::milliseconds(1000);
    expect_cause(rig.run(pc), "upstream_unavailable");
}

TEST_CASE("fault profiles: upstream_down is upstream_unavailable") {
    expect_cause(run_profile(upstream("upstream_down")), "upstream_unavailable");
}

TEST_CASE("fault profiles: latency (slow but correct upstream) is ready") {
    ProfileRig rig;
    ProfileCase pc;
    pc.upstream_profile = rig.write_profile(
        "latency_small",
        R"({"name":"latency_small","description":"latency, small","host":{},"upstream":{"latency_ms":50}})");
    expect_cause(rig.run(pc), "ready");
}

TEST_CASE("fault profiles: compliance_gate without accept_compliance is host_admin_rejected") {
    ProfileCase pc;
    pc.host_profile = "compliance_gate";
    expect_cause(run_profile(pc), "host_admin_rejected");
}

TEST_CASE("fault profiles: compliance_gate with accept_compliance is ready") {
    ProfileCase pc;
    pc.host_profile = "compliance_gate";
    pc.accept_compliance = true;
    expect_cause(run_profile(pc), "ready");
}

TEST_CASE("fault profiles: shared_host_residue is shared_host_residue") {
    ProfileCase pc;
    pc.host_profile = "shared_host_residue";
    expect_cause(run_profile(pc), "shared_host_residue");
}
