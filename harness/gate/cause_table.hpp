#pragma once
// The closed, append-only cause list of spec §5 as the gate sees it: each cause's verdict class
// and whether it blocks a release by default. The classifier (harness/classify) decides which
// cause a cell has; this table only answers "what does that cause mean for the gate" and lets a
// scenario name expected causes before anything runs.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crm::harness::gate {

struct CauseInfo {
    std::string_view name;
    std::string_view verdict;  // pass | fail | blocked | inconclusive | error
    bool blocks_by_default = false;
};

[[nodiscard]] const std::vector<CauseInfo>& cause_table();
[[nodiscard]] std::optional<CauseInfo> find_cause(std::string_view name);
[[nodiscard]] bool is_known_cause(std::string_view name);

}  // namespace crm::harness::gate
