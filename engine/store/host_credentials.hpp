#pragma once
// The admin credentials the control plane (`crm-accept serve`) uses for a registered host: a
// literal admin key, the name of a server variable holding the key, or an admin email with the
// name of a variable holding its password. The engine itself takes resolved credentials
// (HostTarget); this table only remembers how to resolve them.
//
// Contract:
// - one row per host (hosts.id); put() replaces it;
// - a literal admin_key is a secret kept only here (the state file is 0600): callers register
//   it in their SecretRegistry when they read it and never return it;
// - every call is one transaction (or one locked read) on the shared StateStore; records are
//   values; unknown stored text is an error naming the row, never a default.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/store/state_store.hpp"
#include "util/error.hpp"

namespace crm::engine {

enum class AdminAuth { key, key_env, login };

[[nodiscard]] std::string_view to_string(AdminAuth a) noexcept;
[[nodiscard]] std::optional<AdminAuth> parse_admin_auth(std::string_view s) noexcept;

struct HostCredentialsRecord {
    std::int64_t host_id = 0;
    AdminAuth admin_auth = AdminAuth::key_env;
    std::string admin_key;  // secret; only for AdminAuth::key
    std::string admin_key_env;
    std::string admin_email;
    std::string admin_password_env;
    bool accept_compliance = false;
    std::string updated_at;
    friend bool operator==(const HostCredentialsRecord&, const HostCredentialsRecord&) = default;
};

class HostCredentials {
  public:
    explicit HostCredentials(StateStore& store) : m_store(store) {}

    [[nodiscard]] util::Result<void> put(const HostCredentialsRecord& record);
    [[nodiscard]] util::Result<std::optional<HostCredentialsRecord>> get(std::int64_t host_id);
    [[nodiscard]] util::Result<std::vector<HostCredentialsRecord>> all();

  private:
    StateStore& m_store;
};

}  // namespace crm::engine
