#include <filesystem>
#include <fstream>

#include "tests/component/stubs/stub_test_support.hpp"

using namespace crm::stubs;
using namespace crm::stubs::test;

namespace {
// A cluster whose deepseek upstream answers every chat call with the named provider error.
std::unique_ptr<StubCluster> failing_with(const std::string& error_name) {
    auto path = std::filesystem::temp_directory_path() /
                ("crm-stub-" + error_name + "-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << R"({"name":"t","description":"d","upstream":{"chat_error":")" + error_name + R"("}})";
    StubOptions o;
    o.upstreams = {{"deepseek", "deepseek", path.string()}};
    auto c = start_cluster(o);
    std::filesystem::remove(path);
    return c;
}
}  // namespace

TEST_CASE("penalties: DeepSeek 402 puts CN accounts on cn_balance_low cooldown, client 502 Upstream request failed") {
    auto c = failing_with("deepseek_402");
    WalkOptions o;
    o.accounts = 2;
    auto a = provision(*c, o);
    auto r = chat(*c, a.key, "deepseek-chat");
    CHECK(r.status == 502);
    CHECK(r.str("error.message") == "Upstream request failed");
    for (auto id : a.account_ids) {
        auto acc = admin_of(*c).get("/api/v1/admin/accounts/" + std::to_string(id));
        CHECK(acc.str("data.temp_unschedulable_reason") == "cn_balance_low: Insufficient Balance");
        CHECK(acc.doc.at("data").at("extra").at("deepseek_balance_low").as_bool());
        CHECK(acc.str("data.status") == "active");
    }
}

TEST_CASE("penalties: upstream 429 stays 429 for the client and rate-limits the account") {
    auto c = failing_with("rate_limit_429");
    auto a = provision(*c, WalkOptions{});
    auto r = chat(*c, a.key, "deepseek-chat");
    CHECK(r.status == 429);
    CHECK(r.str("error.type") == "rate_limit_error");
    auto acc = admin_of(*c).get("/api/v1/admin/accounts/" + std::to_string(a.account_ids[0]));
    CHECK_FALSE(acc.str("data.rate_limit_reset_at").empty());
    CHECK(admin_of(*c).get("/api/v1/admin/accounts?status=rate_limited").num("data.total") == 1);
}

TEST_CASE("penalties: upstream 529 becomes 503 upstream_error") {
    auto c = failing_with("overloaded_529");
    auto a = provision(*c, WalkOptions{});
    auto r = chat(*c, a.key, "deepseek-chat");
    CHECK(r.status == 503);
    CHECK(r.str("error.type") == "upstream_error");
}

TEST_CASE("penalties: the third 403 within 180 minutes sets status=error") {
    auto c = failing_with("relay_insufficient_user_quota");
    auto a = provision(*c, WalkOptions{});
    auto admin = admin_of(*c);
    const auto path = "/api/v1/admin/accounts/" + std::to_string(a.account_ids[0]);
    for (int i = 1; i <= 3; ++i) {
        CHECK(chat(*c, a.key, "deepseek-chat").status == 502);
        if (i < 3) {
            CHECK(admin.get(path).str("data.temp_unschedulable_reason").find("(" + std::to_string(i) + "/3)") !=
                  std::string::npos);
            admin.del(path + "/temp-unschedulable");
        }
    }
    CHECK(admin.get(path).str("data.status") == "error");
}

TEST_CASE("penalties: a MiniMax 200 with base_resp error reaches the client as HTTP 200") {
    auto path = std::filesystem::temp_directory_path() / ("crm-stub-mm-" + std::to_string(::getpid()) + ".json");
    std::ofstream(path) << R"({"name":"t","description":"d","upstream":{"chat_error":"minimax_base_resp_1008"}})";
    StubOptions o;
    o.upstreams = {{"minimax", "minimax", path.string()}, {"deepseek", "deepseek", "healthy"}};
    auto c = start_cluster(o);
    std::filesystem::remove(path);
    WalkOptions w;
    w.upstream = "minimax";
    w.platform = "openai";
    w.model = "MiniMax-M2.7";
    auto a = provision(*c, w);
    auto r = chat(*c, a.key, "MiniMax-M2.7");
    CHECK(r.status == 200);
    CHECK(r.num("base_resp.status_code") == 1008);
}
