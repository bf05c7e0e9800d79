// libFuzzer entry point for the SSE parser. Property: no crash, and feeding the same bytes in
// two pieces (split at a data-derived point) yields exactly the events and stats of one piece.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probes/sse/sse_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    crm::probes::sse::SseParser whole;
    whole.feed(text);
    whole.finish();

    const std::size_t cut = size == 0 ? 0 : data[0] % (size + 1);
    crm::probes::sse::SseParser split;
    split.feed(text.substr(0, cut));
    split.feed(text.substr(cut));
    split.finish();
    if (whole.pending_events() != split.pending_events() || !(whole.stats() == split.stats())) {
        std::abort();
    }
    return 0;
}
