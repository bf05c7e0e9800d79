#include "harness/evidence/bundle.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <system_error>

#include "harness/gate/gate.hpp"
#include "util/input_file.hpp"

namespace crm::harness::evidence {

namespace fs = std::filesystem;
namespace json = util::json;

namespace {

util::Error invalid(std::string_view source, std::string_view field, std::string_view why) {
    return util::Error{util::ErrorCode::invalid_input, fmt::format("{}: {}: {}", source, field, why), {}, 0, {}};
}

std::string text_at(const json::value* parent, std::string_view key) {
    return parent ? util::get_string(*parent, key).value_or("") : std::string();
}

util::Result<PlannedCell> planned_cell(const json::value& v, std::string_view source, std::size_t i) {
    const auto field = fmt::format("matrix.cells_selected[{}]", i);
    PlannedCell c;
    auto id = util::get_string(v, "cell");
    auto index = util::get_int(v, "index");
    if (!id || id->empty()) return std::unexpected(invalid(source, field + ".cell", "is required"));
    if (!index || *index < 0) return std::unexpected(invalid(source, field + ".index", "must be an integer >= 0"));
    c.id = *id;
    c.index = static_cast<std::size_t>(*index);
    auto mode_name = util::get_string(v, "mode").value_or("");
    auto mode = scenario::parse_mode(mode_name);
    if (!mode) return std::unexpected(invalid(source, field + ".mode", fmt::format("unknown mode '{}'", mode_name)));
    c.mode = *mode;
    c.pack = util::get_string(v, "pack").value_or("");
    c.provider = util::get_string(v, "provider").value_or("");
    c.host = util::get_string(v, "host").value_or("");
    c.profile = util::get_string(v, "profile").value_or("");
    if (auto expected = util::get_string(v, "expected_cause")) {
        c.expected_cause = classify::parse_cause(*expected);
        if (!c.expected_cause)
            return std::unexpected(
                invalid(source, field + ".expected_cause", fmt::format("unknown cause '{}'", *expected)));
    }
    if (const auto* a = util::find(v, "artifacts")) c.artifacts = *a;
    return c;
}

}  // namespace

const PlannedCell* RunRecord::find(std::string_view id) const {
    auto it = std::find_if(cells.begin(), cells.end(), [&](const PlannedCell& c) { return c.id == id; });
    return it == cells.end() ? nullptr : &*it;
}

const RecordedHost* RunRecord::host_of(const PlannedCell& cell) const {
    auto it = std::find_if(hosts.begin(), hosts.end(), [&](const RecordedHost& h) { return h.name == cell.host; });
    return it == hosts.end() ? nullptr : &*it;
}

util::Result<RunRecord> run_record_from_json(const json::value& v, std::string_view source) {
    if (!v.is_object()) return std::unexpected(invalid(source, "document", "not a JSON object"));
    auto version = util::get_int(v, "schema_version");
    if (version != k_schema_version)
        return std::unexpected(
            invalid(source, "schema_version",
                    version ? fmt::format("{} is not supported (this build reads {})", *version, k_schema_version)
                            : std::string("is missing")));
    RunRecord r;
    r.status = util::get_string(v, "status").value_or("");
    if (r.status != "complete" && r.status != "incomplete")
        return std::unexpected(invalid(source, "status", fmt::format("'{}' is not complete|incomplete", r.status)));
    r.interrupted = util::get_bool(v, "interrupted").value_or(false);
    const auto* sc = util::find(v, "scenario");
    r.scenario_name = text_at(sc, "name");
    r.scenario_path = text_at(sc, "path");
    r.scenario_sha256 = text_at(sc, "sha256");
    r.label = util::get_string(v, "label").value_or("");
    const auto* host = util::find(v, "host");
    r.host_kind = text_at(host, "kind");
    r.host_url = text_at(host, "url");
    r.host_version = text_at(host, "version");
    r.started_at = util::get_string(v, "started_at").value_or("");
    r.ended_at = util::get_string(v, "ended_at").value_or("");
    r.timezone = util::get_string(v, "timezone").value_or("");
    r.clock_override = util::get_string(v, "clock_override").value_or("");
    r.engine_state = util::get_string(v, "engine_state").value_or("");
    const auto* engine = util::find(v, "engine");
    r.engine_via = text_at(engine, "via");
    r.engine_url = text_at(engine, "url");
    if (const auto* m = util::find(v, "matrix")) {
        r.cells_total =
            static_cast<std::size_t>(std::max<std::int64_t>(0, util::get_int(*m, "cells_total").value_or(0)));
        const auto* sel = util::find(*m, "selection");
        r.only = text_at(sel, "only");
        r.shard = text_at(sel, "shard");
        r.rerun_failed = text_at(sel, "rerun_failed");
        if (const auto* hosts = util::find(*m, "hosts"); hosts && hosts->is_array()) {
            for (const auto& h : hosts->get_array()) {
                r.hosts.push_back(
                    RecordedHost{text_at(&h, "name"), text_at(&h, "kind"), text_at(&h, "url"), text_at(&h, "profile")});
            }
        }
        if (const auto* cells = util::find(*m, "cells_selected"); cells && cells->is_array()) {
            for (std::size_t i = 0; i < cells->get_array().size(); ++i) {
                CRM_TRY(c, planned_cell(cells->get_array()[i], source, i));
                r.cells.push_back(std::move(c));
            }
        }
    }
    // Bundles written before cells recorded their host ran against the first (only) host.
    for (auto& c : r.cells) {
        if (c.host.empty() && !r.hosts.empty()) c.host = r.hosts.front().name;
    }
    std::sort(r.cells.begin(), r.cells.end(),
              [](const PlannedCell& a, const PlannedCell& b) { return a.index < b.index; });
    r.json = v;
    return r;
}

util::Result<RunRecord> Bundle::read_run(const fs::path& dir) {
    const auto path = dir / "00-run.json";
    std::error_code ec;
    if (!fs::exists(path, ec))
        return util::fail(util::ErrorCode::not_found, fmt::format("{}: not a bundle (no 00-run.json)", dir.string()));
    CRM_TRY(text, util::read_input_file(path, util::k_max_bundle_record_bytes));
    CRM_TRY(v, util::parse_json(text, path.string()));
    return run_record_from_json(v, path.string());
}

util::Result<Bundle> Bundle::open(const fs::path& dir) {
    CRM_TRY(run, read_run(dir));
    return open(dir, std::move(run));
}

util::Result<Bundle> Bundle::open(const fs::path& dir, RunRecord run) {
    Bundle b;
    b.dir = dir;
    b.run = std::move(run);
    std::map<std::string, std::size_t> by_id;
    for (const auto& plan : b.run.cells) {
        by_id[plan.id] = b.cells.size();
        b.cells.push_back(BundleCell{plan, false, std::nullopt});
    }
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->symlink_status(ec).type() != fs::file_type::directory) continue;
        const auto id = it->path().filename().string();
        auto found = by_id.find(id);
        if (found == by_id.end())
            return util::fail(
                util::ErrorCode::invalid_input,
                fmt::format("{}: cell folder {} is not in the matrix 00-run.json records", dir.string(), id));
        auto& cell = b.cells[found->second];
        cell.folder_present = true;
        const auto summary_path = it->path() / "21-summary.json";
        if (!fs::exists(summary_path, ec)) continue;  // started, never finished
        CRM_TRY(text, util::read_input_file(summary_path, util::k_max_bundle_record_bytes));
        CRM_TRY(v, util::parse_json(text, summary_path.string()));
        auto summary = cell_from_json(v, summary_path.string());
        if (!summary) return std::unexpected(summary.error());
        if (summary->folder() != id)
            return util::fail(
                util::ErrorCode::invalid_input,
                fmt::format("{}: names cell {}, not its folder {}", summary_path.string(), summary->folder(), id));
        cell.summary = std::move(*summary);
    }
    if (ec)
        return util::fail(util::ErrorCode::io,
                          fmt::format("{}: cannot list the bundle: {}", dir.string(), ec.message()));
    return b;
}

std::vector<std::string> Bundle::passed_cells() const {
    std::vector<std::string> out;
    for (const auto& c : cells) {
        if (!c.summary || c.summary->not_run || c.summary->interrupted) continue;
        if (gate::outcome_passes(c.summary->gate_outcome)) out.push_back(c.plan.id);
    }
    return out;
}

}  // namespace crm::harness::evidence
