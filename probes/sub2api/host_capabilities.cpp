#include "probes/sub2api/host_capabilities.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>

#include "probes/sub2api/admin_client.hpp"
#include "probes/sub2api/envelope.hpp"

namespace crm::probes::sub2api {

const char* to_string(ComplianceState s) noexcept {
    switch (s) {
        case ComplianceState::unknown:
            return "unknown";
        case ComplianceState::not_present:
            return "not_present";
        case ComplianceState::not_required:
            return "not_required";
        case ComplianceState::required:
            return "required";
        case ComplianceState::accepted:
            return "accepted";
    }
    return "unknown";
}

const char* to_string(KeyRoute r) noexcept {
    switch (r) {
        case KeyRoute::unknown:
            return "unknown";
        case KeyRoute::admin_fork_route:
            return "admin_fork_route";
        case KeyRoute::user_login:
            return "user_login";
        case KeyRoute::unavailable:
            return "unavailable";
    }
    return "unknown";
}

json::value HostCapabilities::to_json() const {
    json::array plats;
    for (const auto& p : platforms) plats.emplace_back(p);
    return json::object{
        {"schema_version", 1},
        {"base_url", base_url},
        {"reachable", reachable},
        {"health_status", health_status},
        {"version", version},
        {"backend_mode_enabled", backend_mode_enabled},
        {"admin_auth", json::object{{"mode", admin_auth_mode},
                                    {"ok", admin_auth_ok},
                                    {"error", admin_auth_error},
                                    {"refused", admin_auth_refused}}},
        {"compliance", json::object{{"state", to_string(compliance)},
                                    {"version", compliance_version},
                                    {"accepted_by_this_probe", compliance_accepted_now}}},
        {"channels_supported", channels_supported},
        {"key_creation", json::object{{"route", to_string(key_route)}, {"evidence", key_route_evidence}}},
        {"platforms", std::move(plats)},
        {"platforms_source", platforms_source},
    };
}

namespace {

// "v0.1.179" / "0.1.179" / "1.8.170" -> {0,1,179}; nullopt when not x.y.z.
std::optional<std::array<int, 3>> parse_version(std::string_view v) {
    if (v.starts_with('v') || v.starts_with('V')) v.remove_prefix(1);
    std::array<int, 3> out{};
    for (std::size_t i = 0; i < 3; ++i) {
        auto [ptr, ec] = std::from_chars(v.data(), v.data() + v.size(), out[i]);
        if (ec != std::errc{}) return std::nullopt;
        v.remove_prefix(static_cast<std::size_t>(ptr - v.data()));
        if (i < 2) {
            if (!v.starts_with('.')) return std::nullopt;
            v.remove_prefix(1);
        }
    }
    return out;
}

const std::vector<std::string> k_platforms_legacy{"anthropic", "openai", "gemini"};
const std::vector<std::string> k_platforms_v179{"anthropic", "openai", "gemini",   "antigravity", "grok",
                                                "kimi",      "zhipu",  "deepseek", "composite"};

}  // namespace

bool is_fork_key_route_answer(const HttpResponse& answer) {
    boost::system::error_code ec;
    auto body = json::parse(answer.body, ec);
    const auto* code = ec ? nullptr : util::find(body, "code");
    const bool handler_envelope = code && (code->is_int64() || code->is_uint64());
    if (!handler_envelope) return false;  // gin text 404, an SPA page, a middleware error
    if (answer.status == 405) return false;
    if (answer.status == 404) {
        // The fork's handler names its 404s (USER_NOT_FOUND / NOT_FOUND); a bare
        // {code:404,message:"route not found"} is a catch-all, not the handler.
        auto reason = util::get_string(body, "reason");
        return reason && !reason->empty();
    }
    return answer.status != 401 && answer.status != 403 && answer.status != 423;
}

std::vector<std::string> platforms_for_version(std::string_view version, bool fork, bool legacy, std::string& source) {
    if (legacy) {
        source = "sub2api Dec-2025 line (no channels, no compliance gate)";
        return k_platforms_legacy;
    }
    auto list = k_platforms_v179;
    if (fork) {
        list.emplace_back("newapi");
        list.emplace_back("kiro");
        source = "sub2api v0.1.179 platform enum + fork platforms newapi, kiro";
        return list;
    }
    auto parsed = parse_version(version);
    if (!parsed) {
        source = fmt::format("sub2api v0.1.179 platform enum (host version \"{}\" not parsed)", version);
        return list;
    }
    std::array<int, 3> ref{0, 1, 179};
    if (*parsed > ref) {
        list.emplace_back("minimax");
        source = "sub2api v0.1.179 platform enum + minimax expected after PR #6758 (unverified)";
    } else if (*parsed < ref) {
        source = "sub2api v0.1.179 platform enum; host is older, some platforms may be missing";
    } else {
        source = "sub2api v0.1.179 platform enum";
    }
    return list;
}

util::Result<HostCapabilities> AdminClient::probe_capabilities() {
    HostCapabilities caps;
    caps.base_url = m_base_url;
    caps.admin_auth_mode = uses_admin_key() ? "api_key" : "login";

    auto health_result = health();
    if (!health_result) {
        const auto& e = health_result.error();
        bool answered = e.http_status != 0;
        if (!answered) return std::unexpected(e);  // connect / timeout: host unreachable
        caps.reachable = true;
        caps.health_status = e.message;
    } else {
        caps.reachable = true;
        caps.health_status = util::get_string(*health_result, "status").value_or("ok");
    }

    if (auto settings = public_settings()) {
        caps.version = settings->version;
        caps.backend_mode_enabled = settings->backend_mode_enabled;
    }

    // Compliance first: the route is exempt from the gate, so it also tells whether the admin
    // credentials work without triggering (or accepting) anything.
    bool auth_rejected = false;
    if (auto status = compliance_status()) {
        caps.compliance = compliance_state();
        caps.compliance_version = util::get_string(*status, "version").value_or("");
    } else {
        const auto& e = status.error();
        if (e.code == util::ErrorCode::host_rejected && e.http_status != 423) {
            auth_rejected = true;
            caps.admin_auth_refused = true;
            caps.admin_auth_error = e.message;
            caps.admin_auth_code = e.remote_code;
        } else if (e.http_status == 404) {
            caps.compliance = ComplianceState::not_present;
        }
    }

    if (!auth_rejected) {
        auto before = compliance_state();
        auto version = system_version();
        if (version) {
            caps.admin_auth_ok = true;
            if (caps.version.empty()) caps.version = *version;
        } else if (version.error().http_status == 423) {
            caps.admin_auth_ok = true;  // the gate only answers authenticated admins
            caps.admin_auth_error = version.error().message;
            caps.admin_auth_code = version.error().remote_code;
        } else {
            caps.admin_auth_error = version.error().message;
            caps.admin_auth_code = version.error().remote_code;
            caps.admin_auth_refused = version.error().code == util::ErrorCode::host_rejected;
            caps.admin_auth_ok = !caps.admin_auth_refused && version.error().http_status == 404;
        }
        auto after = compliance_state();
        if (caps.compliance != ComplianceState::not_present) caps.compliance = after;
        caps.compliance_accepted_now = before != ComplianceState::accepted && after == ComplianceState::accepted;
    }

    bool fork_route = false;
    if (caps.admin_auth_ok) {
        auto channels = get("/api/v1/admin/channels", Query{{"page", "1"}, {"page_size", "1"}});
        caps.channels_supported = channels.has_value();

        constexpr std::string_view probe_path = "/api/v1/admin/users/0/api-keys";
        auto answer = raw("POST", probe_path, json::value(json::object{}), AuthMode::admin);
        if (answer) {
            EnvelopeRequest er{"POST", std::string(probe_path), m_base_url + std::string(probe_path), true};
            auto parsed = parse_envelope(*answer, er);
            fork_route = is_fork_key_route_answer(*answer);
            caps.key_route_evidence = parsed ? fmt::format("POST {} -> {}", probe_path, answer->status)
                                             : m_secrets.scrub(parsed.error().message);
        } else {
            caps.key_route_evidence = m_secrets.scrub(answer.error().message);
        }
    }
    if (fork_route) {
        caps.key_route = KeyRoute::admin_fork_route;
    } else if (caps.backend_mode_enabled) {
        caps.key_route = KeyRoute::unavailable;
        caps.key_route_evidence += "; backend mode refuses user logins";
    } else if (caps.admin_auth_ok) {
        caps.key_route = KeyRoute::user_login;
    }

    bool legacy = caps.admin_auth_ok && !caps.channels_supported && caps.compliance == ComplianceState::not_present;
    caps.platforms = platforms_for_version(caps.version, fork_route, legacy, caps.platforms_source);
    return caps;
}

}  // namespace crm::probes::sub2api
