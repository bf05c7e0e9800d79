#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "probes/sub2api/admin_client.hpp"
#include "probes/sub2api/envelope.hpp"
#include "tests/unit/probes/sub2api_fake_host.hpp"

using namespace crm::probes::sub2api;
using crm::probes::HttpRequest;
using crm::probes::HttpResponse;
using crm::util::ErrorCode;
using crm::util::SecretRegistry;
namespace fake = crm::test::sub2api_fake;
namespace json = boost::json;

namespace {

const std::string k_admin_key = "admin-" + std::string(64, 'a');
const std::string k_base = "http://127.0.0.1:9";

AdminClientOptions key_options(bool accept = false) {
    AdminClientOptions o;
    o.base_url = k_base + "/";
    o.credentials.api_key = k_admin_key;
    o.accept_compliance = accept;
    return o;
}

AdminClientOptions login_options() {
    AdminClientOptions o;
    o.base_url = k_base;
    o.credentials.email = "admin@sub2api.local";
    o.credentials.password = "admin-password-1";
    return o;
}

GroupCreate make_group(std::string name) {
    GroupCreate g;
    g.name = std::move(name);
    g.platform = "deepseek";
    return g;
}

AccountCreate make_account(std::string name) {
    AccountCreate a;
    a.name = std::move(name);
    a.platform = "deepseek";
    return a;
}

UserCreate make_user(std::string email, std::string password) {
    UserCreate u;
    u.email = std::move(email);
    u.password = std::move(password);
    return u;
}

json::value body_of(const HttpRequest& r) { return json::parse(r.body); }

json::object group_json(std::int64_t id, std::string name) {
    return json::object{{"id", id},           {"name", std::move(name)},         {"platform", "deepseek"},
                        {"status", "active"}, {"subscription_type", "standard"}, {"rate_multiplier", 1}};
}

}  // namespace

TEST_CASE("admin client: a code-0 envelope yields its data") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) { return fake::ok(group_json(7, "g")); });
    AdminClient client(host, key_options(), secrets);
    auto g = client.get_group(7);
    REQUIRE(g);
    CHECK(g->id == 7);
    CHECK(g->name == "g");
    CHECK(g->platform == "deepseek");
    CHECK(g->raw.contains("subscription_type"));
    REQUIRE(host.requests.size() == 1);
    CHECK(host.requests[0].url == k_base + "/api/v1/admin/groups/7");
    CHECK(fake::header(host.requests[0], "x-api-key") == k_admin_key);
    CHECK(fake::header(host.requests[0], "Authorization").empty());
}

TEST_CASE("admin client: handler error {code:int,reason} becomes one line with status and reason") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) {
        return fake::reply(409, R"({"code":409,"message":"group name exists","reason":"GROUP_EXISTS"})");
    });
    AdminClient client(host, key_options(), secrets);
    auto g = client.create_group(make_group("dup"));
    REQUIRE_FALSE(g);
    CHECK(g.error().code == ErrorCode::conflict);
    CHECK(g.error().http_status == 409);
    CHECK(g.error().message == "POST /api/v1/admin/groups -> 409 GROUP_EXISTS: group name exists");
    CHECK(g.error().context == k_base + "/api/v1/admin/groups");
    CHECK(g.error().remote_code == "GROUP_EXISTS");
}

TEST_CASE("admin client: handler error without reason keeps the status and message") {
    SecretRegistry secrets;
    fake::FakeHost host(
        secrets, [](const HttpRequest&) { return fake::reply(500, R"({"code":500,"message":"internal error"})"); });
    AdminClient client(host, key_options(), secrets);
    auto r = client.post("/api/v1/admin/groups", json::object{});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::http_status);
    CHECK(r.error().message == "POST /api/v1/admin/groups -> 500: internal error");
    CHECK(r.error().remote_code.empty());
}

TEST_CASE("admin client: 404 handler error is not_found") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) {
        return fake::reply(404, R"({"code":404,"message":"account not found","reason":"ACCOUNT_NOT_FOUND"})");
    });
    AdminClient client(host, key_options(), secrets);
    auto a = client.get_account(3);
    REQUIRE_FALSE(a);
    CHECK(a.error().code == ErrorCode::not_found);
    CHECK(a.error().message == "GET /api/v1/admin/accounts/3 -> 404 ACCOUNT_NOT_FOUND: account not found");
}

