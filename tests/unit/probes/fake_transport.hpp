#pragma once
// A recording HttpTransport: answers from a queue (or a fixed answer) and remembers every request.
#include <deque>
#include <mutex>
#include <vector>

#include "probes/http/transport.hpp"

namespace crm::test {

class FakeTransport final : public probes::HttpTransport {
  public:
    void push(probes::HttpResponse response) { m_answers.emplace_back(std::move(response)); }
    void push_error(util::Error error) { m_answers.emplace_back(std::unexpected(std::move(error))); }

    util::Result<probes::HttpResponse> send(const probes::HttpRequest& request) override {
        std::lock_guard lock(m_mutex);
        requests.push_back(request);
        if (m_answers.empty()) {
            return util::fail(util::ErrorCode::connect_failed, "fake: no answer queued");
        }
        auto answer = std::move(m_answers.front());
        m_answers.pop_front();
        return answer;
    }

    std::vector<probes::HttpRequest> requests;

  private:
    std::mutex m_mutex;
    std::deque<util::Result<probes::HttpResponse>> m_answers;
};

inline probes::HttpResponse answer(int status, std::string body, std::string content_type = "application/json") {
    probes::HttpResponse r;
    r.status = status;
    r.status_line = "HTTP/1.1 " + std::to_string(status) + " X";
    r.headers = {{"Content-Type", std::move(content_type)}};
    r.body = std::move(body);
    return r;
}

inline std::optional<std::string> request_header(const probes::HttpRequest& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
        if (k == name) {
            return v;
        }
    }
    return std::nullopt;
}

}  // namespace crm::test
