// report.html quotes a cell's artifacts from disk: JSON pretty-printed, capped, escaped, and a
// FIFO or a missing file said rather than opened.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "harness/evidence/artifact_excerpt.hpp"
#include "harness/evidence/report.hpp"
#include "util/random.hpp"

namespace fs = std::filesystem;
using namespace crm::harness::evidence;
using crm::harness::classify::Cause;

namespace {

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("crm-report-" + crm::util::random_hex(8));
    TempDir() { fs::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

void put(const fs::path& p, const std::string& text) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << text;
}

}  // namespace

TEST_CASE("artifact excerpt: JSON pretty-printed, large files capped with a note, FIFOs never opened",
          "[evidence][report]") {
    TempDir d;
    put(d.path / "10-chat.json", R"({"exchange":{"response":{"status":502}}})");
    put(d.path / "10-chat.headers.txt", "HTTP/1.1 502\r\ncontent-type: application/json\r\n");
    put(d.path / "11-chat-stream.sse", std::string(3000, 'x'));
    put(d.path / "broken.json", "{not json");
    REQUIRE(::mkfifo((d.path / "fifo.json").c_str(), 0600) == 0);

    auto json = read_excerpt(d.path, "10-chat.json");
    CHECK(json.kind == "json");
    CHECK(json.text.find("\n    \"response\"") != std::string::npos);
    CHECK(read_excerpt(d.path, "10-chat.headers.txt").kind == "headers");
    auto big = read_excerpt(d.path, "11-chat-stream.sse", 1024);
    CHECK(big.truncated);
    CHECK(big.text.size() == 1024);
    CHECK(big.note == "first 1 KiB of 3 KiB shown");
    CHECK(read_excerpt(d.path, "broken.json").note == "not valid JSON: shown as written");
    CHECK(read_excerpt(d.path, "fifo.json").note == "not a regular file");
    CHECK(read_excerpt(d.path, "19-upstream-chat.json").note == "not written");

    auto all = read_cell_excerpts(d.path, {"19-upstream-chat.json"});
    REQUIRE(all.size() == 6);
    CHECK(all.front().name == "10-chat.headers.txt");
    CHECK_FALSE(all[3].present);  // 19-upstream-chat.json, listed by the summary, missing
    CHECK(read_cell_excerpts(d.path / "absent", {"10-chat.json"}).empty());
}

TEST_CASE("report: a cell's panel quotes its artifacts and the host-vs-upstream fields, HTML-escaped",
          "[evidence][report]") {
    TempDir d;
    put(d.path / "self_service__deepseek" / "10-chat.json",
        R"({"exchange":{"response":{"status":400},"error_info":{"message":"<script>alert(1)</script>"}}})");
    put(d.path / "self_service__deepseek" / "19-upstream-chat.json", R"({"exchange":{"response":{"status":200}}})");
    CellSummary c;
    c.mode = "self_service";
    c.provider = "deepseek";
    c.cause = Cause::host_compatibility_gap;
    c.verdict = crm::harness::classify::verdict_of(c.cause);
    c.artifacts = {"10-chat.json", "19-upstream-chat.json"};
    RunSummary s;
    s.cells = {c};
    auto html = render_report_html(s, "complete", builtin_templates(), ReportContext{d.path, std::nullopt});
    REQUIRE(html);
    CHECK(html->find("<table class=\"diff\" data-pair=\"chat\">") != std::string::npos);
    CHECK(html->find("data-pair=\"models\"") == std::string::npos);  // neither 09 nor 17 was written
    CHECK(html->find("<td>chat HTTP status</td><td class=\"v\">400</td><td class=\"v\">200</td>") != std::string::npos);
    CHECK(html->find("<table class=\"decisive\">") != std::string::npos);
    CHECK(html->find("<li data-artifact=\"19-upstream-chat.json\">") != std::string::npos);
    CHECK(html->find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
    CHECK(html->find("<script>alert") == std::string::npos);
}
