#pragma once
// The control plane's one credential: a Bearer token from SUB2API_CRM_ADMIN_TOKEN.
//
// Contract:
// - AdminToken::from_env fails (invalid_input, one line naming the variable, never its value)
//   when the variable is unset or shorter than k_min_token_length; `crm-accept serve` then
//   refuses to start with exit 3 (harness_error: its input is invalid);
// - accepts() takes the raw Authorization header value (or nullopt) and answers whether it is
//   "Bearer <token>" (scheme case-insensitive, one or more spaces); the comparison runs in time
//   independent of where the values differ and of their lengths (constant_time_equal);
// - the token is registered in the SecretRegistry given to from_env, so log lines and bodies
//   scrubbed through it never carry it.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "util/env_expand.hpp"
#include "util/error.hpp"
#include "util/secrets.hpp"

namespace crm::harness::serve {

inline constexpr std::string_view k_admin_token_env = "SUB2API_CRM_ADMIN_TOKEN";
inline constexpr std::size_t k_min_token_length = 20;

// Equal contents, compared without an early exit: both sides are hashed (SHA-256) first, so the
// loop always runs over 32 bytes whatever the inputs' lengths, then the digests are compared
// byte by byte with an accumulated XOR.
[[nodiscard]] bool constant_time_equal(std::string_view a, std::string_view b);

class AdminToken {
  public:
    [[nodiscard]] static util::Result<AdminToken> from_env(const util::EnvLookup& env, util::SecretRegistry& secrets);
    // For tests and embedding: the same length rule as from_env.
    [[nodiscard]] static util::Result<AdminToken> from_value(std::string token, util::SecretRegistry& secrets);
    [[nodiscard]] bool accepts(const std::optional<std::string>& authorization) const;

  private:
    explicit AdminToken(std::string token) : m_token(std::move(token)) {}
    std::string m_token;
};

}  // namespace crm::harness::serve