TEST_CASE("admin client: middleware error {code:STRING} on an admin route is host_rejected") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) {
        return fake::reply(401, R"({"code":"INVALID_ADMIN_KEY","message":"Invalid admin API key"})");
    });
    AdminClient client(host, key_options(), secrets);
    auto r = client.list_groups();
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::host_rejected);
    CHECK(r.error().http_status == 401);
    CHECK(r.error().message == "GET /api/v1/admin/groups -> 401 INVALID_ADMIN_KEY: Invalid admin API key");
}

TEST_CASE("admin client: 403 on a user route is an http_status error, not host_rejected") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) {
        return fake::reply(403, R"({"code":403,"message":"group not allowed","reason":"GROUP_NOT_ALLOWED"})");
    });
    AdminClient client(host, key_options(), secrets);
    auto k = client.create_key_as_user("user-jwt-token-0123456789", "probe", 5);
    REQUIRE_FALSE(k);
    CHECK(k.error().code == ErrorCode::http_status);
    CHECK(k.error().message == "POST /api/v1/keys -> 403 GROUP_NOT_ALLOWED: group not allowed");
}

TEST_CASE("admin client: a non-JSON body is a protocol error naming the URL") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets,
                        [](const HttpRequest&) { return fake::reply(502, "<html><body>Bad Gateway</body></html>"); });
    AdminClient client(host, key_options(), secrets);
    auto r = client.get("/api/v1/admin/groups/1");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::protocol);
    CHECK(r.error().http_status == 502);
    CHECK(r.error().message.find(k_base + "/api/v1/admin/groups/1") != std::string::npos);
    CHECK(r.error().message.starts_with("GET /api/v1/admin/groups/1 -> 502: non-JSON body"));
}

TEST_CASE("admin client: a 2xx JSON body that is no envelope is a protocol error") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) { return fake::reply(200, R"({"id":1})"); });
    AdminClient client(host, key_options(), secrets);
    auto r = client.get("/api/v1/admin/groups/1");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::protocol);
}

TEST_CASE("admin client: transport errors pass through unchanged") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) -> crm::util::Result<HttpResponse> {
        return crm::util::fail(ErrorCode::connect_failed, "connect to 127.0.0.1:9 refused");
    });
    AdminClient client(host, key_options(), secrets);
    auto r = client.get_user(1);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::connect_failed);
    CHECK(r.error().message == "connect to 127.0.0.1:9 refused");
    auto log = client.take_exchanges();
    REQUIRE(log.size() == 1);
    CHECK(log[0].status == 0);
}

TEST_CASE("admin client: list_all walks every page until `pages`") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest& r) {
        auto q = fake::query_of(r);
        int page_no = q.find("page=1&") != std::string::npos ? 1 : q.find("page=2&") != std::string::npos ? 2 : 3;
        json::array items{group_json(page_no * 10, "a"), group_json(page_no * 10 + 1, "b")};
        return fake::page(items, page_no, 3);
    });
    AdminClient client(host, key_options(), secrets);
    auto groups = client.list_groups(Query{{"platform", "deepseek"}});
    REQUIRE(groups);
    CHECK(groups->size() == 6);
    CHECK(groups->back().id == 31);
    REQUIRE(host.requests.size() == 3);
    CHECK(fake::query_of(host.requests[0]) == "platform=deepseek&page=1&page_size=100");
    CHECK(fake::query_of(host.requests[2]) == "platform=deepseek&page=3&page_size=100");
}

TEST_CASE("admin client: list_all stops on an empty page and clamps page_size to 1000") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) { return fake::page(json::array{}, 1, 9); });
    auto options = key_options();
    options.page_size = 5000;
    AdminClient client(host, options, secrets);
    auto items = client.list_all("/api/v1/admin/users");
    REQUIRE(items);
    CHECK(items->empty());
    REQUIRE(host.requests.size() == 1);
    CHECK(fake::query_of(host.requests[0]) == "page=1&page_size=1000");
}

TEST_CASE("admin client: list_all returns a plain-array data as is") {
    SecretRegistry secrets;
    fake::FakeHost host(
        secrets, [](const HttpRequest&) { return fake::ok(json::array{group_json(1, "a"), group_json(2, "b")}); });
    AdminClient client(host, key_options(), secrets);
    auto items = client.list_all("/api/v1/admin/groups/all");
    REQUIRE(items);
    CHECK(items->size() == 2);
    CHECK(host.requests.size() == 1);
}

