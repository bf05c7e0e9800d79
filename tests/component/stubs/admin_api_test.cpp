#include "tests/component/stubs/stub_test_support.hpp"

using namespace crm::stubs;
using namespace crm::stubs::test;

namespace {
std::string login_token(const StubCluster& c, const std::string& email, const std::string& password) {
    auto r = call("POST", c.endpoints().host_url + "/api/v1/auth/login",
                  json::serialize(json::object{{"email", email}, {"password", password}}));
    REQUIRE(r.status == 200);
    return r.str("data.access_token");
}
}  // namespace

TEST_CASE("stub host: health, public settings and system version") {
    auto c = start_cluster();
    const auto& base = c->endpoints().host_url;
    auto h = call("GET", base + "/health");
    CHECK(h.status == 200);
    CHECK(h.str("status") == "ok");
    auto s = call("GET", base + "/api/v1/settings/public");
    CHECK(s.num("code") == 0);
    CHECK(s.str("message") == "success");
    CHECK(s.str("data.version") == "0.1.179");
    CHECK(s.doc.at("data").at("backend_mode_enabled").as_bool() == false);
    CHECK(admin_of(*c).get("/api/v1/admin/system/version").str("data.version") == "0.1.179");
}

TEST_CASE("stub host: admin auth shapes - UNAUTHORIZED, INVALID_ADMIN_KEY, INVALID_TOKEN, FORBIDDEN, x-api-key wins") {
    auto c = start_cluster();
    const auto& ep = c->endpoints();
    const std::string path = ep.host_url + "/api/v1/admin/groups";
    auto none = call("GET", path);
    CHECK(none.status == 401);
    CHECK(none.str("code") == "UNAUTHORIZED");
    auto bad = call("GET", path, {}, {{"x-api-key", "admin-" + std::string(64, '0')}});
    CHECK(bad.status == 401);
    CHECK(bad.str("code") == "INVALID_ADMIN_KEY");
    CHECK(bad.str("message") == "Invalid admin API key");
    auto junk = call("GET", path, {}, {{"Authorization", "Bearer not.a.jwt"}});
    CHECK(junk.status == 401);
    CHECK(junk.str("code") == "INVALID_TOKEN");
    const auto admin_jwt = login_token(*c, ep.admin_email, ep.admin_password);
    CHECK(call("GET", path, {}, {{"Authorization", "Bearer " + admin_jwt}}).status == 200);
    // x-api-key wins even when a valid JWT is present.
    CHECK(call("GET", path, {}, {{"Authorization", "Bearer " + admin_jwt}, {"x-api-key", "admin-wrong"}}).status ==
          401);
    REQUIRE(admin_of(*c).post("/api/v1/admin/users", R"({"email":"u@example.com","password":"secret1"})").status ==
            200);
    auto user_jwt = login_token(*c, "u@example.com", "secret1");
    auto forbidden = call("GET", path, {}, {{"Authorization", "Bearer " + user_jwt}});
    CHECK(forbidden.status == 403);
    CHECK(forbidden.str("code") == "FORBIDDEN");
    auto wrong = call("POST", ep.host_url + "/api/v1/auth/login", R"({"email":"u@example.com","password":"nope"})");
    CHECK(wrong.status == 401);
    CHECK(wrong.num("code") == 401);
}

TEST_CASE("stub host: login returns a Bearer JWT pair and the user") {
    auto c = start_cluster();
    auto r = call("POST", c->endpoints().host_url + "/api/v1/auth/login",
                  json::serialize(json::object{{"email", c->endpoints().admin_email},
                                               {"password", c->endpoints().admin_password}}));
    REQUIRE(r.status == 200);
    CHECK(r.str("data.token_type") == "Bearer");
    const auto token = r.str("data.access_token");
    CHECK(std::count(token.begin(), token.end(), '.') == 2);
    CHECK_FALSE(r.str("data.refresh_token").empty());
    CHECK(r.str("data.user.role") == "admin");
    CHECK_FALSE(r.doc.at("data").at("user").as_object().contains("_password"));
}

