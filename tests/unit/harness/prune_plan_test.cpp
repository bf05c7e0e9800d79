// prune's plan over hand-built entries: what each rule selects, and that no rule ever removes a
// protected bundle.
#include "harness/catalog/prune_plan.hpp"

#include <catch2/catch.hpp>

#include "harness/catalog/board.hpp"
#include "harness/catalog/byte_size.hpp"
#include "tests/unit/harness/catalog_entries.hpp"

using namespace crm::test;
using crm::harness::catalog::PruneAction;
using crm::harness::catalog::PruneOptions;
using crm::harness::catalog::PrunePlan;

namespace {

PrunePlan plan(const std::vector<BundleEntry>& entries, PruneOptions o) {
    o.now = k_now;
    crm::harness::catalog::BoardOptions bo;
    bo.now = k_now;
    return crm::harness::catalog::plan_prune(entries, crm::harness::catalog::build_board(entries, bo), o);
}

std::vector<std::string> removed(const PrunePlan& p) {
    std::vector<std::string> out;
    for (const auto* i : p.removals()) out.push_back(i->name);
    return out;
}

PruneAction action_of(const PrunePlan& p, const std::string& name) {
    for (const auto& i : p.items) {
        if (i.name == name) return i.action;
    }
    FAIL("no item " << name);
    return PruneAction::keep;
}

}  // namespace

TEST_CASE("prune: keep N keeps the newest N per scenario and host; the board's proof stays", "[catalog][prune]") {
    std::vector<BundleEntry> e{
        bundle(40, Trust::trusted, {cell("kimi", Cause::ready)}),
        bundle(30, Trust::trusted, {cell("kimi", Cause::ready)}),
        bundle(20, Trust::untrusted, {cell("kimi", Cause::ready)}),
        bundle(10, Trust::untrusted, {cell("kimi", Cause::ready)}),
        bundle(35, Trust::trusted, {cell("kimi", Cause::ready, {}, Mode::self_service, "https://b.example")}),
    };
    PruneOptions o;
    o.keep = 2;
    auto p = plan(e, o);
    // The two newest of relay.example are the untrusted ones; the trusted 30h bundle is the proof.
    CHECK(removed(p) == std::vector<std::string>{e[0].name});
    CHECK(action_of(p, e[1].name) == PruneAction::protect);
    CHECK(action_of(p, e[4].name) == PruneAction::keep);  // alone on its host
    CHECK(p.freed_bytes == 1000);
    CHECK(p.remaining_bytes == 4000);
}

TEST_CASE("prune: max age selects bundles started before it", "[catalog][prune]") {
    std::vector<BundleEntry> e{
        bundle(200, Trust::trusted, {cell("kimi", Cause::ready)}),
        bundle(100, Trust::untrusted, {cell("kimi", Cause::ready)}),
        bundle(5, Trust::trusted, {cell("kimi", Cause::ready)}),
    };
    PruneOptions o;
    o.max_age = std::chrono::hours(72);
    auto p = plan(e, o);
    CHECK(removed(p) == std::vector<std::string>{e[0].name, e[1].name});
    CHECK(p.items[0].rules.at(0) == "max age 3d: started 8d8h ago");
}

TEST_CASE("prune: max size removes the oldest first until under, skipping protected bundles", "[catalog][prune]") {
    std::vector<BundleEntry> e{
        bundle(50, Trust::trusted, {cell("minimax", Cause::ready)}, "default", 400),  // proof of minimax
        bundle(40, Trust::trusted, {cell("kimi", Cause::ready)}, "default", 300),
        bundle(30, Trust::untrusted, {cell("kimi", Cause::ready)}, "default", 300),
        bundle(20, Trust::trusted, {cell("kimi", Cause::ready)}, "default", 300),  // proof of kimi
    };
    PruneOptions o;
    o.max_size = 700;
    auto p = plan(e, o);
    CHECK(removed(p) == std::vector<std::string>{e[1].name, e[2].name});
    CHECK(action_of(p, e[0].name) == PruneAction::protect);
    CHECK(p.remaining_bytes == 700);
    CHECK_FALSE(p.still_over_size);

    o.max_size = 100;
    auto tight = plan(e, o);
    CHECK(tight.still_over_size);
    CHECK(removed(tight).size() == 2);
}

TEST_CASE("prune: every protection holds against every rule", "[catalog][prune]") {
    auto proof = bundle(300, Trust::trusted, {cell("kimi", Cause::ready)});
    auto named = bundle(290, Trust::trusted, {cell("kimi", Cause::host_compatibility_gap)});
    auto writing = bundle(280, Trust::incomplete, {cell("kimi", std::nullopt)});
    writing.writing = true;
    auto young_incomplete = bundle(2, Trust::incomplete, {cell("kimi", std::nullopt)});
    auto old_incomplete = bundle(270, Trust::incomplete, {cell("kimi", std::nullopt)});
    // The proof of kimi must be the newest trusted bundle: make `named` older than `proof`.
    named.started = k_now - std::chrono::hours(310);
    std::vector<BundleEntry> e{proof, named, writing, young_incomplete, old_incomplete};
    PruneOptions o;
    o.keep = 1;
    o.max_age = std::chrono::hours(1);
    o.max_size = 1;
    o.baseline_refs[named.name] = "baselines/known.json";
    auto p = plan(e, o);
    CHECK(removed(p) == std::vector<std::string>{old_incomplete.name});
    for (const auto& i : p.items) {
        INFO(i.name);
        if (i.name == old_incomplete.name) continue;
        CHECK(i.action == PruneAction::protect);
        CHECK_FALSE(i.protections.empty());
    }
    auto protections_of = [&](const std::string& name) {
        for (const auto& i : p.items) {
            if (i.name == name) return i.protections.at(0);
        }
        return std::string();
    };
    CHECK(protections_of(proof.name) == "newest trusted proof of https://relay.example self_service kimi");
    CHECK(protections_of(named.name) == "named by baseline baselines/known.json");
    CHECK(protections_of(writing.name) == "write lock held: a run is writing it");
    CHECK(protections_of(young_incomplete.name) == "incomplete and younger than the grace period 6h");
}

TEST_CASE("prune: no rule, no removal", "[catalog][prune]") {
    std::vector<BundleEntry> e{bundle(900, Trust::untrusted, {cell("kimi", Cause::ready)})};
    CHECK(removed(plan(e, PruneOptions{})).empty());
}

TEST_CASE("sizes: budgets read like 500M and 2G, shown back in the same units", "[catalog]") {
    using crm::harness::catalog::format_byte_size;
    using crm::harness::catalog::parse_byte_size;
    CHECK(parse_byte_size("500M").value() == 500ULL << 20);
    CHECK(parse_byte_size("2G").value() == 2ULL << 30);
    CHECK(parse_byte_size("2GiB").value() == 2ULL << 30);
    CHECK(parse_byte_size("1k").value() == 1024);
    CHECK(parse_byte_size("750").value() == 750);
    for (const char* bad : {"", "G", "2X", "-1G", "1.5G", "0", "99999999999999T"}) {
        INFO(bad);
        CHECK_FALSE(parse_byte_size(bad));
    }
    CHECK(format_byte_size(812) == "812B");
    CHECK(format_byte_size(2ULL << 30) == "2.0G");
}
