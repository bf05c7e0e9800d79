#include "harness/runner/cell_plan.hpp"

#include <fmt/format.h>

namespace crm::harness::runner {

std::string mode_state_artifact(scenario::Mode mode) {
    return mode == scenario::Mode::self_service ? "08-self-service-state.json" : "08-subscription-group-state.json";
}

const char* to_string(StepPhase phase) noexcept {
    switch (phase) {
        case StepPhase::provision:
            return "provision";
        case StepPhase::probe:
            return "probe";
        case StepPhase::rollback:
            return "rollback";
        case StepPhase::summary:
            return "summary";
    }
    return "unknown";
}

const char* to_string(StepTarget target) noexcept {
    switch (target) {
        case StepTarget::local:
            return "local";
        case StepTarget::host:
            return "host";
        case StepTarget::upstream:
            return "upstream";
    }
    return "unknown";
}

const std::string& PlannedStep::file(std::string_view suffix) const {
    static const std::string k_none;
    for (const auto& f : files) {
        if (f.ends_with(suffix)) return f;
    }
    return files.empty() ? k_none : files.front();
}

std::vector<PlannedStep> plan_cell(const matrix::Cell& cell, const scenario::StepSwitches& sw) {
    using A = StepAction;
    std::vector<PlannedStep> p;
    StepPhase phase = StepPhase::provision;
    auto add = [&](int n, StepAction action, std::string step, std::vector<std::string> files, std::string desc,
                   StepTarget target = StepTarget::host) {
        PlannedStep s{n, std::move(step), std::move(files), true, target != StepTarget::local, {}, std::move(desc)};
        s.action = action;
        s.phase = phase;
        s.target = target;
        p.push_back(std::move(s));
    };
    auto switched = [&](bool on, std::string_view name) {
        p.back().enabled = on;
        if (!on) p.back().skip_reason = fmt::format("steps.{} is false", name);
    };
    add(0, A::cell, "cell", {"00-cell.json"},
        "resolved cell: scenario + sha256, mode, provider, pack, host, tool version", StepTarget::local);
    add(1, A::host_health, "host_health", {"01-host-health.json"}, "GET /health, GET /api/v1/settings/public");
    add(2, A::host_capabilities, "host_capabilities", {"02-host-capabilities.json"},
        "admin auth, compliance gate, channels, key route, platforms");
    add(3, A::pack, "pack", {"03-pack.json"}, "resolved provider definition (secrets redacted)", StepTarget::local);
    add(4, A::preview, "preview", {"04-preview.json"}, "host changes the engine plans (dry run)");
    add(5, A::import, "import", {"05-import.json"}, "import batch: groups, accounts, channel");
    phase = StepPhase::probe;
    add(6, A::account_probe, "account_probe", {"06-account-probe.json"},
        "POST /api/v1/admin/accounts/:id/test per account");
    add(7, A::access_status, "access_status", {"07-access-status.json"},
        "access closure: user, balance/subscription, key, ready rule");
    add(8, A::mode_state, "mode_state", {mode_state_artifact(cell.mode)},
        "host read-back of user, group, subscription, key binding");
    add(9, A::models, "models", {"09-models.headers.txt", "09-models.json"},
        "gateway GET /v1/models (Authorization: Bearer)");
    add(10, A::chat, "chat", {"10-chat.headers.txt", "10-chat.json"}, "gateway non-stream completion smoke");
    add(11, A::chat_stream, "chat_stream", {"11-chat-stream.sse", "11-chat-stream.json"},
        "gateway stream smoke: framing, [DONE], usage");
    switched(sw.stream_smoke, "stream_smoke");
    add(12, A::accounts_state, "accounts_state", {"12-accounts-state.json"},
        "host read-back of the provider's accounts");
    add(13, A::reconcile, "reconcile", {"13-reconcile.json"}, "engine reconcile: owned drift vs shared-host residue");
    switched(sw.reconcile, "reconcile");
    add(17, A::upstream_models, "upstream_models", {"17-upstream-models.headers.txt", "17-upstream-models.json"},
        "upstream GET /models with the provider key", StepTarget::upstream);
    switched(sw.upstream_probes, "upstream_probes");
    p.back().starts_after = 8;
    add(19, A::upstream_chat, "upstream_chat", {"19-upstream-chat.headers.txt", "19-upstream-chat.json"},
        "upstream POST /chat/completions, same payload as 10", StepTarget::upstream);
    switched(sw.upstream_probes, "upstream_probes");
    p.back().starts_after = 8;
    phase = StepPhase::rollback;
    add(20, A::rollback, "rollback", {"20-rollback.json"}, "rollback + host read-back proving nothing owned is left");
    switched(sw.rollback, "rollback");
    phase = StepPhase::summary;
    add(21, A::summary, "summary", {"21-summary.json", "21-summary.md"},
        "cell verdict: cause, verdict, explanation, evidence", StepTarget::local);
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
        o["phase"] = to_string(s.phase);
        o["target"] = to_string(s.target);
        if (!s.enabled) o["skip_reason"] = s.skip_reason;
        o["description"] = s.description;
        arr.push_back(std::move(o));
    }
    return arr;
}

}  // namespace crm::harness::runner