namespace {

// A host whose admin routes answer 423 until the compliance phrase is accepted.
struct GatedHost {
    bool accepted = false;
    std::string phrase_received;
    std::string language_received;
    crm::util::Result<HttpResponse> operator()(const HttpRequest& r) {
        auto p = fake::path_of(r);
        if (p == "/api/v1/admin/compliance" && r.method == "GET") {
            return fake::ok(json::object{{"required", true},
                                         {"version", "v2026.06.10"},
                                         {"ack_phrase_en", "I have read, understood, and agree"},
                                         {"ack_phrase_zh", "..."}});
        }
        if (p == "/api/v1/admin/compliance/accept") {
            auto b = json::parse(r.body);
            phrase_received = json::value_to<std::string>(b.at("phrase"));
            language_received = json::value_to<std::string>(b.at("language"));
            accepted = true;
            return fake::ok(json::object{{"accepted", true}});
        }
        if (!accepted) {
            return fake::reply(
                423,
                R"({"code":"ADMIN_COMPLIANCE_ACK_REQUIRED","message":"ack required","metadata":{"version":"v2026.06.10"}})");
        }
        return fake::ok(group_json(1, "g"));
    }
};

}  // namespace

TEST_CASE("admin client: 423 with accept_compliance accepts the phrase in English and retries once") {
    SecretRegistry secrets;
    GatedHost gate;
    fake::FakeHost host(secrets, std::ref(gate));
    AdminClient client(host, key_options(true), secrets);
    auto g = client.get_group(1);
    REQUIRE(g);
    CHECK(gate.phrase_received == "I have read, understood, and agree");
    CHECK(gate.language_received == "en");
    CHECK(host.paths() == std::vector<std::string>{"GET /api/v1/admin/groups/1", "GET /api/v1/admin/compliance",
                                                   "POST /api/v1/admin/compliance/accept",
                                                   "GET /api/v1/admin/groups/1"});
    CHECK(client.compliance_state() == ComplianceState::accepted);
    // Accepted once: the next call goes straight through.
    REQUIRE(client.get_group(1));
    CHECK(host.requests.size() == 5);
}

TEST_CASE("admin client: 423 without accept_compliance is host_rejected and accepts nothing") {
    SecretRegistry secrets;
    GatedHost gate;
    fake::FakeHost host(secrets, std::ref(gate));
    AdminClient client(host, key_options(false), secrets);
    auto g = client.get_group(1);
    REQUIRE_FALSE(g);
    CHECK(g.error().code == ErrorCode::host_rejected);
    CHECK(g.error().http_status == 423);
    CHECK(g.error().message ==
          "GET /api/v1/admin/groups/1 -> 423 ADMIN_COMPLIANCE_ACK_REQUIRED: compliance gate not "
          "accepted (set accept_compliance to allow)");
    CHECK_FALSE(gate.accepted);
    CHECK(host.requests.size() == 1);
    CHECK(client.compliance_state() == ComplianceState::required);
}

TEST_CASE("admin client: creates carry a random Idempotency-Key, caller keys are kept") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest& r) {
        auto p = fake::path_of(r);
        if (p == "/api/v1/admin/accounts") {
            return fake::ok(json::object{{"id", 2}, {"name", "a"}, {"platform", "deepseek"}});
        }
        if (p == "/api/v1/admin/users") return fake::ok(json::object{{"id", 3}, {"email", "u@x"}});
        if (p == "/api/v1/admin/subscriptions/assign") {
            return fake::ok(json::object{{"id", 4}, {"user_id", 3}, {"group_id", 1}, {"status", "active"}});
        }
        if (p == "/api/v1/keys") return fake::ok(json::object{{"id", 5}, {"key", "sk-" + std::string(64, 'b')}});
        return fake::ok(group_json(1, "g"));
    });
    AdminClient client(host, key_options(), secrets);
    REQUIRE(client.create_group(make_group("g")));
    REQUIRE(client.create_account(make_account("a")));
    REQUIRE(client.create_user(make_user("u@x", "user-password-1")));
    REQUIRE(client.assign_subscription(3, 1, 30));
    REQUIRE(client.create_key_as_user("user-jwt-token-0123456789", "probe", 1));
    REQUIRE(client.create_group(make_group("h"), RequestOptions{.idempotency_key = "journaled-key-1"}));
    std::set<std::string> keys;
    for (std::size_t i = 0; i + 1 < host.requests.size(); ++i) {
        auto k = fake::header(host.requests[i], "Idempotency-Key");
        CHECK(k.size() == 32);
        keys.insert(k);
    }
    CHECK(keys.size() == host.requests.size() - 1);
    CHECK(fake::header(host.requests.back(), "Idempotency-Key") == "journaled-key-1");
}

