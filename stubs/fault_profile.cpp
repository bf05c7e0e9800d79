#include "stubs/fault_profile.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

#include "stubs/embedded_profiles.hpp"
#include "stubs/stub_cluster.hpp"
#include "util/files.hpp"
#include "util/input_file.hpp"

namespace crm::stubs {

namespace json = util::json;

namespace {

util::Result<void> check_keys(const json::object& obj, std::initializer_list<std::string_view> allowed,
                              std::string_view source, std::string_view where) {
    for (const auto& kv : obj) {
        if (std::find(allowed.begin(), allowed.end(), std::string_view(kv.key())) == allowed.end())
            return util::fail(util::ErrorCode::invalid_input, std::string(source) + ": unknown key '" +
                                                                  std::string(where) + std::string(kv.key()) + "'");
    }
    return {};
}

template <class T>
util::Result<void> read_field(const json::object& obj, std::string_view key, T& out, std::string_view source) {
    auto it = obj.find(key);
    if (it == obj.end()) return {};
    const json::value& v = it->value();
    bool ok = false;
    if constexpr (std::is_same_v<T, bool>) {
        ok = v.is_bool();
        if (ok) out = v.as_bool();
    } else if constexpr (std::is_same_v<T, int>) {
        ok = v.is_int64() && v.as_int64() >= 0 && v.as_int64() <= 86'400'000;
        if (ok) out = static_cast<int>(v.as_int64());
    } else {
        ok = v.is_string();
        if (ok) out = std::string(v.as_string());
    }
    if (!ok)
        return util::fail(util::ErrorCode::invalid_input,
                          std::string(source) + ": bad value for '" + std::string(key) + "'");
    return {};
}

// A route key as the host counts requests: "METHOD /a/b/:id/c".
bool is_route_key(std::string_view key) {
    const auto space = key.find(' ');
    if (space == std::string_view::npos || space == 0 || space + 1 >= key.size() || key[space + 1] != '/') return false;
    for (char c : key.substr(0, space))
        if (c < 'A' || c > 'Z') return false;
    return key.substr(space + 1).find(' ') == std::string_view::npos;
}

util::Result<void> read_routes(const json::object& h, HostFaults& out, std::string_view source) {
    auto bad = [&](std::string_view what) {
        return util::fail(util::ErrorCode::invalid_input, std::string(source) + ": " + std::string(what));
    };
    if (auto it = h.find("routes_missing"); it != h.end()) {
        if (!it->value().is_array()) return bad("'host.routes_missing' must be an array of \"METHOD /path\"");
        for (const auto& v : it->value().as_array()) {
            if (!v.is_string() || !is_route_key(v.as_string()))
                return bad("'host.routes_missing' entries are \"METHOD /path\" (numeric segments as :id)");
            out.routes_missing.emplace_back(v.as_string());
        }
    }
    if (auto it = h.find("proxy_errors"); it != h.end()) {
        if (!it->value().is_object())
            return bad("'host.proxy_errors' must be an object {\"METHOD /path\": 502|503|504}");
        for (const auto& kv : it->value().as_object()) {
            if (!is_route_key(kv.key()))
                return bad("'host.proxy_errors' keys are \"METHOD /path\" (numeric segments as :id)");
            const auto& v = kv.value();
            if (!v.is_int64() || (v.as_int64() != 502 && v.as_int64() != 503 && v.as_int64() != 504))
                return bad("'host.proxy_errors' statuses are 502, 503 or 504");
            out.proxy_errors[std::string(kv.key())] = static_cast<int>(v.as_int64());
        }
    }
    return {};
}

}  // namespace

util::Result<FaultProfile> parse_profile(std::string_view text, std::string_view source) {
    CRM_TRY(doc, util::parse_json_relaxed(text, source));
    if (!doc.is_object())
        return util::fail(util::ErrorCode::invalid_input, std::string(source) + ": a profile is a JSON object");
    const auto& root = doc.as_object();
    CRM_TRY_VOID(check_keys(root, {"name", "description", "host", "upstream"}, source, ""));
    FaultProfile p;
    CRM_TRY_VOID(read_field(root, "name", p.name, source));
    CRM_TRY_VOID(read_field(root, "description", p.description, source));
    if (p.name.empty())
        return util::fail(util::ErrorCode::invalid_input, std::string(source) + ": profile has no name");
    if (auto it = root.find("host"); it != root.end()) {
        if (!it->value().is_object())
            return util::fail(util::ErrorCode::invalid_input, std::string(source) + ": 'host' must be an object");
        const auto& h = it->value().as_object();
        if (auto r =
                check_keys(h,
                           {"compliance_gate", "gateway_bearer_only", "gateway_x_api_key_only", "responses_bridge",
                            "force_responses", "seed_residue", "routes_missing", "proxy_errors", "admin_stall_method",
                            "admin_stall_ms", "admin_stall_count", "admin_stall_path", "latency_ms"},
                           source, "host.");
            !r)
            return std::unexpected(r.error());
        for (auto [key, field] :
             {std::pair{"compliance_gate", &p.host.compliance_gate},
              std::pair{"gateway_bearer_only", &p.host.gateway_bearer_only},
              std::pair{"gateway_x_api_key_only", &p.host.gateway_x_api_key_only},
              std::pair{"responses_bridge", &p.host.responses_bridge},
              std::pair{"force_responses", &p.host.force_responses}, std::pair{"seed_residue", &p.host.seed_residue}}) {
            CRM_TRY_VOID(read_field(h, key, *field, source));
        }
        CRM_TRY_VOID(read_routes(h, p.host, source));
        for (auto r : {read_field(h, "admin_stall_method", p.host.admin_stall_method, source),
                       read_field(h, "admin_stall_ms", p.host.admin_stall_ms, source),
                       read_field(h, "admin_stall_count", p.host.admin_stall_count, source),
                       read_field(h, "admin_stall_path", p.host.admin_stall_path, source),
                       read_field(h, "latency_ms", p.host.latency_ms, source)}) {
            if (!r) return std::unexpected(r.error());
        }
        if (p.host.latency_ms < 0)
            return util::fail(util::ErrorCode::invalid_input, std::string(source) + ": host.latency_ms must be >= 0");
        const auto& m = p.host.admin_stall_method;
        if (!m.empty() && m != "POST" && m != "DELETE")
            return util::fail(util::ErrorCode::invalid_input,
                              std::string(source) + ": admin_stall_method must be POST or DELETE");
    }
    if (auto it = root.find("upstream"); it != root.end()) {
        if (!it->value().is_object())
            return util::fail(util::ErrorCode::invalid_input, std::string(source) + ": 'upstream' must be an object");
        const auto& u = it->value().as_object();
        if (auto r = check_keys(u,
                                {"latency_ms", "chat_error", "models_error", "stream_mode", "stall_max_ms",
                                 "keepalive_interval_ms", "transient_429_streams"},
                                source, "upstream.");
            !r)
            return std::unexpected(r.error());
        auto& f = p.upstream;
        for (auto r :
             {read_field(u, "latency_ms", f.latency_ms, source), read_field(u, "chat_error", f.chat_error, source),
              read_field(u, "models_error", f.models_error, source),
              read_field(u, "stream_mode", f.stream_mode, source),
              read_field(u, "stall_max_ms", f.stall_max_ms, source),
              read_field(u, "keepalive_interval_ms", f.keepalive_interval_ms, source),
              read_field(u, "transient_429_streams", f.transient_429_streams, source)}) {
            if (!r) return std::unexpected(r.error());
        }
        const auto& names = upstream_error_names();
        for (const auto* e : {&f.chat_error, &f.models_error}) {
            if (!e->empty() && std::find(names.begin(), names.end(), *e) == names.end())
                return util::fail(util::ErrorCode::invalid_input,
                                  std::string(source) + ": unknown upstream error '" + *e + "'");
        }
        if (f.stream_mode != "normal" && f.stream_mode != "truncated" && f.stream_mode != "keepalive_stall")
            return util::fail(util::ErrorCode::invalid_input,
                              std::string(source) + ": stream_mode must be normal|truncated|keepalive_stall");
        if (f.keepalive_interval_ms < 10) f.keepalive_interval_ms = 10;
    }
    return p;
}

namespace {

json::array routes_json(const std::vector<std::string>& routes) {
    json::array a;
    for (const auto& r : routes) a.emplace_back(r);
    return a;
}

json::object proxy_json(const std::map<std::string, int>& errors) {
    json::object o;
    for (const auto& [route, status] : errors) o[route] = status;
    return o;
}

}  // namespace

json::value profile_to_json(const FaultProfile& p) {
    return json::object{
        {"name", p.name},
        {"description", p.description},
        {"host", json::object{{"compliance_gate", p.host.compliance_gate},
                              {"gateway_bearer_only", p.host.gateway_bearer_only},
                              {"gateway_x_api_key_only", p.host.gateway_x_api_key_only},
                              {"responses_bridge", p.host.responses_bridge},
                              {"force_responses", p.host.force_responses},
                              {"seed_residue", p.host.seed_residue},
                              {"routes_missing", routes_json(p.host.routes_missing)},
                              {"proxy_errors", proxy_json(p.host.proxy_errors)},
                              {"admin_stall_method", p.host.admin_stall_method},
                              {"admin_stall_ms", p.host.admin_stall_ms},
                              {"admin_stall_count", p.host.admin_stall_count},
                              {"admin_stall_path", p.host.admin_stall_path},
                              {"latency_ms", p.host.latency_ms}}},
        {"upstream", json::object{{"latency_ms", p.upstream.latency_ms},
                                  {"chat_error", p.upstream.chat_error},
                                  {"models_error", p.upstream.models_error},
                                  {"stream_mode", p.upstream.stream_mode},
                                  {"stall_max_ms", p.upstream.stall_max_ms},
                                  {"keepalive_interval_ms", p.upstream.keepalive_interval_ms},
                                  {"transient_429_streams", p.upstream.transient_429_streams}}},
    };
}

const std::vector<std::string>& upstream_error_names() {
    static const std::vector<std::string> names = {"deepseek_401",
                                                   "deepseek_402",
                                                   "deepseek_400_model_not_exist",
                                                   "relay_insufficient_user_quota",
                                                   "moonshot_balance_429",
                                                   "rate_limit_429",
                                                   "minimax_1004_401",
                                                   "minimax_2013_400",
                                                   "minimax_1008_500",
                                                   "minimax_2056_429",
                                                   "minimax_base_resp_1008",
                                                   "server_500",
                                                   "server_502",
                                                   "server_503",
                                                   "overloaded_529"};
    return names;
}

util::Result<FaultProfile> load_profile(std::string_view name_or_path) {
    for (const auto& e : embedded_profiles()) {
        if (e.name == name_or_path) return parse_profile(e.text, "stubs/profiles/" + std::string(e.name) + ".json");
    }
    std::error_code ec;
    // Any existing path is read as a profile file, so a FIFO or a device is refused by
    // read_input_file rather than mistaken for an unknown profile name.
    if (!std::filesystem::exists(std::filesystem::path(std::string(name_or_path)), ec)) {
        std::string known;
        for (const auto& n : profile_names()) known += (known.empty() ? "" : ", ") + n;
        return util::fail(util::ErrorCode::invalid_input, "unknown fault profile '" + std::string(name_or_path) +
                                                              "' (known: " + known + "; or a file path)");
    }
    CRM_TRY(text, util::read_input_file(std::string(name_or_path)));
    return parse_profile(text, name_or_path);
}

std::vector<std::string> profile_names() {
    std::vector<std::string> out;
    for (const auto& e : embedded_profiles()) out.emplace_back(e.name);
    return out;
}

}  // namespace crm::stubs
