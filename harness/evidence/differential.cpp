#include "harness/evidence/differential.hpp"

#include <array>
#include <string_view>

#include "util/input_file.hpp"

namespace crm::harness::evidence {

namespace fs = std::filesystem;
namespace json = util::json;

namespace {

struct Field {
    std::string_view what;
    std::string_view pointer;
};

// The probes write the same ProbeExchange shape for both sides (probes/*: "exchange"); a step
// that failed writes {"error": {...}} instead.
constexpr std::array k_fields{
    Field{"HTTP status", "/exchange/response/status"},
    Field{"error type", "/exchange/error_info/type"},
    Field{"error code", "/exchange/error_info/code"},
    Field{"vendor code", "/exchange/error_info/vendor_code"},
    Field{"error message", "/exchange/error_info/message"},
    Field{"transport error", "/exchange/transport_error/message"},
    Field{"step error", "/error/message"},
};

constexpr std::size_t k_value_cap = 200;

std::string quote(const json::value* doc, std::string_view pointer) {
    if (!doc) return {};
    std::error_code ec;
    const json::value* v = doc->find_pointer(pointer, ec);
    if (!v || ec) return {};
    if (v->is_string()) {
        std::string s(v->get_string());
        if (s.size() > k_value_cap) s = s.substr(0, k_value_cap) + "...";
        return s;
    }
    if (v->is_bool() || v->is_number()) return json::serialize(*v);
    return {};
}

std::optional<json::value> read_doc(const fs::path& path) {
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) return std::nullopt;
    auto text = util::read_input_file(path, util::k_max_bundle_record_bytes);
    if (!text) return std::nullopt;
    auto doc = util::parse_json(*text, path.string());
    if (!doc) return json::value(json::object{{"error", json::object{{"message", "(not JSON)"}}}});
    return std::move(*doc);
}

}  // namespace

DifferentialPair compare_pair(std::string title, std::string host_artifact, const json::value* host,
                              std::string upstream_artifact, const json::value* upstream) {
    DifferentialPair p;
    p.title = std::move(title);
    p.host_artifact = std::move(host_artifact);
    p.upstream_artifact = std::move(upstream_artifact);
    p.host_present = host != nullptr;
    p.upstream_present = upstream != nullptr;
    for (const auto& f : k_fields) {
        DifferentialRow r{std::string(f.what), quote(host, f.pointer), quote(upstream, f.pointer), false};
        if (r.host.empty() && r.upstream.empty()) continue;
        r.differs = r.host != r.upstream;
        p.rows.push_back(std::move(r));
    }
    return p;
}

std::vector<DifferentialPair> differential(const fs::path& cell_dir) {
    struct Pair {
        const char* title;
        const char* host;
        const char* upstream;
    };
    constexpr std::array k_pairs{Pair{"chat", "10-chat.json", "19-upstream-chat.json"},
                                 Pair{"models", "09-models.json", "17-upstream-models.json"}};
    std::vector<DifferentialPair> out;
    for (const auto& pr : k_pairs) {
        auto host = read_doc(cell_dir / pr.host);
        auto upstream = read_doc(cell_dir / pr.upstream);
        if (!host && !upstream) continue;
        out.push_back(compare_pair(pr.title, pr.host, host ? &*host : nullptr, pr.upstream,
                                   upstream ? &*upstream : nullptr));
    }
    return out;
}

}  // namespace crm::harness::evidence