TEST_CASE("admin client: reads carry no Idempotency-Key") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) { return fake::ok(group_json(1, "g")); });
    AdminClient client(host, key_options(), secrets);
    REQUIRE(client.get_group(1));
    CHECK(fake::header(host.requests[0], "Idempotency-Key").empty());
}

TEST_CASE("admin client: a credentials update sends the full non-secret credentials map") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest& r) {
        json::object account{
            {"id", 9},
            {"name", "ds-1"},
            {"platform", "deepseek"},
            {"credentials", json::object{{"base_url", "https://api.deepseek.com"},
                                         {"account_mode", "payg"},
                                         {"model_mapping", json::object{{"deepseek-chat", "deepseek-chat"}}}}},
            {"credentials_status", json::object{{"has_api_key", true}}}};
        if (r.method == "PUT") account["credentials"] = json::parse(r.body).at("credentials");
        return fake::ok(account);
    });
    AdminClient client(host, key_options(), secrets);
    json::object patch{
        {"credentials", json::object{{"model_mapping", json::object{{"deepseek-reasoner", "deepseek-reasoner"}}}}}};
    auto updated = client.update_account(9, patch);
    REQUIRE(updated);
    REQUIRE(host.paths() == std::vector<std::string>{"GET /api/v1/admin/accounts/9", "PUT /api/v1/admin/accounts/9"});
    auto sent = body_of(host.requests[1]).at("credentials").as_object();
    CHECK(sent.at("base_url") == "https://api.deepseek.com");
    CHECK(sent.at("account_mode") == "payg");
    CHECK(sent.at("model_mapping").as_object().contains("deepseek-reasoner"));
    CHECK_FALSE(sent.at("model_mapping").as_object().contains("deepseek-chat"));
    CHECK_FALSE(sent.contains("api_key"));
    CHECK(updated->has_api_key);
}

TEST_CASE("admin client: an update without credentials does not read the account first") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) {
        return fake::ok(json::object{{"id", 9}, {"name", "ds-1"}, {"status", "inactive"}});
    });
    AdminClient client(host, key_options(), secrets);
    REQUIRE(client.update_account(9, json::object{{"status", "inactive"}}));
    CHECK(host.paths() == std::vector<std::string>{"PUT /api/v1/admin/accounts/9"});
}

TEST_CASE("admin client: every secret is registered before the request carrying it is sent") {
    SecretRegistry secrets;
    const std::string upstream_key = "sk-" + std::string(48, 'c');
    const std::string user_password = "user-password-42";
    const std::string new_upstream_key = "sk-" + std::string(48, 'd');
    fake::FakeHost host(secrets, [](const HttpRequest& r) {
        auto p = fake::path_of(r);
        if (p.starts_with("/api/v1/admin/accounts")) {
            return fake::ok(json::object{{"id", 2}, {"name", "a"}, {"credentials", json::object{{"base_url", "u"}}}});
        }
        return fake::ok(json::object{{"id", 3}, {"email", "u@x"}});
    });
    host.watched = {k_admin_key, upstream_key, user_password, new_upstream_key};
    AdminClient client(host, key_options(), secrets);
    auto account = make_account("a");
    account.credentials = json::object{{"api_key", upstream_key}, {"base_url", "https://api.deepseek.com"}};
    REQUIRE(client.create_account(account));
    REQUIRE(client.create_user(make_user("u@x", user_password)));
    REQUIRE(client.update_user(3, json::object{{"password", user_password + "x"}}));
    REQUIRE(client.update_account(2, json::object{{"credentials", json::object{{"api_key", new_upstream_key}}}}));
    CHECK(host.sent_unregistered.empty());
    CHECK(secrets.scrub(upstream_key) == "[REDACTED]");
    CHECK(secrets.scrub(new_upstream_key) == "[REDACTED]");
    CHECK(secrets.scrub(user_password + "x") == "[REDACTED]");
    CHECK(host.requests.size() == 5);
}

