#include "util/secrets.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "util/escaped_view.hpp"

namespace crm::util {

namespace {

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool is_b64url(char c) { return is_alnum(c) || c == '-' || c == '_'; }
bool is_token_char(char c) {
    return is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '+' || c == '/' || c == '=';
}

// Matches `prefix` followed by at least `min_len` characters accepted by `body`, not preceded by
// a letter or digit.
template <class Body>
void scan_prefixed(std::string_view text, std::string_view prefix, std::size_t min_len, Body body,
                   std::string_view kind, std::vector<Leak>& out) {
    std::size_t pos = 0;
    while ((pos = text.find(prefix, pos)) != std::string_view::npos) {
        bool boundary = pos == 0 || !is_alnum(text[pos - 1]);
        std::size_t end = pos + prefix.size();
        while (end < text.size() && body(text[end])) ++end;
        if (boundary && end - pos - prefix.size() >= min_len) {
            out.push_back(Leak{std::string(kind), pos, std::string(text.substr(pos, 6))});
        }
        pos = end;
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

// header.payload.signature, base64url each; the header of every JWS is a JSON object, so its
// encoding starts "eyJ" ('{"'). The minimum lengths keep short dotted identifiers out.
void scan_jwt(std::string_view text, std::vector<Leak>& out) {
    std::size_t pos = 0;
    while ((pos = text.find("eyJ", pos)) != std::string_view::npos) {
        bool boundary = pos == 0 || (!is_b64url(text[pos - 1]) && text[pos - 1] != '.');
        std::size_t lens[3] = {0, 0, 0};
        std::size_t end = pos;
        int parts = 0;
        for (; parts < 3; ++parts) {
            std::size_t start = end;
            while (end < text.size() && is_b64url(text[end])) ++end;
            lens[parts] = end - start;
            if (parts < 2) {
                if (end >= text.size() || text[end] != '.') {
                    ++parts;
                    break;
                }
                ++end;
            }
        }
        if (boundary && parts == 3 && lens[0] >= 10 && lens[1] >= 10 && lens[2] >= 16) {
            out.push_back(Leak{"jwt", pos, std::string(text.substr(pos, 6))});
        }
        pos = std::max(end, pos + 3);
    }
}

std::vector<Leak> shaped_in(std::string_view text) {
    std::vector<Leak> out;
    scan_prefixed(text, "sk-", 32, is_alnum, "sk_key", out);
    scan_prefixed(text, "admin-", 32, is_hex, "admin_key", out);
    scan_bearer(text, out);
    scan_jwt(text, out);
    return out;
}

// Leaks found in the escaped views of `text`, at offsets of `text`, that `known` does not already
// hold (the same match seen through a view with no escape inside it).
template <class Find>
void add_escaped(std::string_view text, Find find, std::vector<Leak>& known) {
    if (text.find('\\') == std::string_view::npos) return;
    std::set<std::pair<std::string, std::size_t>> seen;
    for (const auto& l : known) seen.emplace(l.kind, l.offset);
    for (const auto& view : escaped_views(text)) {
        for (auto l : find(std::string_view(view.text))) {
            l.offset = view.original_begin(l.offset);
            if (seen.emplace(l.kind, l.offset).second) known.push_back(std::move(l));
        }
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

std::vector<std::string> SecretRegistry::snapshot() const {
    std::lock_guard lock(m_mutex);
    return m_secrets;
}

std::string SecretRegistry::scrub(std::string_view text) const {
    std::string out(text);
    // A copy, so parallel cells do not wait on each other while large texts are searched.
    const auto secrets = snapshot();
    for (const auto& s : secrets) {
        std::size_t pos = 0;
        while ((pos = out.find(s, pos)) != std::string::npos) {
            out.replace(pos, s.size(), k_redacted);
            pos += k_redacted.size();
        }
    }
    if (secrets.empty() || out.find('\\') == std::string::npos) return out;
    // Escaped spellings: collect the original spans of every match in every view, then replace
    // them back to front so earlier offsets stay valid.
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (const auto& view : escaped_views(out)) {
        for (const auto& s : secrets) {
            std::size_t pos = 0;
            while ((pos = view.text.find(s, pos)) != std::string::npos) {
                spans.emplace_back(view.original_begin(pos), view.original_end(pos, s.size()));
                pos += s.size();
            }
        }
    }
    if (spans.empty()) return out;
    std::sort(spans.begin(), spans.end());
    std::vector<std::pair<std::size_t, std::size_t>> merged;
    for (const auto& sp : spans) {
        if (!merged.empty() && sp.first < merged.back().second) {
            merged.back().second = std::max(merged.back().second, sp.second);
        } else {
            merged.push_back(sp);
        }
    }
    for (auto it = merged.rbegin(); it != merged.rend(); ++it)
        out.replace(it->first, it->second - it->first, k_redacted);
    return out;
}

bool SecretRegistry::contains_secret(std::string_view text) const {
    for (const auto& l : find_leaks(text)) {
        if (l.kind == "registered_secret") return true;
    }
    return false;
}

std::vector<Leak> SecretRegistry::find_leaks(std::string_view text) const {
    const auto secrets = snapshot();
    auto registered = [&secrets](std::string_view t) {
        std::vector<Leak> out;
        for (const auto& s : secrets) {
            std::size_t pos = t.find(s);
            if (pos != std::string_view::npos) out.push_back(Leak{"registered_secret", pos, s.substr(0, 6)});
        }
        return out;
    };
    std::vector<Leak> out = registered(text);
    add_escaped(text, registered, out);
    auto shaped = find_secret_shaped(text);
    out.insert(out.end(), shaped.begin(), shaped.end());
    return out;
}

std::size_t SecretRegistry::size() const {
    std::lock_guard lock(m_mutex);
    return m_secrets.size();
}

std::vector<Leak> find_secret_shaped(std::string_view text) {
    std::vector<Leak> out = shaped_in(text);
    add_escaped(text, shaped_in, out);
    return out;
}

}  // namespace crm::util
