// Hashing before comparing makes the comparison length-independent without padding tricks; the
// token is already high-entropy, so the hash adds no weakness (an attacker learns nothing from
// timing about either digest).
#include "harness/serve/bearer_auth.hpp"

#include <cctype>

#include "util/sha256.hpp"

namespace crm::harness::serve {

bool constant_time_equal(std::string_view a, std::string_view b) {
    const std::string ha = util::sha256_hex(a);
    const std::string hb = util::sha256_hex(b);
    unsigned diff = 0;
    for (std::size_t i = 0; i < ha.size(); ++i) {
        diff |= static_cast<unsigned>(static_cast<unsigned char>(ha[i]) ^ static_cast<unsigned char>(hb[i]));
    }
    return diff == 0;
}

util::Result<AdminToken> AdminToken::from_value(std::string token, util::SecretRegistry& secrets) {
    if (token.size() < k_min_token_length) {
        return util::fail(util::ErrorCode::invalid_input,
                          std::string(k_admin_token_env) + " must hold at least " + std::to_string(k_min_token_length) +
                              " characters (it holds " + std::to_string(token.size()) + ")");
    }
    secrets.add(token);
    return AdminToken(std::move(token));
}

util::Result<AdminToken> AdminToken::from_env(const util::EnvLookup& env, util::SecretRegistry& secrets) {
    auto value = env(k_admin_token_env);
    if (!value || value->empty()) {
        return util::fail(util::ErrorCode::invalid_input,
                          std::string(k_admin_token_env) + " is not set: the control plane needs an admin token of " +
                              "at least " + std::to_string(k_min_token_length) + " characters");
    }
    return from_value(std::move(*value), secrets);
}

bool AdminToken::accepts(const std::optional<std::string>& authorization) const {
    if (!authorization) return false;
    std::string_view v = *authorization;
    constexpr std::string_view scheme = "bearer";
    if (v.size() <= scheme.size()) return false;
    for (std::size_t i = 0; i < scheme.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(v[i])) != scheme[i]) return false;
    }
    v.remove_prefix(scheme.size());
    if (v.front() != ' ') return false;
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
    return constant_time_equal(v, m_token);
}

}  // namespace crm::harness::serve
