#pragma once
// Provider packs (docs/PACKS.md): versioned JSON files under packs/ that describe how a
// provider is installed into a sub2api host. A provider is always addressed by pack id + name;
// the same name in two packs never collides.
//
// parse_pack validates everything up front and reports the FIRST problem as one line:
//   "<source>: <json path>: <reason>"      e.g. "packs/x.json: providers[1].smoke_test_model: not in models"
// Unknown keys are rejected, inline credentials are rejected (any field named like a key with a
// value, any secret-shaped string), `${VAR:-default}` in upstream_base_url / key_source.file is
// expanded through the injected EnvLookup (never getenv).
//
// Providers carry no secret: only where the key comes from (key_env / key_file). resolve_key
// (key_source.hpp) reads it when the engine needs it.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/env_expand.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::engine {

namespace json = boost::json;

inline constexpr int k_pack_schema_version = 1;

struct ModelPrice {
    double input = 0;   // USD per input token
    double output = 0;  // USD per output token
    friend bool operator==(const ModelPrice&, const ModelPrice&) = default;
};

struct Provider {
    std::string pack_id;
    std::string pack_version;
    std::string name;  // unique within the pack
    std::string description;
    std::string platform;  // host platform: deepseek, openai, kimi, ...
    std::string account_type = "apikey";
    std::string upstream_base_url;                     // expanded
    std::string upstream_base_url_template;            // as written in the pack (${VAR:-default})
    std::vector<std::string> models;                   // requested names the host exposes
    std::map<std::string, std::string> model_mapping;  // requested -> upstream (only overrides)
    std::map<std::string, ModelPrice> pricing;         // every model has a price
    std::string smoke_test_model;                      // one of models
    int accounts = 1;
    json::object credentials;  // non-secret account credential extras (account_mode, api_protocol)
    json::object extra;        // account extra (openai_responses_mode, ...)
    double group_rate_multiplier = 1.0;
    std::optional<double> subscription_daily_limit_usd;
    int subscription_validity_days = 30;
    std::string key_env;   // exactly one of key_env / key_file is set
    std::string key_file;  // expanded path
    friend bool operator==(const Provider&, const Provider&) = default;

    // "<pack>/<name>": the only way a provider is named in messages and artifacts.
    [[nodiscard]] std::string qualified_name() const { return pack_id + "/" + name; }
    // The upstream model a requested model is sent as (mapping, else the same name).
    [[nodiscard]] std::string upstream_model(std::string_view requested) const;
    // Account credentials.model_mapping: every model -> its upstream name. sub2api treats a
    // non-empty mapping as a whitelist and builds /v1/models from its keys (sub2api channel semantics).
    [[nodiscard]] json::object account_model_mapping() const;
    // The full account credentials for one account: api_key, base_url, model_mapping and the
    // pack's credential extras. The result holds the secret: callers register it.
    [[nodiscard]] json::object account_credentials(std::string_view api_key) const;
    // Secret-free definition (03-pack.json, the store's provider definition).
    [[nodiscard]] json::value to_json() const;
};

struct Pack {
    int schema_version = k_pack_schema_version;
    std::string id;
    std::string version;
    std::string description;
    std::string source;  // file it came from, as given to the loader
    std::string sha256;  // of the file bytes
    std::vector<Provider> providers;
    friend bool operator==(const Pack&, const Pack&) = default;

    [[nodiscard]] const Provider* find(std::string_view provider_name) const;
};

// Parses and validates one pack. `source` names the file in every message.
[[nodiscard]] util::Result<Pack> parse_pack(std::string_view text, std::string_view source, const util::EnvLookup& env);

// Host platforms a pack may target (group platform enum of v0.1.179, plus minimax from newer
// upstream and the fork's newapi / kiro). Whether a given host has one is a capability probe.
[[nodiscard]] const std::vector<std::string>& known_platforms();

}  // namespace crm::engine
