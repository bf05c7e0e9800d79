#pragma once
// Plain request/response values shared by the stub server, its handlers and the small client.
// Header names are stored lower-cased.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crm::stubs {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
    std::string method;                        // "GET", "POST", ...
    std::string target;                        // as received, with query
    std::string path;                          // without query
    std::map<std::string, std::string> query;  // percent-decoded
    HeaderList headers;                        // lower-cased names
    std::string body;
    [[nodiscard]] std::optional<std::string> header(std::string_view lower_name) const;
};

// Given to streaming handlers. write() returns false once the client is gone or the server is
// stopping; the handler must then return promptly.
class StreamWriter {
  public:
    virtual ~StreamWriter() = default;
    virtual bool write(std::string_view bytes) = 0;
    // Sleeps up to `ms`; returns false when the server is stopping (or stalls are released).
    virtual bool wait(std::chrono::milliseconds ms) = 0;
};

struct Response {
    int status = 200;
    HeaderList headers;  // extra headers (content-type is separate)
    std::string content_type = "application/json";
    std::string body;
    // When set, the response is sent chunked and the function produces the body.
    std::function<void(StreamWriter&)> stream;
};

// Result of the stub's outgoing HTTP client.
struct ClientReply {
    int status = 0;
    HeaderList headers;  // lower-cased names
    std::string body;
    bool complete = true;  // false when the body was cut short (peer closed / aborted)
    [[nodiscard]] std::optional<std::string> header(std::string_view lower_name) const;
};

}  // namespace crm::stubs
