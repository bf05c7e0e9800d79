#pragma once
// The scenario model: a declarative acceptance matrix. Plain value structs, no IO;
// parsing lives in scenario_parser.hpp. Every field that came from the file remembers its line so
// later checks (unknown provider, unknown profile) still report `file:line: field: reason`.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/classify/cause.hpp"

namespace crm::harness::scenario {

enum class HostKind { stub, real };
[[nodiscard]] const char* to_string(HostKind k) noexcept;

enum class Mode { self_service, subscription };
[[nodiscard]] const char* to_string(Mode m) noexcept;
[[nodiscard]] std::optional<Mode> parse_mode(std::string_view s) noexcept;

struct UserSpec {  // operator-supplied ordinary user (real hosts), reused instead of created
    std::string email;
    std::string password;  // secret
    friend bool operator==(const UserSpec&, const UserSpec&) = default;
};

struct HostSpec {
    std::string name = "host";  // axis value; names cell folders when there are several hosts
    HostKind kind = HostKind::stub;
    // stub
    std::string profile = "healthy";  // host-wide fault profile
    bool fork_admin_key_route = false;
    // real (after ${VAR} expansion)
    std::string url;
    std::string admin_api_key;  // secret
    std::string admin_email;
    std::string admin_password;  // secret
    // The variables admin_api_key / admin_password were read from ("" when written literally),
    // so the run can print an engine command that needs no secret on its command line.
    std::string admin_api_key_env;
    std::string admin_password_env;
    bool accept_compliance = false;
    std::optional<UserSpec> reuse_user;
    std::size_t line = 1;
    std::size_t profile_line = 1;
    friend bool operator==(const HostSpec&, const HostSpec&) = default;
};

struct ProviderSpec {
    std::string pack;
    std::string provider;
    std::string profile;  // stub upstream profile for this provider ("" = the host-wide one)
    // Expected cause per mode (a planted fault asserted by the scenario). Absent = "should be
    // ready or excused by policy".
    std::map<Mode, classify::Cause> expect;
    std::size_t line = 1;           // line of the provider entry
    std::size_t provider_line = 1;  // line of its "provider" key
    std::size_t profile_line = 1;
    std::size_t pack_line = 1;
    friend bool operator==(const ProviderSpec&, const ProviderSpec&) = default;
};

struct StepSwitches {
    bool upstream_probes = true;  // 17, 19
    bool stream_smoke = true;     // 11
    bool reconcile = true;        // 13
    bool rollback = true;         // 20
    friend bool operator==(const StepSwitches&, const StepSwitches&) = default;
};

struct TimeoutSpec {
    std::chrono::milliseconds connect{3000};
    std::chrono::milliseconds total{30000};
    std::chrono::milliseconds idle{10000};
    int retries = 1;  // extra attempts of a smoke probe (09/10/11/17/19) with no verdict-bearing
                      // answer; see harness/runner/probe_retry.hpp
    friend bool operator==(const TimeoutSpec&, const TimeoutSpec&) = default;
};

struct GatePolicy {
    std::optional<std::vector<classify::Cause>> blocking_causes;  // replaces the default blocking set
    std::optional<std::chrono::seconds> max_evidence_age;
    std::string baseline;  // absolute path, "" = none
    friend bool operator==(const GatePolicy&, const GatePolicy&) = default;
};

// How a run drives the engine's writes (import, access, reconcile, rollback): in this process, or
// through the control plane's HTTP API (`crm-accept serve`). Reads stay in-process either way.
enum class EngineVia { in_process, serve };
[[nodiscard]] const char* to_string(EngineVia v) noexcept;

struct EngineSpec {
    EngineVia via = EngineVia::in_process;
    // serve only. Empty: the run starts its own control plane (a child process) on its own
    // state file. Set: a running control plane on this machine, whose state file is state_file.
    std::string url;
    std::string token_env = "SUB2API_CRM_ADMIN_TOKEN";  // the variable holding that server's token
    std::string state_file;                             // absolute (resolved against the scenario)
    std::size_t line = 1;                               // of "engine"
    friend bool operator==(const EngineSpec&, const EngineSpec&) = default;
};

struct Scenario {
    std::string name;
    std::string label;
    std::string source_path;      // as given on the command line
    std::string sha256;           // of the file bytes
    std::string packs_dir;        // absolute or relative to the cwd, resolved against the file
    std::vector<HostSpec> hosts;  // one unless the scenario has a hosts axis
    bool hosts_axis = false;
    std::vector<Mode> modes;
    std::vector<ProviderSpec> providers;
    StepSwitches steps;
    TimeoutSpec timeouts;
    GatePolicy gate;
    EngineSpec engine;
    friend bool operator==(const Scenario&, const Scenario&) = default;
};

}  // namespace crm::harness::scenario
