#pragma once
// A bundle written through BundleWriter the way `run` writes one (artifact plan recorded in
// 00-run.json, 00-cell.json and 21-summary per cell), with secrets planted in every format, and
// `crm-accept verify` run in-process. Shared by the evidence component tests.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>

#include "harness/cli/command.hpp"
#include "harness/evidence/artifact_plan.hpp"
#include "harness/evidence/bundle_writer.hpp"
#include "harness/evidence/manifest.hpp"
#include "harness/evidence/verify.hpp"
#include "util/files.hpp"
#include "util/random.hpp"

namespace crm::test::bundle {

namespace fs = std::filesystem;
using namespace crm::harness::evidence;
using crm::harness::classify::Cause;

// Shaped like a real user key (sk- + 64 hex) and an admin key; generated, never real.
// Step records from their "NN-name" labels, as a 21-summary.json lists them.
inline std::vector<crm::harness::evidence::StepRecord> steps(
    std::initializer_list<std::pair<std::string, crm::harness::evidence::StepState>> labelled) {
    std::vector<crm::harness::evidence::StepRecord> out;
    for (const auto& [label, state] : labelled) {
        crm::harness::evidence::StepRecord r;
        r.number = std::stoi(label.substr(0, 2));
        r.name = label.substr(3);
        r.state = state;
        out.push_back(std::move(r));
    }
    return out;
}

inline const std::string k_user_key = "sk-" + std::string(32, 'a') + std::string(32, '7');
inline const std::string k_admin_key = "admin-" + std::string(64, 'c');
inline const std::string k_password = "Pa55word-for-probe-user";

inline fs::path scratch_root() {
    auto dir = fs::temp_directory_path() / ("crm-evidence-test-" + crm::util::random_hex(6));
    fs::create_directories(dir);
    return dir;
}

inline RunSummary run_summary() {
    RunSummary s;
    s.scenario_name = "default";
    s.scenario_path = "scenarios/default.json";
    s.scenario_sha256 = std::string(64, 'b');
    s.host_url = "http://127.0.0.1:9";
    s.started_at = "2026-11-24T00:00:00+00:00";
    s.ended_at = "2026-11-24T00:00:05+00:00";
    s.timezone = "UTC";
    // a caller that forgot to redact argv: the writer still scrubs it
    s.argv = {"crm-accept", "run", "--admin-key", k_admin_key};
    CellSummary a;
    a.mode = "self_service";
    a.provider = "deepseek";
    a.pack = "cn@1";
    a.cause = Cause::ready;
    a.verdict = crm::harness::classify::Verdict::pass;
    a.gate_outcome = crm::harness::gate::CellOutcome::passed;
    a.explanation = "Ready.";
    a.artifacts = {"09-models.json", "10-chat.json"};
    a.steps = steps({{"00-cell", StepState::ran},
                     {"09-models", StepState::ran},
                     {"10-chat", StepState::ran},
                     {"08-subscription-group-state", StepState::skipped}});
    CellSummary b = a;
    b.mode = "subscription";
    b.cause = Cause::upstream_key_quota_issue;
    b.verdict = crm::harness::classify::Verdict::blocked;
    b.gate_outcome = crm::harness::gate::CellOutcome::not_passing;
    b.explanation = "Upstream 403 insufficient_user_quota for key " + k_user_key;
    b.steps = steps(
        {{"00-cell", StepState::ran}, {"02-host_capabilities", StepState::ran}, {"11-chat_stream", StepState::ran}});
    s.cells = {a, b};
    s.gate = {false, "blocked", "only environment-blocked cells", {}};
    s.exit_code = 2;
    return s;
}

// 00-run.json's matrix as `run` records it: each cell with the artifacts its steps plan
// (artifact_plan.hpp). `files` maps a step name to its files; 00 and 21 are always planned.
inline crm::util::json::value plan_matrix(const std::vector<CellSummary>& cells,
                                          const std::map<std::string, std::vector<std::string>>& files) {
    crm::util::json::array selected;
    std::size_t index = 0;
    for (const auto& c : cells) {
        std::vector<PlannedArtifacts> plan{{"00-cell", {"00-cell.json"}}};
        for (const auto& st : c.steps) {
            if (auto it = files.find(st.label()); it != files.end()) plan.push_back({st.label(), it->second});
        }
        plan.push_back({"21-summary", {"21-summary.json", "21-summary.md"}});
        selected.push_back(
            crm::util::json::object{{"index", index++}, {"cell", c.folder()}, {"artifacts", artifact_plan_json(plan)}});
    }
    return crm::util::json::object{{"cells_selected", std::move(selected)}};
}

inline const std::map<std::string, std::vector<std::string>> k_step_files{
    {"02-host_capabilities", {"02-host-capabilities.json"}},
    {"08-subscription-group-state", {"08-subscription-group-state.json"}},  // planned, recorded skipped
    {"09-models", {"09-models.json"}},
    {"10-chat", {"10-chat.headers.txt", "10-chat.json"}},
    {"11-chat_stream", {"11-chat-stream.sse"}}};

struct Fixture {
    fs::path root = scratch_root();
    crm::util::SecretRegistry secrets;
    Fixture() {
        secrets.add(k_user_key);
        secrets.add(k_admin_key);
        secrets.add(k_password);
    }
    ~Fixture() {
        std::error_code ec;
        fs::remove_all(root, ec);
    }
    BundleWriter writer(std::string label = "ci") {
        BundleOptions o;
        o.root = root;
        o.scenario = "default";
        o.label = std::move(label);
        o.started = std::chrono::system_clock::time_point(std::chrono::seconds(1795478400));
        o.utc = true;
        auto w = BundleWriter::create(o, secrets);
        REQUIRE(w);
        return std::move(*w);
    }
    // A full run: cell artifacts in every format, with the secrets planted in them, matching the
    // artifact plan recorded in 00-run.json. `before_finalize` runs on the bundle directory after
    // the last cell wrote and before finalize() (what else touched the bundle mid-run).
    FinalizeResult finish_full_bundle(const std::function<void(const fs::path&)>& before_finalize) {
        auto w = writer();
        auto run = run_summary();
        run.matrix = plan_matrix(run.cells, k_step_files);
        REQUIRE(w.begin(run));
        for (const auto& c : run.cells) REQUIRE(w.write_json(c.folder() + "/00-cell.json", crm::util::json::object{}));
        REQUIRE(w.write_json("self_service__deepseek/09-models.json",
                             crm::util::json::object{{"request", {{"authorization", "Bearer " + k_user_key}}},
                                                     {"data", crm::util::json::array{"deepseek-chat"}}}));
        REQUIRE(w.write_text("self_service__deepseek/10-chat.headers.txt",
                             "HTTP/1.1 200 OK\r\nx-echo-key: " + k_user_key + "\r\n"));
        REQUIRE(w.write_json("self_service__deepseek/10-chat.json", crm::util::json::array{1, 2}));
        REQUIRE(w.write_text("subscription__deepseek/11-chat-stream.sse",
                             "data: {\"password\":\"" + k_password + "\"}\n\ndata: [DONE]\n\n"));
        REQUIRE(w.write_json("subscription__deepseek/02-host-capabilities.json",
                             crm::util::json::object{{"x-api-key", k_admin_key}}));
        for (const auto& c : run.cells) REQUIRE(w.write_cell_summary(c));
        if (before_finalize) before_finalize(w.dir());
        auto fin = w.finalize(run);
        REQUIRE(fin);
        return std::move(*fin);
    }
    fs::path write_full_bundle() {
        auto fin = finish_full_bundle({});
        INFO(describe(fin.check));
        CHECK(fin.passed());
        return fin.check.bundle;
    }
};

inline std::string slurp(const fs::path& p) { return crm::util::read_file(p).value(); }

inline crm::harness::ExitCode run_cli(std::vector<std::string> args, std::string& out, std::string& err) {
    std::ostringstream o, e;
    std::atomic<bool> interrupted{false};
    crm::harness::CommandContext ctx{
        o, e, [](std::string_view) { return std::optional<std::string>(); }, interrupted, false, false, {}};
    CLI::App app{"test"};
    crm::harness::register_verify(app, ctx);
    std::vector<const char*> argv{"crm-accept"};
    for (const auto& a : args) argv.push_back(a.c_str());
    app.parse(static_cast<int>(argv.size()), argv.data());
    REQUIRE(ctx.action);
    auto code = ctx.action();
    out = o.str();
    err = e.str();
    return code;
}

}  // namespace crm::test::bundle
