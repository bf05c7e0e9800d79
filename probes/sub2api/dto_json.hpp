#pragma once
// JSON mapping for the sub2api DTOs (dto.hpp). Parsing is lenient about *absent* fields (older
// hosts omit some, the struct keeps its default) and strict about *shape*: a DTO that is not a
// JSON object, or whose `id` is missing or not a number, is a protocol error naming `what`
// (e.g. "GET /api/v1/admin/groups/7"). Create bodies are produced via Boost.JSON value_from
// (tag_invoke below), so json::value_from(GroupCreate{...}) yields the exact request body.
#include <string_view>

#include "probes/sub2api/dto.hpp"
#include "util/error.hpp"

namespace crm::probes::sub2api {

[[nodiscard]] util::Result<Group> group_from_json(const json::value& v, std::string_view what);
[[nodiscard]] util::Result<Account> account_from_json(const json::value& v, std::string_view what);
[[nodiscard]] util::Result<Channel> channel_from_json(const json::value& v, std::string_view what);
[[nodiscard]] util::Result<User> user_from_json(const json::value& v, std::string_view what);
[[nodiscard]] util::Result<Subscription> subscription_from_json(const json::value& v, std::string_view what);
[[nodiscard]] util::Result<ApiKey> api_key_from_json(const json::value& v, std::string_view what);
[[nodiscard]] util::Result<PublicSettings> public_settings_from_json(const json::value& v, std::string_view what);
[[nodiscard]] util::Result<ChannelPricing> channel_pricing_from_json(const json::value& v, std::string_view what);

// Request bodies (value_from). Empty optional fields are omitted, never sent as null.
void tag_invoke(json::value_from_tag, json::value& out, const GroupCreate& g);
void tag_invoke(json::value_from_tag, json::value& out, const AccountCreate& a);
void tag_invoke(json::value_from_tag, json::value& out, const ChannelPricing& p);
void tag_invoke(json::value_from_tag, json::value& out, const ChannelCreate& c);
void tag_invoke(json::value_from_tag, json::value& out, const UserCreate& u);

// Lenient numeric readers shared by the client (int64 / uint64 / double all accepted).
[[nodiscard]] std::optional<std::int64_t> json_int(const json::value* v);
[[nodiscard]] std::optional<double> json_double(const json::value* v);

}  // namespace crm::probes::sub2api
