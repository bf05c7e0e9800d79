#include "harness/evidence/junit.hpp"

#include <fmt/format.h>

namespace crm::harness::evidence {

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char ch : text) {
        auto u = static_cast<unsigned char>(ch);
        switch (ch) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            default:
                if (u < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
                    out += "\xEF\xBF\xBD";
                else
                    out += ch;
        }
    }
    return out;
}

namespace {

std::string seconds(std::int64_t ms) { return fmt::format("{:.3f}", static_cast<double>(ms) / 1000.0); }

}  // namespace

std::string junit_xml(const RunSummary& s) {
    int failures = 0, errors = 0, skipped = 0;
    std::int64_t total_ms = 0;
    std::string cases;
    const std::string suite = s.scenario_name.empty() ? std::string("crm-accept") : s.scenario_name;
    for (const auto& c : s.cells) {
        total_ms += c.elapsed_ms;
        std::string cause(classify::to_string(c.cause));
        std::string body;
        // The gate's word wins where it changes what the cell means for CI (gate.hpp outcomes).
        if (c.not_run) {
            // Never tested, not a failure of the harness: skipped, like every untested cell.
            ++skipped;
            body = "      <skipped message=\"not run: the run was interrupted before this cell started\"/>\n";
        } else if (c.gate_outcome == gate::CellOutcome::expectation_met && c.verdict != classify::Verdict::pass) {
            body = fmt::format("      <system-out>{}</system-out>\n",
                               xml_escape("expected cause met: " + cause + ": " + c.explanation_with_gate()));
        } else if (c.gate_outcome == gate::CellOutcome::known_failure && c.verdict != classify::Verdict::pass) {
            ++skipped;
            body = fmt::format("      <skipped message=\"{}\"/>\n", xml_escape("known failure (baseline): " + cause));
        } else if (c.gate_outcome == gate::CellOutcome::expectation_mismatch ||
                   c.gate_outcome == gate::CellOutcome::stale_baseline) {
            ++failures;
            std::string expected = c.expected_cause ? std::string(classify::to_string(*c.expected_cause)) : "?";
            std::string msg = c.gate_outcome == gate::CellOutcome::stale_baseline
                                  ? "stale baseline: listed failure now " + cause
                                  : "expected " + expected + ", got " + cause;
            body = fmt::format("      <failure message=\"{}\" type=\"{}\">{}</failure>\n", xml_escape(msg),
                               xml_escape(c.gate_word()), xml_escape(c.explanation_with_gate()));
        } else {
            switch (c.verdict) {
                case classify::Verdict::pass:
                    if (classify::is_noted_pass(c.cause)) {
                        body = fmt::format("      <system-out>{}</system-out>\n",
                                           xml_escape(cause + ": " + c.explanation_with_gate()));
                    }
                    break;
                case classify::Verdict::fail:
                    ++failures;
                    body = fmt::format("      <failure message=\"{}\" type=\"fail\">{}</failure>\n", xml_escape(cause),
                                       xml_escape(c.explanation_with_gate()));
                    break;
                case classify::Verdict::error:
                    ++errors;
                    body = fmt::format("      <error message=\"{}\" type=\"error\">{}</error>\n", xml_escape(cause),
                                       xml_escape(c.explanation_with_gate()));
                    break;
                case classify::Verdict::blocked:
                case classify::Verdict::inconclusive:
                    ++skipped;
                    body = fmt::format("      <skipped message=\"{}\"/>\n",
                                       xml_escape(cause + ": " + c.explanation_with_gate()));
                    break;
            }
        }
        std::string open = fmt::format("    <testcase classname=\"{}\" name=\"{}\" time=\"{}\"",
                                       xml_escape("crm-accept." + suite + "." + c.mode), xml_escape(c.provider),
                                       seconds(c.elapsed_ms));
        if (body.empty())
            cases += open + "/>\n";
        else
            cases += open + ">\n" + body + "    </testcase>\n";
    }
    std::string props;
    auto prop = [&](std::string_view name, std::string_view value) {
        props += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_escape(name), xml_escape(value));
    };
    prop("host_kind", s.host_kind);
    prop("host_url", s.host_url);
    prop("host_version", s.host_version);
    prop("scenario_sha256", s.scenario_sha256);
    prop("tool_version", s.tool_version);
    prop("git_sha", s.git_sha);
    prop("gate", s.gate.decision);
    prop("exit_code", std::to_string(s.exit_code));
    std::string counts = fmt::format("tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\" time=\"{}\"",
                                     s.cells.size(), failures, errors, skipped, seconds(total_ms));
    return fmt::format(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"crm-accept\" {}>\n"
        "  <testsuite name=\"{}\" {} timestamp=\"{}\">\n    <properties>\n{}    </properties>\n{}"
        "  </testsuite>\n</testsuites>\n",
        counts, xml_escape(suite), counts, xml_escape(s.started_at), props, cases);
}

}  // namespace crm::harness::evidence