TEST_CASE("stub host: admin API key lifecycle - get, regenerate, delete") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto g = admin.get("/api/v1/admin/settings/admin-api-key");
    CHECK(g.doc.at("data").at("exists").as_bool());
    CHECK(g.str("data.masked_key").find(admin.key.substr(20)) == std::string::npos);
    auto r = admin.post("/api/v1/admin/settings/admin-api-key/regenerate", "");
    const auto fresh = r.str("data.key");
    CHECK(fresh.starts_with("admin-"));
    CHECK(fresh.size() == 70);
    CHECK(admin.get("/api/v1/admin/groups").status == 401);
    admin.key = fresh;
    CHECK(admin.get("/api/v1/admin/groups").status == 200);
    CHECK(admin.del("/api/v1/admin/settings/admin-api-key").status == 200);
    auto after = admin.get("/api/v1/admin/groups");
    CHECK(after.status == 401);
    CHECK(after.str("code") == "INVALID_ADMIN_KEY");
}

TEST_CASE("stub host: compliance_gate answers 423 until the exact phrase is accepted") {
    StubOptions o;
    o.host_profile = "compliance_gate";
    auto c = start_cluster(o);
    auto admin = admin_of(*c);
    auto gated = admin.get("/api/v1/admin/groups");
    CHECK(gated.status == 423);
    CHECK(gated.str("code") == "ADMIN_COMPLIANCE_ACK_REQUIRED");
    CHECK(gated.str("metadata.version") == "v2026.06.10");
    auto state = admin.get("/api/v1/admin/compliance");
    REQUIRE(state.status == 200);
    CHECK(state.doc.at("data").at("required").as_bool());
    auto wrong = admin.post("/api/v1/admin/compliance/accept", R"({"phrase":"I agree","language":"en"})");
    CHECK(wrong.status == 400);
    CHECK(wrong.str("reason") == "ADMIN_COMPLIANCE_INVALID_PHRASE");
    CHECK(admin.get("/api/v1/admin/groups").status == 423);
    auto ok =
        admin.post("/api/v1/admin/compliance/accept",
                   json::serialize(json::object{{"phrase", state.str("data.ack_phrase_en")}, {"language", "en"}}));
    CHECK(ok.status == 200);
    CHECK(admin.get("/api/v1/admin/groups").status == 200);
    CHECK_FALSE(admin.get("/api/v1/admin/compliance").doc.at("data").at("required").as_bool());
}

TEST_CASE("stub host: healthy host has no compliance gate") {
    auto c = start_cluster();
    auto state = admin_of(*c).get("/api/v1/admin/compliance");
    CHECK_FALSE(state.doc.at("data").at("required").as_bool());
}

TEST_CASE("stub host: groups - defaults, rate_multiplier 500, GROUP_EXISTS, enum, pagination, /all") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto d = admin.post("/api/v1/admin/groups", R"({"name":"g-default","rate_multiplier":1})");
    REQUIRE(d.status == 200);
    CHECK(d.str("data.platform") == "anthropic");
    CHECK(d.str("data.subscription_type") == "standard");
    auto no_rate = admin.post("/api/v1/admin/groups", R"({"name":"g-norate","platform":"deepseek"})");
    CHECK(no_rate.status == 500);
    CHECK(no_rate.body == R"({"code":500,"message":"internal error"})");
    CHECK(admin.post("/api/v1/admin/groups", R"({"name":"g-zero","platform":"deepseek","rate_multiplier":0})").status ==
          500);
    auto dup = admin.post("/api/v1/admin/groups", R"({"name":"g-default","rate_multiplier":1})");
    CHECK(dup.status == 409);
    CHECK(dup.str("reason") == "GROUP_EXISTS");
    auto bad = admin.post("/api/v1/admin/groups", R"({"name":"g-bad","platform":"minimax","rate_multiplier":1})");
    CHECK(bad.status == 400);
    CHECK(bad.str("message").starts_with("Invalid request: "));
    CHECK(admin
              .post("/api/v1/admin/groups",
                    R"({"name":"g-sub","platform":"deepseek","rate_multiplier":1,"subscription_type":"subscription"})")
              .status == 200);
    CHECK(admin
              .post("/api/v1/admin/groups",
                    R"({"name":"g-x","platform":"deepseek","rate_multiplier":1,"subscription_type":"weird"})")
              .status == 400);
    auto page = admin.get("/api/v1/admin/groups?page=1&page_size=1&platform=deepseek");
    CHECK(page.num("data.total") == 1);
    CHECK(page.num("data.pages") == 1);
    CHECK(page.num("data.page_size") == 1);
    auto all = admin.get("/api/v1/admin/groups/all");
    REQUIRE(all.doc.at("data").is_array());
    CHECK(all.doc.at("data").as_array().size() == 2);
    const auto id = std::to_string(d.num("data.id"));
    auto put = admin.put("/api/v1/admin/groups/" + id, R"({"description":"changed","status":"inactive"})");
    CHECK(put.str("data.description") == "changed");
    CHECK(admin.get("/api/v1/admin/groups/all").doc.at("data").as_array().size() == 1);
    CHECK(admin.del("/api/v1/admin/groups/" + id).str("data.message").size() > 0);
    CHECK(admin.get("/api/v1/admin/groups/" + id).status == 404);
}

