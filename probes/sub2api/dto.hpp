#pragma once
// Typed views of the sub2api admin DTOs (sub2api v0.1.179 admin API).
// Plain values, no IO. Each type keeps the `raw` JSON object the host sent, so callers can read
// fields this struct does not model; `raw` is excluded from operator== on purpose (two reads of
// the same resource compare equal even when volatile fields such as last_used_at differ).
//
// JSON mapping lives in dto_json.hpp (tag_invoke for from-JSON, to_json for create bodies).
// Secrets: account `credentials` are whatever the host returned — the host drops api_key from
// GET responses (credentials_status.has_api_key tells whether one is stored). ApiKey::key is a
// live user key: the AdminClient registers it in the SecretRegistry before handing it out.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/json.hpp"

namespace crm::probes::sub2api {

namespace json = boost::json;

struct Group {
    std::int64_t id = 0;
    std::string name;
    std::string description;
    std::string platform;
    std::string subscription_type;  // "standard" | "subscription"
    double rate_multiplier = 0;
    bool is_exclusive = false;
    std::string status;  // "active" | "inactive"
    std::optional<double> daily_limit_usd;
    json::object raw;
    friend bool operator==(const Group& a, const Group& b) {
        return a.id == b.id && a.name == b.name && a.description == b.description && a.platform == b.platform &&
               a.subscription_type == b.subscription_type && a.rate_multiplier == b.rate_multiplier &&
               a.is_exclusive == b.is_exclusive && a.status == b.status && a.daily_limit_usd == b.daily_limit_usd;
    }
};

struct GroupCreate {
    std::string name;
    std::string description;
    std::string platform;
    std::string subscription_type = "standard";
    double rate_multiplier = 1.0;  // must be > 0: the host answers a bare 500 for 0 / missing
    bool is_exclusive = false;
    std::optional<double> daily_limit_usd;
    friend bool operator==(const GroupCreate&, const GroupCreate&) = default;
};

struct Account {
    std::int64_t id = 0;
    std::string name;
    std::string platform;
    std::string type;
    std::string status;  // "active" | "inactive" | "error"
    bool schedulable = false;
    std::vector<std::int64_t> group_ids;
    std::optional<std::string> temp_unschedulable_until;  // as sent (RFC 3339 or unix)
    std::string temp_unschedulable_reason;
    std::string error_message;
    json::object credentials;  // host-redacted: no api_key
    bool has_api_key = false;  // credentials_status.has_api_key
    json::object extra;
    json::object raw;
    friend bool operator==(const Account& a, const Account& b) {
        return a.id == b.id && a.name == b.name && a.platform == b.platform && a.type == b.type &&
               a.status == b.status && a.schedulable == b.schedulable && a.group_ids == b.group_ids &&
               a.temp_unschedulable_until == b.temp_unschedulable_until &&
               a.temp_unschedulable_reason == b.temp_unschedulable_reason && a.error_message == b.error_message &&
               a.credentials == b.credentials && a.has_api_key == b.has_api_key && a.extra == b.extra;
    }
};

struct AccountCreate {
    std::string name;
    std::string notes;
    std::string platform;
    std::string type = "apikey";
    json::object credentials;  // api_key (a secret: registered before send), base_url, ...
    json::object extra;
    std::vector<std::int64_t> group_ids;
    int concurrency = 0;  // 0 = unlimited
    int priority = 1;
    friend bool operator==(const AccountCreate&, const AccountCreate&) = default;
};

struct AccountFilter {
    std::string platform;
    std::string type;
    std::string status;
    std::string search;
    std::string group;  // "<id>" or "ungrouped"
    friend bool operator==(const AccountFilter&, const AccountFilter&) = default;
};

struct ChannelPricing {
    std::string platform;
    std::vector<std::string> models;
    std::string billing_mode = "token";
    double input_price = 0;   // USD per token
    double output_price = 0;  // USD per token
    friend bool operator==(const ChannelPricing&, const ChannelPricing&) = default;
};

struct Channel {
    std::int64_t id = 0;
    std::string name;
    std::string description;
    std::string status;  // "active" | "disabled"
    std::vector<std::int64_t> group_ids;
    std::vector<ChannelPricing> model_pricing;
    json::object model_mapping;  // {"<platform>": {"src": "dst"}}
    std::string billing_model_source;
    bool restrict_models = false;
    json::object raw;
    friend bool operator==(const Channel& a, const Channel& b) {
        return a.id == b.id && a.name == b.name && a.description == b.description && a.status == b.status &&
               a.group_ids == b.group_ids && a.model_pricing == b.model_pricing && a.model_mapping == b.model_mapping &&
               a.billing_model_source == b.billing_model_source && a.restrict_models == b.restrict_models;
    }
};

struct ChannelCreate {
    std::string name;
    std::string description;
    std::vector<std::int64_t> group_ids;
    std::vector<ChannelPricing> model_pricing;
    json::object model_mapping;
    std::string billing_model_source = "channel_mapped";
    bool restrict_models = true;
    friend bool operator==(const ChannelCreate&, const ChannelCreate&) = default;
};

struct User {
    std::int64_t id = 0;
    std::string email;
    std::string username;
    std::string role;
    double balance = 0;
    int concurrency = 0;
    std::string status;  // "active" | "disabled"
    std::vector<std::int64_t> allowed_groups;
    json::object raw;
    friend bool operator==(const User& a, const User& b) {
        return a.id == b.id && a.email == b.email && a.username == b.username && a.role == b.role &&
               a.balance == b.balance && a.concurrency == b.concurrency && a.status == b.status &&
               a.allowed_groups == b.allowed_groups;
    }
};

struct UserCreate {
    std::string email;
    std::string password;  // a secret: registered before send
    std::string username;
    std::string notes;
    std::optional<double> balance;  // omitted => host default_balance
    int concurrency = 0;
    std::vector<std::int64_t> allowed_groups;
    friend bool operator==(const UserCreate&, const UserCreate&) = default;
};

struct Subscription {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::int64_t group_id = 0;
    std::string status;  // "active" | "expired" | "suspended" | "revoked"
    std::string starts_at;
    std::string expires_at;
    json::object raw;
    friend bool operator==(const Subscription& a, const Subscription& b) {
        return a.id == b.id && a.user_id == b.user_id && a.group_id == b.group_id && a.status == b.status &&
               a.starts_at == b.starts_at && a.expires_at == b.expires_at;
    }
};

struct SubscriptionFilter {
    std::optional<std::int64_t> user_id;
    std::optional<std::int64_t> group_id;
    std::string status;
    friend bool operator==(const SubscriptionFilter&, const SubscriptionFilter&) = default;
};

struct ApiKey {
    std::int64_t id = 0;
    std::int64_t user_id = 0;
    std::string key;  // "sk-..." — a secret
    std::string name;
    std::optional<std::int64_t> group_id;
    std::string status;
    json::object raw;
    friend bool operator==(const ApiKey& a, const ApiKey& b) {
        return a.id == b.id && a.user_id == b.user_id && a.key == b.key && a.name == b.name &&
               a.group_id == b.group_id && a.status == b.status;
    }
};

struct UserSession {
    std::string access_token;  // a secret (JWT)
    std::int64_t user_id = 0;
    friend bool operator==(const UserSession&, const UserSession&) = default;
};

struct PublicSettings {
    std::string version;
    bool backend_mode_enabled = false;
    bool registration_enabled = false;
    json::object raw;
    friend bool operator==(const PublicSettings& a, const PublicSettings& b) {
        return a.version == b.version && a.backend_mode_enabled == b.backend_mode_enabled &&
               a.registration_enabled == b.registration_enabled;
    }
};

}  // namespace crm::probes::sub2api
