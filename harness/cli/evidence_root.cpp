#include "harness/cli/evidence_root.hpp"

#include <fmt/format.h>

#include <ostream>

#include "harness/catalog/byte_size.hpp"
#include "harness/catalog/scenario_gate.hpp"
#include "harness/evidence/clock.hpp"
#include "harness/scenario/duration.hpp"

namespace crm::harness::cli {

std::optional<catalog::Catalog> open_root(std::string_view verb, const std::string& root, bool reindex,
                                          CommandContext& ctx) {
    catalog::CatalogOptions options;
    options.root = root;
    options.reindex = reindex;
    auto opened = catalog::Catalog::open(options);
    if (!opened) {
        ctx.err << fmt::format("crm-accept {}: {}\n", verb, opened.error().message);
        return std::nullopt;
    }
    return std::move(*opened);
}

catalog::Board board_of(const catalog::Catalog& catalog, std::optional<std::chrono::seconds> max_age) {
    catalog::BoardOptions options;
    options.now = evidence::now();
    options.max_age_override = max_age;
    if (!max_age) {
        // Only trusted bundles can prove a row, so only their scenarios are read.
        catalog::ScenarioGates gates;
        for (const auto& b : catalog.bundles()) {
            if (b.trust != catalog::Trust::trusted) continue;
            const auto& gate = gates.of_bundle(b.dir);
            if (gate && gate->max_evidence_age) options.scenario_max_age[b.name] = *gate->max_evidence_age;
        }
    }
    return catalog::build_board(catalog.bundles(), options);
}

std::optional<std::chrono::seconds> duration_flag(std::string_view verb, std::string_view flag, const std::string& text,
                                                  CommandContext& ctx, bool& bad) {
    if (text.empty()) return std::nullopt;
    auto d = scenario::parse_duration(text);
    if (!d) {
        ctx.err << fmt::format("crm-accept {}: {}: {}\n", verb, flag, d.error().message);
        bad = true;
        return std::nullopt;
    }
    return *d;
}

std::optional<std::uint64_t> size_flag(std::string_view verb, std::string_view flag, const std::string& text,
                                       CommandContext& ctx, bool& bad) {
    if (text.empty()) return std::nullopt;
    auto s = catalog::parse_byte_size(text);
    if (!s) {
        ctx.err << fmt::format("crm-accept {}: {}: {}\n", verb, flag, s.error().message);
        bad = true;
        return std::nullopt;
    }
    return *s;
}

}  // namespace crm::harness::cli
