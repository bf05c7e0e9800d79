#pragma once
// An incremental text/event-stream parser following the WHATWG "event stream interpretation"
// rules, for gateway streams, upstream streams and the sub2api account-test stream.
//
// - Bytes may be fed split at any boundary (inside a line, inside a CRLF, inside the BOM).
// - One leading UTF-8 BOM is skipped. Lines end at CRLF, LF or CR.
// - ":"-prefixed lines are comments (counted, never events). "field: value" strips exactly one
//   space after the colon; a line without a colon is a field with an empty value.
// - Fields: event (type), data (appended + "\n"), id (ignored when it holds NUL), retry (only
//   ASCII digits). Unknown fields are counted and ignored.
// - A blank line dispatches: an empty data buffer dispatches nothing; otherwise the trailing "\n"
//   is removed and the event is emitted with type "message" unless an event field set one.
// - finish() marks end of stream: a pending, undispatched event is *discarded* (as the spec
//   says) but reported through `truncated_event` so probes can call the stream truncated.
// - `[DONE]` (OpenAI end marker) is an ordinary event whose data is "[DONE]"; it is also
//   flagged in stats.done_seen.
// Never throws, never allocates more than the input it holds (bounded by the caller's cap).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::probes::sse {

struct SseEvent {
    std::string type = "message";  // the event field, or "message"
    std::string data;              // data lines joined by "\n"
    std::string id;                // last event id at dispatch time
    bool explicit_type = false;    // an event: field was present
    friend bool operator==(const SseEvent&, const SseEvent&) = default;
};

struct SseStats {
    std::uint64_t bytes = 0;
    std::uint64_t lines = 0;
    std::uint64_t events = 0;       // dispatched events (including [DONE])
    std::uint64_t comments = 0;     // ":" lines, e.g. ": keep-alive"
    std::uint64_t blank_lines = 0;  // blank lines that dispatched nothing
    std::uint64_t unknown_fields = 0;
    std::uint64_t data_after_done = 0;  // events dispatched after [DONE]
    bool bom_skipped = false;
    bool done_seen = false;
    bool truncated_event = false;  // finish() found an undispatched event / partial line
    std::optional<std::int64_t> retry_ms;
    friend bool operator==(const SseStats&, const SseStats&) = default;
};

class SseParser {
  public:
    void feed(std::string_view bytes);
    void finish();

    // Dispatched events not yet taken, oldest first.
    [[nodiscard]] std::vector<SseEvent> take_events();
    [[nodiscard]] const std::vector<SseEvent>& pending_events() const { return m_events; }
    [[nodiscard]] const SseStats& stats() const { return m_stats; }
    [[nodiscard]] const std::string& last_event_id() const { return m_last_id; }

  private:
    void feed_lines(std::string_view bytes);
    void process_line(std::string_view line);
    void dispatch();

    std::vector<SseEvent> m_events;
    SseStats m_stats;
    std::string m_line;
    std::string m_data;
    std::string m_type;
    std::string m_last_id;
    bool m_after_cr = false;
    bool m_finished = false;
    std::size_t m_bom_matched = 0;  // bytes of a leading BOM seen so far
    bool m_bom_decided = false;
};

// Convenience: parse a whole stream (feed + finish).
[[nodiscard]] SseParser parse_all(std::string_view text);

}  // namespace crm::probes::sse
