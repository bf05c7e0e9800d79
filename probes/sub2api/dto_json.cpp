#include "probes/sub2api/dto_json.hpp"

#include <fmt/format.h>

namespace crm::probes::sub2api {

using util::ErrorCode;
using util::fail;

std::optional<std::int64_t> json_int(const json::value* v) {
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64()) return static_cast<std::int64_t>(v->get_uint64());
    if (v->is_double()) return static_cast<std::int64_t>(v->get_double());
    return std::nullopt;
}

std::optional<double> json_double(const json::value* v) {
    if (!v) return std::nullopt;
    if (v->is_double()) return v->get_double();
    if (v->is_int64()) return static_cast<double>(v->get_int64());
    if (v->is_uint64()) return static_cast<double>(v->get_uint64());
    return std::nullopt;
}

namespace {

std::string str(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v && v->is_string()) return std::string(v->get_string());
    return {};
}

bool boolean(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_bool() && v->get_bool();
}

json::object obj(const json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    if (v && v->is_object()) return v->get_object();
    return {};
}

std::vector<std::int64_t> ids(const json::object& o, std::string_view key) {
    std::vector<std::int64_t> out;
    const auto* v = o.if_contains(key);
    if (!v || !v->is_array()) return out;
    for (const auto& item : v->get_array()) {
        if (auto n = json_int(&item)) out.push_back(*n);
    }
    return out;
}

// Every DTO is an object with a numeric id; anything else means the host is not speaking the
// documented API, which the caller must see as a protocol error rather than a zero id.
util::Result<const json::object*> dto_object(const json::value& v, std::string_view what, std::string_view type) {
    if (!v.is_object()) {
        return fail(ErrorCode::protocol, fmt::format("{}: {} is not a JSON object", what, type));
    }
    if (!json_int(v.get_object().if_contains("id"))) {
        return fail(ErrorCode::protocol, fmt::format("{}: {} has no numeric id", what, type));
    }
    return &v.get_object();
}

}  // namespace

util::Result<Group> group_from_json(const json::value& v, std::string_view what) {
    CRM_TRY(o, dto_object(v, what, "group"));
    const auto& j = *o;
    Group g;
    g.id = *json_int(j.if_contains("id"));
    g.name = str(j, "name");
    g.description = str(j, "description");
    g.platform = str(j, "platform");
    g.subscription_type = str(j, "subscription_type");
    g.rate_multiplier = json_double(j.if_contains("rate_multiplier")).value_or(0);
    g.is_exclusive = boolean(j, "is_exclusive");
    g.status = str(j, "status");
    g.daily_limit_usd = json_double(j.if_contains("daily_limit_usd"));
    g.raw = j;
    return g;
}

util::Result<Account> account_from_json(const json::value& v, std::string_view what) {
    CRM_TRY(o, dto_object(v, what, "account"));
    const auto& j = *o;
    Account a;
    a.id = *json_int(j.if_contains("id"));
    a.name = str(j, "name");
    a.platform = str(j, "platform");
    a.type = str(j, "type");
    a.status = str(j, "status");
    a.schedulable = boolean(j, "schedulable");
    a.group_ids = ids(j, "group_ids");
    if (const auto* until = j.if_contains("temp_unschedulable_until")) {
        if (until->is_string() && !until->get_string().empty()) {
            a.temp_unschedulable_until = std::string(until->get_string());
        } else if (auto n = json_int(until)) {
            a.temp_unschedulable_until = std::to_string(*n);
        }
    }
    a.temp_unschedulable_reason = str(j, "temp_unschedulable_reason");
    a.error_message = str(j, "error_message");
    a.credentials = obj(j, "credentials");
    a.has_api_key = boolean(obj(j, "credentials_status"), "has_api_key");
    a.extra = obj(j, "extra");
    a.raw = j;
    return a;
}

util::Result<ChannelPricing> channel_pricing_from_json(const json::value& v, std::string_view what) {
    if (!v.is_object()) {
        return fail(ErrorCode::protocol, fmt::format("{}: model_pricing item is not a JSON object", what));
    }
    const auto& j = v.get_object();
    ChannelPricing p;
    p.platform = str(j, "platform");
    if (const auto* models = j.if_contains("models"); models && models->is_array()) {
        for (const auto& m : models->get_array()) {
            if (m.is_string()) p.models.emplace_back(m.get_string());
        }
    }
    p.billing_mode = str(j, "billing_mode");
    p.input_price = json_double(j.if_contains("input_price")).value_or(0);
    p.output_price = json_double(j.if_contains("output_price")).value_or(0);
    return p;
}

util::Result<Channel> channel_from_json(const json::value& v, std::string_view what) {
    CRM_TRY(o, dto_object(v, what, "channel"));
    const auto& j = *o;
    Channel c;
    c.id = *json_int(j.if_contains("id"));
    c.name = str(j, "name");
    c.description = str(j, "description");
    c.status = str(j, "status");
    c.group_ids = ids(j, "group_ids");
    if (const auto* pricing = j.if_contains("model_pricing"); pricing && pricing->is_array()) {
        for (const auto& item : pricing->get_array()) {
            CRM_TRY(p, channel_pricing_from_json(item, what));
            c.model_pricing.push_back(std::move(p));
        }
    }
    c.model_mapping = obj(j, "model_mapping");
    c.billing_model_source = str(j, "billing_model_source");
    c.restrict_models = boolean(j, "restrict_models");
    c.raw = j;
    return c;
}

