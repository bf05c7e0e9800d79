#include "harness/inspect/named_bundle.hpp"

#include <fmt/format.h>

#include <system_error>

#include "harness/catalog/bundle_ref.hpp"
#include "util/input_file.hpp"
#include "util/json.hpp"

namespace crm::harness::inspect {

namespace fs = std::filesystem;

util::Result<evidence::Bundle> open_named_bundle(const fs::path& root, std::string_view ref) {
    auto dir = catalog::resolve_bundle(root, ref);
    if (!dir) return std::unexpected(std::move(dir).error());
    auto bundle = evidence::Bundle::open(*dir);
    if (!bundle) {
        util::Error e = std::move(bundle).error();
        e.message = fmt::format("bundle '{}' ({}): {}", ref, dir->string(), e.message);
        return std::unexpected(std::move(e));
    }
    return bundle;
}

util::Result<std::optional<evidence::RunSummary>> read_run_summary(const fs::path& dir) {
    const fs::path file = dir / "summary.json";
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(file, ec))) return std::optional<evidence::RunSummary>();
    CRM_TRY(text, util::read_input_file(file, util::k_max_bundle_record_bytes));
    CRM_TRY(doc, util::parse_json(text, file.string()));
    CRM_TRY(summary, evidence::run_summary_from_json(doc, file.string()));
    return std::optional<evidence::RunSummary>(std::move(summary));
}

}  // namespace crm::harness::inspect
