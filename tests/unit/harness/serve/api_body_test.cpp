// Control-plane request validation: bodies read field by field, path ids, queries, and the
// worker's settings from the environment.
#include "harness/serve/api_body.hpp"

#include <catch2/catch.hpp>
#include <map>

#include "harness/serve/control_plane.hpp"

using namespace crm::harness::serve;

namespace {

crm::util::EnvLookup env_of(std::map<std::string, std::string> values) {
    return [values](std::string_view name) -> std::optional<std::string> {
        auto it = values.find(std::string(name));
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}

}  // namespace

TEST_CASE("api body: empty reads as {}, bad JSON is bad_json, unknown fields are named", "[serve]") {
    CHECK(read_body("", {"a"})->empty());
    CHECK(read_body(" \n", {"a"})->empty());
    auto bad = read_body("{\"a\":", {"a"});
    REQUIRE_FALSE(bad);
    CHECK(bad.error().status == 400);
    CHECK(bad.error().code == "bad_json");
    auto array = read_body("[1]", {"a"});
    REQUIRE_FALSE(array);
    CHECK(array.error().code == "invalid_input");
    auto unknown = read_body(R"({"a":1,"zz":2})", {"a", "b"});
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == "invalid_input");
    CHECK(unknown.error().message == "unknown field \"zz\" (known: a, b)");
    CHECK(read_body(R"({"a":1})", {"a", "b"})->at("a") == 1);
}

TEST_CASE("api body: typed fields name themselves when they are wrong", "[serve]") {
    auto body = *read_body(R"({"s":"x","e":"","n":3,"neg":-1,"b":true,"l":["p","q"],"bl":[1],"o":{"k":1},"z":null})",
                           {"s", "e", "n", "neg", "b", "l", "bl", "o", "z"});
    CHECK(**opt_string(body, "s") == "x");
    CHECK(opt_string(body, "missing")->has_value() == false);
    CHECK(opt_string(body, "z")->has_value() == false);  // null reads as absent
    CHECK(opt_string(body, "e").error().message == "e: must be a non-empty string");
    CHECK(opt_string(body, "n").error().message == "n: must be a non-empty string");
    CHECK(req_string(body, "missing").error().message == "missing: is required");
    CHECK(req_string(body, "missing", "user.email").error().message == "user.email: is required");
    CHECK(**opt_id(body, "n") == 3);
    CHECK(opt_id(body, "neg").error().message == "neg: must be a positive integer");
    CHECK(opt_id(body, "s").error().message == "s: must be a positive integer");
    CHECK(**opt_bool(body, "b"));
    CHECK(opt_bool(body, "s").error().message == "s: must be true or false");
    CHECK(**opt_strings(body, "l") == std::vector<std::string>{"p", "q"});
    CHECK(opt_strings(body, "bl").error().message == "bl[0]: must be a non-empty string");
    CHECK(opt_strings(body, "s").error().message == "s: must be a non-empty array of strings");
    CHECK((*opt_object(body, "o"))->at("k") == 1);
    CHECK(opt_object(body, "l").error().message == "l: must be an object");
}

TEST_CASE("api body: path ids and query parameters", "[serve]") {
    CHECK(parse_id("12", "batchID") == 12);
    for (const char* bad : {"", "0", "-3", "1x", "abc", " 1", "99999999999999999999"}) {
        INFO(bad);
        auto id = parse_id(bad, "batchID");
        REQUIRE_FALSE(id);
        CHECK(id.error().code == "invalid_input");
        CHECK(id.error().message.starts_with("batchID: must be a positive integer"));
    }
    CHECK(query_host_id({}).value() == std::nullopt);
    CHECK(query_host_id({{"host_id", "4"}}).value() == std::optional<std::int64_t>{4});
    CHECK(query_host_id({{"host_id", "four"}}).error().message.starts_with("host_id:"));
    CHECK(query_host_id({{"hostid", "4"}}).error().message == "unknown query parameter \"hostid\" (known: host_id)");
}

TEST_CASE("worker settings: defaults, booleans, Go durations, and a bad value names its variable", "[serve]") {
    auto none = worker_settings(env_of({}));
    REQUIRE(none);
    CHECK(none->first == false);
    CHECK(none->second == std::chrono::minutes(5));
    auto on = worker_settings(
        env_of({{"SUB2API_CRM_RECONCILE_WORKER_ENABLED", "true"}, {"SUB2API_CRM_RECONCILE_POLL_INTERVAL", "1h30m"}}));
    REQUIRE(on);
    CHECK(on->first);
    CHECK(on->second == std::chrono::minutes(90));
    CHECK(worker_settings(env_of({{"SUB2API_CRM_RECONCILE_WORKER_ENABLED", "1"}}))->first);
    CHECK_FALSE(worker_settings(env_of({{"SUB2API_CRM_RECONCILE_WORKER_ENABLED", "0"}}))->first);
    CHECK_FALSE(worker_settings(env_of({{"SUB2API_CRM_RECONCILE_WORKER_ENABLED", "false"}}))->first);
    CHECK(worker_settings(env_of({{"SUB2API_CRM_RECONCILE_POLL_INTERVAL", "250ms"}}))->second ==
          std::chrono::milliseconds(250));

    auto yes = worker_settings(env_of({{"SUB2API_CRM_RECONCILE_WORKER_ENABLED", "yes"}}));
    REQUIRE_FALSE(yes);
    CHECK(yes.error().code == crm::util::ErrorCode::invalid_input);
    CHECK(yes.error().message.starts_with("SUB2API_CRM_RECONCILE_WORKER_ENABLED=yes:"));
    for (const char* bad : {"5", "5d", "0s", "-1m", "soon"}) {
        INFO(bad);
        auto r = worker_settings(env_of({{"SUB2API_CRM_RECONCILE_POLL_INTERVAL", bad}}));
        REQUIRE_FALSE(r);
        CHECK(r.error().message.starts_with(std::string("SUB2API_CRM_RECONCILE_POLL_INTERVAL=") + bad + ":"));
    }
}