TEST_CASE("stub host: channels - defaults, CHANNEL_EXISTS, GROUP_ALREADY_IN_CHANNEL, enum validation") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto g = admin.post("/api/v1/admin/groups", R"({"name":"cg","platform":"deepseek","rate_multiplier":1})");
    const auto gid = g.num("data.id");
    auto ch = admin.post("/api/v1/admin/channels",
                         json::serialize(json::object{{"name", "ch1"}, {"group_ids", json::array{gid}}}));
    REQUIRE(ch.status == 200);
    CHECK(ch.str("data.billing_model_source") == "channel_mapped");
    CHECK(ch.doc.at("data").at("restrict_models").as_bool() == false);
    auto dup = admin.post("/api/v1/admin/channels", R"({"name":"ch1"})");
    CHECK(dup.status == 409);
    CHECK(dup.str("reason") == "CHANNEL_EXISTS");
    auto taken = admin.post("/api/v1/admin/channels",
                            json::serialize(json::object{{"name", "ch2"}, {"group_ids", json::array{gid}}}));
    CHECK(taken.status == 409);
    CHECK(taken.str("reason") == "GROUP_ALREADY_IN_CHANNEL");
    CHECK(admin.post("/api/v1/admin/channels", R"({"name":"ch3","billing_model_source":"nope"})").status == 400);
    CHECK(admin.get("/api/v1/admin/channels").num("data.total") == 1);
    const auto id = std::to_string(ch.num("data.id"));
    CHECK(admin.put("/api/v1/admin/channels/" + id, R"({"restrict_models":true})")
              .doc.at("data")
              .at("restrict_models")
              .as_bool());
    CHECK(admin.del("/api/v1/admin/channels/" + id).status == 200);
    CHECK(admin.get("/api/v1/admin/channels/" + id).status == 404);
}

TEST_CASE("stub host: users - EMAIL_EXISTS, password length, balance set/add/subtract with gt 0") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto u = admin.post("/api/v1/admin/users", R"({"email":"a@example.com","password":"secret1","balance":2})");
    REQUIRE(u.status == 200);
    CHECK(u.real("data.balance") == 2.0);
    CHECK(u.str("data.role") == "user");
    CHECK(admin.post("/api/v1/admin/users", R"({"email":"a@example.com","password":"secret1"})").str("reason") ==
          "EMAIL_EXISTS");
    CHECK(admin.post("/api/v1/admin/users", R"({"email":"b@example.com","password":"12345"})").status == 400);
    CHECK(admin.post("/api/v1/admin/users", R"({"email":"not-an-email","password":"123456"})").status == 400);
    const auto base = "/api/v1/admin/users/" + std::to_string(u.num("data.id"));
    CHECK(admin.post(base + "/balance", R"({"balance":3,"operation":"add"})").real("data.balance") == 5.0);
    CHECK(admin.post(base + "/balance", R"({"balance":1.5,"operation":"subtract"})").real("data.balance") == 3.5);
    CHECK(admin.post(base + "/balance", R"({"balance":7,"operation":"set"})").real("data.balance") == 7.0);
    CHECK(admin.post(base + "/balance", R"({"balance":0,"operation":"set"})").status == 400);
    CHECK(admin.post(base + "/balance", R"({"balance":1,"operation":"double"})").status == 400);
    CHECK(admin.get(base + "/api-keys").num("data.total") == 0);
    CHECK(admin.get("/api/v1/admin/users?search=a@example").num("data.total") == 1);
    CHECK(admin.put(base, R"({"status":"disabled"})").str("data.status") == "disabled");
    CHECK(admin.del(base).status == 200);
    CHECK(admin.get(base).status == 404);
}

