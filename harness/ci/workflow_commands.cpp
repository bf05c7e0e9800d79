#include "harness/ci/workflow_commands.hpp"

#include <fmt/format.h>

namespace crm::harness::ci {

namespace {

std::string escape(std::string_view text, bool property) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '%':
                out += "%25";
                break;
            case '\r':
                out += "%0D";
                break;
            case '\n':
                out += "%0A";
                break;
            case ':':
                out += property ? "%3A" : ":";
                break;
            case ',':
                out += property ? "%2C" : ",";
                break;
            default:
                out += c;
        }
    }
    return out;
}

// error: the cell blocks the release; warning: it only keeps the gate from passing.
std::string_view level_of(const evidence::CellSummary& c) {
    if (c.not_run || c.interrupted) return "warning";
    switch (c.gate_outcome) {
        case gate::CellOutcome::not_passing:
        case gate::CellOutcome::not_run:
            return "warning";
        default:
            return "error";
    }
}

std::string command(std::string_view level, std::string_view title, std::string_view message) {
    return fmt::format("::{} title={}::{}\n", level, escape_property(title), escape_data(message));
}

}  // namespace

std::string escape_data(std::string_view text) { return escape(text, false); }
std::string escape_property(std::string_view text) { return escape(text, true); }

std::vector<std::string> annotations(const evidence::RunSummary& summary) {
    std::vector<std::string> out;
    for (const auto& c : summary.cells) {
        if (!c.not_run && !c.interrupted && gate::outcome_passes(c.gate_outcome)) continue;
        const std::string cause =
            c.not_run ? std::string(evidence::k_not_run) : std::string(classify::to_string(c.cause));
        out.push_back(command(level_of(c), fmt::format("crm-accept {}: {}", c.folder(), c.gate_word()),
                              fmt::format("{}: {}", cause, c.explanation_with_gate())));
    }
    if (!summary.gate.passed) {
        out.push_back(command(
            "error",
            fmt::format("crm-accept gate: {}", summary.gate.decision.empty() ? "failed" : summary.gate.decision),
            fmt::format("{} (exit {})", summary.gate.reason, summary.exit_code)));
    }
    return out;
}

}  // namespace crm::harness::ci
