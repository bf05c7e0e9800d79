#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>

#include "tests/component/harness/bundle_fixture.hpp"

namespace fs = std::filesystem;
using namespace crm::harness::evidence;
using namespace crm::test::bundle;

TEST_CASE("evidence bundle: dated folder, numbered cell folders, every file atomic and versioned", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    CHECK(dir.filename() == "20261124_000000_default_ci");
    for (const char* name : {"00-run.json", "summary.json", "summary.md", "junit.xml", "report.html", "MANIFEST.sha256",
                             "self_service__deepseek/21-summary.json", "self_service__deepseek/21-summary.md",
                             "subscription__deepseek/21-summary.md"}) {
        INFO(name);
        CHECK(fs::is_regular_file(dir / name));
    }
    std::size_t json_files = 0;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        INFO(e.path().string());
        CHECK(e.path().filename().string().find(".tmp") == std::string::npos);
        if (e.path().extension() == ".json") {
            ++json_files;
            auto doc = crm::util::parse_json(slurp(e.path()), e.path().string());
            REQUIRE(doc);
            CHECK(doc->as_object().contains("schema_version"));
        }
    }
    CHECK(json_files == 9);
    auto run = crm::util::parse_json(slurp(dir / "00-run.json"), "00-run.json");
    CHECK(run->at("status").as_string() == "complete");
    // the second bundle with the same stamp gets a suffix instead of sharing the folder
    auto again = f.writer();
    CHECK(again.dir().filename() == "20261124_000000_default_ci_2");
    // the cell summary links the proving artifacts that exist
    CHECK(slurp(dir / "self_service__deepseek/21-summary.md")
              .find("- [self_service__deepseek/09-models.json](09-models.json)\n") != std::string::npos);
}

TEST_CASE("evidence bundle: planted secrets are scrubbed from every format and the audit is clean", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        auto text = slurp(e.path());
        INFO(e.path().string());
        CHECK(text.find(k_user_key) == std::string::npos);
        CHECK(text.find(k_admin_key) == std::string::npos);
        CHECK(text.find(k_password) == std::string::npos);
    }
    CHECK(slurp(dir / "self_service__deepseek/10-chat.headers.txt").find("x-echo-key: [REDACTED]") !=
          std::string::npos);
    CHECK(slurp(dir / "00-run.json").find("[REDACTED]") != std::string::npos);
    CHECK(slurp(dir / "junit.xml").find("for key [REDACTED]") != std::string::npos);
    auto audit = audit_bundle(dir, &f.secrets);
    REQUIRE(audit);
    CHECK(audit->empty());
}

TEST_CASE("evidence bundle: a secret written around the scrubber is found by the audit", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    {
        std::ofstream(dir / "subscription__deepseek/99-raw.log")
            << "leaked " << k_user_key << " and " << k_password << "\n";
    }
    auto hits = audit_bundle(dir, &f.secrets);
    REQUIRE(hits);
    REQUIRE(hits->size() == 3);  // the key (registered + sk-shaped) and the password (registered)
    bool registered = false, shaped = false;
    for (const auto& h : *hits) {
        CHECK(h.file == "subscription__deepseek/99-raw.log");
        CHECK(h.preview.find(k_user_key.substr(3, 8)) == std::string::npos);
        CHECK(h.preview.find(k_password) == std::string::npos);
        registered = registered || h.kind == "registered_secret";
        shaped = shaped || h.kind == "sk_key";
    }
    CHECK(registered);
    CHECK(shaped);
    // verify knows no registry: it still finds the secret-shaped key, and the extra file
    auto v = verify(dir);
    REQUIRE(v);
    CHECK_FALSE(v->clean());
    REQUIRE(v->audit_hits.size() == 1);
    CHECK(v->audit_hits[0].kind == "sk_key");
    REQUIRE(v->mismatches.size() == 1);
    CHECK(v->mismatches[0] == ManifestMismatch{"subscription__deepseek/99-raw.log", "extra"});
}

