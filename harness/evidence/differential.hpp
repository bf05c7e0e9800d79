#pragma once
// The differential evidence of a cell: the same request sent through the host and sent to the
// upstream provider directly, their key fields side by side (09-models vs 17-upstream-models,
// 10-chat vs 19-upstream-chat). "Chat fails through the host with 400 and works upstream with
// 200" is the sentence a host_compatibility_gap rests on; "both 429 insufficient_quota" is an
// upstream quota problem. Reads the cell folder's artifacts; never fails (an unreadable or
// missing artifact shows as "(not written)" / "(not JSON)").
#include <filesystem>
#include <string>
#include <vector>

#include "util/json.hpp"

namespace crm::harness::evidence {

struct DifferentialRow {
    std::string what;  // "HTTP status", "error code"
    std::string host;  // "" when that side has no value
    std::string upstream;
    bool differs = false;
    friend bool operator==(const DifferentialRow&, const DifferentialRow&) = default;
};

struct DifferentialPair {
    std::string title;              // "chat", "models"
    std::string host_artifact;      // "10-chat.json"
    std::string upstream_artifact;  // "19-upstream-chat.json"
    bool host_present = false;
    bool upstream_present = false;
    std::vector<DifferentialRow> rows;  // only fields at least one side has
    friend bool operator==(const DifferentialPair&, const DifferentialPair&) = default;
};

// The pairs over already parsed artifacts (null: that artifact is absent). A pair with neither
// artifact is left out.
[[nodiscard]] DifferentialPair compare_pair(std::string title, std::string host_artifact, const util::json::value* host,
                                            std::string upstream_artifact, const util::json::value* upstream);

// Both pairs of the cell folder `cell_dir`, those with at least one artifact present.
[[nodiscard]] std::vector<DifferentialPair> differential(const std::filesystem::path& cell_dir);

}  // namespace crm::harness::evidence
