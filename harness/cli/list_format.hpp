#pragma once
// How `crm-accept list` shows bundles: an aligned terminal table and the schema-versioned JSON
// document. Pure functions of the entries and the instant ages are measured against (the caller
// passes evidence::now(), so CRM_ACCEPT_NOW moves ages too).
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "harness/catalog/bundle_entry.hpp"
#include "harness/catalog/catalog.hpp"
#include "harness/evidence/timestamp.hpp"
#include "util/json.hpp"

namespace crm::harness::cli {

inline constexpr int k_list_schema_version = 1;

// "812 B", "4.0 KiB", "12.3 MiB", "1.5 GiB".
[[nodiscard]] std::string human_size(std::uint64_t bytes);
// The largest whole unit: "45s", "12m", "3h", "2d". A negative age (a bundle stamped after `now`)
// is "0s".
[[nodiscard]] std::string human_age(std::chrono::seconds age);
// writing | complete | incomplete | "?" (no readable 00-run.json).
[[nodiscard]] std::string bundle_state(const catalog::BundleEntry& e);
// "2 pass 1 blocked"; "-" without cells.
[[nodiscard]] std::string cell_counts(const catalog::BundleEntry& e);

// Header plus one row per entry, columns padded to their widest value, trailing newline.
[[nodiscard]] std::string list_table(const std::vector<const catalog::BundleEntry*>& entries,
                                     evidence::TimePoint now);

// {"schema_version":1,"kind":"crm-accept.list","root":...,"now":...,"index":{...},"bundles":[...]}:
// each bundle is entry_json's to_json plus "state" and "age_seconds" (null without a start time).
[[nodiscard]] util::json::object list_json(const std::filesystem::path& root,
                                           const std::vector<const catalog::BundleEntry*>& entries,
                                           const catalog::RefreshStats& stats, evidence::TimePoint now);

}  // namespace crm::harness::cli
