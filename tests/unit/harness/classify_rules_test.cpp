#include <catch2/catch.hpp>
#include <string>

#include "harness/classify/classifier.hpp"
#include "harness/classify/observations_json.hpp"
#include "harness/classify/rule_set.hpp"
#include "util/files.hpp"

using namespace crm::harness::classify;

namespace {

std::string table_with(const std::string& rule) { return R"({"schema_version": 1, "rules": [)" + rule + "]}"; }

std::string error_of(const std::string& text) {
    auto r = parse_rules(text, "rules/test.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == crm::util::ErrorCode::invalid_input);
    CHECK(r.error().message.find('\n') == std::string::npos);
    return r.error().message;
}

const char* k_ok_rule = R"({"id": "r", "cause": "ready", "when": {"field": "chat.ok", "op": "eq", "value": true},
                            "explain": "ok {chat.status}", "evidence": ["10-chat.json"]})";

}  // namespace

TEST_CASE("rules: the repository table loads and the embedded copy is identical to rules/causes.json", "[classify]") {
    auto file = crm::util::read_file(std::string(CRM_SOURCE_DIR) + "/rules/causes.json");
    REQUIRE(file);
    INFO("regenerate with: sh harness/classify/regen_builtin_rules.sh");
    CHECK(*file == std::string(builtin_rules_text()));
    auto builtin = builtin_rules();
    if (!builtin) FAIL(builtin.error().describe());
    CHECK(builtin->source == "<builtin>");
    CHECK(builtin->rules.size() >= 17);
    auto loaded = load_rules(std::string(CRM_SOURCE_DIR) + "/rules/causes.json");
    REQUIRE(loaded);
    CHECK(loaded->rules.size() == builtin->rules.size());
    CHECK(loaded->rules.front().id == "host-not-http");
    CHECK(loaded->rules.back().cause == Cause::ready);
}

TEST_CASE("rules: a minimal table parses and classifies", "[classify]") {
    auto r = parse_rules(table_with(k_ok_rule), "t.json");
    REQUIRE(r);
    CellObservations obs;
    obs.chat.attempted = true;
    obs.chat.status = 200;
    auto c = classify(obs, *r);
    CHECK(c.cause == Cause::ready);
    CHECK(c.explanation == "ok 200");
    CHECK(c.rule_id == "r");
    obs.chat.status = 502;
    c = classify(obs, *r);
    CHECK(c.cause == Cause::harness_error);
    CHECK(c.rule_id == std::string(k_no_rule_matched));
}

TEST_CASE("rules: notes never change the cause and each holding note is rendered", "[classify]") {
    const std::string text =
        R"({"schema_version": 1, "rules": [)" + std::string(k_ok_rule) +
        R"(], "notes": [{"id": "n1", "when": {"field": "chat_alt_auth.status", "op": "eq", "value": 401}, "text": "alt {chat_alt_auth.status}"},
                       {"id": "n2", "when": {"field": "chat.status", "op": "eq", "value": 999}, "text": "never"}]})";
    auto r = parse_rules(text, "t.json");
    REQUIRE(r);
    CellObservations obs;
    obs.chat.attempted = true;
    obs.chat.status = 200;
    obs.chat_alt_auth.attempted = true;
    obs.chat_alt_auth.status = 401;
    auto c = classify(obs, *r);
    CHECK(c.cause == Cause::ready);
    CHECK(c.notes == std::vector<std::string>{"alt 401"});
    obs.chat.status = 502;  // no rule matches: the note still holds
    CHECK(classify(obs, *r).notes == std::vector<std::string>{"alt 401"});
    CHECK(error_of(R"({"schema_version": 1, "rules": [)" + std::string(k_ok_rule) +
                   R"(], "notes": [{"id": "r", "when": {"field": "chat.ok", "op": "exists"}, "text": "x"}]})") ==
          "rules/test.json: note #0 (r): duplicate id");
    CHECK(error_of(
              R"({"schema_version": 1, "rules": [)" + std::string(k_ok_rule) +
              R"(], "notes": [{"id": "m", "when": {"field": "chat.ok", "op": "exists"}, "text": "{chat.nope}"}]})") ==
          "rules/test.json: note #0 (m): unknown placeholder '{chat.nope}' in 'explain'");
    CHECK(
        error_of(
            R"({"schema_version": 1, "rules": [)" + std::string(k_ok_rule) +
            R"(], "notes": [{"id": "m", "when": {"field": "chat.ok", "op": "exists"}, "text": "x", "cause": "ready"}]})") ==
        "rules/test.json: note #0 (m): unknown key 'cause'");
}