TEST_CASE("stub host: subscriptions - type check, idempotent assign, conflict metadata, revoke and renew") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto std_group = admin.post("/api/v1/admin/groups", R"({"name":"std","platform":"deepseek","rate_multiplier":1})");
    auto sub_group =
        admin.post("/api/v1/admin/groups",
                   R"({"name":"sub","platform":"deepseek","rate_multiplier":1,"subscription_type":"subscription"})");
    auto u = admin.post("/api/v1/admin/users", R"({"email":"s@example.com","password":"secret1"})");
    const auto uid = u.num("data.id");
    auto assign = [&](std::int64_t gid, int days) {
        return admin.post("/api/v1/admin/subscriptions/assign",
                          json::serialize(json::object{{"user_id", uid}, {"group_id", gid}, {"validity_days", days}}));
    };
    auto not_sub = assign(std_group.num("data.id"), 30);
    CHECK(not_sub.status == 400);
    CHECK(not_sub.str("reason") == "GROUP_NOT_SUBSCRIPTION_TYPE");
    auto first = assign(sub_group.num("data.id"), 30);
    REQUIRE(first.status == 200);
    CHECK(first.str("data.status") == "active");
    auto again = assign(sub_group.num("data.id"), 30);
    CHECK(again.num("data.id") == first.num("data.id"));
    auto conflict = assign(sub_group.num("data.id"), 60);
    CHECK(conflict.status == 409);
    CHECK(conflict.str("reason") == "SUBSCRIPTION_ASSIGN_CONFLICT");
    CHECK(conflict.str("metadata.conflict_reason") == "validity_days_mismatch");
    const auto sid = std::to_string(first.num("data.id"));
    CHECK(admin.get("/api/v1/admin/subscriptions/" + sid).str("data.status") == "active");
    CHECK(admin.get("/api/v1/admin/subscriptions?group_id=" + std::to_string(sub_group.num("data.id")))
              .num("data.total") == 1);
    CHECK(admin.get("/api/v1/admin/subscriptions?status=active&platform=openai").num("data.total") == 0);
    CHECK(admin.post("/api/v1/admin/subscriptions/" + sid + "/revoke", "").status == 200);
    CHECK(admin.get("/api/v1/admin/subscriptions/" + sid).str("data.status") == "revoked");
    auto renewed = assign(sub_group.num("data.id"), 60);
    CHECK(renewed.status == 200);
    CHECK(renewed.str("data.status") == "active");
    CHECK(admin.get("/api/v1/admin/users/" + std::to_string(uid) + "/subscriptions").doc.at("data").as_array().size() ==
          1);
    CHECK(admin.del("/api/v1/admin/subscriptions/" + sid).status == 200);
}

