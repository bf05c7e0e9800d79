#include "harness/evidence/timestamp.hpp"

#include <fmt/format.h>

#include <ctime>

namespace crm::harness::evidence {

namespace {

std::tm broken_down(TimePoint t, bool utc) {
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    if (utc)
        ::gmtime_r(&tt, &tm);
    else
        ::localtime_r(&tt, &tm);
    return tm;
}

}  // namespace

std::string iso8601(TimePoint t, bool utc) {
    std::tm tm = broken_down(t, utc);
    long off = utc ? 0 : tm.tm_gmtoff;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                       tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600, (off % 3600) / 60);
}

std::string bundle_stamp(TimePoint t, bool utc) {
    std::tm tm = broken_down(t, utc);
    return fmt::format("{:04}{:02}{:02}_{:02}{:02}{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                       tm.tm_min, tm.tm_sec);
}

std::string timezone_name(TimePoint t, bool utc) {
    if (utc) return "UTC";
    std::tm tm = broken_down(t, false);
    return tm.tm_zone ? std::string(tm.tm_zone) : std::string("UTC");
}

}  // namespace crm::harness::evidence
