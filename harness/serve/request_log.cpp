#include "harness/serve/request_log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <ctime>
#include <ostream>

namespace crm::harness::serve {

namespace {

std::string now_rfc3339() {
    const auto now = std::chrono::system_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    const std::time_t secs = std::chrono::system_clock::to_time_t(now);
    std::tm utc{};
    ::gmtime_r(&secs, &utc);
    return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", utc, ms);
}

std::string text_value(const boost::json::value& v) {
    std::string s = v.is_string() ? std::string(v.get_string()) : boost::json::serialize(v);
    if (s.empty() || s.find_first_of(" \"=\t\n") != std::string::npos)
        return boost::json::serialize(boost::json::value(s));
    return s;
}

}  // namespace

std::string RequestLog::format_line(std::string_view level, std::string_view msg,
                                    const boost::json::object& fields) const {
    std::string line;
    if (m_format == LogFormat::json) {
        boost::json::object o;
        o["ts"] = now_rfc3339();
        o["level"] = level;
        o["msg"] = msg;
        for (const auto& [k, v] : fields) o[k] = v;
        line = boost::json::serialize(o);
    } else {
        line = fmt::format("{} {} {}", now_rfc3339(), level, msg);
        for (const auto& [k, v] : fields) line += fmt::format(" {}={}", std::string_view(k), text_value(v));
    }
    return m_secrets.scrub(line);
}

void RequestLog::write(std::string_view level, std::string_view msg, const boost::json::object& fields) {
    const std::string line = format_line(level, msg, fields);
    std::lock_guard lock(m_mutex);
    m_out << line << '\n' << std::flush;
}

}  // namespace crm::harness::serve
