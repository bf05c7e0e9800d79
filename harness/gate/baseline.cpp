#include "harness/gate/baseline.hpp"

#include <fmt/format.h>

#include "harness/classify/cause.hpp"
#include "harness/scenario/json_line_map.hpp"
#include "util/files.hpp"
#include "util/input_file.hpp"
#include "util/json.hpp"

namespace crm::harness::gate {

const BaselineEntry* Baseline::find(std::string_view cell) const {
    for (const auto& e : entries) {
        if (e.cell == cell) return &e;
    }
    return nullptr;
}

namespace {

bool is_date(std::string_view s) {
    if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
    for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
        if (s[i] < '0' || s[i] > '9') return false;
    }
    return true;
}

}  // namespace

util::Result<Baseline> parse_baseline(std::string_view text, std::string_view source) {
    CRM_TRY(v, util::parse_json_relaxed(text, source));
    auto lines = scenario::JsonLineMap::build(text);
    auto bad = [&](const std::string& path, std::string_view reason) {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("{}:{}: {}: {}", source, lines.line_of(path), path, reason));
    };
    if (!v.is_object()) return bad("", "a baseline must be an object");
    for (const auto& kv : v.get_object()) {
        if (kv.key() != "schema_version" && kv.key() != "entries")
            return bad(std::string(kv.key()), "unknown key (expected schema_version, entries)");
    }
    if (auto sv = util::get_int(v, "schema_version"); sv && *sv != 1)
        return bad("schema_version", "unsupported schema version (this build reads 1)");
    Baseline b;
    b.source = std::string(source);
    const auto* entries = util::find(v, "entries");
    if (!entries) return b;
    if (!entries->is_array()) return bad("entries", "must be an array");
    for (std::size_t i = 0; i < entries->get_array().size(); ++i) {
        const auto& e = entries->get_array()[i];
        auto path = scenario::element_path("entries", i);
        if (!e.is_object()) return bad(path, "must be an object");
        for (const auto& kv : e.get_object()) {
            std::string_view k = kv.key();
            if (k != "cell" && k != "cause" && k != "reason" && k != "bundle" && k != "expires")
                return bad(scenario::child_path(path, k),
                           "unknown key (expected cell, cause, reason, bundle, expires)");
            if (!kv.value().is_string()) return bad(scenario::child_path(path, k), "must be a string");
        }
        BaselineEntry entry;
        auto cell = util::get_string(e, "cell");
        if (!cell || cell->empty()) return bad(scenario::child_path(path, "cell"), "is required");
        entry.cell = *cell;
        if (b.find(entry.cell)) return bad(scenario::child_path(path, "cell"), "duplicate entry for this cell");
        if (auto name = util::get_string(e, "cause")) {
            entry.cause = classify::parse_cause(*name);
            if (!entry.cause)
                return bad(scenario::child_path(path, "cause"), fmt::format("unknown cause \"{}\"", *name));
        }
        entry.reason = util::get_string(e, "reason").value_or("");
        entry.bundle = util::get_string(e, "bundle").value_or("");
        entry.expires = util::get_string(e, "expires");
        if (entry.expires && !is_date(*entry.expires))
            return bad(scenario::child_path(path, "expires"), "must be a date YYYY-MM-DD");
        b.entries.push_back(std::move(entry));
    }
    return b;
}

util::Result<Baseline> load_baseline(const std::filesystem::path& path) {
    CRM_TRY(text, util::read_input_file(path));
    return parse_baseline(text, path.string());
}

}  // namespace crm::harness::gate