TEST_CASE("admin client: without an admin key it logs in once and sends the JWT as Bearer") {
    SecretRegistry secrets;
    const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.admin-session.signature";
    int logins = 0;
    fake::FakeHost host(secrets, [&](const HttpRequest& r) {
        if (fake::path_of(r) == "/api/v1/auth/login") {
            ++logins;
            auto b = json::parse(r.body);
            CHECK(b.at("email") == "admin@sub2api.local");
            return fake::ok(
                json::object{{"access_token", jwt}, {"token_type", "Bearer"}, {"user", json::object{{"id", 1}}}});
        }
        return fake::ok(group_json(1, "g"));
    });
    host.watched = {jwt, "admin-password-1"};
    AdminClient client(host, login_options(), secrets);
    REQUIRE(client.get_group(1));
    REQUIRE(client.get_group(1));
    CHECK(logins == 1);
    REQUIRE(host.requests.size() == 3);
    CHECK(fake::header(host.requests[0], "Authorization").empty());
    CHECK(fake::header(host.requests[1], "Authorization") == "Bearer " + jwt);
    CHECK(fake::header(host.requests[1], "x-api-key").empty());
    CHECK(host.sent_unregistered.empty());
    CHECK(secrets.scrub(jwt) == "[REDACTED]");
}

TEST_CASE("admin client: an expired admin JWT triggers exactly one re-login") {
    SecretRegistry secrets;
    int logins = 0;
    int calls = 0;
    fake::FakeHost host(secrets, [&](const HttpRequest& r) {
        if (fake::path_of(r) == "/api/v1/auth/login") {
            ++logins;
            return fake::ok(json::object{{"access_token", "jwt-number-" + std::to_string(logins) + "-abcdef"}});
        }
        if (++calls == 1) return fake::reply(401, R"({"code":"TOKEN_EXPIRED","message":"Token has expired"})");
        return fake::ok(group_json(1, "g"));
    });
    AdminClient client(host, login_options(), secrets);
    REQUIRE(client.get_group(1));
    CHECK(logins == 2);
    CHECK(fake::header(host.requests.back(), "Authorization") == "Bearer jwt-number-2-abcdef");
}

namespace {

// A host whose first admin token expires under two parallel calls: the first refused call gets
// its 401 only once the second has sent the same token, and the second gets its 401 only after
// the first has logged in again and been answered with the new token.
class ExpiringHost final : public crm::probes::HttpTransport {
  public:
    crm::util::Result<HttpResponse> send(const HttpRequest& r) override {
        std::unique_lock lock(m_mutex);
        if (fake::path_of(r) == "/api/v1/auth/login") {
            ++logins;
            return fake::ok(json::object{{"access_token", "jwt-number-" + std::to_string(logins) + "-abcdef"}});
        }
        if (fake::header(r, "Authorization") == "Bearer jwt-number-1-abcdef") {
            const int seen = ++m_refused;
            m_cv.notify_all();
            if (seen == 1) {
                m_cv.wait_for(lock, std::chrono::seconds(5), [&] { return m_refused >= 2; });
            } else {
                m_cv.wait_for(lock, std::chrono::seconds(5), [&] { return m_answered_new; });
            }
            return fake::reply(401, R"({"code":"TOKEN_EXPIRED","message":"Token has expired"})");
        }
        m_answered_new = true;
        m_cv.notify_all();
        return fake::ok(group_json(1, "g"));
    }

    int logins = 0;  // guarded by m_mutex; read after the calls end

  private:
    std::mutex m_mutex;
    std::condition_variable m_cv;
    int m_refused = 0;
    bool m_answered_new = false;
};

}  // namespace

TEST_CASE("admin client: parallel calls refused with the same expired JWT share one re-login") {
    SecretRegistry secrets;
    ExpiringHost host;
    AdminClient client(host, login_options(), secrets);
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i) {
        threads.emplace_back([&] {
            if (client.get_group(1)) ++ok;
        });
    }
    for (auto& t : threads) t.join();
    CHECK(ok == 2);
    CHECK(host.logins == 2);  // the first login, and one after the expiry
}

