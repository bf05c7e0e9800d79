#include "harness/evidence/timestamp.hpp"

#include <fmt/format.h>

#include <cstdio>
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

std::optional<TimePoint> parse_iso8601(std::string_view text) {
    const std::string s(text);
    std::tm tm{};
    int oh = 0, om = 0, used = 0;
    char sign = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &used) != 6 ||
        used != 19)
        return std::nullopt;
    const std::string_view rest = text.substr(19);
    long off = 0;
    if (rest == "Z") {
        off = 0;
    } else {
        int tail = 0;
        if (rest.size() != 6 || std::sscanf(std::string(rest).c_str(), "%c%2d:%2d%n", &sign, &oh, &om, &tail) != 3 ||
            tail != 6 || (sign != '+' && sign != '-') || oh > 23 || om > 59)
            return std::nullopt;
        off = (oh * 3600L + om * 60L) * (sign == '-' ? -1 : 1);
    }
    if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
        tm.tm_sec > 60)
        return std::nullopt;
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    const std::time_t t = ::timegm(&tm) - off;
    return std::chrono::system_clock::from_time_t(t);
}

}  // namespace crm::harness::evidence