TEST_CASE("rules: validation names the file and the rule index for every mistake", "[classify]") {
    CHECK(error_of(table_with(R"({"id": "a", "cause": "redy", "when": {"field": "chat.ok", "op": "eq", "value": true},
        "explain": "x", "evidence": []})")) == "rules/test.json: rule #0 (a): unknown cause 'redy'");
    CHECK(
        error_of(table_with(std::string(k_ok_rule) +
                            R"(, {"id": "b", "cause": "ready", "when": {"field": "chat.stauts", "op": "eq", "value": 1},
        "explain": "x", "evidence": []})")) == "rules/test.json: rule #1 (b): unknown field 'chat.stauts'");
    CHECK(error_of(
              table_with(R"({"id": "c", "cause": "ready", "when": {"field": "chat.status", "op": "approx", "value": 1},
        "explain": "x", "evidence": []})")) ==
          "rules/test.json: rule #0 (c): unknown op 'approx' on field 'chat.status'");
    CHECK(
        error_of(
            table_with(
                R"({"id": "d", "cause": "ready", "when": {"field": "chat.text", "op": "matches", "value": "(unclosed"},
        "explain": "x", "evidence": []})"))
            .starts_with("rules/test.json: rule #0 (d): bad regex on field 'chat.text'"));
    CHECK(error_of(table_with(R"({"id": "e", "cause": "ready", "when": {"field": "chat.ok", "op": "exists"},
        "explain": "see {chat.nope}", "evidence": []})")) ==
          "rules/test.json: rule #0 (e): unknown placeholder '{chat.nope}' in 'explain'");
    CHECK(error_of(table_with(std::string(k_ok_rule) + "," + k_ok_rule)) ==
          "rules/test.json: rule #1 (r): duplicate rule id");
    CHECK(error_of(table_with(
              R"({"id": "f", "cause": "ready", "when": {"ref": "nowhere"}, "explain": "x", "evidence": []})")) ==
          "rules/test.json: rule #0 (f): unknown definition 'nowhere'");
    CHECK(error_of(table_with(R"({"id": "g", "cause": "ready", "when": {"field": "chat.status", "op": "in", "value": 5},
        "explain": "x", "evidence": []})")) == "rules/test.json: rule #0 (g): op 'in' needs a non-empty array value");
    CHECK(error_of(
              table_with(R"({"id": "h", "cause": "ready", "when": {"field": "chat.status", "op": "gte", "value": "500"},
        "explain": "x", "evidence": []})")) == "rules/test.json: rule #0 (h): op 'gte' needs a number");
    CHECK(
        error_of(table_with(
            R"({"id": "i", "cause": "ready", "when": {"field": "chat.text", "op": "matches", "value": {"pattern": "nope"}},
        "explain": "x", "evidence": []})")) == "rules/test.json: rule #0 (i): unknown pattern 'nope'");
    CHECK(
        error_of(table_with(R"({"id": "j", "cause": "ready", "when": {"all": []}, "explain": "x", "evidence": []})")) ==
        "rules/test.json: rule #0 (j): 'all' needs a non-empty array of conditions");
    CHECK(
        error_of(table_with(
            R"({"id": "k", "cause": "ready", "when": {"field": "chat.ok", "op": "eq", "value": true}, "evidence": []})")) ==
        "rules/test.json: rule #0 (k): missing string 'explain'");
    CHECK(error_of(R"({"schema_version": 2, "rules": []})") ==
          "rules/test.json: unsupported schema_version 2 (this build reads 1)");
    CHECK(error_of(R"({"schema_version": 1, "rules": []})") == "rules/test.json: the rule table has no rules");
    CHECK(error_of(R"({"schema_version": 1, "definitions": {"d": {"field": "x.y", "op": "exists"}}, "rules": []})") ==
          "rules/test.json: definition 'd': unknown field 'x.y'");
    CHECK_FALSE(parse_rules("{not json", "rules/test.json"));
}

TEST_CASE("rules: operators follow their documented semantics", "[classify]") {
    auto one = [](const std::string& cond) {
        auto r = parse_rules(
            table_with(R"({"id": "t", "cause": "ready", "when": )" + cond + R"(, "explain": "x", "evidence": []})"),
            "t.json");
        if (!r) FAIL(r.error().describe());
        return *r;
    };
    CellObservations obs;
    obs.chat.attempted = true;
    obs.chat.status = 429;
    obs.chat.error_code = "1113";
    obs.chat.error_message = "余额不足或无可用资源包,请充值。";
    obs.models.model_ids = {"deepseek-chat", "deepseek-reasoner"};
    auto holds = [&](const std::string& cond) { return classify(obs, one(cond)).cause == Cause::ready; };
    CHECK(holds(R"({"field": "chat.error_code", "op": "eq", "value": 1113})"));  // number vs string code
    CHECK(holds(R"({"field": "chat.status", "op": "in", "value": [402, 429]})"));
    CHECK_FALSE(holds(R"({"field": "chat.status", "op": "ne", "value": 429})"));
    CHECK(holds(R"({"field": "chat.text", "op": "matches", "value": "余额不足"})"));
    CHECK(holds(R"({"field": "chat.error_code", "op": "contains", "value": "11"})"));
    CHECK(holds(R"({"field": "models.model_ids", "op": "contains", "value": "deepseek-reasoner"})"));
    CHECK_FALSE(holds(R"({"field": "models.model_ids", "op": "contains", "value": "deepseek"})"));
    CHECK(holds(R"({"field": "chat.status", "op": "gte", "value": 429})"));
    CHECK_FALSE(holds(R"({"field": "upstream_chat.status", "op": "lte", "value": 999})"));  // null never compares
    CHECK_FALSE(holds(R"({"field": "chat.vendor_code", "op": "exists"})"));
    CHECK(holds(R"({"not": {"field": "chat.vendor_code", "op": "exists"}})"));
    CHECK(holds(R"({"fields": ["upstream_chat.status", "chat.status"], "op": "eq", "value": 429})"));
    CHECK(holds(
        R"({"any": [{"field": "chat.ok", "op": "eq", "value": true}, {"field": "chat.failed", "op": "eq", "value": true}]})"));
    CHECK_FALSE(holds(
        R"({"all": [{"field": "chat.ok", "op": "eq", "value": true}, {"field": "chat.failed", "op": "eq", "value": true}]})"));
    CHECK(holds(R"({"field": "chat.error_message", "op": "matches", "value": "^余额"})"));
}

TEST_CASE("observations: the JSON view round-trips and rejects unknown fields", "[classify]") {
    CellObservations obs;
    obs.mode = "subscription";
    obs.provider = "minimax";
    obs.chat_stream.attempted = true;
    obs.chat_stream.status = 200;
    obs.chat_stream.saw_error_event = true;
    obs.models.model_ids = {"MiniMax-M2.7"};
    obs.models.listed_smoke_model = true;
    obs.engine.admin_rejected = false;
    obs.reconcile.ran = true;
    obs.reconcile.residue_count = 2;
    auto view = to_json(obs);
    CHECK(view.at("chat_stream").at("failed").as_bool());
    CHECK_FALSE(view.at("chat_stream").at("ok").as_bool());
    CHECK(view.at("chat").at("status").is_null());
    auto back = observations_from_json(view, "view");
    REQUIRE(back);
    CHECK(*back == obs);
    auto bad = crm::util::parse_json(R"({"chat": {"stauts": 200}})", "t");
    auto r = observations_from_json(*bad, "t.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().message == "t.json: chat.stauts: unknown field");
    auto typed = crm::util::parse_json(R"({"chat": {"status": "200"}})", "t");
    CHECK_FALSE(observations_from_json(*typed, "t.json"));
    CHECK(known_fields().contains("upstream_chat.text"));
    CHECK(known_fields().contains("accounts.temp_unschedulable_reason"));
    CHECK_FALSE(known_fields().contains("chat"));
}

TEST_CASE("rules: docs/CAUSES.md lists the precedence in the order of rules/causes.json", "[classify]") {
    auto doc = crm::util::read_file(std::string(CRM_SOURCE_DIR) + "/docs/CAUSES.md");
    REQUIRE(doc);
    auto rules = load_rules(std::string(CRM_SOURCE_DIR) + "/rules/causes.json");
    REQUIRE(rules);
    std::vector<std::string> documented;
    std::size_t pos = 0;
    while ((pos = doc->find("\n| ", pos)) != std::string::npos) {
        pos += 3;
        auto bar = doc->find(" | `", pos);
        auto eol = doc->find('\n', pos);
        if (bar == std::string::npos || bar > eol) continue;
        std::string number = doc->substr(pos, bar - pos);
        if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) continue;
        auto end = doc->find('`', bar + 4);
        documented.push_back(doc->substr(bar + 4, end - bar - 4));
    }
    std::vector<std::string> actual;
    for (const auto& r : rules->rules) actual.push_back(r.id);
    CHECK(documented == actual);
}