TEST_CASE("evidence bundle: MANIFEST.sha256 is written last and sha256sum -c accepts it", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    auto manifest = slurp(dir / "MANIFEST.sha256");
    CHECK(manifest.find("MANIFEST.sha256") == std::string::npos);
    CHECK(manifest.find("  00-run.json\n") != std::string::npos);
    CHECK(manifest.find("  self_service__deepseek/10-chat.headers.txt\n") != std::string::npos);
    auto entries = parse_manifest(manifest);
    CHECK(std::is_sorted(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.path < b.path; }));
    std::string cmd = "cd '" + dir.string() + "' && sha256sum --quiet -c MANIFEST.sha256 >/dev/null 2>&1";
    CHECK(std::system(cmd.c_str()) == 0);
    auto v = verify(dir);
    REQUIRE(v);
    INFO(describe(*v));
    CHECK(v->clean());
    CHECK(v->complete());
}

TEST_CASE("evidence verify: a modified, a missing and an extra file are each reported", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    {
        std::ofstream(dir / "summary.md", std::ios::app) << "tampered\n";
    }
    fs::remove(dir / "junit.xml");
    {
        std::ofstream(dir / "self_service__deepseek/extra.txt") << "x\n";
    }
    auto v = verify(dir);
    REQUIRE(v);
    CHECK_FALSE(v->clean());
    CHECK(v->audit_hits.empty());
    std::vector<ManifestMismatch> expected = {
        {"junit.xml", "missing"}, {"summary.md", "modified"}, {"self_service__deepseek/extra.txt", "extra"}};
    CHECK(v->mismatches == expected);
    CHECK(describe(*v).find("manifest: modified summary.md") != std::string::npos);
}

TEST_CASE("evidence verify: an interrupted run stays incomplete and is never clean", "[evidence]") {
    Fixture f;
    auto w = f.writer("crashed");
    auto run = run_summary();
    REQUIRE(w.begin(run));
    REQUIRE(w.write_json("self_service__deepseek/10-chat.json", crm::util::json::object{{"status", 200}}));
    // the process dies here: no finalize
    auto v = verify(w.dir());
    REQUIRE(v);
    CHECK(v->run_status == "incomplete");
    CHECK_FALSE(v->manifest_present);
    CHECK_FALSE(v->clean());
    // an interrupted run that still finalizes keeps 00-run.json incomplete
    auto fin = w.finalize(run, false);
    REQUIRE(fin);
    v = verify(w.dir());
    REQUIRE(v);
    CHECK(v->manifest_ok());
    CHECK(v->run_status == "incomplete");
    CHECK_FALSE(v->clean());
    CHECK(slurp(w.dir() / "summary.md").find("This bundle is incomplete") != std::string::npos);
    CHECK(crm::util::parse_json(slurp(w.dir() / "summary.json"), "s")->at("status").as_string() == "incomplete");
}

TEST_CASE("evidence verify: JSON without schema_version is reported", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    {
        std::ofstream(dir / "self_service__deepseek/10-chat.json") << "{\"status\": 200}\n";
    }
    auto v = verify(dir);
    REQUIRE(v);
    REQUIRE(v->content_problems.size() == 1);
    CHECK(v->content_problems[0] == "self_service__deepseek/10-chat.json: no schema_version");
}

TEST_CASE("evidence writer: artifact paths cannot escape the bundle", "[evidence]") {
    Fixture f;
    auto w = f.writer();
    CHECK_FALSE(w.write_text("../outside.txt", "x"));
    CHECK_FALSE(w.write_text("/etc/x", "x"));
    CHECK_FALSE(w.write_text("a/../../b", "x"));
    CHECK_FALSE(w.write_text("", "x"));
    CHECK(w.write_text("a/b.txt", "x"));
    CHECK_FALSE(fs::exists(f.root / "outside.txt"));
}

TEST_CASE("crm-accept verify: exit 0 clean, 4 tampered or leaking, 3 not a bundle", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    std::string out, err;
    CHECK(run_cli({"verify", dir.string()}, out, err) == crm::harness::ExitCode::gate_passed);
    CHECK(out.find("clean") != std::string::npos);
    CHECK(run_cli({"verify", dir.string(), "--json"}, out, err) == crm::harness::ExitCode::gate_passed);
    auto doc = crm::util::parse_json(out, "verify --json");
    REQUIRE(doc);
    CHECK(doc->at("clean").as_bool());

    {
        std::ofstream(dir / "report.html", std::ios::app) << "<!-- Bearer " << std::string(40, 'Z') << " -->";
    }
    CHECK(run_cli({"verify", dir.string()}, out, err) == crm::harness::ExitCode::audit_failed);
    CHECK(out.find("secret: bearer_token at report.html") != std::string::npos);
    CHECK(out.find(std::string(40, 'Z')) == std::string::npos);

    auto empty = f.root / "not-a-bundle";
    fs::create_directories(empty);
    CHECK(run_cli({"verify", empty.string()}, out, err) == crm::harness::ExitCode::harness_error);
    CHECK(err.find(empty.string() + ": not a crm-accept bundle") != std::string::npos);
    CHECK(err.find('\n') == err.size() - 1);
    CHECK(run_cli({"verify", (f.root / "nope").string()}, out, err) == crm::harness::ExitCode::harness_error);
    CHECK(err.find("not a directory") != std::string::npos);
}

