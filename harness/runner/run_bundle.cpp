#include "harness/runner/run_bundle.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "util/files.hpp"
#include "util/sha256.hpp"

namespace crm::harness::runner {

namespace fs = std::filesystem;
namespace json = util::json;

util::Result<RunBundle> RunBundle::create(const fs::path& out_root, std::string_view scenario_name,
                                          std::string_view label, util::SecretRegistry& secrets) {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &tm);
    std::string base = fmt::format("{}_{}", stamp, scenario_name);
    if (!label.empty()) base += fmt::format("_{}", label);
    std::error_code ec;
    fs::create_directories(out_root, ec);
    if (ec)
        return util::fail(util::ErrorCode::io, fmt::format("cannot create {}: {}", out_root.string(), ec.message()));
    for (int n = 1; n < 1000; ++n) {
        fs::path dir = out_root / (n == 1 ? base : fmt::format("{}_{}", base, n));
        if (fs::create_directory(dir, ec)) return RunBundle(dir, secrets);
        if (ec) return util::fail(util::ErrorCode::io, fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    }
    return util::fail(util::ErrorCode::io, "too many bundles with the same timestamp");
}

RunBundle RunBundle::at(fs::path dir, util::SecretRegistry& secrets) { return RunBundle(std::move(dir), secrets); }

util::Result<void> RunBundle::write_json(std::string_view rel_path, const json::value& value) {
    json::value v = value;
    if (v.is_object() && !v.as_object().contains("schema_version")) {
        // schema_version first, for readers that look at the head of the file.
        json::object o;
        o["schema_version"] = 1;
        for (auto& kv : v.as_object()) o[kv.key()] = kv.value();
        v = std::move(o);
    }
    return write_text(rel_path, util::pretty(v));
}

util::Result<void> RunBundle::write_text(std::string_view rel_path, std::string_view text) {
    return util::write_atomic(m_dir / fs::path(rel_path), m_secrets->scrub(text));
}

namespace {

std::vector<std::string> bundle_files(const fs::path& dir) {
    std::vector<std::string> files;
    std::error_code ec;
    for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator(); ++it) {
        if (!it->is_regular_file()) continue;
        auto rel = fs::relative(it->path(), dir).generic_string();
        if (rel.find(".tmp.") != std::string::npos) continue;
        files.push_back(rel);
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

util::Result<void> RunBundle::write_manifest() {
    std::string manifest;
    for (const auto& rel : bundle_files(m_dir)) {
        if (rel == "MANIFEST.sha256") continue;
        auto sha = util::sha256_file(m_dir / rel);
        if (!sha) return std::unexpected(sha.error());
        manifest += fmt::format("{}  {}\n", *sha, rel);
    }
    return util::write_atomic(m_dir / "MANIFEST.sha256", manifest);
}

util::Result<std::vector<AuditHit>> RunBundle::audit() const {
    std::vector<AuditHit> hits;
    for (const auto& rel : bundle_files(m_dir)) {
        auto text = util::read_file(m_dir / rel);
        if (!text) return std::unexpected(text.error());
        for (auto& leak : m_secrets->find_leaks(*text)) hits.push_back({rel, std::move(leak)});
    }
    return hits;
}

json::value summary_json(const RunSummaryInput& in) {
    json::object o;
    o["schema_version"] = 1;
    o["scenario"] = json::object{{"name", in.scenario_name}, {"path", in.scenario_path}, {"sha256", in.scenario_sha256}};
    o["label"] = in.label;
    o["started_at"] = in.started_at;
    o["finished_at"] = in.finished_at;
    o["complete"] = in.complete;
    o["interrupted"] = in.interrupted;
    o["verdict"] = in.interrupted ? "interrupted" : in.gate.passed ? "passed" : "failed";
    o["exit_code"] = in.exit_code;
    o["gate"] = in.gate.to_json();
    json::object counts;
    json::array cells;
    for (const auto& c : in.cells) {
        auto v = c.to_json();
        v.as_object().erase("steps");
        cells.push_back(std::move(v));
        auto key = c.started ? c.verdict : std::string("not_run");
        counts[key] = (counts.contains(key) ? counts[key].as_int64() : 0) + 1;
    }
    o["counts"] = std::move(counts);
    o["cells"] = std::move(cells);
    return o;
}

std::string summary_markdown(const RunSummaryInput& in) {
    std::string md = fmt::format("# crm-accept run: {}{}\n\n", in.scenario_name,
                                 in.label.empty() ? "" : " (" + in.label + ")");
    md += fmt::format("- scenario: `{}` (sha256 `{}`)\n- started: {}\n- finished: {}\n- gate: **{}** (exit {})\n",
                      in.scenario_path, in.scenario_sha256, in.started_at, in.finished_at,
                      in.interrupted ? "INTERRUPTED" : in.gate.passed ? "PASSED" : "FAILED", in.exit_code);
    if (!in.complete) md += "- **bundle incomplete**: this run did not finish and proves nothing\n";
    md += "\n| cell | mode | provider | cause | verdict | expected | gate | ms |\n|---|---|---|---|---|---|---|---|\n";
    for (std::size_t i = 0; i < in.cells.size(); ++i) {
        const auto& c = in.cells[i];
        std::string gate_s = !c.started ? "not run" : i < in.gate.cells.size() ? gate::to_string(in.gate.cells[i].outcome) : "-";
        md += fmt::format("| [{}]({}/21-summary.md) | {} | {} | `{}` | {} | {} | {} | {:.0f} |\n", c.cell.id, c.cell.id,
                          scenario::to_string(c.cell.mode), c.cell.provider, c.cause, c.verdict,
                          c.cell.expected_cause.value_or("-"), gate_s, c.elapsed_ms);
    }
    if (!in.gate.notes.empty()) {
        md += "\n## Notes\n\n";
        for (const auto& n : in.gate.notes) md += fmt::format("- {}\n", n);
    }
    return md;
}

namespace {

std::string xml_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

}  // namespace

std::string junit_xml(const RunSummaryInput& in) {
    int failures = 0, skipped = 0;
    for (std::size_t i = 0; i < in.cells.size(); ++i) {
        if (!in.cells[i].started) ++skipped;
        else if (i < in.gate.cells.size() && !in.gate.cells[i].passed) ++failures;
    }
    std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    x += fmt::format("<testsuites name=\"crm-accept\"><testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
                     xml_escape(in.scenario_name), in.cells.size(), failures, skipped);
    for (std::size_t i = 0; i < in.cells.size(); ++i) {
        const auto& c = in.cells[i];
        x += fmt::format("  <testcase classname=\"{}.{}\" name=\"{}\" time=\"{:.3f}\">", xml_escape(in.scenario_name),
                         scenario::to_string(c.cell.mode), xml_escape(c.cell.id), c.elapsed_ms / 1000.0);
        if (!c.started) {
            x += "<skipped message=\"not run: interrupted\"/>";
        } else if (i < in.gate.cells.size() && !in.gate.cells[i].passed) {
            x += fmt::format("<failure message=\"{}\" type=\"{}\">{}</failure>", xml_escape(c.cause), xml_escape(c.verdict),
                             xml_escape(in.gate.cells[i].reason + "\n" + c.explanation));
        }
        x += "</testcase>\n";
    }
    x += "</testsuite></testsuites>\n";
    return x;
}

util::Result<void> write_summaries(RunBundle& bundle, const RunSummaryInput& in) {
    if (auto r = bundle.write_json("summary.json", summary_json(in)); !r) return r;
    if (auto r = bundle.write_text("summary.md", summary_markdown(in)); !r) return r;
    return bundle.write_text("junit.xml", junit_xml(in));
}

util::Result<CellReport> read_cell_report(const fs::path& cell_dir) {
    auto path = cell_dir / "21-summary.json";
    auto text = util::read_file(path);
    if (!text) return std::unexpected(text.error());
    auto v = util::parse_json(*text, path.string());
    if (!v) return std::unexpected(v.error());
    CellReport r;
    r.cell.id = util::get_string(*v, "cell").value_or(cell_dir.filename().string());
    r.cell.index = static_cast<std::size_t>(util::get_int(*v, "index").value_or(0));
    r.cell.host_name = util::get_string(*v, "host").value_or("host");
    r.cell.mode = scenario::parse_mode(util::get_string(*v, "mode").value_or("")).value_or(scenario::Mode::self_service);
    r.cell.pack = util::get_string(*v, "pack").value_or("");
    r.cell.provider = util::get_string(*v, "provider").value_or("");
    r.cell.profile = util::get_string(*v, "profile").value_or("");
    r.cell.expected_cause = util::get_string(*v, "expected_cause");
    r.started = true;
    r.finished = util::get_bool(*v, "finished").value_or(true);
    r.cause = util::get_string(*v, "cause").value_or("harness_error");
    r.verdict = util::get_string(*v, "verdict").value_or("error");
    r.explanation = util::get_string(*v, "explanation").value_or("");
    r.rule_id = util::get_string(*v, "rule_id").value_or("");
    if (const auto* ev = util::find(*v, "evidence"); ev && ev->is_array()) {
        for (const auto& e : ev->get_array()) {
            if (e.is_string()) r.evidence.emplace_back(e.get_string());
        }
    }
    r.imported = util::get_bool(*v, "imported").value_or(false);
    r.rolled_back = util::get_bool(*v, "rolled_back").value_or(false);
    r.started_at = util::get_string(*v, "started_at").value_or("");
    r.elapsed_ms = util::get_number(*v, "elapsed_ms").value_or(0);
    r.network_ms = util::get_number(*v, "network_ms").value_or(0);
    return r;
}

}  // namespace crm::harness::runner
