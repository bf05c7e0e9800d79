#pragma once
// The differential evidence of a cell: the same request sent through the host and sent to the
// upstream provider directly, their decisive fields side by side (09-models vs
// 17-upstream-models, 10-chat vs 19-upstream-chat). "Chat fails through the host with 400 and
// works upstream with 200" is the sentence a host_compatibility_gap rests on; "both refused,
// insufficient_user_quota" is an upstream quota problem.
//
// Built on the decisive fields (harness/inspect/decisive_fields.hpp): the two artifacts of a pair
// are probed with the same exchange shape, so their rows are joined on the JSON pointer. Pure.
#include <set>
#include <string>
#include <vector>

#include "harness/inspect/decisive_fields.hpp"

namespace crm::harness::evidence {

struct DifferentialRow {
    std::string what;  // the host-side label: "chat HTTP status"
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
    // Fields both probes record and at least one side has, in the decisive table's order.
    std::vector<DifferentialRow> rows;
    friend bool operator==(const DifferentialPair&, const DifferentialPair&) = default;
};

// The pairs whose host or upstream artifact is in `present` (file names in the cell folder),
// from the cell's decisive `fields`.
[[nodiscard]] std::vector<DifferentialPair> differential(const std::vector<inspect::DecisiveField>& fields,
                                                         const std::set<std::string>& present);

}  // namespace crm::harness::evidence
