#pragma once
// Non-copying JSON accessors for the stubs. util::find / util::get_* take a json::value; handing
// them a json::object silently builds a temporary value (a deep copy, and a dangling pointer for
// find). These overloads read objects in place.
#include <optional>
#include <string>
#include <string_view>

#include "util/json.hpp"

namespace crm::stubs {

namespace json = util::json;

inline const json::value* jfind(const json::object& o, std::string_view k) { return o.if_contains(k); }
inline const json::value* jfind(const json::value& v, std::string_view k) {
    return v.is_object() ? v.as_object().if_contains(k) : nullptr;
}
inline const json::value* jpath(const json::value& v, std::string_view dotted) { return util::find_path(v, dotted); }
inline const json::value* jpath(const json::object& o, std::string_view dotted) {
    auto dot = dotted.find('.');
    const json::value* first = o.if_contains(dotted.substr(0, dot));
    if (!first || dot == std::string_view::npos) return first;
    return util::find_path(*first, dotted.substr(dot + 1));
}

template <class J>
std::optional<std::string> jstr(const J& j, std::string_view k) {
    auto v = jfind(j, k);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string(v->as_string());
}
template <class J>
std::optional<std::int64_t> jint(const J& j, std::string_view k) {
    auto v = jfind(j, k);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->as_int64();
    if (v->is_uint64()) return static_cast<std::int64_t>(v->as_uint64());
    if (v->is_double() && static_cast<double>(static_cast<std::int64_t>(v->as_double())) == v->as_double())
        return static_cast<std::int64_t>(v->as_double());
    return std::nullopt;
}
template <class J>
std::optional<double> jnum(const J& j, std::string_view k) {
    auto v = jfind(j, k);
    if (!v || !v->is_number()) return std::nullopt;
    return v->template to_number<double>();
}
template <class J>
std::optional<bool> jbool(const J& j, std::string_view k) {
    auto v = jfind(j, k);
    if (!v || !v->is_bool()) return std::nullopt;
    return v->as_bool();
}

// The stub handlers' field reads: the string or "" / the integer or 0 when absent or mistyped
// (request validation happens before these are used).
inline std::string str(const json::object& o, std::string_view k) { return jstr(o, k).value_or(""); }
inline std::int64_t num(const json::object& o, std::string_view k) { return jint(o, k).value_or(0); }

// Whether the JSON array `arr` (may be null or not an array) holds the integer id.
inline bool id_in(const json::value* arr, std::int64_t id) {
    if (!arr || !arr->is_array()) return false;
    for (const auto& v : arr->as_array())
        if (v.is_int64() && v.as_int64() == id) return true;
    return false;
}

}  // namespace crm::stubs
