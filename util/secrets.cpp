#include "util/secrets.hpp"

#include <algorithm>
#include <cctype>

namespace crm::util {

namespace {

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_token_char(char c) {
    auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' ||
           c == '/' || c == '=';
}

// Matches `prefix` followed by at least `min_hex` hex digits, not preceded by a word char.
void scan_prefixed_hex(std::string_view text, std::string_view prefix, std::size_t min_hex,
                       std::string_view kind, std::vector<Leak>& out) {
    std::size_t pos = 0;
    while ((pos = text.find(prefix, pos)) != std::string_view::npos) {
        bool boundary = pos == 0 || !std::isalnum(static_cast<unsigned char>(text[pos - 1]));
        std::size_t end = pos + prefix.size();
        while (end < text.size() && is_hex(text[end])) ++end;
        if (boundary && end - pos - prefix.size() >= min_hex) {
            out.push_back(Leak{std::string(kind), pos, std::string(text.substr(pos, 6))});
        }
        pos = end > pos ? end : pos + 1;
    }
}

void scan_bearer(std::string_view text, std::vector<Leak>& out) {
    static constexpr std::string_view k_bearer = "Bearer ";
    std::size_t pos = 0;
    while ((pos = text.find(k_bearer, pos)) != std::string_view::npos) {
        std::size_t start = pos + k_bearer.size();
        std::size_t end = start;
        while (end < text.size() && is_token_char(text[end])) ++end;
        // A token is long enough to be a credential; the redaction marker and prose
        // ("Bearer auth") are not.
        if (end - start >= 16) {
            out.push_back(Leak{"bearer_token", pos, std::string(text.substr(pos, 6))});
        }
        pos = start;
    }
}

}  // namespace

void SecretRegistry::add(std::string_view secret) {
    if (secret.size() < 6) return;
    std::lock_guard lock(m_mutex);
    if (std::find(m_secrets.begin(), m_secrets.end(), secret) != m_secrets.end()) return;
    m_secrets.emplace_back(secret);
    std::stable_sort(m_secrets.begin(), m_secrets.end(),
                     [](const auto& a, const auto& b) { return a.size() > b.size(); });
}

std::string SecretRegistry::scrub(std::string_view text) const {
    std::string out(text);
    std::lock_guard lock(m_mutex);
    for (const auto& s : m_secrets) {
        std::size_t pos = 0;
        while ((pos = out.find(s, pos)) != std::string::npos) {
            out.replace(pos, s.size(), k_redacted);
            pos += k_redacted.size();
        }
    }
    return out;
}

std::vector<Leak> SecretRegistry::find_leaks(std::string_view text) const {
    std::vector<Leak> out;
    {
        std::lock_guard lock(m_mutex);
        for (const auto& s : m_secrets) {
            std::size_t pos = text.find(s);
            if (pos != std::string_view::npos) {
                out.push_back(Leak{"registered_secret", pos, std::string(s.substr(0, 6))});
            }
        }
    }
    auto shaped = find_secret_shaped(text);
    out.insert(out.end(), shaped.begin(), shaped.end());
    return out;
}

std::size_t SecretRegistry::size() const {
    std::lock_guard lock(m_mutex);
    return m_secrets.size();
}

std::vector<Leak> find_secret_shaped(std::string_view text) {
    std::vector<Leak> out;
    scan_prefixed_hex(text, "sk-", 32, "sk_key", out);
    scan_prefixed_hex(text, "admin-", 32, "admin_key", out);
    scan_bearer(text, out);
    return out;
}

}  // namespace crm::util
