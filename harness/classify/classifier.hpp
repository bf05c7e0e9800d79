#pragma once
// The failure classifier: a pure function from one cell's observations to one cause (docs/CAUSES.md,
// house style 16). Rules come from a RuleSet (rules/causes.json); the code knows no provider
// vocabulary. The first rule whose condition holds wins; when none holds the cell is a
// harness_error with rule_id "no_rule_matched" (the table has a gap, not the product).
#include <string>
#include <vector>

#include "harness/classify/cause.hpp"
#include "harness/classify/observations.hpp"
#include "harness/classify/rule_set.hpp"
#include "util/json.hpp"

namespace crm::harness::classify {

inline constexpr std::string_view k_no_rule_matched = "no_rule_matched";

struct Classification {
    Cause cause = Cause::harness_error;
    Verdict verdict = Verdict::error;
    std::string explanation;            // one paragraph, placeholders filled from observations
    std::vector<std::string> evidence;  // artifact names (relative to the cell folder)
    std::string rule_id;                // the matching rule, or k_no_rule_matched
    std::vector<std::string> notes;     // every holding note of the table, rendered; never blocks

    friend bool operator==(const Classification&, const Classification&) = default;
};

[[nodiscard]] Classification classify(const CellObservations& obs, const RuleSet& rules);

// The same over an already built JSON view (observations_json.hpp's to_json).
[[nodiscard]] Classification classify_view(const util::json::object& view, const RuleSet& rules);

// {"cause","verdict","explanation","evidence","rule_id","blocks_release_by_default","notes"}
[[nodiscard]] util::json::object to_json(const Classification& c);

}  // namespace crm::harness::classify
