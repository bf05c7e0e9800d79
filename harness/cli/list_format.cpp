#include "harness/cli/list_format.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "harness/catalog/entry_json.hpp"

namespace crm::harness::cli {

namespace json = util::json;
using catalog::BundleEntry;

namespace {

std::optional<std::chrono::seconds> age_of(const BundleEntry& e, evidence::TimePoint now) {
    if (!e.started) return std::nullopt;
    return std::chrono::duration_cast<std::chrono::seconds>(now - *e.started);
}

std::string host_cell(const BundleEntry& e) {
    if (e.host_kind.empty()) return "-";
    std::string s = e.host_kind;
    if (!e.host_url.empty()) s += " " + e.host_url;
    if (!e.host_version.empty()) s += " v" + e.host_version;
    return s;
}

std::string gate_cell(const BundleEntry& e) {
    if (e.gate_decision.empty()) return "-";
    return e.exit_code >= 0 ? fmt::format("{} ({})", e.gate_decision, e.exit_code) : e.gate_decision;
}

std::string or_dash(const std::string& s) { return s.empty() ? "-" : s; }

}  // namespace

std::string human_size(std::uint64_t bytes) {
    constexpr std::array<const char*, 4> k_units{"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) return fmt::format("{} B", bytes);
    double v = static_cast<double>(bytes) / 1024.0;
    std::size_t unit = 0;
    while (v >= 1024.0 && unit + 1 < k_units.size()) {
        v /= 1024.0;
        ++unit;
    }
    return fmt::format("{:.1f} {}", v, k_units[unit]);
}

std::string human_age(std::chrono::seconds age) {
    const auto s = std::max<std::int64_t>(0, age.count());
    if (s < 60) return fmt::format("{}s", s);
    if (s < 3600) return fmt::format("{}m", s / 60);
    if (s < 86400) return fmt::format("{}h", s / 3600);
    return fmt::format("{}d", s / 86400);
}

std::string bundle_state(const BundleEntry& e) {
    if (e.writing) return "writing";
    return e.status.empty() ? "?" : e.status;
}

std::string cell_counts(const BundleEntry& e) {
    std::string out;
    for (const auto& [word, n] : e.verdict_counts()) {
        if (!out.empty()) out += ' ';
        out += fmt::format("{} {}", n, word);
    }
    return out.empty() ? "-" : out;
}

std::string list_table(const std::vector<const BundleEntry*>& entries, evidence::TimePoint now) {
    using Row = std::array<std::string, 10>;
    std::vector<Row> rows;
    rows.push_back({"STAMP", "SCENARIO", "LABEL", "HOST", "STATE", "TRUST", "GATE", "CELLS", "SIZE", "AGE"});
    for (const auto* e : entries) {
        auto age = age_of(*e, now);
        rows.push_back({e->stamp, or_dash(e->scenario), or_dash(e->label), host_cell(*e), bundle_state(*e),
                        std::string(catalog::to_string(e->trust)), gate_cell(*e), cell_counts(*e),
                        human_size(e->size_bytes), age ? human_age(*age) : "-"});
    }
    std::array<std::size_t, 10> width{};
    for (const auto& r : rows) {
        for (std::size_t i = 0; i < r.size(); ++i) width[i] = std::max(width[i], r[i].size());
    }
    std::string out;
    for (const auto& r : rows) {
        std::string line;
        for (std::size_t i = 0; i < r.size(); ++i) {
            line += i + 1 < r.size() ? fmt::format("{:<{}}  ", r[i], width[i]) : r[i];
        }
        out += line + "\n";
    }
    return out;
}

json::object list_json(const std::filesystem::path& root, const std::vector<const BundleEntry*>& entries,
                       const catalog::RefreshStats& stats, evidence::TimePoint now) {
    json::object o;
    o["schema_version"] = k_list_schema_version;
    o["kind"] = "crm-accept.list";
    o["root"] = root.string();
    o["now"] = evidence::iso8601(now, true);
    o["index"] = json::object{{"bundles", stats.bundles},
                              {"read", stats.read},
                              {"cached", stats.cached},
                              {"removed", stats.removed},
                              {"rebuilt", stats.index_rebuilt}};
    json::array bundles;
    for (const auto* e : entries) {
        json::object b = catalog::to_json(*e);
        b["state"] = bundle_state(*e);
        auto age = age_of(*e, now);
        b["age_seconds"] = age ? json::value(age->count()) : json::value(nullptr);
        bundles.push_back(std::move(b));
    }
    o["bundles"] = std::move(bundles);
    return o;
}

}  // namespace crm::harness::cli
