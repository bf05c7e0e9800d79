#include "harness/catalog/bundle_entry.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <map>

#include "harness/evidence/bundle.hpp"
#include "harness/evidence/bundle_lock.hpp"
#include "harness/evidence/manifest.hpp"
#include "harness/evidence/run_summary.hpp"
#include "harness/evidence/verify.hpp"
#include "util/input_file.hpp"
#include "util/json.hpp"
#include "util/sha256.hpp"

namespace crm::harness::catalog {

namespace fs = std::filesystem;

namespace {

constexpr std::array<std::pair<Trust, std::string_view>, 4> k_trust_names{{
    {Trust::trusted, "trusted"},
    {Trust::incomplete, "incomplete"},
    {Trust::untrusted, "untrusted"},
    {Trust::unreadable, "unreadable"},
}};

// What a walk of the folder sees, stat only (lstat: a symlink is counted, never followed).
struct TreeStat {
    std::uint64_t entries = 0;
    std::uint64_t file_bytes = 0;
    std::int64_t newest_mtime_ns = 0;
};

TreeStat stat_tree(const fs::path& dir) {
    TreeStat t;
    auto note = [&t](const fs::path& p) {
        struct ::stat st {};
        if (::lstat(p.c_str(), &st) != 0) return;
        ++t.entries;
        if (S_ISREG(st.st_mode)) t.file_bytes += static_cast<std::uint64_t>(st.st_size);
        // A folder's own mtime moves when an entry is added, removed or renamed into it (every
        // atomic write renames), so folders are part of the fingerprint too.
        const std::int64_t ns = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
        t.newest_mtime_ns = std::max(t.newest_mtime_ns, ns);
    };
    note(dir);
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec), end; !ec && it != end;
         it.increment(ec)) {
        note(it->path());
    }
    return t;
}

std::string manifest_hash(const fs::path& dir) {
    std::error_code ec;
    const auto path = dir / evidence::k_manifest_name;
    if (!fs::is_regular_file(fs::symlink_status(path, ec))) return {};
    auto hash = util::sha256_file(path);
    return hash ? *hash : std::string{};
}

// 00-cell.json's started_at: the typed reader has no model of 00-cell.json (its steps are the
// runner's), and this one field is all the catalog needs from it.
std::string cell_started_at(const fs::path& cell_dir) {
    std::error_code ec;
    const auto path = cell_dir / "00-cell.json";
    if (!fs::is_regular_file(path, ec)) return {};
    auto text = util::read_input_file(path, util::k_max_bundle_record_bytes);
    if (!text) return {};
    auto v = util::parse_json(*text, path.string());
    if (!v) return {};
    return util::get_string(*v, "started_at").value_or("");
}

CellEntry cell_entry(const evidence::Bundle& bundle, const evidence::BundleCell& c) {
    CellEntry e;
    e.id = c.plan.id;
    e.host_name = c.plan.host;
    if (const auto* host = bundle.run.host_of(c.plan)) {
        e.host_key = host_key(host->kind, host->url, bundle.run.scenario_name, host->name);
    } else {
        e.host_key = host_key(bundle.run.host_kind, bundle.run.host_url, bundle.run.scenario_name, c.plan.host);
    }
    e.mode = c.plan.mode;
    e.provider = c.plan.provider;
    e.expected_cause = c.plan.expected_cause;
    if (c.folder_present) e.started_at = cell_started_at(bundle.dir / c.plan.id);
    if (c.summary) {
        const auto& s = *c.summary;
        e.finished = true;
        if (!s.not_run) {
            e.cause = s.cause;
            e.verdict = s.verdict;
        }
        if (s.expected_cause) e.expected_cause = s.expected_cause;
        e.gate_outcome = s.gate_outcome;
        e.gate_word = std::string(s.gate_word());
        e.explanation = s.explanation;
        e.elapsed_ms = s.elapsed_ms;
    } else {
        e.gate_word = std::string(evidence::k_not_run);
    }
    return e;
}

// summary.json exists only once the run finished; without it (or when it does not read) the gate
// fields stay empty and exit_code -1. Its trust is verify's business, not this reader's.
void read_gate(BundleEntry& e) {
    std::error_code ec;
    const auto path = e.dir / "summary.json";
    if (!fs::is_regular_file(path, ec)) return;
    auto text = util::read_input_file(path, util::k_max_bundle_record_bytes);
    if (!text) return;
    auto v = util::parse_json(*text, path.string());
    if (!v) return;
    auto summary = evidence::run_summary_from_json(*v, path.string());
    if (!summary) return;
    e.gate_decision = summary->gate.decision;
    e.gate_passed = summary->gate.passed;
    e.exit_code = summary->exit_code;
}

