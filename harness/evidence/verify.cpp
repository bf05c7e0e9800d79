#include "harness/evidence/verify.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "harness/evidence/artifact_plan.hpp"
#include "harness/evidence/run_summary.hpp"
#include "util/files.hpp"
#include "util/input_file.hpp"
#include "util/utf8.hpp"

namespace crm::harness::evidence {

namespace fs = std::filesystem;
namespace json = util::json;

namespace {

// Report lines carry paths from the disk: keep them printable as UTF-8 in every summary format.
std::string printable(std::string_view s) { return util::repair_utf8(s); }

// UTF-8 for every file; for *.json: parses, is an object, carries this build's schema_version.
// Returns the parsed 00-run.json when it is readable.
util::Result<std::optional<json::value>> check_contents(const fs::path& dir, const std::vector<std::string>& files,
                                                        std::vector<std::string>& problems) {
    std::optional<json::value> run;
    for (const auto& rel : files) {
        CRM_TRY(text, util::read_file(dir / rel));
        if (auto bad = util::first_invalid_utf8(text)) {
            problems.push_back(fmt::format("{}: not valid UTF-8 (byte {})", printable(rel), *bad));
            continue;
        }
        if (!rel.ends_with(".json")) continue;
        auto doc = util::parse_json(text, rel);
        if (!doc) {
            problems.push_back(fmt::format("{}: not valid JSON", printable(rel)));
            continue;
        }
        const auto* version = doc->is_object() ? doc->get_object().if_contains("schema_version") : nullptr;
        if (!version) {
            problems.push_back(fmt::format("{}: no schema_version", printable(rel)));
            continue;
        }
        if (!version->is_int64() || version->get_int64() != k_schema_version) {
            problems.push_back(fmt::format("{}: unsupported schema_version {} (this build writes {})", printable(rel),
                                           json::serialize(*version), k_schema_version));
            continue;
        }
        if (rel == "00-run.json") run = std::move(*doc);
    }
    return run;
}

}  // namespace

util::Result<VerifyReport> check_bundle(const fs::path& bundle_dir, const util::SecretRegistry* registry) {
    std::error_code ec;
    if (!fs::is_directory(bundle_dir, ec)) {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("{}: not a directory (expected a crm-accept bundle)", bundle_dir.string()));
    }
    auto regular = [&](const fs::path& p) { return fs::symlink_status(p, ec).type() == fs::file_type::regular; };
    const bool has_run = regular(bundle_dir / "00-run.json");
    VerifyReport r;
    r.bundle = bundle_dir;
    r.manifest_present = regular(bundle_dir / k_manifest_name);
    if (!has_run && !r.manifest_present) {
        return util::fail(
            util::ErrorCode::invalid_input,
            fmt::format("{}: not a crm-accept bundle (no 00-run.json, no {})", bundle_dir.string(), k_manifest_name));
    }
    CRM_TRY(tree, scan_bundle_tree(bundle_dir));
    for (const auto& a : tree.anomalies) r.layout_problems.push_back(printable(a));
    if (r.manifest_present) {
        CRM_TRY(mm, check_manifest(bundle_dir));
        r.mismatches = std::move(mm);
    }
    CRM_TRY(hits, audit_bundle(bundle_dir, registry));
    r.audit_hits = std::move(hits);

    std::vector<std::string> files = tree.files;
    if (r.manifest_present) files.push_back(k_manifest_name);
    r.files_checked = files.size();
    auto run = check_contents(bundle_dir, files, r.content_problems);
    if (!run) return std::unexpected(run.error());
    if (*run) {
        r.run_status = util::get_string(**run, "status").value_or("");
        std::set<std::string> present(tree.files.begin(), tree.files.end());
        r.plan_problems = check_artifact_plan(bundle_dir, **run, r.complete(), present);
    }
    return r;
}

util::Result<VerifyReport> verify(const fs::path& bundle_dir) { return check_bundle(bundle_dir, nullptr); }

