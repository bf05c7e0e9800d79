#pragma once
// The post-write evidence audit: every regular file of a bundle is scanned for every registered
// secret value and for secret-shaped strings (util/secrets.hpp: sk- keys, admin- keys, Bearer
// tokens, JWTs; raw or JSON-escaped). A hit never carries the secret: only its kind, file, offset
// and a short masked preview. Any hit fails the run (exit 4).
#include <filesystem>
#include <string>
#include <vector>

#include "util/error.hpp"
#include "util/json.hpp"
#include "util/secrets.hpp"

namespace crm::harness::evidence {

struct AuditHit {
    std::string file;  // relative to the bundle root
    std::string kind;  // registered_secret | sk_key | admin_key | bearer_token | jwt
    std::size_t offset = 0;
    std::string preview;  // at most a recognisable prefix + "***"
    friend bool operator==(const AuditHit&, const AuditHit&) = default;
};

// `registry == nullptr` (verify of a foreign bundle): secret-shaped strings only.
[[nodiscard]] util::Result<std::vector<AuditHit>> audit_bundle(const std::filesystem::path& dir,
                                                               const util::SecretRegistry* registry);

[[nodiscard]] util::json::object to_json(const AuditHit& h);

}  // namespace crm::harness::evidence
