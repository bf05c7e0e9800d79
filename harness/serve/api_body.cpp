#include "harness/serve/api_body.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <charconv>

#include "util/json.hpp"

namespace crm::harness::serve {

namespace {

std::string name_of(std::string_view field, std::string_view where) {
    return std::string(where.empty() ? field : where);
}

const json::value* present(const json::object& object, std::string_view field) {
    const auto* v = object.if_contains(field);
    return v && !v->is_null() ? v : nullptr;
}

std::string known_list(std::initializer_list<std::string_view> known) {
    return known.size() == 0 ? "none" : fmt::format("{}", fmt::join(known, ", "));
}

}  // namespace

ApiError invalid_input(std::string message) { return ApiError{400, "invalid_input", std::move(message)}; }

Checked<void> usable_secret_variable(std::string_view field, std::string_view name) {
    if (name.starts_with("SUB2API_CRM_")) {
        return std::unexpected(invalid_input(
            fmt::format("{}: {} is one of the control plane's own settings, not a host or user secret", field, name)));
    }
    return {};
}

Checked<json::object> read_body(std::string_view body, std::initializer_list<std::string_view> known) {
    if (std::all_of(body.begin(), body.end(), [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }))
        return json::object{};
    auto parsed = util::parse_json(body, "request body");
    if (!parsed) return std::unexpected(ApiError{400, "bad_json", parsed.error().message});
    if (!parsed->is_object()) return std::unexpected(invalid_input("request body must be a JSON object"));
    auto& object = parsed->as_object();
    for (const auto& [key, value] : object) {
        if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end()) {
            return std::unexpected(invalid_input(
                fmt::format("unknown field \"{}\" (known: {})", std::string_view(key), known_list(known))));
        }
    }
    return std::move(object);
}

Checked<std::optional<std::string>> opt_string(const json::object& object, std::string_view field,
                                               std::string_view where) {
    const auto* v = present(object, field);
    if (!v) return std::optional<std::string>{};
    if (!v->is_string() || v->get_string().empty()) {
        return std::unexpected(invalid_input(fmt::format("{}: must be a non-empty string", name_of(field, where))));
    }
    return std::optional<std::string>{std::string(v->get_string())};
}

Checked<std::string> req_string(const json::object& object, std::string_view field, std::string_view where) {
    auto v = opt_string(object, field, where);
    if (!v) return std::unexpected(v.error());
    if (!*v) return std::unexpected(invalid_input(fmt::format("{}: is required", name_of(field, where))));
    return std::move(**v);
}

Checked<std::optional<bool>> opt_bool(const json::object& object, std::string_view field) {
    const auto* v = present(object, field);
    if (!v) return std::optional<bool>{};
    if (!v->is_bool()) return std::unexpected(invalid_input(fmt::format("{}: must be true or false", field)));
    return std::optional<bool>{v->get_bool()};
}

Checked<std::optional<std::int64_t>> opt_id(const json::object& object, std::string_view field) {
    const auto* v = present(object, field);
    if (!v) return std::optional<std::int64_t>{};
    if (v->is_int64() && v->get_int64() > 0) return std::optional<std::int64_t>{v->get_int64()};
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return std::optional<std::int64_t>{static_cast<std::int64_t>(v->get_uint64())};
    return std::unexpected(invalid_input(fmt::format("{}: must be a positive integer", field)));
}

Checked<std::optional<std::vector<std::string>>> opt_strings(const json::object& object, std::string_view field) {
    const auto* v = present(object, field);
    if (!v) return std::optional<std::vector<std::string>>{};
    if (!v->is_array() || v->get_array().empty()) {
        return std::unexpected(invalid_input(fmt::format("{}: must be a non-empty array of strings", field)));
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < v->get_array().size(); ++i) {
        const auto& item = v->get_array()[i];
        if (!item.is_string() || item.get_string().empty()) {
            return std::unexpected(invalid_input(fmt::format("{}[{}]: must be a non-empty string", field, i)));
        }
        out.emplace_back(item.get_string());
    }
    return std::optional<std::vector<std::string>>{std::move(out)};
}

Checked<std::optional<json::object>> opt_object(const json::object& object, std::string_view field) {
    const auto* v = present(object, field);
    if (!v) return std::optional<json::object>{};
    if (!v->is_object()) return std::unexpected(invalid_input(fmt::format("{}: must be an object", field)));
    return std::optional<json::object>{v->get_object()};
}

Checked<std::int64_t> parse_id(std::string_view text, std::string_view what) {
    std::int64_t id = 0;
    const auto* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, id);
    if (text.empty() || ec != std::errc{} || ptr != end || id <= 0) {
        return std::unexpected(invalid_input(fmt::format("{}: must be a positive integer (got \"{}\")", what, text)));
    }
    return id;
}

Checked<void> check_query(const std::map<std::string, std::string>& query,
                          std::initializer_list<std::string_view> known) {
    for (const auto& [key, value] : query) {
        if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end()) {
            return std::unexpected(
                invalid_input(fmt::format("unknown query parameter \"{}\" (known: {})", key, known_list(known))));
        }
    }
    return {};
}

Checked<std::optional<std::int64_t>> query_host_id(const std::map<std::string, std::string>& query) {
    if (auto ok = check_query(query, {"host_id"}); !ok) return std::unexpected(ok.error());
    auto it = query.find("host_id");
    if (it == query.end()) return std::optional<std::int64_t>{};
    auto id = parse_id(it->second, "host_id");
    if (!id) return std::unexpected(id.error());
    return std::optional<std::int64_t>{*id};
}

}  // namespace crm::harness::serve
