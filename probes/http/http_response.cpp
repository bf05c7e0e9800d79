// HttpResponse helpers and credential-header detection. Kept apart from the curl adapter so that
// recording fakes in unit tests get the same lookup and redaction without libcurl.
#include <array>
#include <cctype>

#include "probes/http/transport.hpp"
#include "util/secrets.hpp"

namespace crm::probes {
namespace {

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
            return false;
        }
    }
    return true;
}

// Names whose *values* are credentials on any host we talk to. `api-key` is Azure-style; the
// proxy variant can carry a relay's own credential.
constexpr std::array<std::string_view, 8> k_credential_headers = {
    "authorization", "proxy-authorization", "x-api-key", "x-goog-api-key",
    "cookie",        "set-cookie",          "api-key",   "x-auth-token",
};

}  // namespace

bool is_credential_header(std::string_view name) {
    for (std::string_view candidate : k_credential_headers) {
        if (iequals(candidate, name)) {
            return true;
        }
    }
    return false;
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) {
            return value;
        }
    }
    return std::nullopt;
}

std::string HttpResponse::header_dump() const {
    std::string out = status_line;
    out += '\n';
    for (const auto& [key, value] : headers) {
        out += key;
        out += ": ";
        if (is_credential_header(key)) {
            out += util::k_redacted;
        } else {
            out += value;
        }
        out += '\n';
    }
    return out;
}

}  // namespace crm::probes
