#include "harness/evidence/verify.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "util/files.hpp"

namespace crm::harness::evidence {

namespace fs = std::filesystem;
namespace json = util::json;

util::Result<VerifyReport> verify(const fs::path& bundle_dir) {
    std::error_code ec;
    if (!fs::is_directory(bundle_dir, ec)) {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("{}: not a directory (expected a crm-accept bundle)", bundle_dir.string()));
    }
    const bool has_run = fs::is_regular_file(bundle_dir / "00-run.json", ec);
    VerifyReport r;
    r.bundle = bundle_dir;
    r.manifest_present = fs::is_regular_file(bundle_dir / k_manifest_name, ec);
    if (!has_run && !r.manifest_present) {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("{}: not a crm-accept bundle (no 00-run.json, no {})", bundle_dir.string(),
                                      k_manifest_name));
    }
    if (r.manifest_present) {
        auto mm = check_manifest(bundle_dir);
        if (!mm) return std::unexpected(mm.error());
        r.mismatches = std::move(*mm);
    }
    auto hits = audit_bundle(bundle_dir, nullptr);
    if (!hits) return std::unexpected(hits.error());
    r.audit_hits = std::move(*hits);

    auto files = list_bundle_files(bundle_dir);
    if (!files) return std::unexpected(files.error());
    r.files_checked = files->size() + (r.manifest_present ? 1 : 0);
    for (const auto& rel : *files) {
        if (!rel.ends_with(".json")) continue;
        auto text = util::read_file(bundle_dir / rel);
        if (!text) return std::unexpected(text.error());
        auto doc = util::parse_json(*text, rel);
        if (!doc) {
            r.missing_schema_version.push_back(fmt::format("{}: not valid JSON", rel));
            continue;
        }
        if (!doc->is_object() || !doc->get_object().contains("schema_version")) {
            r.missing_schema_version.push_back(fmt::format("{}: no schema_version", rel));
            continue;
        }
        if (rel == "00-run.json") r.run_status = util::get_string(*doc, "status").value_or("");
    }
    return r;
}

json::object to_json(const VerifyReport& r) {
    json::array mismatches;
    for (const auto& m : r.mismatches) mismatches.emplace_back(json::object{{"path", m.path}, {"kind", m.kind}});
    json::array hits;
    for (const auto& h : r.audit_hits) hits.emplace_back(to_json(h));
    json::array schema;
    for (const auto& s : r.missing_schema_version) schema.emplace_back(s);
    json::object o;
    o["schema_version"] = 1;
    o["bundle"] = r.bundle.string();
    o["clean"] = r.clean();
    o["trustworthy"] = r.trustworthy();
    o["manifest_present"] = r.manifest_present;
    o["manifest_ok"] = r.manifest_ok();
    o["mismatches"] = std::move(mismatches);
    o["audit_hits"] = std::move(hits);
    o["schema_problems"] = std::move(schema);
    o["run_status"] = r.run_status;
    o["complete"] = r.complete();
    o["files_checked"] = r.files_checked;
    return o;
}

std::string describe(const VerifyReport& r) {
    std::string out;
    if (!r.manifest_present) {
        out += fmt::format("manifest: {} is missing{}\n", k_manifest_name,
                           r.complete() ? "" : " (the run did not finish: a crashed run never writes it)");
    }
    for (const auto& m : r.mismatches) out += fmt::format("manifest: {} {}\n", m.kind, m.path);
    // The audit counts bytes, not lines: "file: byte N" (as `run`'s audit says "at byte N"), never
    // "file:N", which every reader takes for a line number.
    for (const auto& h : r.audit_hits) {
        out += fmt::format("secret: {} at {}: byte {} ({})\n", h.kind, h.file, h.offset, h.preview);
    }
    for (const auto& s : r.missing_schema_version) out += fmt::format("schema: {}\n", s);
    if (!r.complete()) {
        out += fmt::format("run: 00-run.json status is '{}' (the run did not finish)\n",
                           r.run_status.empty() ? "missing" : r.run_status);
    }
    const char* verdict = r.clean() ? "clean" : r.trustworthy() ? "INCOMPLETE" : "NOT CLEAN";
    out += fmt::format("{}: {} ({} files checked)\n", r.bundle.string(), verdict, r.files_checked);
    return out;
}

std::expected<EarlierBundle, Refusal> read_bundle_record(const fs::path& dir) {
    auto invalid = [&](std::string why) {
        return std::unexpected(Refusal{RefusalKind::invalid, fmt::format("{}: {}", dir.string(), why)});
    };
    auto text = util::read_file(dir / "00-run.json");
    if (!text) return invalid("not a bundle (no 00-run.json)");
    auto run = util::parse_json(*text, "00-run.json");
    if (!run) return invalid(run.error().message);
    EarlierBundle b;
    b.dir = dir;
    b.status = util::get_string(*run, "status").value_or("");
    if (const auto* sc = util::find(*run, "scenario")) b.scenario_sha256 = util::get_string(*sc, "sha256").value_or("");
    if (const auto* m = util::find(*run, "matrix")) {
        b.cells_total = static_cast<std::size_t>(std::max<std::int64_t>(0, util::get_int(*m, "cells_total").value_or(0)));
        if (const auto* sel = util::find(*m, "selection")) {
            b.only = util::get_string(*sel, "only").value_or("");
            b.shard = util::get_string(*sel, "shard").value_or("");
            b.rerun_failed = util::get_string(*sel, "rerun_failed").value_or("");
        }
    }
    b.run = std::move(*run);
    return b;
}

std::expected<EarlierBundle, Refusal> read_earlier_bundle(const fs::path& dir, const EarlierBundleRules& rules) {
    auto b = read_bundle_record(dir);
    if (!b) return b;
    auto refuse = [&](RefusalKind kind, std::string why) {
        return std::unexpected(Refusal{kind, fmt::format("{}: {}", dir.string(), why)});
    };
    const bool complete = b->status == "complete";
    std::error_code ec;
    if (fs::is_regular_file(dir / k_manifest_name, ec)) {
        auto mm = check_manifest(dir);
        if (!mm) return refuse(RefusalKind::invalid, mm.error().message);
        if (!mm->empty())
            return refuse(RefusalKind::untrustworthy,
                          fmt::format("{} {} (MANIFEST.sha256 does not match)", mm->front().path, mm->front().kind));
    } else if (complete) {
        // A finished run always writes its manifest last; without one nothing can be trusted.
        return refuse(RefusalKind::untrustworthy, fmt::format("{} is missing", k_manifest_name));
    }
    if (!complete && !rules.accept_incomplete)
        return refuse(RefusalKind::invalid, "bundle is incomplete (interrupted or crashed run)");
    if (b->scenario_sha256.empty() || b->scenario_sha256 != rules.scenario_sha256)
        return refuse(RefusalKind::invalid,
                      fmt::format("recorded for another scenario (sha256 {} in 00-run.json, expected {})",
                                  b->scenario_sha256.empty() ? "missing" : b->scenario_sha256.substr(0, 12),
                                  rules.scenario_sha256.substr(0, 12)));
    return b;
}

}  // namespace crm::harness::evidence