TEST_CASE("admin client: a failed admin login is host_rejected") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) {
        return fake::reply(401, R"({"code":401,"message":"invalid email or password","reason":"INVALID_CREDENTIALS"})");
    });
    AdminClient client(host, login_options(), secrets);
    auto g = client.get_group(1);
    REQUIRE_FALSE(g);
    CHECK(g.error().code == ErrorCode::host_rejected);
    CHECK(g.error().message == "POST /api/v1/auth/login -> 401 INVALID_CREDENTIALS: invalid email or password");
    CHECK(host.requests.size() == 1);
}

TEST_CASE("admin client: a login that asks for 2FA is refused with a hint") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) {
        return fake::ok(json::object{{"requires_2fa", true}, {"temp_token", "temp-token-123456"}});
    });
    AdminClient client(host, login_options(), secrets);
    auto g = client.get_group(1);
    REQUIRE_FALSE(g);
    CHECK(g.error().code == ErrorCode::host_rejected);
    CHECK(g.error().message.find("requires 2FA") != std::string::npos);
    CHECK(secrets.scrub("temp-token-123456") == "[REDACTED]");
}

TEST_CASE("admin client: user key via login + POST /api/v1/keys uses the user JWT, never the admin key") {
    SecretRegistry secrets;
    const std::string user_jwt = "user-jwt-0123456789abcdef";
    const std::string user_key = "sk-" + std::string(64, 'e');
    fake::FakeHost host(secrets, [&](const HttpRequest& r) {
        if (fake::path_of(r) == "/api/v1/auth/login") {
            return fake::ok(json::object{{"access_token", user_jwt}, {"user", json::object{{"id", 12}}}});
        }
        return fake::ok(json::object{
            {"id", 40}, {"user_id", 12}, {"key", user_key}, {"name", "probe"}, {"group_id", 5}, {"status", "active"}});
    });
    host.watched = {"user-password-9", user_jwt};
    AdminClient client(host, key_options(), secrets);
    auto session = client.login_user("u@example.com", "user-password-9");
    REQUIRE(session);
    CHECK(session->user_id == 12);
    auto key = client.create_key_as_user(session->access_token, "probe", 5);
    REQUIRE(key);
    CHECK(key->key == user_key);
    CHECK(key->group_id == 5);
    const auto& create = host.requests.back();
    CHECK(fake::path_of(create) == "/api/v1/keys");
    CHECK(fake::header(create, "Authorization") == "Bearer " + user_jwt);
    CHECK(fake::header(create, "x-api-key").empty());
    CHECK(body_of(create) == json::parse(R"({"name":"probe","group_id":5})"));
    CHECK(host.sent_unregistered.empty());
    CHECK(secrets.scrub(user_key) == "[REDACTED]");
}

TEST_CASE("admin client: fork key route posts to /admin/users/:id/api-keys and registers the key") {
    SecretRegistry secrets;
    const std::string user_key = "sk-" + std::string(64, 'f');
    fake::FakeHost host(secrets, [&](const HttpRequest&) {
        return fake::ok(json::object{{"id", 41}, {"user_id", 12}, {"key", user_key}, {"group_id", 6}});
    });
    AdminClient client(host, key_options(), secrets);
    auto key = client.create_key_admin(12, "probe", 6);
    REQUIRE(key);
    CHECK(host.paths() == std::vector<std::string>{"POST /api/v1/admin/users/12/api-keys"});
    CHECK(fake::header(host.requests[0], "x-api-key") == k_admin_key);
    CHECK(secrets.scrub(user_key) == "[REDACTED]");
}

TEST_CASE("admin client: error messages echoing a registered secret are scrubbed") {
    SecretRegistry secrets;
    const std::string upstream_key = "sk-" + std::string(48, '7');
    fake::FakeHost host(secrets, [&](const HttpRequest&) {
        return fake::reply(400,
                           R"({"code":400,"message":"Invalid request: api_key )" + upstream_key + R"( rejected"})");
    });
    AdminClient client(host, key_options(), secrets);
    auto account = make_account("a");
    account.credentials = json::object{{"api_key", upstream_key}};
    auto r = client.create_account(account);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find(upstream_key) == std::string::npos);
    CHECK(r.error().message.find("[REDACTED]") != std::string::npos);
}

