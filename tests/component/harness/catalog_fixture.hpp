#pragma once
// Bundles for the catalog tests: bundle_fixture's writer and cells, with 00-run.json's matrix
// recorded the way `run` records it (mode, pack, provider and expected cause per cell besides the
// artifact plan), so evidence::Bundle::open reads them back.
#include "tests/component/harness/bundle_fixture.hpp"

namespace crm::test::catalog_fixture {

inline crm::util::json::value recorded_matrix(const std::vector<crm::harness::evidence::CellSummary>& cells) {
    auto matrix = crm::test::bundle::plan_matrix(cells, crm::test::bundle::k_step_files);
    auto& selected = matrix.as_object()["cells_selected"].as_array();
    for (std::size_t i = 0; i < cells.size(); ++i) {
        auto& o = selected[i].as_object();
        o["mode"] = cells[i].mode;
        o["pack"] = cells[i].pack;
        o["provider"] = cells[i].provider;
        o["expected_cause"] = nullptr;
    }
    matrix.as_object()["cells_total"] = cells.size();
    return matrix;
}

// The full bundle of bundle_fixture (secrets planted and scrubbed), finished and trusted.
inline std::filesystem::path write_bundle(crm::test::bundle::Fixture& f, const std::string& label = "ci") {
    auto w = f.writer(label);
    auto run = crm::test::bundle::run_summary();
    run.label = label;
    run.matrix = recorded_matrix(run.cells);
    REQUIRE(w.begin(run));
    for (const auto& c : run.cells) REQUIRE(w.write_json(c.folder() + "/00-cell.json", crm::util::json::object{}));
    REQUIRE(w.write_json("self_service__deepseek/09-models.json",
                         crm::util::json::object{{"data", crm::util::json::array{"deepseek-chat"}}}));
    REQUIRE(w.write_text("self_service__deepseek/10-chat.headers.txt", "HTTP/1.1 200 OK\r\n"));
    REQUIRE(w.write_json("self_service__deepseek/10-chat.json", crm::util::json::array{1, 2}));
    REQUIRE(w.write_text("subscription__deepseek/11-chat-stream.sse", "data: [DONE]\n\n"));
    REQUIRE(w.write_json("subscription__deepseek/02-host-capabilities.json", crm::util::json::object{}));
    for (const auto& c : run.cells) REQUIRE(w.write_cell_summary(c));
    auto fin = w.finalize(run);
    REQUIRE(fin);
    INFO(describe(fin->check));
    REQUIRE(fin->passed());
    return fin->check.bundle;
}

// A run that began and wrote its first cell's 00-cell.json; the writer (and its lock) is
// returned alive: destroy it without finalize() for a killed run.
inline crm::harness::evidence::BundleWriter begin_bundle(crm::test::bundle::Fixture& f, const std::string& label) {
    auto w = f.writer(label);
    auto run = crm::test::bundle::run_summary();
    run.matrix = recorded_matrix(run.cells);
    REQUIRE(w.begin(run));
    REQUIRE(w.write_json(run.cells[0].folder() + "/00-cell.json",
                         crm::util::json::object{{"started_at", "2026-11-24T00:00:01+00:00"}}));
    return w;
}

}  // namespace crm::test::catalog_fixture
