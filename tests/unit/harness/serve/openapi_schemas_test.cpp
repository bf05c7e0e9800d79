#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "engine/model/outcomes.hpp"
#include "harness/serve/openapi_paths.hpp"
#include "probes/sub2api/host_capabilities.hpp"
#include "util/files.hpp"

using crm::harness::serve::openapi_schema_fields;
namespace engine = crm::engine;
namespace json = boost::json;

namespace {

std::string document() {
    auto text = crm::util::read_file(std::string(CRM_SOURCE_DIR) + "/docs/openapi.yaml");
    REQUIRE(text);
    return *text;
}

std::set<std::string> keys_of(const json::value& v) {
    std::set<std::string> out;
    for (const auto& kv : v.as_object()) out.emplace(kv.key());
    return out;
}

// One engine value as JSON twice: with every optional field left out (`least`) and with every
// optional field set (`most`). The schema's required fields must be the keys always written,
// its properties every key ever written.
struct Shape {
    std::string schema;
    json::value least;
    json::value most;
};

std::vector<Shape> engine_shapes() {
    std::vector<Shape> out;

    engine::ImportPlan plan;
    plan.resources.push_back(engine::PlannedResource{});
    out.push_back({"ImportPlan", plan.to_json(), plan.to_json()});
    auto planned = plan.to_json().as_object().at("resources").as_array().at(0);
    out.push_back({"PlannedResource", planned, planned});

    engine::ResourceView view;
    auto view_most = view;
    view_most.error = "delete failed";
    out.push_back({"ResourceView", view.to_json(), view_most.to_json()});

    engine::ImportOutcome imported;
    auto imported_most = imported;
    imported_most.error = "host refused";
    out.push_back({"ImportOutcome", imported.to_json(), imported_most.to_json()});

    engine::ReadyCheck ready;
    auto ready_most = ready;
    ready_most.stream_ok = true;
    ready_most.detail = "no stream";
    out.push_back({"ReadyCheck", ready.to_json(), ready_most.to_json()});

    engine::AccountTestResult tested;
    out.push_back({"AccountTestResult", tested.to_json(), tested.to_json()});

    engine::AccessOutcome access;
    auto access_most = access;
    access_most.error = "not ready";
    out.push_back({"AccessOutcome", access.to_json(), access_most.to_json()});

    engine::DriftItem drift;
    out.push_back({"DriftItem", drift.to_json(), drift.to_json()});
    engine::ResidueItem residue;
    out.push_back({"ResidueItem", residue.to_json(), residue.to_json()});
    engine::ReconcileOutcome reconciled;
    out.push_back({"ReconcileOutcome", reconciled.to_json(), reconciled.to_json()});

    engine::CreditView credit;
    auto credit_most = credit;
    credit_most.error = "probes spent part of it";
    out.push_back({"CreditView", credit.to_json(), credit_most.to_json()});

    engine::RollbackOutcome rolled;
    auto rolled_most = rolled;
    rolled_most.balance_credits.push_back(credit);
    rolled_most.error = "read-back failed";
    out.push_back({"RollbackOutcome", rolled.to_json(), rolled_most.to_json()});

    engine::BatchReport report;
    auto report_most = report;
    report_most.error = "import failed";
    out.push_back({"BatchReport", report.to_json(), report_most.to_json()});

    crm::probes::sub2api::HostCapabilities caps;
    out.push_back({"HostCapabilities", caps.to_json(), caps.to_json()});
    return out;
}

}  // namespace

TEST_CASE("openapi schemas: a schema's fields at eight spaces under properties, required inline or as a list",
          "[serve]") {
    const std::string text =
        "paths:\n"
        "  /x:\n"
        "    get:\n"
        "components:\n"
        "  schemas:\n"
        "    Inline:\n"
        "      type: object\n"
        "      required: [a, 'b']\n"
        "      properties:\n"
        "        a:\n"
        "          type: object\n"
        "          properties:\n"
        "            nested: {}\n"
        "        b:\n"
        "          type: string\n"
        "    Listed:\n"
        "      required:\n"
        "        - c\n"
        "      properties:\n"
        "        c:\n"
        "          type: integer\n"
        "  responses:\n"
        "    Inline:\n"
        "      properties:\n"
        "        not_a_schema_field: {}\n";
    auto inline_fields = openapi_schema_fields(text, "Inline");
    REQUIRE(inline_fields);
    CHECK(inline_fields->properties == std::set<std::string>{"a", "b"});
    CHECK(inline_fields->required == std::set<std::string>{"a", "b"});
    auto listed = openapi_schema_fields(text, "Listed");
    REQUIRE(listed);
    CHECK(listed->properties == std::set<std::string>{"c"});
    CHECK(listed->required == std::set<std::string>{"c"});
    CHECK_FALSE(openapi_schema_fields(text, "Missing"));
}

TEST_CASE("openapi schemas: every engine outcome in docs/openapi.yaml has exactly the fields its to_json writes",
          "[serve]") {
    auto text = document();
    for (const auto& shape : engine_shapes()) {
        INFO("components/schemas/" << shape.schema);
        auto fields = openapi_schema_fields(text, shape.schema);
        REQUIRE(fields);
        CHECK(fields->properties == keys_of(shape.most));
        CHECK(fields->required == keys_of(shape.least));
    }
}