TEST_CASE("evidence writer: cells writing concurrently produce a consistent, clean bundle", "[evidence]") {
    Fixture f;
    auto w = f.writer("parallel");
    auto run = run_summary();
    std::vector<CellSummary> cells;
    for (int t = 0; t < 4; ++t) {
        CellSummary c = run.cells.front();
        c.provider = "p" + std::to_string(t);
        c.steps = steps({{"00-cell", StepState::ran}, {"10-chat", StepState::ran}});
        cells.push_back(c);
    }
    run.cells = cells;
    run.matrix = plan_matrix(run.cells, k_step_files);
    REQUIRE(w.begin(run));
    for (const auto& c : run.cells) {
        REQUIRE(w.write_json(c.folder() + "/00-cell.json", crm::util::json::object{}));
        REQUIRE(w.write_cell_summary(c));
    }
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 25; ++i) {
                auto folder = "self_service__p" + std::to_string(t);
                auto a = w.write_json(folder + "/10-chat.json", crm::util::json::object{{"i", i}, {"key", k_user_key}});
                auto b = w.write_text(folder + "/10-chat.headers.txt", "x-key: " + k_user_key + "\n");
                if (!a || !b) ++failures;
            }
        });
    }
    for (auto& th : threads) th.join();
    CHECK(failures == 0);
    auto fin = w.finalize(run);
    REQUIRE(fin);
    CHECK(fin->passed());
    auto v = verify(w.dir());
    REQUIRE(v);
    INFO(describe(*v));
    CHECK(v->clean());
    auto doc = crm::util::parse_json(slurp(w.dir() / "self_service__p2/10-chat.json"), "x");
    REQUIRE(doc);
    CHECK(doc->at("i").as_int64() == 24);
}

TEST_CASE("evidence verify: a malformed manifest line is a mismatch", "[evidence]") {
    Fixture f;
    auto dir = f.write_full_bundle();
    {
        std::ofstream(dir / "MANIFEST.sha256", std::ios::app) << "not a manifest line\n";
    }
    auto v = verify(dir);
    REQUIRE(v);
    REQUIRE(v->mismatches.size() == 1);
    CHECK(v->mismatches[0].kind == "malformed");
    CHECK_FALSE(v->clean());
}

TEST_CASE("evidence writer: a template directory overrides the embedded templates", "[evidence]") {
    Fixture f;
    auto tpl = f.root / "tpl";
    fs::create_directories(tpl);
    REQUIRE(crm::util::write_atomic(tpl / "summary.md.mustache", "custom {{{scenario_name}}} {{{status}}}\n"));
    REQUIRE(crm::util::write_atomic(tpl / "cell_summary.md.mustache", "cell {{{cause}}}\n"));
    REQUIRE(crm::util::write_atomic(tpl / "report.html.mustache", "<p>{{gate_decision}}</p>\n"));
    BundleOptions o;
    o.root = f.root / "out";
    o.scenario = "default";
    o.templates_dir = tpl;
    auto w = BundleWriter::create(o, f.secrets);
    REQUIRE(w);
    auto run = run_summary();
    run.cells = {run.cells[1]};
    run.matrix = plan_matrix(run.cells, {});
    REQUIRE(w->write_json(run.cells[0].folder() + "/00-cell.json", crm::util::json::object{}));
    REQUIRE(w->write_cell_summary(run.cells[0]));
    REQUIRE(w->finalize(run));
    CHECK(slurp(w->dir() / "summary.md") == "custom default complete\n");
    CHECK(slurp(w->dir() / "subscription__deepseek/21-summary.md") == "cell upstream_key_quota_issue\n");
    CHECK(slurp(w->dir() / "report.html") == "<p>blocked</p>\n");
    o.templates_dir = f.root / "missing";
    CHECK_FALSE(BundleWriter::create(o, f.secrets));
}
