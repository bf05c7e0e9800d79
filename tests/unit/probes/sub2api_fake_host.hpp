#pragma once
// A scripted sub2api host for AdminClient unit tests: every request is recorded, answered by a
// test-supplied handler, and checked against the SecretRegistry *at send time* (so a test can
// prove secrets were registered before they went on the wire).
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "probes/http/transport.hpp"
#include "util/json.hpp"
#include "util/secrets.hpp"

namespace crm::test::sub2api_fake {

namespace json = boost::json;

inline probes::HttpResponse reply(int status, std::string body) {
    probes::HttpResponse r;
    r.status = status;
    r.status_line = "HTTP/1.1 " + std::to_string(status);
    r.headers = {{"Content-Type", "application/json"}};
    r.body = std::move(body);
    return r;
}

inline probes::HttpResponse ok(const json::value& data) {
    return reply(200, json::serialize(json::object{{"code", 0}, {"message", "success"}, {"data", data}}));
}

inline probes::HttpResponse page(const json::array& items, int page_no, int pages) {
    return ok(json::object{{"items", items}, {"total", 0}, {"page", page_no}, {"page_size", 100}, {"pages", pages}});
}

inline std::string header(const probes::HttpRequest& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
        if (k.size() == name.size() && std::equal(k.begin(), k.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
            })) {
            return v;
        }
    }
    return {};
}

// "/api/v1/admin/groups?page=2&page_size=100" -> "/api/v1/admin/groups"
inline std::string path_of(const probes::HttpRequest& r) {
    auto scheme = r.url.find("://");
    auto slash = r.url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    std::string p = slash == std::string::npos ? "/" : r.url.substr(slash);
    return p.substr(0, p.find('?'));
}

inline std::string query_of(const probes::HttpRequest& r) {
    auto q = r.url.find('?');
    return q == std::string::npos ? std::string() : r.url.substr(q + 1);
}

class FakeHost final : public probes::HttpTransport {
  public:
    using Handler = std::function<util::Result<probes::HttpResponse>(const probes::HttpRequest&)>;

    FakeHost(util::SecretRegistry& registry, Handler handler) : m_registry(registry), m_handler(std::move(handler)) {}

    // Values that must never be sent before they are registered.
    std::vector<std::string> watched;
    std::vector<std::string> sent_unregistered;
    std::vector<probes::HttpRequest> requests;

    util::Result<probes::HttpResponse> send(const probes::HttpRequest& request) override {
        std::lock_guard lock(m_mutex);
        std::string wire = request.url + "\n" + request.body;
        for (const auto& [k, v] : request.headers) wire += "\n" + k + ": " + v;
        for (const auto& secret : watched) {
            if (wire.find(secret) != std::string::npos && m_registry.scrub(secret) != util::k_redacted) {
                sent_unregistered.push_back(secret);
            }
        }
        requests.push_back(request);
        return m_handler(request);
    }

    std::vector<std::string> paths() const {
        std::vector<std::string> out;
        for (const auto& r : requests) out.push_back(r.method + " " + path_of(r));
        return out;
    }

  private:
    util::SecretRegistry& m_registry;
    Handler m_handler;
    std::mutex m_mutex;
};

}  // namespace crm::test::sub2api_fake
