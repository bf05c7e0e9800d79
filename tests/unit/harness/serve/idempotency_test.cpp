// Idempotency-Key over a real state file: one run per key, replay, mismatch, a second request
// while the first still runs, and errors that leave no record.
#include "harness/serve/idempotency.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

#include "util/random.hpp"

using namespace crm::harness::serve;

namespace {

crm::engine::StateStore open_store() {
    auto dir = std::filesystem::temp_directory_path() / ("crm-idem-" + crm::util::random_hex(6));
    std::filesystem::create_directories(dir);
    auto s = crm::engine::StateStore::open(dir / "engine.db");
    REQUIRE(s);
    return std::move(*s);
}

ApiRequest post(std::string body, std::string key = "k-1") {
    ApiRequest r;
    r.method = "POST";
    r.path = "/api/providers/deepseek/import";
    r.body = std::move(body);
    if (!key.empty()) r.headers.emplace_back("idempotency-key", std::move(key));
    return r;
}

}  // namespace

TEST_CASE("idempotency: one run per key and body, and a replay carries the header", "[serve]") {
    auto store = open_store();
    crm::engine::IdempotencyRecords records(store);
    int runs = 0;
    auto run = [&]() -> ApiResult {
        ++runs;
        return ApiResponse{201, json::object{{"batch_id", runs}}, {}};
    };
    auto first = run_idempotent(records, post("{}"), run, 1000);
    REQUIRE(first);
    CHECK(first->headers.empty());
    auto second = run_idempotent(records, post("{}"), run, 1010);
    REQUIRE(second);
    CHECK(runs == 1);
    CHECK(second->status == 201);
    CHECK(second->body == first->body);
    CHECK(second->headers == std::vector<std::pair<std::string, std::string>>{{"idempotent-replayed", "true"}});
    auto other = run_idempotent(records, post(R"({"modes":["subscription"]})"), run, 1020);
    REQUIRE_FALSE(other);
    CHECK(other.error().status == 409);
    CHECK(runs == 1);
    // A day later the key is free again.
    CHECK(run_idempotent(records, post(R"({"x":1})"), run, 1000 + 86400));
    CHECK(runs == 2);
    // No key: every request runs.
    CHECK(run_idempotent(records, post("{}", ""), run, 1030));
    CHECK(runs == 3);
}

TEST_CASE("idempotency: the same key while the first request runs is a 409 at once", "[serve]") {
    auto store = open_store();
    crm::engine::IdempotencyRecords records(store);
    std::optional<ApiResult> inner;
    auto outer = run_idempotent(
        records, post("{}"),
        [&]() -> ApiResult {
            inner = run_idempotent(records, post("{}"), [] { return ApiResult(ApiResponse{201, {}, {}}); }, 1001);
            return ApiResponse{201, json::object{{"ok", true}}, {}};
        },
        1000);
    REQUIRE(outer);
    REQUIRE(inner.has_value());
    REQUIRE_FALSE(*inner);
    CHECK(inner->error().status == 409);
    CHECK(inner->error().message.find("still running") != std::string::npos);
}

TEST_CASE("idempotency: a refused request leaves no record, so its retry runs", "[serve]") {
    auto store = open_store();
    crm::engine::IdempotencyRecords records(store);
    int runs = 0;
    auto refused = run_idempotent(
        records, post("{}"),
        [&]() -> ApiResult {
            ++runs;
            return std::unexpected(ApiError{422, "missing_secret", "DS_KEY is not set"});
        },
        1000);
    CHECK_FALSE(refused);
    auto retried = run_idempotent(
        records, post("{}"),
        [&]() -> ApiResult {
            ++runs;
            return ApiResponse{201, {}, {}};
        },
        1001);
    CHECK(retried);
    CHECK(runs == 2);
    auto bad_key = run_idempotent(records, post("{}", "has space"), [] { return ApiResult(ApiResponse{}); }, 1);
    REQUIRE_FALSE(bad_key);
    CHECK(bad_key.error().message.starts_with("Idempotency-Key:"));
}

TEST_CASE("idempotency: a stored answer is replayed after the state file is reopened", "[serve]") {
    auto dir = std::filesystem::temp_directory_path() / ("crm-idem-" + crm::util::random_hex(6));
    std::filesystem::create_directories(dir);
    int runs = 0;
    auto run = [&]() -> ApiResult {
        ++runs;
        return ApiResponse{201, json::object{{"batch_id", 9}}, {}};
    };
    {
        auto s = crm::engine::StateStore::open(dir / "engine.db");
        REQUIRE(s);
        crm::engine::IdempotencyRecords records(*s);
        REQUIRE(run_idempotent(records, post("{}"), run, 1000));
    }
    auto s = crm::engine::StateStore::open(dir / "engine.db");
    REQUIRE(s);
    crm::engine::IdempotencyRecords records(*s);
    auto again = run_idempotent(records, post("{}"), run, 2000);
    REQUIRE(again);
    CHECK(runs == 1);
    CHECK(again->body == json::object{{"batch_id", 9}});
    CHECK(again->headers.size() == 1);
}
