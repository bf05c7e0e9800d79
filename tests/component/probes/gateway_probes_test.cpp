// Gateway and account probes against the in-process stub host, provisioned with raw admin calls
// (x-api-key) so these tests depend only on the transport and the stub.
#include "probes/gateway/gateway_probes.hpp"

#include <catch2/catch.hpp>

#include "probes/account/account_probe.hpp"
#include "stubs/stub_cluster.hpp"

using namespace std::chrono_literals;
using namespace crm::probes;
using crm::stubs::StubCluster;
using crm::stubs::StubOptions;
namespace json = boost::json;

namespace {

struct Provisioned {
    std::unique_ptr<StubCluster> cluster;
    std::unique_ptr<HttpTransport> http;
    account::AdminTarget admin;
    gateway::ProbeTarget gateway;
    std::vector<std::int64_t> account_ids;
};

json::value admin_post(HttpTransport& http, const account::AdminTarget& admin, const std::string& path,
                       const json::value& body) {
    HttpRequest req;
    req.method = "POST";
    req.url = join_api_url(admin.host_url, path);
    add_auth_header(req.headers, AuthStyle::x_api_key, admin.admin_api_key);
    req.headers.emplace_back("Content-Type", "application/json");
    req.body = json::serialize(body);
    auto r = http.send(req);
    REQUIRE(r.has_value());
    INFO(path << " -> " << r->status << " " << r->body);
    REQUIRE(r->status == 200);
    auto doc = json::parse(r->body);
    REQUIRE(doc.as_object().at("code").as_int64() == 0);
    return doc.as_object().at("data");
}

// A deepseek group with `accounts` accounts on the stub deepseek upstream, a user with balance
// and a key bound to the group (fork admin route).
Provisioned provision(const std::string& profile, int accounts = 1) {
    StubOptions options;
    options.host_profile = profile;
    options.fork_admin_key_route = true;
    auto started = StubCluster::start(options);
    REQUIRE(started.has_value());
    Provisioned p;
    p.cluster = std::move(*started);
    p.http = make_curl_transport();
    const auto& ep = p.cluster->endpoints();
    p.admin = account::AdminTarget{ep.host_url, ep.admin_api_key, {}, nullptr};
    const json::value group = admin_post(
        *p.http, p.admin, "/api/v1/admin/groups",
        json::object{
            {"name", "probe-ds"}, {"platform", "deepseek"}, {"rate_multiplier", 1}, {"subscription_type", "standard"}});
    const std::int64_t group_id = group.as_object().at("id").as_int64();
    for (int i = 0; i < accounts; ++i) {
        const json::value acc = admin_post(
            *p.http, p.admin, "/api/v1/admin/accounts",
            json::object{
                {"name", "probe-ds-" + std::to_string(i)},
                {"platform", "deepseek"},
                {"type", "apikey"},
                {"credentials", json::object{{"api_key", ep.upstream_keys.at("deepseek")},
                                             {"base_url", ep.upstream_urls.at("deepseek")},
                                             {"model_mapping", json::object{{"deepseek-chat", "deepseek-chat"}}}}},
                {"concurrency", 0},
                {"priority", 1},
                {"group_ids", json::array{group_id}}});
        p.account_ids.push_back(acc.as_object().at("id").as_int64());
    }
    const json::value user =
        admin_post(*p.http, p.admin, "/api/v1/admin/users",
                   json::object{{"email", "probe-user@example.test"}, {"password", "probe-pass-123"}, {"balance", 5}});
    const std::int64_t user_id = user.as_object().at("id").as_int64();
    const json::value key = admin_post(*p.http, p.admin, "/api/v1/admin/users/" + std::to_string(user_id) + "/api-keys",
                                       json::object{{"name", "probe"}, {"group_id", group_id}});
    p.gateway.base_url = ep.host_url;
    p.gateway.api_key = std::string(key.as_object().at("key").as_string());
    p.gateway.timeouts.total = 20000ms;
    p.gateway.timeouts.idle = 5000ms;
    return p;
}

}  // namespace

TEST_CASE("gateway probe (stub host): healthy host lists the model and completes, stream included") {
    auto p = provision("healthy");
    auto models = gateway::probe_models(*p.http, p.gateway, "deepseek-chat");
    INFO(json::serialize(models.to_json()));
    CHECK(models.ok());
    auto chat = gateway::probe_chat(*p.http, p.gateway, "deepseek-chat");
    CHECK(chat.ok());
    auto stream = gateway::probe_chat_stream(*p.http, p.gateway, "deepseek-chat");
    INFO(json::serialize(stream.to_json()));
    CHECK(stream.ok());
    const std::string text =
        json::serialize(chat.to_json()) + json::serialize(stream.to_json()) + chat.exchange.headers_text();
    CHECK(text.find(p.gateway.api_key) == std::string::npos);
}

TEST_CASE("gateway probe (stub host): a Bearer-only gateway rejects the x-api-key variant") {
    auto p = provision("gateway_rejects_x_api_key");
    CHECK(gateway::probe_models(*p.http, p.gateway, "deepseek-chat").ok());
    auto variant = p.gateway;
    variant.auth = AuthStyle::x_api_key;
    auto rejected = gateway::probe_models(*p.http, variant, "deepseek-chat");
    CHECK_FALSE(rejected.ok());
    CHECK(rejected.exchange.status() == 401);
    REQUIRE(rejected.exchange.error_info);
    CHECK(rejected.exchange.error_info->shape == envelope::BodyShape::sub2api_middleware_error);
}

TEST_CASE("gateway probe (stub host): quota-exhausted upstream gives 502 and penalised accounts") {
    auto p = provision("upstream_quota_exhausted", 2);
    auto chat = gateway::probe_chat(*p.http, p.gateway, "deepseek-chat");
    CHECK_FALSE(chat.ok());
    CHECK(chat.exchange.status() == 502);
    REQUIRE(chat.exchange.error_info);
    CHECK(chat.exchange.error_info->type == "upstream_error");
    auto states = account::read_accounts(*p.http, p.admin, p.account_ids);
    REQUIRE(states.size() == 2);
    for (const auto& s : states) {
        REQUIRE(s.state);
        INFO(json::serialize(s.to_json()));
        CHECK_FALSE(s.state->temp_unschedulable_reason.empty());
    }
}

TEST_CASE("account probe (stub host): account test passes on a healthy upstream") {
    auto p = provision("healthy");
    auto r = account::probe_account_test(*p.http, p.admin, p.account_ids.at(0), "deepseek-chat");
    INFO(json::serialize(r.to_json()));
    CHECK(r.outcome == account::AccountTestOutcome::passed);
    CHECK_FALSE(r.events.empty());
    auto state = account::read_account(*p.http, p.admin, p.account_ids.at(0));
    REQUIRE(state.state);
    CHECK(state.state->status == "active");
    CHECK(state.state->schedulable == std::optional<bool>(true));
}

TEST_CASE("account probe (stub host): a transient 429 on the account test is reported as 429") {
    auto p = provision("account_probe_429");
    auto r = account::probe_account_test(*p.http, p.admin, p.account_ids.at(0), "deepseek-chat");
    INFO(json::serialize(r.to_json()));
    CHECK(r.outcome == account::AccountTestOutcome::failed);
    CHECK(r.error_http_status == 429);
}

TEST_CASE("account probe (stub host): an unknown account is http_error") {
    auto p = provision("healthy");
    auto r = account::probe_account_test(*p.http, p.admin, 999999, "deepseek-chat");
    CHECK(r.outcome == account::AccountTestOutcome::http_error);
    CHECK(r.exchange.status() == 404);
}
