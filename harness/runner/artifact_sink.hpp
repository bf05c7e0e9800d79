#pragma once
// Where the runner's artifacts go. Paths are relative to the bundle root
// ("subscription__kimi/10-chat.json"). Implementations scrub every registered secret before a
// byte is written, write atomically, and give every JSON object a "schema_version".
// Thread-safe: cells write concurrently (to different folders).
#include <string_view>

#include "harness/runner/runner.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::harness::runner {

class ArtifactSink {
  public:
    virtual ~ArtifactSink() = default;
    [[nodiscard]] virtual util::Result<void> write_json(std::string_view rel_path, const util::json::value& value) = 0;
    [[nodiscard]] virtual util::Result<void> write_text(std::string_view rel_path, std::string_view text) = 0;
    // 21-summary.json (+ the classifier's observations view) and 21-summary.md of one cell.
    [[nodiscard]] virtual util::Result<void> write_cell_summary(const CellReport& report,
                                                                const util::json::object& observations) = 0;
};

}  // namespace crm::harness::runner
