#include "engine/host/host_session.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <string>

#include "tests/unit/probes/sub2api_fake_host.hpp"

using namespace crm;
using engine::HostSessions;
using engine::HostTarget;
namespace fake = crm::test::sub2api_fake;
namespace json = boost::json;

namespace {

HostTarget target(std::string url = "http://127.0.0.1:9") {
    HostTarget t;
    t.url = std::move(url);
    t.admin.api_key = "admin-" + std::string(64, 'b');
    return t;
}

// A v0.1.179 host whose admin version route sits behind a proxy answering 502 the first
// `proxy_failures` times.
fake::FakeHost::Handler host(int& proxy_failures) {
    return [&proxy_failures](const probes::HttpRequest& r) -> util::Result<probes::HttpResponse> {
        const auto p = fake::path_of(r);
        if (p == "/health") return fake::reply(200, R"({"status":"ok"})");
        if (p == "/api/v1/settings/public") return fake::ok(json::object{{"version", "0.1.179"}});
        if (p == "/api/v1/admin/compliance") return fake::ok(json::object{{"required", false}});
        if (p == "/api/v1/admin/system/version") {
            if (proxy_failures > 0) {
                --proxy_failures;
                return fake::reply(502, "<html><center>502 Bad Gateway</center></html>");
            }
            return fake::ok(json::object{{"version", "0.1.179"}});
        }
        if (p == "/api/v1/admin/channels") return fake::page({}, 1, 1);
        return fake::reply(404, "404 page not found");
    };
}

// The fake host and the sessions over it.
struct Rig {
    util::SecretRegistry secrets;
    int proxy_failures;
    fake::FakeHost http;
    HostSessions sessions;
    explicit Rig(int failures)
        : proxy_failures(failures), http(secrets, host(proxy_failures)), sessions(http, secrets) {}
};

std::size_t health_checks(const fake::FakeHost& h) {
    const auto paths = h.paths();
    return static_cast<std::size_t>(std::count(paths.begin(), paths.end(), "GET /health"));
}

}  // namespace

TEST_CASE("host session: one target gets one session, and another URL, credential or per_call reuse a new one") {
    Rig rig(0);
    auto& sessions = rig.sessions;
    auto& a = sessions.session(target());
    auto named = target("http://127.0.0.1:9/");
    named.name = "a label";
    CHECK(&sessions.session(named) == &a);  // a trailing '/' and the label do not count
    CHECK(&sessions.session(target("http://127.0.0.1:10")) != &a);
    auto other_key = target();
    other_key.admin.api_key = "admin-" + std::string(64, 'c');
    CHECK(&sessions.session(other_key) != &a);

    HostSessions per_call(rig.http, rig.secrets, HostSessions::Reuse::per_call);
    CHECK(&per_call.session(target()) != &per_call.session(target()));
}

TEST_CASE("host session: the capability probe runs once, and again after an answer that says nothing about the admin") {
    Rig rig(1);
    auto& s = rig.sessions.session(target());

    auto first = s.capabilities();
    REQUIRE(first);
    CHECK_FALSE(first->admin_auth_ok);
    CHECK_FALSE(first->admin_auth_refused);

    auto second = s.capabilities();  // the proxy recovered: probed again
    REQUIRE(second);
    CHECK(second->admin_auth_ok);
    CHECK(health_checks(rig.http) == 2);

    const auto sent = rig.http.requests.size();
    auto third = s.capabilities();  // kept
    REQUIRE(third);
    CHECK(*third == *second);
    CHECK(rig.http.requests.size() == sent);
}
