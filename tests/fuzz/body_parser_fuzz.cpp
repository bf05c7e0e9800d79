// libFuzzer entry point for the error-body parser. Property: no crash, and the ErrorInfo JSON an
// artifact would hold always serializes to text that parses back (valid UTF-8, valid JSON).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "probes/envelope/body_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    for (int status : {200, 403, 502}) {
        const auto parsed = crm::probes::envelope::parse_body(text, status);
        if (parsed.error) {
            const std::string out = boost::json::serialize(crm::probes::envelope::to_json(*parsed.error));
            boost::system::error_code ec;
            (void)boost::json::parse(out, ec);
            if (ec) {
                std::abort();
            }
        }
        if (status >= 400 && !parsed.error) {
            std::abort();  // every body at HTTP >= 400 must be reported as an error
        }
    }
    return 0;
}
