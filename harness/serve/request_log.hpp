#pragma once
// The control plane's log: one line per request plus startup/shutdown lines, on a stream
// (stderr in `crm-accept serve`).
//
// Contract:
// - json: one JSON object per line: {"ts","level","msg", ...fields}; text: "ts level msg
//   key=value ..." with values quoted when they hold spaces, quotes or '=';
// - ts is UTC RFC 3339 with milliseconds;
// - every line is scrubbed through the SecretRegistry before it is written (the admin token is
//   registered), and the Authorization header is never a field;
// - lines from many threads never interleave (one mutex around the write).
#include <iosfwd>
#include <mutex>
#include <string>
#include <string_view>

#include "util/json.hpp"
#include "util/secrets.hpp"

namespace crm::harness::serve {

enum class LogFormat { text, json };

class RequestLog {
  public:
    RequestLog(std::ostream& out, LogFormat format, const util::SecretRegistry& secrets)
        : m_out(out), m_format(format), m_secrets(secrets) {}
    // level: info | warn | error
    void write(std::string_view level, std::string_view msg, const boost::json::object& fields);
    // The line write() would produce (tests and callers that need the text).
    [[nodiscard]] std::string format_line(std::string_view level, std::string_view msg,
                                          const boost::json::object& fields) const;

  private:
    std::ostream& m_out;
    LogFormat m_format;
    const util::SecretRegistry& m_secrets;
    std::mutex m_mutex;
};

}  // namespace crm::harness::serve
