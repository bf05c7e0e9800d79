#include "harness/session/still_owned.hpp"

#include <fmt/format.h>

#include "engine/store/balance_credits.hpp"

namespace crm::harness::session {

namespace {

// Single-quoted for a POSIX shell when the word needs it (a TMPDIR with spaces).
std::string shell_word(const std::string& s) {
    const bool plain = !s.empty() && s.find_first_not_of(
                                         "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                         "0123456789_./:@%+=,-") == std::string::npos;
    if (plain) return s;
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string trimmed(std::string url) {
    while (!url.empty() && url.back() == '/') url.pop_back();
    return url;
}

}  // namespace

std::string recover_command(const std::string& db, const RecoverTarget& t) {
    std::string cmd = fmt::format("crm-accept engine recover --db {} --host-url {}", shell_word(db), shell_word(t.url));
    // A credential the scenario wrote literally has no variable to name, and the secret itself is
    // never printed: the command names the engine's default variable and says, as a shell
    // comment (the line still runs as printed), what to export first.
    if (!t.admin_api_key_env.empty()) {
        cmd += " --admin-key-env " + t.admin_api_key_env;
    } else if (!t.admin_email.empty()) {
        const bool literal = t.admin_password_env.empty();
        cmd += fmt::format(" --admin-email {} --admin-password-env {}", shell_word(t.admin_email),
                           literal ? "SUB2API_ADMIN_PASSWORD" : t.admin_password_env);
        if (literal) cmd += "  # export SUB2API_ADMIN_PASSWORD=<the scenario's admin password> first";
    } else {
        cmd += "  # export SUB2API_ADMIN_KEY=<the scenario's admin key> first";
    }
    return cmd;
}

util::Result<std::vector<HostLeftovers>> still_owned(engine::StateStore& store,
                                                     const std::vector<RecoverTarget>& targets) {
    std::vector<HostLeftovers> out;
    engine::BalanceCredits ledger(store);
    for (const auto& t : targets) {
        CRM_TRY(host, store.find_host(trimmed(t.url)));
        if (!host.has_value()) continue;
        CRM_TRY(batches, store.batches((host)->id));
        HostLeftovers left{t.url, {}, recover_command(store.path().string(), t)};
        for (const auto& b : batches) {
            if (b.status == engine::BatchStatus::rolled_back) continue;
            CRM_TRY(rs, store.resources(b.id));
            for (const auto& r : rs) {
                if (r.state == engine::ResourceState::deleted || r.state == engine::ResourceState::absent) continue;
                left.lines.push_back(fmt::format("batch {} {} {}{} ({})", b.id, engine::to_string(r.kind), r.name,
                                                 r.host_id ? fmt::format(" id {}", *r.host_id) : std::string{},
                                                 engine::to_string(r.state)));
            }
            CRM_TRY(credits, ledger.of_batch(b.id));
            for (const auto& c : credits) {
                if (c.state == engine::CreditState::taken_back || c.state == engine::CreditState::absent) continue;
                left.lines.push_back(fmt::format("batch {} balance_credit {} ${:.2f} ({})", b.id, c.user_email,
                                                 c.amount - c.taken_back, engine::to_string(c.state)));
            }
        }
        if (!left.lines.empty()) out.push_back(std::move(left));
    }
    return out;
}

}  // namespace crm::harness::session
