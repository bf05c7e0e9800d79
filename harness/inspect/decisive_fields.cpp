#include "harness/inspect/decisive_fields.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <system_error>

#include "util/input_file.hpp"
#include "util/utf8.hpp"

namespace crm::harness::inspect {

namespace fs = std::filesystem;
namespace json = util::json;

namespace {

// A step that failed writes {"ok": false, "error": {code, message, context}} instead of its
// artifact (the pipeline's error_json), and the engine's outcomes carry "error" as a string: both
// shapes have rows, and only the one that is there yields a value.
constexpr std::array k_table{
    FieldSpec{"01-host-health.json", "/health/response/status", "health HTTP status"},
    FieldSpec{"01-host-health.json", "/health/transport_error/message", "health transport error"},
    FieldSpec{"01-host-health.json", "/error/message", "health step error"},
    FieldSpec{"02-host-capabilities.json", "/reachable", "host reachable"},
    FieldSpec{"02-host-capabilities.json", "/admin_auth/ok", "admin auth ok"},
    FieldSpec{"02-host-capabilities.json", "/admin_auth/error", "admin auth error"},
    FieldSpec{"02-host-capabilities.json", "/compliance/state", "compliance gate"},
    FieldSpec{"02-host-capabilities.json", "/error/message", "capability probe error"},
    FieldSpec{"05-import.json", "/batch_status", "import batch status"},
    FieldSpec{"05-import.json", "/provider_status", "provider status"},
    FieldSpec{"05-import.json", "/error", "import error"},
    FieldSpec{"05-import.json", "/error/code", "import error code"},
    FieldSpec{"05-import.json", "/error/message", "import error"},
    FieldSpec{"06-account-probe.json", "/accounts/0/success", "account test ok"},
    FieldSpec{"06-account-probe.json", "/accounts/0/detail", "account test detail"},
    FieldSpec{"06-account-probe.json", "/error/message", "account test error"},
    FieldSpec{"07-access-status.json", "/access_status", "access status"},
    FieldSpec{"07-access-status.json", "/latest_access_status", "latest access status"},
    FieldSpec{"07-access-status.json", "/error", "access error"},
    FieldSpec{"07-access-status.json", "/error/code", "access error code"},
    FieldSpec{"07-access-status.json", "/error/message", "access error"},
    FieldSpec{"09-models.json", "/exchange/response/status", "models HTTP status"},
    FieldSpec{"09-models.json", "/exchange/error_info/code", "models error code"},
    FieldSpec{"09-models.json", "/exchange/error_info/message", "models error message"},
    FieldSpec{"09-models.json", "/exchange/transport_error/message", "models transport error"},
    FieldSpec{"09-models.json", "/lists_expected", "smoke model listed"},
    FieldSpec{"09-models.json", "/error/message", "models step error"},
    FieldSpec{"10-chat.json", "/exchange/response/status", "chat HTTP status"},
    FieldSpec{"10-chat.json", "/exchange/error_info/type", "chat error type"},
    FieldSpec{"10-chat.json", "/exchange/error_info/code", "chat error code"},
    FieldSpec{"10-chat.json", "/exchange/error_info/vendor_code", "chat vendor code"},
    FieldSpec{"10-chat.json", "/exchange/error_info/message", "chat error message"},
    FieldSpec{"10-chat.json", "/exchange/transport_error/message", "chat transport error"},
    FieldSpec{"10-chat.json", "/x_api_key_variant/exchange/response/status", "chat (x-api-key) HTTP status"},
    FieldSpec{"10-chat.json", "/error/message", "chat step error"},
    FieldSpec{"11-chat-stream.json", "/exchange/response/status", "stream HTTP status"},
    FieldSpec{"11-chat-stream.json", "/exchange/error_info/code", "stream error code"},
    FieldSpec{"11-chat-stream.json", "/exchange/error_info/message", "stream error message"},
    FieldSpec{"11-chat-stream.json", "/exchange/transport_error/message", "stream transport error"},
    FieldSpec{"11-chat-stream.json", "/saw_done", "stream [DONE] seen"},
    FieldSpec{"11-chat-stream.json", "/stalled", "stream stalled"},
    FieldSpec{"11-chat-stream.json", "/truncated", "stream truncated"},
    FieldSpec{"11-chat-stream.json", "/error/message", "stream step error"},
    FieldSpec{"12-accounts-state.json", "/accounts/0/status", "account status"},
    FieldSpec{"12-accounts-state.json", "/accounts/0/schedulable", "account schedulable"},
    FieldSpec{"12-accounts-state.json", "/accounts/0/error_message", "account error message"},
    FieldSpec{"12-accounts-state.json", "/accounts/0/temp_unschedulable_reason", "account unschedulable reason"},
    FieldSpec{"13-reconcile.json", "/status", "reconcile status"},
    FieldSpec{"17-upstream-models.json", "/exchange/response/status", "upstream models HTTP status"},
    FieldSpec{"17-upstream-models.json", "/exchange/error_info/code", "upstream models error code"},
    FieldSpec{"17-upstream-models.json", "/exchange/error_info/message", "upstream models error message"},
    FieldSpec{"17-upstream-models.json", "/exchange/transport_error/message", "upstream models transport error"},
    FieldSpec{"19-upstream-chat.json", "/exchange/response/status", "upstream chat HTTP status"},
    FieldSpec{"19-upstream-chat.json", "/exchange/error_info/type", "upstream chat error type"},
    FieldSpec{"19-upstream-chat.json", "/exchange/error_info/code", "upstream chat error code"},
    FieldSpec{"19-upstream-chat.json", "/exchange/error_info/vendor_code", "upstream chat vendor code"},
    FieldSpec{"19-upstream-chat.json", "/exchange/error_info/message", "upstream chat error message"},
    FieldSpec{"19-upstream-chat.json", "/exchange/transport_error/message", "upstream chat transport error"},
    FieldSpec{"20-rollback.json", "/batch_status", "rollback batch status"},
    FieldSpec{"20-rollback.json", "/read_back/clean", "rollback read-back clean"},
    FieldSpec{"20-rollback.json", "/error", "rollback error"},
};

// Artifacts are bounded by the probes' body cap; this only guards against a bundle that was not
// written by a run (a huge or special file in its place).
constexpr std::size_t k_max_artifact_bytes = 16u << 20;

// A scalar as one line; objects, arrays, null and "" say nothing on their own.
std::optional<std::string> quote(const json::value& v) {
    if (v.is_string()) {
        const auto& s = v.get_string();
        if (s.empty()) return std::nullopt;
        return one_line(std::string_view(s.data(), s.size()));
    }
    if (v.is_bool() || v.is_number()) return json::serialize(v);
    return std::nullopt;
}

}  // namespace

std::span<const FieldSpec> decisive_field_table() { return k_table; }

std::string one_line(std::string_view text, std::size_t cap) { return util::one_line(text, cap); }

std::vector<DecisiveField> fields_of(std::string_view artifact, const json::value& doc) {
    std::vector<DecisiveField> out;
    for (const FieldSpec& spec : k_table) {
        if (spec.artifact != artifact) continue;
        std::error_code ec;
        const json::value* v = doc.find_pointer(spec.pointer, ec);
        if (v == nullptr) continue;
        if (auto q = quote(*v)) {
            out.push_back(DecisiveField{std::string(spec.artifact), std::string(spec.pointer), std::string(spec.label),
                                        std::move(*q), false});
        }
    }
    return out;
}

std::vector<DecisiveField> decisive_fields(const fs::path& cell_dir, const std::vector<std::string>& proving) {
    std::vector<DecisiveField> out;
    std::string_view previous;
    for (const FieldSpec& spec : k_table) {
        if (spec.artifact == previous) continue;  // the table is grouped by artifact
        previous = spec.artifact;
        const fs::path file = cell_dir / std::string(spec.artifact);
        std::error_code ec;
        if (!fs::exists(fs::symlink_status(file, ec))) continue;
        std::vector<DecisiveField> rows;
        auto text = util::read_input_file(file, k_max_artifact_bytes);
        auto doc = text ? util::parse_json(*text, file.string()) : util::Result<json::value>();
        if (text && doc && doc->is_object()) {
            rows = fields_of(spec.artifact, *doc);
        } else {
            // What is there, so the reader sees a proxy's 404 page or the read error itself.
            std::string what = text ? *text : text.error().message;
            rows.push_back(DecisiveField{std::string(spec.artifact), std::string(k_not_json_pointer), "not JSON",
                                         what.empty() ? "(empty file)" : one_line(what), false});
        }
        const bool named = std::ranges::find(proving, spec.artifact) != proving.end();
        for (auto& r : rows) {
            r.proving = named;
            out.push_back(std::move(r));
        }
    }
    return out;
}

}  // namespace crm::harness::inspect
