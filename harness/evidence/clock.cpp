#include "harness/evidence/clock.hpp"

#include <chrono>
#include <cstdlib>

namespace crm::harness::evidence {

namespace {

struct Override {
    std::optional<std::string> text;           // CRM_ACCEPT_NOW as given
    std::optional<TimePoint::duration> shift;  // start instant - real start, when valid
};

// Read once: the clock must not jump if the environment changes mid-run.
const Override& the_override() {
    static const Override o = [] {
        Override r;
        const char* v = std::getenv(k_clock_env);
        if (v == nullptr || *v == '\0') return r;
        r.text = v;
        if (auto t = parse_iso8601(v)) r.shift = *t - std::chrono::system_clock::now();
        return r;
    }();
    return o;
}

}  // namespace

TimePoint now() {
    const auto& o = the_override();
    const auto real = std::chrono::system_clock::now();
    return o.shift ? real + *o.shift : real;
}

std::optional<std::string> clock_override() {
    const auto& o = the_override();
    if (!o.shift) return std::nullopt;
    return o.text;
}

std::optional<std::string> clock_override_error() {
    const auto& o = the_override();
    if (!o.text || o.shift) return std::nullopt;
    return std::string(k_clock_env) + "='" + *o.text +
           "' is not an ISO-8601 instant with an offset (e.g. 2026-11-01T09:00:00+08:00 or 2026-11-01T01:00:00Z)";
}

}  // namespace crm::harness::evidence
