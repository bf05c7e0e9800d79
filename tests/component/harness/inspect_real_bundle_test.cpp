// The read-only verbs' core over a bundle a real run wrote: the default scenario's self-service
// cells against the built-in stub host (real HTTP on loopback), then inspect::decisive_fields and
// inspect::diff_bundles over what it left on disk.
#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>

#include "harness/evidence/bundle.hpp"
#include "harness/inspect/bundle_diff.hpp"
#include "harness/inspect/decisive_fields.hpp"
#include "harness/session/run_session.hpp"
#include "probes/http/transport.hpp"
#include "util/random.hpp"

using namespace crm;
using namespace crm::harness;
namespace fs = std::filesystem;

namespace {

class QuietEvents final : public runner::RunEvents {};

const inspect::DecisiveField* row(const std::vector<inspect::DecisiveField>& rows, std::string_view artifact,
                                  std::string_view pointer) {
    for (const auto& r : rows) {
        if (r.artifact == artifact && r.pointer == pointer) return &r;
    }
    return nullptr;
}

}  // namespace

TEST_CASE("inspect: a real bundle's decisive fields quote the gateway's 502 and the upstream's 200") {
    fs::path out = fs::temp_directory_path() / ("crm-inspect-real-" + util::random_hex(5));
    auto http = probes::make_curl_transport();
    QuietEvents events;
    std::atomic<bool> interrupted{false};
    session::RunRequest request;
    request.scenario_path = std::string(CRM_SOURCE_DIR) + "/scenarios/default.json";
    request.out = out;
    request.selection.only = "self_service__*";
    request.argv = {"crm-accept", "run"};
    util::EnvLookup no_env = [](std::string_view) -> std::optional<std::string> { return std::nullopt; };
    session::RunSession s(std::move(request), session::RunDeps{no_env, *http, events, interrupted, nullptr});
    auto r = s.run();
    REQUIRE(r.finished);

    auto bundle = evidence::Bundle::open(r.bundle_dir);
    REQUIRE(bundle.has_value());
    const evidence::BundleCell* deepseek = nullptr;
    for (const auto& c : bundle->cells) {
        if (c.plan.id == "self_service__deepseek") deepseek = &c;
    }
    REQUIRE(deepseek);
    REQUIRE(deepseek->summary.has_value());
    auto rows = inspect::decisive_fields(bundle->dir / deepseek->plan.id, deepseek->summary->artifacts);
    const auto* chat = row(rows, "10-chat.json", "/exchange/response/status");
    REQUIRE(chat);
    CHECK(chat->value == "502");
    CHECK(chat->proving);  // the classifier named 10-chat.json
    const auto* upstream = row(rows, "19-upstream-chat.json", "/exchange/response/status");
    REQUIRE(upstream);
    CHECK(upstream->value == "200");
    const auto* models = row(rows, "09-models.json", "/exchange/response/status");
    REQUIRE(models);
    CHECK(models->value == "200");
    const auto* access = row(rows, "07-access-status.json", "/access_status");
    REQUIRE(access);
    CHECK_FALSE(access->value.empty());
    for (const auto& f : rows) CHECK(f.label != "not JSON");

    auto d = inspect::diff_bundles(*bundle, *bundle);
    REQUIRE(d.has_value());
    CHECK(d->count(inspect::CellChange::unchanged) == bundle->cells.size());
    CHECK_FALSE(d->has_regressions());

    std::error_code ignored;
    fs::remove_all(out, ignored);
}
