#include "harness/evidence/artifact_plan.hpp"

#include <fmt/format.h>

#include <map>

#include "util/files.hpp"
#include "util/input_file.hpp"

namespace crm::harness::evidence {

namespace fs = std::filesystem;
namespace json = util::json;

json::array artifact_plan_json(const std::vector<PlannedArtifacts>& plan) {
    json::array out;
    for (const auto& p : plan) {
        json::array files;
        for (const auto& f : p.files) files.emplace_back(f);
        out.push_back(json::object{{"step", p.step}, {"files", std::move(files)}});
    }
    return out;
}

namespace {

std::optional<std::vector<PlannedArtifacts>> parse_plan(const json::value& v) {
    if (!v.is_array()) return std::nullopt;
    std::vector<PlannedArtifacts> out;
    for (const auto& e : v.get_array()) {
        auto step = util::get_string(e, "step");
        const auto* files = util::find(e, "files");
        if (!step || !files || !files->is_array()) return std::nullopt;
        PlannedArtifacts p{*step, {}};
        for (const auto& f : files->get_array()) {
            if (!f.is_string()) return std::nullopt;
            p.files.emplace_back(f.get_string());
        }
        out.push_back(std::move(p));
    }
    return out;
}

// step name -> "ran" | "skipped" | "failed", from a cell's 21-summary.json; nullopt when it cannot
// be read (verify reports unreadable JSON on its own).
std::optional<std::map<std::string, std::string>> recorded_steps(const fs::path& summary) {
    auto text = util::read_input_file(summary, util::k_max_bundle_record_bytes);
    if (!text) return std::nullopt;
    auto doc = util::parse_json(*text, summary.string());
    if (!doc) return std::nullopt;
    const auto* steps = util::find(*doc, "steps");
    if (!steps || !steps->is_array()) return std::map<std::string, std::string>{};
    std::map<std::string, std::string> out;
    for (const auto& s : steps->get_array()) {
        auto name = util::get_string(s, "name");
        auto state = util::get_string(s, "state");
        if (name && state) out[*name] = *state;
    }
    return out;
}

void check_cell(const fs::path& dir, const std::set<std::string>& files, bool complete, const std::string& id,
                const std::vector<PlannedArtifacts>& plan, bool folder_present, std::vector<std::string>& out) {
    if (!folder_present) {
        if (complete)
            out.push_back(fmt::format("{}/: missing (the run finished: every planned cell has a folder)", id));
        return;
    }
    std::set<std::string> reported;
    auto has = [&](const std::string& file) { return files.contains(id + "/" + file); };
    auto missing = [&](const std::string& file, std::string_view why) {
        if (has(file) || !reported.insert(file).second) return;
        out.push_back(fmt::format("{}/{}: missing ({})", id, file, why));
    };
    missing("00-cell.json", "step 00 runs first in every cell that started");
    if (!has("21-summary.json")) {
        if (complete) missing("21-summary.json", "the run finished: every cell has its summary");
        return;  // an interrupted cell: which steps ran is not recorded
    }
    auto steps = recorded_steps(dir / id / "21-summary.json");
    if (!steps) return;
    for (const auto& p : plan) {
        if (p.step.starts_with("21-")) {
            for (const auto& f : p.files) missing(f, "every cell with a 21-summary.json has all of step 21");
            continue;
        }
        auto it = steps->find(p.step);
        if (it == steps->end()) {
            out.push_back(fmt::format("{}/21-summary.json: planned step {} is not recorded in steps", id, p.step));
            continue;
        }
        if (it->second == "skipped" || it->second == "not_reached") continue;
        for (const auto& f : p.files) missing(f, fmt::format("step {} is recorded as {}", p.step, it->second));
    }
}

}  // namespace

std::vector<std::string> check_artifact_plan(const fs::path& dir, const json::value& run, bool complete,
                                             const std::set<std::string>& files) {
    std::vector<std::string> out;
    std::set<std::string> folders;
    std::error_code ec;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
        if (it->symlink_status(ec).type() == fs::file_type::directory) folders.insert(it->path().filename().string());
    }
    const auto* m = util::find(run, "matrix");
    const auto* cells = m ? util::find(*m, "cells_selected") : nullptr;
    if (!cells || !cells->is_array()) {
        if (complete) out.push_back("00-run.json: records no artifact plan (matrix.cells_selected is missing)");
        return out;
    }
    std::set<std::string> planned;
    for (const auto& c : cells->get_array()) {
        auto id = util::get_string(c, "cell").value_or("");
        if (id.empty()) {
            out.push_back("00-run.json: a matrix.cells_selected entry names no cell");
            continue;
        }
        planned.insert(id);
        const auto* recorded = util::find(c, "artifacts");
        auto plan = recorded ? parse_plan(*recorded) : std::nullopt;
        if (!plan) {
            // Bundles written before the plan was recorded are still readable while unfinished;
            // a finished run without its plan cannot be checked, so it does not pass.
            if (complete || recorded)
                out.push_back(fmt::format(
                    "00-run.json: cell {} has no valid artifact plan (matrix.cells_selected[].artifacts)", id));
            continue;
        }
        check_cell(dir, files, complete, id, *plan, folders.contains(id), out);
    }
    for (const auto& f : folders) {
        if (!planned.contains(f)) out.push_back(fmt::format("{}/: not a cell of the plan recorded in 00-run.json", f));
    }
    return out;
}

}  // namespace crm::harness::evidence
