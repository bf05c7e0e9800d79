#pragma once
// Durations on serve's command line, in Go's syntax ("300ms", "30s", "5m", "1h30m"): the same
// spelling the control plane's environment variables use. Sub-second values matter here (tests
// run with short timeouts), which util::parse_duration (whole seconds) cannot express.
//
// Contract: one or more <number><unit> parts, unit ms|s|m|h, number a non-negative integer;
// anything else (empty, "5", "1d", "-1s", overflow) is nullopt.
#include <chrono>
#include <optional>
#include <string_view>

namespace crm::harness::serve {

[[nodiscard]] std::optional<std::chrono::milliseconds> parse_go_duration(std::string_view text);

}  // namespace crm::harness::serve
