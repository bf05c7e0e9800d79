#include "harness/runner/cell_plan.hpp"

#include <fmt/format.h>

namespace crm::harness::runner {

std::string mode_state_artifact(scenario::Mode mode) {
    return mode == scenario::Mode::self_service ? "08-self-service-state.json" : "08-subscription-group-state.json";
}

std::vector<PlannedStep> plan_cell(const matrix::Cell& cell, const scenario::StepSwitches& sw) {
    std::vector<PlannedStep> p;
    auto add = [&](int n, std::string step, std::vector<std::string> files, std::string desc, bool enabled = true,
                   std::string why = {}) {
        p.push_back({n, std::move(step), std::move(files), enabled, true, std::move(why), std::move(desc)});
    };
    add(0, "cell", {"00-cell.json"}, "resolved cell: scenario + sha256, mode, provider, pack, host, tool version");
    p.back().touches_network = false;
    add(1, "host_health", {"01-host-health.json"}, "GET /health, GET /api/v1/settings/public");
    add(2, "host_capabilities", {"02-host-capabilities.json"},
        "admin auth, compliance gate, channels, key route, platforms");
    add(3, "pack", {"03-pack.json"}, "resolved provider definition (secrets redacted)");
    p.back().touches_network = false;
    add(4, "preview", {"04-preview.json"}, "host changes the engine plans (dry run)");
    add(5, "import", {"05-import.json"}, "import batch: groups, accounts, channel");
    add(6, "account_probe", {"06-account-probe.json"}, "POST /api/v1/admin/accounts/:id/test per account");
    add(7, "access_status", {"07-access-status.json"}, "access closure: user, balance/subscription, key, ready rule");
    add(8, "mode_state", {mode_state_artifact(cell.mode)}, "host read-back of user, group, subscription, key binding");
    add(9, "models", {"09-models.headers.txt", "09-models.json"}, "gateway GET /v1/models (Authorization: Bearer)");
    add(10, "chat", {"10-chat.headers.txt", "10-chat.json"}, "gateway non-stream completion smoke");
    add(11, "chat_stream", {"11-chat-stream.sse", "11-chat-stream.json"},
        "gateway stream smoke: framing, [DONE], usage", sw.stream_smoke,
        sw.stream_smoke ? "" : "steps.stream_smoke is false");
    add(12, "accounts_state", {"12-accounts-state.json"}, "host read-back of the provider's accounts");
    add(13, "reconcile", {"13-reconcile.json"}, "engine reconcile: owned drift vs shared-host residue", sw.reconcile,
        sw.reconcile ? "" : "steps.reconcile is false");
    add(17, "upstream_models", {"17-upstream-models.headers.txt", "17-upstream-models.json"},
        "upstream GET /models with the provider key", sw.upstream_probes,
        sw.upstream_probes ? "" : "steps.upstream_probes is false");
    add(19, "upstream_chat", {"19-upstream-chat.headers.txt", "19-upstream-chat.json"},
        "upstream POST /chat/completions, same payload as 10", sw.upstream_probes,
        sw.upstream_probes ? "" : "steps.upstream_probes is false");
    add(20, "rollback", {"20-rollback.json"}, "rollback + host read-back proving nothing owned is left", sw.rollback,
        sw.rollback ? "" : "steps.rollback is false");
    add(21, "summary", {"21-summary.json", "21-summary.md"}, "cell verdict: cause, verdict, explanation, evidence");
    p.back().touches_network = false;
    return p;
}

std::string step_name(int number, std::string_view step) { return fmt::format("{:02}-{}", number, step); }

std::vector<evidence::PlannedArtifacts> recorded_artifacts(const std::vector<PlannedStep>& steps) {
    std::vector<evidence::PlannedArtifacts> out;
    for (const auto& s : steps) {
        if (s.enabled) out.push_back({step_name(s.number, s.step), s.files});
    }
    return out;
}

util::json::value plan_to_json(const std::vector<PlannedStep>& steps) {
    util::json::array arr;
    for (const auto& s : steps) {
        util::json::object o;
        o["number"] = s.number;
        o["step"] = s.step;
        util::json::array files;
        for (const auto& f : s.files) files.emplace_back(f);
        o["files"] = std::move(files);
        o["enabled"] = s.enabled;
        o["touches_network"] = s.touches_network;
        if (!s.enabled) o["skip_reason"] = s.skip_reason;
        o["description"] = s.description;
        arr.push_back(std::move(o));
    }
    return arr;
}

}  // namespace crm::harness::runner
