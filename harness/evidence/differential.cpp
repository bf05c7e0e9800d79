#include "harness/evidence/differential.hpp"

#include <algorithm>
#include <array>
#include <string_view>

namespace crm::harness::evidence {

namespace {

struct PairSpec {
    std::string_view title;
    std::string_view host;
    std::string_view upstream;
};

// Chat first: it is where the host and the provider part ways most often.
constexpr std::array k_pairs{PairSpec{"chat", "10-chat.json", "19-upstream-chat.json"},
                             PairSpec{"models", "09-models.json", "17-upstream-models.json"}};

// A "not JSON" row has no pointer of its own: it is compared under its label.
std::string key_of(const inspect::DecisiveField& f) {
    return f.pointer == inspect::k_not_json_pointer ? f.label : f.pointer;
}

// Only what both probes record is compared: a field the host probe alone has (the smoke model
// listed, the x-api-key variant) would read as a difference that is not one; it stays in the
// decisive fields table.
bool comparable(const PairSpec& spec, const inspect::DecisiveField& f) {
    if (f.pointer == inspect::k_not_json_pointer) return true;
    bool host = false, upstream = false;
    for (const auto& row : inspect::decisive_field_table()) {
        if (row.pointer != f.pointer) continue;
        host = host || row.artifact == spec.host;
        upstream = upstream || row.artifact == spec.upstream;
    }
    return host && upstream;
}

// "upstream chat HTTP status" -> "chat HTTP status": the row is named once, for both sides.
std::string host_label(const std::string& upstream_label) {
    constexpr std::string_view prefix = "upstream ";
    return upstream_label.starts_with(prefix) ? upstream_label.substr(prefix.size()) : upstream_label;
}

}  // namespace

std::vector<DifferentialPair> differential(const std::vector<inspect::DecisiveField>& fields,
                                           const std::set<std::string>& present) {
    std::vector<DifferentialPair> out;
    for (const auto& spec : k_pairs) {
        DifferentialPair p;
        p.title = std::string(spec.title);
        p.host_artifact = std::string(spec.host);
        p.upstream_artifact = std::string(spec.upstream);
        p.host_present = present.contains(p.host_artifact);
        p.upstream_present = present.contains(p.upstream_artifact);
        if (!p.host_present && !p.upstream_present) continue;
        std::vector<std::string> keys;  // join order: host rows first, then upstream-only ones
        for (const auto& f : fields) {
            if ((f.artifact != spec.host && f.artifact != spec.upstream) || !comparable(spec, f)) continue;
            const std::string k = key_of(f);
            auto it = std::find(keys.begin(), keys.end(), k);
            if (it == keys.end()) {
                keys.push_back(k);
                p.rows.push_back(DifferentialRow{});
                it = keys.end() - 1;
            }
            DifferentialRow& r = p.rows[static_cast<std::size_t>(it - keys.begin())];
            if (f.artifact == spec.host) {
                r.host = f.value;
                r.what = f.label;
            } else {
                r.upstream = f.value;
                if (r.what.empty()) r.what = host_label(f.label);
            }
        }
        for (auto& r : p.rows) r.differs = r.host != r.upstream;
        out.push_back(std::move(p));
    }
    return out;
}

}  // namespace crm::harness::evidence