void judge_trust(BundleEntry& e) {
    if (e.writing) {
        // Verifying a bundle mid-write would only report files that are not there yet.
        e.trust = Trust::incomplete;
        e.trust_reason = "a run is writing it (its write lock is held)";
        return;
    }
    auto report = evidence::check_bundle(e.dir, nullptr);
    if (!report) {
        e.trust = Trust::unreadable;
        e.trust_reason = report.error().message;
        return;
    }
    if (!report->trustworthy()) {
        const auto problems = report->problems();
        e.trust = Trust::untrusted;
        e.trust_reason = problems.empty() ? "verify failed" : problems.front();
        return;
    }
    if (!report->complete()) {
        e.trust = Trust::incomplete;
        e.trust_reason = fmt::format("the run did not finish (00-run.json status '{}')",
                                     report->run_status.empty() ? "missing" : report->run_status);
        return;
    }
    e.trust = Trust::trusted;
    e.trust_reason.clear();
}

}  // namespace

std::string_view to_string(Trust t) noexcept {
    for (const auto& [value, name] : k_trust_names) {
        if (value == t) return name;
    }
    return "unreadable";
}

std::optional<Trust> parse_trust(std::string_view s) noexcept {
    for (const auto& [value, name] : k_trust_names) {
        if (name == s) return value;
    }
    return std::nullopt;
}

std::vector<std::pair<std::string, std::size_t>> BundleEntry::verdict_counts() const {
    std::map<std::string, std::size_t> counts;
    for (const auto& c : cells) {
        counts[c.verdict ? std::string(classify::to_string(*c.verdict)) : std::string(evidence::k_not_run)]++;
    }
    std::vector<std::pair<std::string, std::size_t>> out;
    for (auto v : classify::k_all_verdicts) {
        std::string word(classify::to_string(v));
        if (auto it = counts.find(word); it != counts.end()) out.emplace_back(word, it->second);
    }
    if (auto it = counts.find(std::string(evidence::k_not_run)); it != counts.end()) out.emplace_back(*it);
    return out;
}

std::string host_key(std::string_view kind, std::string_view url, std::string_view scenario,
                     std::string_view host_name) {
    if (kind == "stub") return fmt::format("stub:{}/{}", scenario, host_name);
    while (!url.empty() && url.back() == '/') url.remove_suffix(1);
    return std::string(url);
}

util::Result<BundleEntry> read_entry(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        return util::fail(util::ErrorCode::io, fmt::format("{}: not a readable directory", dir.string()));
    }
    BundleEntry e;
    e.dir = fs::absolute(dir, ec).lexically_normal();
    if (e.dir.has_filename() == false) e.dir = e.dir.parent_path();
    e.name = e.dir.filename().string();
    e.stamp = e.name.substr(0, std::min<std::size_t>(15, e.name.size()));
    // The lock is looked at before anything is read: a writer that finishes in between leaves a
    // complete bundle read as "writing" (read again next time), never the other way round.
    e.writing = evidence::bundle_being_written(e.dir);
    const TreeStat tree = stat_tree(e.dir);
    e.size_bytes = tree.file_bytes;
    e.manifest_sha256 = manifest_hash(e.dir);

    auto bundle = evidence::Bundle::open(e.dir);
    if (!bundle) {
        e.trust = Trust::unreadable;
        e.trust_reason = bundle.error().message;
        read_gate(e);
        return e;
    }
    const auto& run = bundle->run;
    e.scenario = run.scenario_name;
    e.scenario_sha256 = run.scenario_sha256;
    e.label = run.label;
    e.host_kind = run.host_kind;
    e.host_url = run.host_url;
    e.host_version = run.host_version;
    e.started_at = run.started_at;
    e.ended_at = run.ended_at;
    e.started = evidence::parse_iso8601(run.started_at);
    e.clock_override = run.clock_override;
    e.status = run.status;
    e.interrupted = run.interrupted;
    for (const auto& c : bundle->cells) e.cells.push_back(cell_entry(*bundle, c));
    read_gate(e);
    judge_trust(e);
    return e;
}

std::string fingerprint(const fs::path& dir) {
    const TreeStat t = stat_tree(dir);
    return fmt::format("{}|{}|{}|{}|{}", dir.filename().string(), manifest_hash(dir), t.entries, t.file_bytes,
                       t.newest_mtime_ns);
}

}  // namespace crm::harness::catalog