std::vector<std::string> VerifyReport::problems() const {
    std::vector<std::string> out;
    for (const auto& l : layout_problems) out.push_back("layout: " + l);
    if (!manifest_present && complete()) out.push_back(fmt::format("manifest: {} is missing", k_manifest_name));
    for (const auto& m : mismatches) out.push_back(fmt::format("manifest: {} {}", m.kind, printable(m.path)));
    // The audit counts bytes, not lines: "file: byte N" (as `run`'s audit says "at byte N"), never
    // "file:N", which every reader takes for a line number.
    for (const auto& h : audit_hits) {
        out.push_back(fmt::format("secret: {} at {}: byte {} ({})", h.kind, printable(h.file), h.offset, h.preview));
    }
    for (const auto& c : content_problems) out.push_back("content: " + c);
    for (const auto& p : plan_problems) out.push_back("plan: " + p);
    return out;
}

json::object to_json(const VerifyReport& r) {
    auto strings = [](const std::vector<std::string>& v) {
        json::array a;
        for (const auto& s : v) a.emplace_back(s);
        return a;
    };
    json::array mismatches;
    for (const auto& m : r.mismatches)
        mismatches.emplace_back(json::object{{"path", printable(m.path)}, {"kind", m.kind}});
    json::array hits;
    for (const auto& h : r.audit_hits) hits.emplace_back(to_json(h));
    json::object o;
    o["schema_version"] = 1;
    o["bundle"] = r.bundle.string();
    o["clean"] = r.clean();
    o["trustworthy"] = r.trustworthy();
    o["manifest_present"] = r.manifest_present;
    o["manifest_ok"] = r.manifest_ok();
    o["mismatches"] = std::move(mismatches);
    o["audit_hits"] = std::move(hits);
    o["layout_problems"] = strings(r.layout_problems);
    o["content_problems"] = strings(r.content_problems);
    o["plan_problems"] = strings(r.plan_problems);
    o["problems"] = strings(r.problems());
    o["run_status"] = r.run_status;
    o["complete"] = r.complete();
    o["files_checked"] = r.files_checked;
    return o;
}

std::string describe(const VerifyReport& r) {
    std::string out;
    if (!r.manifest_present && !r.complete()) {
        out += fmt::format("manifest: {} is missing (the run did not finish: a crashed run never writes it)\n",
                           k_manifest_name);
    }
    for (const auto& p : r.problems()) out += p + "\n";
    if (!r.complete()) {
        out += fmt::format("run: 00-run.json status is '{}' (the run did not finish)\n",
                           r.run_status.empty() ? "missing" : r.run_status);
    }
    const char* verdict = r.clean() ? "clean" : r.trustworthy() ? "INCOMPLETE" : "NOT CLEAN";
    out += fmt::format("{}: {} ({} files checked)\n", r.bundle.string(), verdict, r.files_checked);
    return out;
}

std::expected<EarlierBundle, Refusal> read_bundle_record(const fs::path& dir) {
    auto run = Bundle::read_run(dir);
    if (!run) {
        // read_run's not-a-bundle message names the directory already; parse errors name the file.
        auto message = run.error().code == util::ErrorCode::not_found
                           ? run.error().message
                           : fmt::format("{}: {}", dir.string(), run.error().message);
        return std::unexpected(Refusal{RefusalKind::invalid, std::move(message)});
    }
    return EarlierBundle{dir, std::move(*run)};
}

std::expected<EarlierBundle, Refusal> read_earlier_bundle(const fs::path& dir, const EarlierBundleRules& rules) {
    auto b = read_bundle_record(dir);
    if (!b) return b;
    auto refuse = [&](RefusalKind kind, std::string why) {
        return std::unexpected(Refusal{kind, fmt::format("{}: {}", dir.string(), why)});
    };
    const bool complete = b->run.complete();
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
    const auto& sha = b->run.scenario_sha256;
    if (sha.empty() || sha != rules.scenario_sha256)
        return refuse(RefusalKind::invalid,
                      fmt::format("recorded for another scenario (sha256 {} in 00-run.json, expected {})",
                                  sha.empty() ? "missing" : sha.substr(0, 12), rules.scenario_sha256.substr(0, 12)));
    return b;
}

}  // namespace crm::harness::evidence