TEST_CASE("stub host: user keys - GROUP_NOT_ALLOWED without subscription or exclusive grant, available groups") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    const auto& base = c->endpoints().host_url;
    auto sub_group =
        admin.post("/api/v1/admin/groups",
                   R"({"name":"sub","platform":"deepseek","rate_multiplier":1,"subscription_type":"subscription"})");
    auto excl = admin.post("/api/v1/admin/groups",
                           R"({"name":"excl","platform":"deepseek","rate_multiplier":1,"is_exclusive":true})");
    auto open = admin.post("/api/v1/admin/groups", R"({"name":"open","platform":"deepseek","rate_multiplier":1})");
    auto u = admin.post("/api/v1/admin/users", R"({"email":"k@example.com","password":"secret1"})");
    auto token = login_token(*c, "k@example.com", "secret1");
    HeaderList auth{{"Authorization", "Bearer " + token}};
    auto key_for = [&](std::int64_t gid) {
        return call("POST", base + "/api/v1/keys", json::serialize(json::object{{"name", "k"}, {"group_id", gid}}),
                    auth);
    };
    auto denied = key_for(sub_group.num("data.id"));
    CHECK(denied.status == 403);
    CHECK(denied.str("reason") == "GROUP_NOT_ALLOWED");
    CHECK(key_for(excl.num("data.id")).str("reason") == "GROUP_NOT_ALLOWED");
    auto ok = key_for(open.num("data.id"));
    REQUIRE(ok.status == 200);
    CHECK(ok.str("data.key").starts_with("sk-"));
    CHECK(ok.str("data.status") == "active");
    auto avail = call("GET", base + "/api/v1/groups/available", {}, auth);
    CHECK(avail.doc.at("data").as_array().size() == 1);
    admin.put("/api/v1/admin/users/" + std::to_string(u.num("data.id")),
              json::serialize(json::object{{"allowed_groups", json::array{excl.num("data.id")}}}));
    CHECK(key_for(excl.num("data.id")).status == 200);
    CHECK(call("GET", base + "/api/v1/keys", {}, auth).num("data.total") == 2);
    CHECK(call("POST", base + "/api/v1/keys", R"({"name":"k"})").status == 401);
}

TEST_CASE("stub host: fork admin key route exists only when enabled") {
    auto plain = start_cluster();
    auto u = admin_of(*plain).post("/api/v1/admin/users", R"({"email":"f@example.com","password":"secret1"})");
    CHECK(admin_of(*plain)
              .post("/api/v1/admin/users/" + std::to_string(u.num("data.id")) + "/api-keys", R"({"name":"x"})")
              .status == 404);
    StubOptions o;
    o.fork_admin_key_route = true;
    auto fork = start_cluster(o);
    auto admin = admin_of(*fork);
    auto sub_group =
        admin.post("/api/v1/admin/groups",
                   R"({"name":"sub","platform":"deepseek","rate_multiplier":1,"subscription_type":"subscription"})");
    auto u2 = admin.post("/api/v1/admin/users", R"({"email":"f@example.com","password":"secret1"})");
    auto k = admin.post("/api/v1/admin/users/" + std::to_string(u2.num("data.id")) + "/api-keys",
                        json::serialize(json::object{{"name", "x"}, {"group_id", sub_group.num("data.id")}}));
    CHECK(k.status == 200);  // the fork skips group-permission checks
    CHECK(k.str("data.key").starts_with("sk-"));
}

TEST_CASE("stub host: Idempotency-Key replays the same answer and rejects a different body") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto u = admin.post("/api/v1/admin/users", R"({"email":"i@example.com","password":"secret1"})");
    const auto path = "/api/v1/admin/users/" + std::to_string(u.num("data.id")) + "/balance";
    HeaderList idem{{"Idempotency-Key", "op-1"}};
    auto first = admin.post(path, R"({"balance":2,"operation":"add"})", idem);
    auto replay = admin.post(path, R"({"balance":2,"operation":"add"})", idem);
    CHECK(first.real("data.balance") == 2.0);
    CHECK(replay.real("data.balance") == 2.0);
    CHECK(replay.header("x-idempotency-replayed") == "true");
    CHECK(first.header("x-idempotency-replayed").empty());
    auto conflict = admin.post(path, R"({"balance":3,"operation":"add"})", idem);
    CHECK(conflict.status == 409);
    CHECK(conflict.str("reason") == "IDEMPOTENCY_KEY_CONFLICT");
    CHECK(admin.get("/api/v1/admin/users/" + std::to_string(u.num("data.id"))).real("data.balance") == 2.0);
}

TEST_CASE("stub host: malformed JSON is 400 Invalid request, unknown routes 404") {
    auto c = start_cluster();
    auto admin = admin_of(*c);
    auto bad = admin.post("/api/v1/admin/groups", "{not json");
    CHECK(bad.status == 400);
    CHECK(bad.num("code") == 400);
    CHECK(bad.str("message").starts_with("Invalid request: "));
    CHECK(admin.get("/api/v1/admin/nothing-here").status == 404);
    CHECK(call("GET", c->endpoints().host_url + "/nowhere").status == 404);
}
