#pragma once
// The redaction registry. Every secret a run knows (admin key, passwords, JWTs, user API keys,
// upstream keys) is registered *before* it is used; scrub() replaces every registered value with
// k_redacted in any text about to be written, logged or reported. find_leaks() is the
// post-write audit: registered values plus secret-shaped strings (sk-<hex>, admin-<hex>,
// "Bearer <token>").
//
// Thread-safe: cells running in parallel register and scrub concurrently.
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace crm::util {

inline constexpr std::string_view k_redacted = "[REDACTED]";

struct Leak {
    std::string kind;     // "registered_secret" | "sk_key" | "admin_key" | "bearer_token"
    std::size_t offset;   // byte offset in the scanned text
    std::string preview;  // the first 6 characters of the match, never the secret itself
    friend bool operator==(const Leak&, const Leak&) = default;
};

class SecretRegistry {
public:
    // Values shorter than 6 characters are ignored: scrubbing "abc" everywhere would destroy
    // evidence, and such values are not credentials we generate.
    void add(std::string_view secret);
    [[nodiscard]] std::string scrub(std::string_view text) const;
    [[nodiscard]] std::vector<Leak> find_leaks(std::string_view text) const;
    [[nodiscard]] std::size_t size() const;

private:
    mutable std::mutex m_mutex;
    std::vector<std::string> m_secrets;  // longest first, so overlapping secrets scrub fully
};

// Secret-shaped strings only (no registry): used by `verify` on bundles from other runs.
[[nodiscard]] std::vector<Leak> find_secret_shaped(std::string_view text);

}  // namespace crm::util
