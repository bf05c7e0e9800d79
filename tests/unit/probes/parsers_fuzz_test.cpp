// Bounded randomized robustness tests (the g++/CI counterpart of tests/fuzz/): real inputs from
// the reference notes, mutated with a fixed seed, a few thousand iterations, no timing.
#include <catch2/catch.hpp>
#include <random>

#include "probes/account/account_probe.hpp"
#include "probes/envelope/body_parser.hpp"
#include "probes/gateway/gateway_probes.hpp"
#include "probes/sse/sse_parser.hpp"
#include "tests/fuzz/seed_corpus.hpp"

using namespace crm::probes;

namespace {

constexpr int k_iterations = 3000;

class Mutator {
  public:
    explicit Mutator(std::uint32_t seed) : m_rng(seed) {}

    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(m_rng() % n); }

    std::string mutate(const std::vector<std::string>& seeds) {
        std::string s = seeds[below(seeds.size())];
        const std::size_t rounds = 1 + below(6);
        for (std::size_t r = 0; r < rounds; ++r) {
            switch (below(7)) {
                case 0:  // flip a byte
                    if (!s.empty()) {
                        s[below(s.size())] = static_cast<char>(m_rng() & 0xFF);
                    }
                    break;
                case 1: {  // insert an interesting token
                    static const std::vector<std::string> tokens = {"\r",
                                                                    "\n",
                                                                    "\r\n",
                                                                    ":",
                                                                    "data:",
                                                                    "event: error\n",
                                                                    "{",
                                                                    "}",
                                                                    "\"",
                                                                    "[",
                                                                    "\xEF\xBB\xBF",
                                                                    "[DONE]",
                                                                    "(1008)",
                                                                    "\\u0000",
                                                                    "\xff",
                                                                    "\xe6\xad",
                                                                    "1e400",
                                                                    "-9223372036854775809",
                                                                    "null",
                                                                    "{\"error\":",
                                                                    "\"base_resp\":{\"status_code\":"};
                    s.insert(below(s.size() + 1), tokens[below(tokens.size())]);
                    break;
                }
                case 2:  // delete a slice
                    if (!s.empty()) {
                        const std::size_t at = below(s.size());
                        s.erase(at, below(s.size() - at + 1));
                    }
                    break;
                case 3:  // duplicate a slice
                    if (!s.empty()) {
                        const std::size_t at = below(s.size());
                        const std::string piece = s.substr(at, below(64));
                        s.insert(below(s.size() + 1), piece);
                    }
                    break;
                case 4:  // truncate
                    s.resize(below(s.size() + 1));
                    break;
                case 5: {  // splice with another seed
                    const std::string& other = seeds[below(seeds.size())];
                    s = s.substr(0, below(s.size() + 1)) + other.substr(below(other.size() + 1));
                    break;
                }
                default:  // deep nesting
                    s.insert(0, std::string(below(80), '['));
                    break;
            }
        }
        return s;
    }

  private:
    std::mt19937 m_rng;
};

bool reparses(const boost::json::value& v) {
    boost::system::error_code ec;
    (void)boost::json::parse(boost::json::serialize(v), ec);
    return !ec;
}

}  // namespace

TEST_CASE("fuzz: SSE parser gives the same events for any chunking of mutated streams") {
    Mutator m(0xC0FFEEu);
    for (int i = 0; i < k_iterations; ++i) {
        const std::string text = m.mutate(crm::fuzz::sse_seeds());
        auto whole = sse::parse_all(text);
        sse::SseParser pieces;
        std::size_t pos = 0;
        while (pos < text.size()) {
            const std::size_t n = 1 + m.below(9);
            pieces.feed(std::string_view(text).substr(pos, n));
            pos += n;
        }
        pieces.finish();
        INFO("iteration " << i);
        REQUIRE(whole.pending_events() == pieces.pending_events());
        REQUIRE(whole.stats() == pieces.stats());
    }
}

TEST_CASE("fuzz: body parser reports every >= 400 body and its artifacts stay valid JSON") {
    Mutator m(0xBADC0DEu);
    for (int i = 0; i < k_iterations; ++i) {
        const std::string body = m.mutate(crm::fuzz::body_seeds());
        INFO("iteration " << i);
        for (int status : {200, 402, 502}) {
            const auto parsed = envelope::parse_body(body, status);
            if (status >= 400) {
                REQUIRE(parsed.error.has_value());
            }
            if (parsed.error) {
                REQUIRE(reparses(envelope::to_json(*parsed.error)));
            }
        }
        ProbeExchange ex;
        ex.request = RequestSummary{"gateway", "POST", "http://127.0.0.1/v1/chat/completions", AuthStyle::bearer, "{}"};
        HttpResponse resp;
        resp.status = 200;
        resp.status_line = "HTTP/1.1 200 OK";
        resp.headers = {{"X-Odd", body.substr(0, 40)}, {body.substr(0, 12), "v"}};
        resp.status_line = "HTTP/1.1 200 " + body.substr(0, 20);
        resp.body = body;
        ex.response = resp;
        ex.error_info = envelope::extract_error(body, 200);
        REQUIRE(reparses(ex.to_json()));
    }
}

TEST_CASE("fuzz: stream and account-test evaluation survive mutated streams") {
    Mutator m(0x5EEDu);
    for (int i = 0; i < k_iterations; ++i) {
        const std::string text = m.mutate(crm::fuzz::sse_seeds());
        INFO("iteration " << i);
        gateway::ChatStreamResult stream;
        gateway::evaluate_stream(stream, text, std::nullopt);
        CHECK_FALSE((stream.saw_done && stream.truncated && !stream.saw_error_event &&
                     !sse::parse_all(text).stats().truncated_event));
        account::AccountTestResult test;
        account::evaluate_account_test(test, text, std::nullopt);
        REQUIRE(reparses(test.to_json()));
        REQUIRE(reparses(stream.to_json()));
    }
}
