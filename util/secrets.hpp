#pragma once
// The redaction registry. Every secret a run knows (admin key, passwords, JWTs, user API keys,
// upstream keys) is registered *before* anything is named, printed or written; scrub() replaces
// every registered value with k_redacted in any text about to be written, logged or reported.
// find_leaks() is the post-write audit: registered values plus secret-shaped strings.
//
// Both see through JSON string escapes (`sk\u002d...`, `a\/b`, up to three nested levels, as in
// a JSON body captured inside a JSON artifact): a secret is the same secret however a serialiser
// spelled it. A hit inside an escaped form is reported at the byte offset where its escaped
// spelling starts.
//
// Secret shapes (find_secret_shaped), each starting at a word boundary:
//   sk_key        "sk-" + >= 32 ASCII letters/digits (hex keys, Kimi/Moonshot-style mixed case)
//   admin_key     "admin-" + >= 32 hex digits (sub2api admin keys)
//   bearer_token  "Bearer " + a token of >= 16 characters
//   jwt           "eyJ" + base64url, '.', base64url, '.', base64url (>= 10, >= 10, >= 16 chars)
// The redaction marker "[REDACTED]", masked previews ("sk-***", "eyJ***") and prose
// ("Bearer auth", "task-1234") are not secrets.
//
// Thread-safe: cells running in parallel register and scrub concurrently.
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace crm::util {

inline constexpr std::string_view k_redacted = "[REDACTED]";

struct Leak {
    std::string kind;     // "registered_secret" | "sk_key" | "admin_key" | "bearer_token" | "jwt"
    std::size_t offset;   // byte offset in the scanned text
    std::string preview;  // the first 6 characters of the (unescaped) match, never the secret itself
    friend bool operator==(const Leak&, const Leak&) = default;
};

class SecretRegistry {
  public:
    // Values shorter than 6 characters are ignored: scrubbing "abc" everywhere would destroy
    // evidence, and such values are not credentials we generate.
    void add(std::string_view secret);
    [[nodiscard]] std::string scrub(std::string_view text) const;
    // Whether `text` holds a registered value (raw or JSON-escaped). Used to keep a secret out of
    // names (bundle folders) and to refuse a --label that is one.
    [[nodiscard]] bool contains_secret(std::string_view text) const;
    [[nodiscard]] std::vector<Leak> find_leaks(std::string_view text) const;
    [[nodiscard]] std::size_t size() const;

  private:
    [[nodiscard]] std::vector<std::string> snapshot() const;
    mutable std::mutex m_mutex;
    std::vector<std::string> m_secrets;  // longest first, so overlapping secrets scrub fully
};

// Secret-shaped strings only (no registry): used by `verify` on bundles from other runs.
[[nodiscard]] std::vector<Leak> find_secret_shaped(std::string_view text);

}  // namespace crm::util