TEST_CASE("admin client: the exchange log records method, path and status without bodies") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest& r) {
        if (r.method == "DELETE") return fake::reply(404, R"({"code":404,"message":"nope"})");
        return fake::ok(group_json(1, "g"));
    });
    AdminClient client(host, key_options(), secrets);
    REQUIRE(client.get_group(1));
    REQUIRE_FALSE(client.delete_group(2));
    auto log = client.take_exchanges();
    REQUIRE(log.size() == 2);
    CHECK(log[0].method == "GET");
    CHECK(log[0].path == "/api/v1/admin/groups/1");
    CHECK(log[0].status == 200);
    CHECK(log[1].method == "DELETE");
    CHECK(log[1].status == 404);
    CHECK(client.take_exchanges().empty());
}

TEST_CASE("admin client: balance updates send {balance, operation} and refuse a zero amount") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) {
        return fake::ok(json::object{{"id", 3}, {"email", "u@x"}, {"balance", 5}});
    });
    AdminClient client(host, key_options(), secrets);
    auto u = client.update_balance(3, 5.0, "set", "probe");
    REQUIRE(u);
    CHECK(u->balance == 5.0);
    CHECK(body_of(host.requests[0]) == json::parse(R"({"balance":5.0,"operation":"set","notes":"probe"})"));
    CHECK_FALSE(fake::header(host.requests[0], "Idempotency-Key").empty());
    auto zero = client.update_balance(3, 0.0, "set");
    REQUIRE_FALSE(zero);
    CHECK(zero.error().code == ErrorCode::invalid_input);
    CHECK(host.requests.size() == 1);
}

TEST_CASE("admin client: parallel callers in login mode share one admin login") {
    SecretRegistry secrets;
    std::atomic<int> logins{0};
    fake::FakeHost host(secrets, [&](const HttpRequest& r) {
        if (fake::path_of(r) == "/api/v1/auth/login") {
            ++logins;
            return fake::ok(json::object{{"access_token", "shared-admin-jwt-0123456789"}});
        }
        return fake::ok(group_json(1, "g"));
    });
    AdminClient client(host, login_options(), secrets);
    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 10; ++i) {
                if (client.get_group(1)) ++ok;
            }
        });
    }
    for (auto& t : threads) t.join();
    CHECK(ok == 40);
    CHECK(logins == 1);
    CHECK(client.take_exchanges().size() == 41);
}

TEST_CASE("admin client: a JWT the host keeps rejecting is retried once, not forever") {
    SecretRegistry secrets;
    int logins = 0;
    fake::FakeHost host(secrets, [&](const HttpRequest& r) {
        if (fake::path_of(r) == "/api/v1/auth/login") {
            ++logins;
            return fake::ok(json::object{{"access_token", "rejected-admin-jwt-" + std::to_string(logins)}});
        }
        return fake::reply(401, R"({"code":"INVALID_TOKEN","message":"Invalid token"})");
    });
    AdminClient client(host, login_options(), secrets);
    auto g = client.get_group(1);
    REQUIRE_FALSE(g);
    CHECK(g.error().code == ErrorCode::host_rejected);
    CHECK(logins == 2);
    CHECK(host.requests.size() == 4);
}

TEST_CASE("admin client: remote_code is empty for errors that are not host answers") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest& r) -> crm::util::Result<HttpResponse> {
        if (fake::path_of(r) == "/api/v1/admin/refused")
            return crm::util::fail(ErrorCode::connect_failed, "connect refused");
        if (fake::path_of(r) == "/api/v1/admin/broken")
            return fake::reply(500, R"({"code":500,"message":"internal error"})");
        return fake::reply(409, R"({"code":409,"message":"email exists","reason":"EMAIL_EXISTS"})");
    });
    AdminClient client(host, key_options(), secrets);
    auto refused = client.get("/api/v1/admin/refused");
    REQUIRE_FALSE(refused);
    CHECK(refused.error().remote_code.empty());
    auto broken = client.get("/api/v1/admin/broken");
    REQUIRE_FALSE(broken);
    CHECK(broken.error().remote_code.empty());
    auto exists = client.post("/api/v1/admin/users", json::object{});
    REQUIRE_FALSE(exists);
    CHECK(exists.error().remote_code == "EMAIL_EXISTS");
}

TEST_CASE("admin client: the exchange log can be switched off") {
    SecretRegistry secrets;
    fake::FakeHost host(secrets, [](const HttpRequest&) { return fake::ok(group_json(1, "g")); });
    auto options = key_options();
    options.record_exchanges = false;
    AdminClient client(host, options, secrets);
    REQUIRE(client.get_group(1));
    CHECK(client.take_exchanges().empty());
    CHECK(host.requests.size() == 1);
}
