#include "harness/evidence/audit.hpp"

#include "harness/evidence/manifest.hpp"
#include "util/files.hpp"

namespace crm::harness::evidence {

namespace {

// A registered secret has no known shape: show two characters. A shaped match shows its
// prefix ("sk-", "admin-", "Bearer") which identifies the kind, never the token.
std::string mask(const util::Leak& leak) {
    if (leak.kind == "registered_secret") return leak.preview.substr(0, 2) + "***";
    if (leak.kind == "sk_key") return "sk-***";
    if (leak.kind == "admin_key") return "admin-***";
    if (leak.kind == "bearer_token") return "Bearer ***";
    if (leak.kind == "jwt") return "eyJ***";
    return "***";
}

}  // namespace

util::Result<std::vector<AuditHit>> audit_bundle(const std::filesystem::path& dir,
                                                 const util::SecretRegistry* registry) {
    std::vector<AuditHit> hits;
    CRM_TRY(files, list_bundle_files(dir));
    files.push_back(k_manifest_name);  // the manifest is a file of the bundle too
    for (const auto& rel : files) {
        auto path = dir / rel;
        std::error_code ec;
        // Never through a symlink: verify reports the link itself (manifest.hpp, scan_bundle_tree).
        if (std::filesystem::symlink_status(path, ec).type() != std::filesystem::file_type::regular) continue;
        CRM_TRY(text, util::read_file(path));
        auto leaks = registry ? registry->find_leaks(text) : util::find_secret_shaped(text);
        for (const auto& l : leaks) hits.push_back({rel, l.kind, l.offset, mask(l)});
    }
    return hits;
}

util::json::object to_json(const AuditHit& h) {
    return util::json::object{{"file", h.file}, {"kind", h.kind}, {"offset", h.offset}, {"preview", h.preview}};
}

}  // namespace crm::harness::evidence
