#pragma once
// One stub OpenAI-compatible upstream (style deepseek | minimax | openai). Serves GET /models and
// POST /chat/completions, with and without the /v1 prefix, checks `Authorization: Bearer <key>`,
// answers in the provider's dialect (usage in non-stream bodies and in the last stream chunk;
// MiniMax adds base_resp) and applies the upstream part of its fault profile.
// Thread-safe: handle() is called concurrently by the server's connection threads.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "stubs/fault_profile.hpp"
#include "stubs/http/http_types.hpp"

namespace crm::stubs {

class StubUpstream {
  public:
    StubUpstream(std::string name, std::string style, std::string key, UpstreamFaults faults);
    [[nodiscard]] Response handle(const Request& request);
    [[nodiscard]] std::uint64_t chat_calls() const { return m_chat_calls.load(); }
    [[nodiscard]] const std::string& style() const { return m_style; }
    // Whether the style accepts the model id (deepseek checks its documented list).
    [[nodiscard]] bool knows_model(std::string_view model) const;
    // Wakes handlers sleeping in injected latency; later sleeps return at once.
    void stop();

  private:
    [[nodiscard]] Response models(const Request& request);
    [[nodiscard]] Response chat(const Request& request);
    [[nodiscard]] Response completion(const std::string& model, bool stream, std::int64_t prompt_tokens);

    std::string m_name, m_style, m_key;
    UpstreamFaults m_faults;
    std::atomic<std::uint64_t> m_chat_calls{0};
    std::mutex m_mutex;
    std::map<std::string, int> m_streams_per_key;  // for transient_429_streams
    std::condition_variable m_cv;
    bool m_stopping = false;
    void sleep_ms(int ms);
};

}  // namespace crm::stubs
