#include "harness/evidence/bundle_writer.hpp"

#include <fmt/format.h>

#include "harness/evidence/clock.hpp"
#include "harness/evidence/junit.hpp"
#include "harness/evidence/manifest.hpp"
#include "util/files.hpp"
#include "util/utf8.hpp"
#include "util/version.hpp"

namespace crm::harness::evidence {

namespace fs = std::filesystem;
namespace json = util::json;

namespace {

// Scrubs every string (and key) of a JSON document, so a secret is replaced even where
// serialisation would escape it differently from its raw form.
json::value scrub_json(const json::value& v, const util::SecretRegistry& secrets) {
    switch (v.kind()) {
        case json::kind::string:
            return json::value(secrets.scrub(v.get_string()));
        case json::kind::array: {
            json::array a;
            for (const auto& e : v.get_array()) a.push_back(scrub_json(e, secrets));
            return a;
        }
        case json::kind::object: {
            json::object o;
            for (const auto& kv : v.get_object()) o[secrets.scrub(kv.key())] = scrub_json(kv.value(), secrets);
            return o;
        }
        default:
            return v;
    }
}

json::value with_schema_version(const json::value& v) {
    if (!v.is_object()) return json::object{{"schema_version", k_schema_version}, {"data", v}};
    const auto& in = v.get_object();
    if (in.contains("schema_version")) return v;
    json::object out;
    out["schema_version"] = k_schema_version;
    for (const auto& kv : in) out[kv.key()] = kv.value();
    return out;
}

}  // namespace

namespace {

// Folder names are printed, listed and uploaded by CI, and the audit reads contents, not names:
// a secret-shaped or registered value never becomes part of one. (Inside the files a registered
// value is scrubbed; a secret-shaped one that is not registered fails the audit.)
std::string folder_part(std::string_view s, const util::SecretRegistry* secrets) {
    bool secret = !util::find_secret_shaped(s).empty() || (secrets && secrets->contains_secret(s));
    return secret ? std::string("redacted") : sanitize_name(s);
}

}  // namespace

std::string bundle_folder_name(const BundleOptions& options, const util::SecretRegistry* secrets) {
    std::string name = bundle_stamp(options.started, options.utc) + "_" +
                       folder_part(options.scenario.empty() ? "run" : options.scenario, secrets);
    if (!options.label.empty()) name += "_" + folder_part(options.label, secrets);
    return name;
}

util::Result<BundleWriter> BundleWriter::create(const BundleOptions& options, const util::SecretRegistry& secrets) {
    Templates templates = builtin_templates();
    if (!options.templates_dir.empty()) {
        CRM_TRY(loaded, load_templates(options.templates_dir));
        templates = std::move(loaded);
    }
    std::error_code ec;
    fs::create_directories(options.root, ec);
    if (ec) {
        return util::fail(util::ErrorCode::io,
                          fmt::format("{}: cannot create bundle root: {}", options.root.string(), ec.message()));
    }
    const std::string base = bundle_folder_name(options, &secrets);
    for (int n = 1; n < 1000; ++n) {
        fs::path dir = options.root / (n == 1 ? base : fmt::format("{}_{}", base, n));
        // create_directory reports "already existed" as false without error: the race-free claim.
        if (fs::create_directory(dir, ec)) {
            // Waiting is right here: the folder is brand new, so the only other holder can be a
            // catalog reader's momentary shared lock.
            CRM_TRY(lock, BundleLock::acquire(dir, /*wait=*/true));
            return BundleWriter(dir, secrets, std::move(templates), std::move(lock));
        }
        if (ec) {
            return util::fail(util::ErrorCode::io,
                              fmt::format("{}: cannot create bundle: {}", dir.string(), ec.message()));
        }
    }
    return util::fail(util::ErrorCode::io, fmt::format("{}: too many bundles named {}", options.root.string(), base));
}

BundleWriter BundleWriter::open(fs::path dir, const util::SecretRegistry& secrets) {
    auto lock = BundleLock::acquire(dir, /*wait=*/false);
    return BundleWriter(std::move(dir), secrets, builtin_templates(), lock ? std::move(*lock) : BundleLock{});
}

util::Result<fs::path> BundleWriter::resolve(std::string_view rel_path) const {
    fs::path rel(rel_path);
    bool ok = !rel_path.empty() && rel.is_relative();
    for (const auto& part : rel) {
        if (part == ".." || part == "." || part.empty()) ok = false;
    }
    if (!ok || rel_path.find('\\') != std::string_view::npos || rel_path.find('\n') != std::string_view::npos) {
        return util::fail(
            util::ErrorCode::invalid_input,
            fmt::format("{}: artifact path must be relative and stay inside the bundle", std::string(rel_path)));
    }
    return m_dir / rel;
}

util::Result<void> BundleWriter::write_text(std::string_view rel_path, std::string_view text) {
    CRM_TRY(path, resolve(rel_path));
    return util::write_atomic(path, util::repair_utf8(m_secrets->scrub(text)));
}

util::Result<void> BundleWriter::write_json(std::string_view rel_path, const json::value& value) {
    CRM_TRY(path, resolve(rel_path));
    json::value doc = with_schema_version(scrub_json(value, *m_secrets));
    return util::write_atomic(path, util::repair_utf8(m_secrets->scrub(util::pretty(doc))));
}

RunSummary BundleWriter::with_provenance(const RunSummary& run) const {
    RunSummary r = run;
    if (r.tool_version.empty()) r.tool_version = util::k_tool_version;
    if (r.git_sha.empty()) r.git_sha = util::k_git_sha;
    return r;
}

util::Result<void> BundleWriter::begin(const RunSummary& run) {
    return write_json("00-run.json", run_json(with_provenance(run), "incomplete"));
}

util::Result<void> BundleWriter::write_cell_summary(const CellSummary& cell, const json::object* observations) {
    const std::string folder = cell.folder();
    json::object doc;
    doc["schema_version"] = k_schema_version;
    doc["kind"] = "crm-accept.cell";
    for (const auto& kv : to_json(cell)) doc[kv.key()] = kv.value();
    if (observations) doc["observations"] = *observations;
    if (auto r = write_json(folder + "/21-summary.json", doc); !r) return r;
    std::set<std::string> present;
    std::error_code ec;
    for (const auto& a : cell.artifacts) {
        if (fs::is_regular_file(m_dir / folder / a, ec)) present.insert(a);
    }
    auto md = render_cell_summary_md(cell, present, m_templates);
    if (!md) return std::unexpected(md.error());
    return write_text(folder + "/21-summary.md", *md);
}

util::Result<void> BundleWriter::write_run_files(const RunSummary& run, const std::string& status) {
    if (auto r = write_json("summary.json", summary_json(run, status)); !r) return r;
    auto md = render_summary_md(run, status, m_templates);
    if (!md) return std::unexpected(md.error());
    if (auto r = write_text("summary.md", *md); !r) return r;
    if (auto r = write_text("junit.xml", junit_xml(run)); !r) return r;
    // Rendered from the files just written (artifacts quoted as they are on disk), and stamped with
    // the evidence clock so the age it states agrees with every other timestamp of the bundle.
    auto html = render_report_html(run, status, m_templates, ReportContext{m_dir, now()});
    if (!html) return std::unexpected(html.error());
    if (auto r = write_text("report.html", *html); !r) return r;
    // 00-run.json flips to complete only now, after everything it vouches for exists.
    if (auto r = write_json("00-run.json", run_json(run, status)); !r) return r;
    CRM_TRY(entries, compute_manifest(m_dir));
    return util::write_atomic(m_dir / k_manifest_name, format_manifest(entries));
}

util::Result<FinalizeResult> BundleWriter::finalize(const RunSummary& run_in, bool complete) {
    RunSummary run = with_provenance(run_in);
    const std::string status = complete ? "complete" : "incomplete";
    CRM_TRY_VOID(write_run_files(run, status));
    FinalizeResult result;
    result.manifest = m_dir / k_manifest_name;
    // Exactly what `crm-accept verify` checks, plus the registered values: a bundle this run calls
    // clean is one verify passes.
    auto check = check_bundle(m_dir, m_secrets);
    if (!check) return std::unexpected(check.error());
    if (!check->trustworthy()) {
        // The bundle itself must say that it failed: a reader of summary.json or report.html
        // alone must never see "passed" on evidence that verify rejects.
        mark_bundle_failed(run, check->audit_hits.size(), check->problems());
        CRM_TRY_VOID(write_run_files(run, status));
        check = check_bundle(m_dir, m_secrets);
        if (!check) return std::unexpected(check.error());
    }
    result.check = std::move(*check);
    result.summary = std::move(run);
    m_lock.release();
    return result;
}

util::Result<std::vector<AuditHit>> BundleWriter::audit() const { return audit_bundle(m_dir, m_secrets); }

}  // namespace crm::harness::evidence
