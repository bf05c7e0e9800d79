// inspect::decisive_fields over crafted artifact files: the rows quoted, the artifact each comes
// from, and what happens when an artifact is missing, not JSON, or empty.
#include "harness/inspect/decisive_fields.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <set>

#include "util/files.hpp"
#include "util/random.hpp"

namespace fs = std::filesystem;
using namespace crm::harness::inspect;

namespace {

struct CellDir {
    fs::path dir = fs::temp_directory_path() / ("crm-decisive-" + crm::util::random_hex(6));
    CellDir() { fs::create_directories(dir); }
    ~CellDir() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    void write(const std::string& name, std::string_view text) const {
        REQUIRE(crm::util::write_atomic(dir / name, text).has_value());
    }
};

const DecisiveField* row(const std::vector<DecisiveField>& rows, std::string_view artifact, std::string_view pointer) {
    for (const auto& r : rows) {
        if (r.artifact == artifact && r.pointer == pointer) return &r;
    }
    return nullptr;
}

constexpr std::string_view k_chat_502 = R"({"schema_version": 1, "probe": "chat", "ok": false,
  "exchange": {"response": {"status": 502, "body": "x"},
               "error_info": {"type": "upstream_error", "code": "", "message": "Upstream request\nfailed",
                              "vendor_code": ""},
               "transport_error": null}})";

}  // namespace

TEST_CASE("decisive fields: a gateway 502 and an upstream 200 are quoted with their artifacts") {
    CellDir c;
    c.write("10-chat.json", k_chat_502);
    c.write("19-upstream-chat.json",
            R"({"schema_version": 1, "exchange": {"response": {"status": 200}, "error_info": null}})");
    auto rows = decisive_fields(c.dir, {"10-chat.json"});
    const auto* status = row(rows, "10-chat.json", "/exchange/response/status");
    REQUIRE(status);
    CHECK(status->value == "502");
    CHECK(status->label == "chat HTTP status");
    CHECK(status->proving);
    const auto* type = row(rows, "10-chat.json", "/exchange/error_info/type");
    REQUIRE(type);
    CHECK(type->value == "upstream_error");
    // Messages are one line.
    const auto* message = row(rows, "10-chat.json", "/exchange/error_info/message");
    REQUIRE(message);
    CHECK(message->value == "Upstream request failed");
    // An empty code and a null transport error say nothing, so they are not rows.
    CHECK_FALSE(row(rows, "10-chat.json", "/exchange/error_info/code"));
    CHECK_FALSE(row(rows, "10-chat.json", "/exchange/transport_error/message"));
    const auto* upstream = row(rows, "19-upstream-chat.json", "/exchange/response/status");
    REQUIRE(upstream);
    CHECK(upstream->value == "200");
    CHECK_FALSE(upstream->proving);
    // Rows come in table order: the gateway's chat before the upstream's.
    CHECK(status < upstream);
}

TEST_CASE("decisive fields: missing artifacts yield no rows, never an error") {
    CellDir c;
    CHECK(decisive_fields(c.dir).empty());
    CHECK(decisive_fields(c.dir / "no-such-cell").empty());
}

TEST_CASE("decisive fields: an artifact that is not JSON is quoted as text") {
    CellDir c;
    c.write("09-models.json", "<html>\n<body>404 Not Found</body>\n</html>\n");
    c.write("10-chat.json", "{\"truncated");
    c.write("11-chat-stream.json", "");
    c.write("17-upstream-models.json", "[1, 2]");
    auto rows = decisive_fields(c.dir);
    const auto* html = row(rows, "09-models.json", k_not_json_pointer);
    REQUIRE(html);
    CHECK(html->label == "not JSON");
    CHECK(html->value == "<html> <body>404 Not Found</body> </html>");
    const auto* garbage = row(rows, "10-chat.json", k_not_json_pointer);
    REQUIRE(garbage);
    CHECK(garbage->value == "{\"truncated");
    const auto* empty = row(rows, "11-chat-stream.json", k_not_json_pointer);
    REQUIRE(empty);
    CHECK(empty->value == "(empty file)");
    CHECK(row(rows, "17-upstream-models.json", k_not_json_pointer));
}

TEST_CASE("decisive fields: a directory in an artifact's place is quoted as the read error") {
    CellDir c;
    fs::create_directories(c.dir / "10-chat.json");
    auto rows = decisive_fields(c.dir);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].artifact == "10-chat.json");
    CHECK(rows[0].value.find("directory") != std::string::npos);
}

TEST_CASE("decisive fields: a failed step's error object and an engine error string both quote") {
    auto step = crm::util::parse_json(R"({"ok": false, "error": {"code": "timeout", "message": "no answer in 15000 ms"}})",
                                      "t");
    REQUIRE(step.has_value());
    auto rows = fields_of("10-chat.json", *step);
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].label == "chat step error");
    CHECK(rows[0].value == "no answer in 15000 ms");
    auto access = crm::util::parse_json(R"({"access_status": "broken", "error": "chat: 502"})", "t");
    REQUIRE(access.has_value());
    auto arows = fields_of("07-access-status.json", *access);
    REQUIRE(arows.size() == 2);
    CHECK(arows[0].value == "broken");
    CHECK(arows[1].value == "chat: 502");
}

TEST_CASE("decisive fields: the table is grouped by artifact and names each (artifact, pointer) once") {
    std::set<std::pair<std::string_view, std::string_view>> seen;
    std::set<std::string_view> closed;
    std::string_view current;
    for (const auto& spec : decisive_field_table()) {
        CHECK(seen.insert({spec.artifact, spec.pointer}).second);
        if (spec.artifact != current) {
            CHECK_FALSE(closed.contains(spec.artifact));
            closed.insert(current);
            current = spec.artifact;
        }
        CHECK(spec.pointer.starts_with("/"));
        CHECK_FALSE(spec.label.empty());
    }
}

TEST_CASE("decisive fields: one_line folds whitespace and cuts without splitting UTF-8") {
    CHECK(one_line("a\n\n  b\tc ") == "a b c");
    CHECK(one_line("abcdef", 3) == "abc...");
    CHECK(one_line("\xC3\xA9\xC3\xA9", 3) == "\xC3\xA9...");
}