util::Result<User> user_from_json(const json::value& v, std::string_view what) {
    CRM_TRY(o, dto_object(v, what, "user"));
    const auto& j = *o;
    User u;
    u.id = *json_int(j.if_contains("id"));
    u.email = str(j, "email");
    u.username = str(j, "username");
    u.role = str(j, "role");
    u.balance = json_double(j.if_contains("balance")).value_or(0);
    u.concurrency = static_cast<int>(json_int(j.if_contains("concurrency")).value_or(0));
    u.status = str(j, "status");
    u.allowed_groups = ids(j, "allowed_groups");
    u.raw = j;
    return u;
}

util::Result<Subscription> subscription_from_json(const json::value& v, std::string_view what) {
    CRM_TRY(o, dto_object(v, what, "subscription"));
    const auto& j = *o;
    Subscription s;
    s.id = *json_int(j.if_contains("id"));
    s.user_id = json_int(j.if_contains("user_id")).value_or(0);
    s.group_id = json_int(j.if_contains("group_id")).value_or(0);
    s.status = str(j, "status");
    s.starts_at = str(j, "starts_at");
    s.expires_at = str(j, "expires_at");
    s.raw = j;
    return s;
}

util::Result<ApiKey> api_key_from_json(const json::value& v, std::string_view what) {
    CRM_TRY(o, dto_object(v, what, "api key"));
    const auto& j = *o;
    ApiKey k;
    k.id = *json_int(j.if_contains("id"));
    k.user_id = json_int(j.if_contains("user_id")).value_or(0);
    k.key = str(j, "key");
    k.name = str(j, "name");
    k.group_id = json_int(j.if_contains("group_id"));
    k.status = str(j, "status");
    k.raw = j;
    return k;
}

util::Result<PublicSettings> public_settings_from_json(const json::value& v, std::string_view what) {
    if (!v.is_object()) {
        return fail(ErrorCode::protocol, fmt::format("{}: settings are not a JSON object", what));
    }
    const auto& j = v.get_object();
    PublicSettings s;
    s.version = str(j, "version");
    s.backend_mode_enabled = boolean(j, "backend_mode_enabled");
    s.registration_enabled = boolean(j, "registration_enabled");
    s.raw = j;
    return s;
}

namespace {

json::array id_array(const std::vector<std::int64_t>& ids) {
    json::array out;
    for (auto id : ids) out.emplace_back(id);
    return out;
}

}  // namespace

void tag_invoke(json::value_from_tag, json::value& out, const GroupCreate& g) {
    json::object o;
    o["name"] = g.name;
    if (!g.description.empty()) o["description"] = g.description;
    o["platform"] = g.platform;
    o["subscription_type"] = g.subscription_type;
    o["rate_multiplier"] = g.rate_multiplier;
    o["is_exclusive"] = g.is_exclusive;
    if (g.daily_limit_usd) o["daily_limit_usd"] = *g.daily_limit_usd;
    out = std::move(o);
}

void tag_invoke(json::value_from_tag, json::value& out, const AccountCreate& a) {
    json::object o;
    o["name"] = a.name;
    if (!a.notes.empty()) o["notes"] = a.notes;
    o["platform"] = a.platform;
    o["type"] = a.type;
    o["credentials"] = a.credentials;
    if (!a.extra.empty()) o["extra"] = a.extra;
    o["group_ids"] = id_array(a.group_ids);
    o["concurrency"] = a.concurrency;
    o["priority"] = a.priority;
    out = std::move(o);
}

void tag_invoke(json::value_from_tag, json::value& out, const ChannelPricing& p) {
    json::object o;
    o["platform"] = p.platform;
    json::array models;
    for (const auto& m : p.models) models.emplace_back(m);
    o["models"] = std::move(models);
    o["billing_mode"] = p.billing_mode;
    o["input_price"] = p.input_price;
    o["output_price"] = p.output_price;
    out = std::move(o);
}

void tag_invoke(json::value_from_tag, json::value& out, const ChannelCreate& c) {
    json::object o;
    o["name"] = c.name;
    if (!c.description.empty()) o["description"] = c.description;
    o["group_ids"] = id_array(c.group_ids);
    json::array pricing;
    for (const auto& p : c.model_pricing) pricing.push_back(json::value_from(p));
    o["model_pricing"] = std::move(pricing);
    o["model_mapping"] = c.model_mapping;
    o["billing_model_source"] = c.billing_model_source;
    o["restrict_models"] = c.restrict_models;
    out = std::move(o);
}

void tag_invoke(json::value_from_tag, json::value& out, const UserCreate& u) {
    json::object o;
    o["email"] = u.email;
    o["password"] = u.password;
    if (!u.username.empty()) o["username"] = u.username;
    if (!u.notes.empty()) o["notes"] = u.notes;
    if (u.balance) o["balance"] = *u.balance;
    o["concurrency"] = u.concurrency;
    if (!u.allowed_groups.empty()) o["allowed_groups"] = id_array(u.allowed_groups);
    out = std::move(o);
}

}  // namespace crm::probes::sub2api
