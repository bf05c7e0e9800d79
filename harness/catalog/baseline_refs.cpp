#include "harness/catalog/baseline_refs.hpp"

#include "harness/gate/baseline.hpp"

namespace crm::harness::catalog {

util::Result<void> add_baseline_refs(const std::filesystem::path& path, std::map<std::string, std::string>& refs) {
    CRM_TRY(baseline, gate::load_baseline(path));
    for (const auto& e : baseline.entries) {
        if (e.bundle.empty()) continue;
        std::filesystem::path p = std::filesystem::path(e.bundle).lexically_normal();
        if (p.filename().empty()) p = p.parent_path();  // a trailing slash
        if (!p.filename().empty()) refs.emplace(p.filename().string(), path.string());
    }
    return {};
}

}  // namespace crm::harness::catalog
