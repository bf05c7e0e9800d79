#include "probes/sse/sse_parser.hpp"

#include <catch2/catch.hpp>

using crm::probes::sse::parse_all;
using crm::probes::sse::SseEvent;
using crm::probes::sse::SseParser;

namespace {

std::vector<SseEvent> events_of(std::string_view text) {
    auto p = parse_all(text);
    return p.take_events();
}

}  // namespace

TEST_CASE("sse: data lines dispatch on a blank line with the default message type") {
    auto ev = events_of("data: {\"a\":1}\n\ndata: [DONE]\n\n");
    REQUIRE(ev.size() == 2);
    CHECK(ev[0].type == "message");
    CHECK_FALSE(ev[0].explicit_type);
    CHECK(ev[0].data == "{\"a\":1}");
    CHECK(ev[1].data == "[DONE]");
    CHECK(parse_all("data: [DONE]\n\n").stats().done_seen);
}

TEST_CASE("sse: event, id and retry fields are honoured") {
    auto p = parse_all("retry: 1500\nid: 7\nevent: error\ndata: {\"error\":{}}\n\n");
    auto ev = p.take_events();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].type == "error");
    CHECK(ev[0].explicit_type);
    CHECK(ev[0].id == "7");
    CHECK(p.stats().retry_ms == std::optional<std::int64_t>(1500));
    CHECK(p.last_event_id() == "7");
}

TEST_CASE("sse: retry with non-digits is ignored, id with NUL is ignored") {
    std::string text = "retry: 15x\nid: a";
    text.push_back('\0');
    text += "b\ndata: x\n\n";
    auto p = parse_all(text);
    CHECK_FALSE(p.stats().retry_ms.has_value());
    auto ev = p.take_events();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].id.empty());
}

TEST_CASE("sse: multi-line data is joined with newlines") {
    auto ev = events_of("data: one\ndata:two\ndata\ndata:  three\n\n");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data == "one\ntwo\n\n three");
}

TEST_CASE("sse: comments and blank keep-alive lines are counted, never events") {
    auto p = parse_all(": keep-alive\n\n: keep-alive\n\n\n:\ndata: x\n\n");
    CHECK(p.stats().comments == 3);
    CHECK(p.stats().events == 1);
    CHECK(p.stats().blank_lines == 3);
}

TEST_CASE("sse: LF, CR and CRLF line endings give the same events") {
    auto lf = events_of("event: a\ndata: 1\n\ndata: 2\n\n");
    auto cr = events_of("event: a\rdata: 1\r\rdata: 2\r\r");
    auto crlf = events_of("event: a\r\ndata: 1\r\n\r\ndata: 2\r\n\r\n");
    CHECK(lf == cr);
    CHECK(lf == crlf);
    REQUIRE(lf.size() == 2);
    CHECK(lf[0].type == "a");
    CHECK(lf[1].type == "message");
}

TEST_CASE("sse: a leading BOM is skipped once, even when split across chunks") {
    SseParser p;
    p.feed("\xEF");
    p.feed("\xBB");
    p.feed(
        "\xBF"
        "data: x\n\n");
    p.finish();
    auto ev = p.take_events();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data == "x");
    CHECK(p.stats().bom_skipped);
    // A second BOM is content: it becomes part of the field name, which is unknown.
    auto q = parse_all(
        "\xEF\xBB\xBF\xEF\xBB\xBF"
        "data: y\n\n");
    CHECK(q.stats().unknown_fields == 1);
    CHECK(q.stats().events == 0);
}

TEST_CASE("sse: every split of a stream yields the same events") {
    const std::string text =
        "\xEF\xBB\xBF: keep-alive\r\n\r\nevent: status\r\ndata: {\"t\":1}\r\n\r\n"
        "data: a\rdata: b\r\rid: 9\ndata: [DONE]\n\n";
    const auto whole = events_of(text);
    REQUIRE(whole.size() == 3);
    for (std::size_t cut = 0; cut <= text.size(); ++cut) {
        for (std::size_t cut2 = cut; cut2 <= text.size(); cut2 += 7) {
            SseParser p;
            p.feed(std::string_view(text).substr(0, cut));
            p.feed(std::string_view(text).substr(cut, cut2 - cut));
            p.feed(std::string_view(text).substr(cut2));
            p.finish();
            INFO("cut at " << cut << "," << cut2);
            REQUIRE(p.take_events() == whole);
        }
    }
}

TEST_CASE("sse: a stream ending mid-event is truncated and the event is discarded") {
    auto p = parse_all("data: {\"a\":1}\n\ndata: {\"partial\"");
    CHECK(p.stats().truncated_event);
    CHECK(p.stats().events == 1);
    CHECK_FALSE(p.stats().done_seen);
    auto q = parse_all("data: x\ndata: y\n");
    CHECK(q.stats().truncated_event);
    CHECK(q.stats().events == 0);
    auto ok = parse_all("data: x\n\n: trailing comment");
    CHECK_FALSE(ok.stats().truncated_event);
}

TEST_CASE("sse: events after [DONE] are counted") {
    auto p = parse_all("data: [DONE]\n\ndata: late\n\n");
    CHECK(p.stats().done_seen);
    CHECK(p.stats().data_after_done == 1);
}

TEST_CASE("sse: an empty data field still dispatches an empty event") {
    auto ev = events_of("data:\n\n");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].data.empty());
    CHECK(events_of("event: x\n\n").empty());
}
