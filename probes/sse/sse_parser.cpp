// Why byte-level state (m_after_cr, m_bom_matched): streams arrive in arbitrary chunks, so a
// CRLF or the BOM may straddle two feed() calls; the parser must give the same events for every
// split of the same bytes (the fuzz test checks exactly that).
#include "probes/sse/sse_parser.hpp"

#include <algorithm>

namespace crm::probes::sse {
namespace {

constexpr std::string_view k_bom = "\xEF\xBB\xBF";

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

void SseParser::feed(std::string_view bytes) {
    if (m_finished) {
        return;
    }
    m_stats.bytes += bytes.size();
    if (!m_bom_decided) {
        while (!bytes.empty() && !m_bom_decided) {
            if (bytes.front() == k_bom[m_bom_matched]) {
                ++m_bom_matched;
                bytes.remove_prefix(1);
                if (m_bom_matched == k_bom.size()) {
                    m_bom_decided = true;
                    m_stats.bom_skipped = true;
                }
            } else {
                m_bom_decided = true;
                const std::string replay(k_bom.substr(0, m_bom_matched));
                m_bom_matched = 0;
                feed_lines(replay);
            }
        }
    }
    feed_lines(bytes);
}

void SseParser::feed_lines(std::string_view bytes) {
    while (!bytes.empty()) {
        if (m_after_cr) {
            m_after_cr = false;
            if (bytes.front() == '\n') {
                bytes.remove_prefix(1);
                continue;
            }
        }
        const auto eol = bytes.find_first_of("\r\n");
        if (eol == std::string_view::npos) {
            m_line.append(bytes);
            return;
        }
        m_line.append(bytes.substr(0, eol));
        m_after_cr = bytes[eol] == '\r';
        bytes.remove_prefix(eol + 1);
        process_line(m_line);
        m_line.clear();
    }
}

void SseParser::process_line(std::string_view line) {
    ++m_stats.lines;
    if (line.empty()) {
        dispatch();
        return;
    }
    if (line.front() == ':') {
        ++m_stats.comments;
        return;
    }
    std::string_view field = line;
    std::string_view value;
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        field = line.substr(0, colon);
        value = line.substr(colon + 1);
        if (!value.empty() && value.front() == ' ') {
            value.remove_prefix(1);
        }
    }
    if (field == "event") {
        m_type.assign(value);
    } else if (field == "data") {
        m_data.append(value);
        m_data.push_back('\n');
    } else if (field == "id") {
        if (value.find('\0') == std::string_view::npos) {
            m_last_id.assign(value);
        }
    } else if (field == "retry") {
        if (all_digits(value) && value.size() <= 15) {
            m_stats.retry_ms = std::stoll(std::string(value));
        }
    } else {
        ++m_stats.unknown_fields;
    }
}

void SseParser::dispatch() {
    if (m_data.empty()) {
        m_type.clear();
        ++m_stats.blank_lines;
        return;
    }
    SseEvent event;
    m_data.pop_back();
    event.data = std::move(m_data);
    event.explicit_type = !m_type.empty();
    event.type = m_type.empty() ? std::string("message") : std::move(m_type);
    event.id = m_last_id;
    m_data.clear();
    m_type.clear();
    if (m_stats.done_seen) {
        ++m_stats.data_after_done;
    }
    std::string_view trimmed = event.data;
    while (!trimmed.empty() && (trimmed.back() == ' ' || trimmed.back() == '\t')) {
        trimmed.remove_suffix(1);
    }
    if (trimmed == "[DONE]") {
        m_stats.done_seen = true;
    }
    ++m_stats.events;
    m_events.push_back(std::move(event));
}

void SseParser::finish() {
    if (m_finished) {
        return;
    }
    if (!m_bom_decided && m_bom_matched > 0) {
        // The stream was only a BOM prefix: those bytes are content, not a BOM.
        m_bom_decided = true;
        const std::string replay(k_bom.substr(0, m_bom_matched));
        feed_lines(replay);
    }
    m_finished = true;
    const bool partial_line = !m_line.empty() && m_line.front() != ':';
    if (!m_data.empty() || partial_line) {
        m_stats.truncated_event = true;
    }
    m_line.clear();
    m_data.clear();
    m_type.clear();
}

std::vector<SseEvent> SseParser::take_events() {
    std::vector<SseEvent> out;
    out.swap(m_events);
    return out;
}

SseParser parse_all(std::string_view text) {
    SseParser parser;
    parser.feed(text);
    parser.finish();
    return parser;
}

}  // namespace crm::probes::sse
