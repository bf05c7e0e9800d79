#include "harness/session/run_state.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace crm::harness::session {

namespace fs = std::filesystem;

util::Result<RunState> RunState::create(const std::string& token) {
    fs::path dir = fs::temp_directory_path() / fmt::format("crm-accept-{}", token);
    fs::create_directories(dir);
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace);
    auto store = engine::StateStore::open(dir / "state.sqlite");
    if (!store) {
        std::error_code ignored;
        fs::remove_all(dir, ignored);
        return std::unexpected(store.error());
    }
    return RunState(std::move(dir), std::move(*store));
}

util::Result<RunState> RunState::attach(const fs::path& file) {
    std::error_code ec;
    if (!fs::is_regular_file(file, ec))
        return util::fail(util::ErrorCode::not_found,
                          fmt::format("engine.state_file {} does not exist (the control plane's --db)", file.string()));
    CRM_TRY(store, engine::StateStore::open(file));
    return RunState({}, std::move(store));
}

void RunState::lease_real_hosts(const std::vector<runner::HostContext>& hosts) {
    for (const auto& h : hosts) {
        if (h.kind != scenario::HostKind::real) continue;
        auto url = h.target.url;
        while (!url.empty() && url.back() == '/') url.pop_back();
        auto id = m_store.upsert_host(h.target.name, url);
        if (!id) continue;  // the engine reports store failures at its first operation
        if (auto l = engine::store::HostLease::acquire(m_store.path(), *id, engine::store::LeaseKind::shared,
                                                       std::chrono::milliseconds(0), url)) {
            m_leases.push_back(std::move(*l));
        }
    }
}

StateOutcome RunState::settle(const std::vector<runner::CellReport>& reports,
                              const std::vector<runner::HostContext>& hosts,
                              const std::vector<scenario::HostSpec>& specs, const std::atomic<bool>* aborted) {
    StateOutcome out;
    out.left_on_host = std::count_if(reports.begin(), reports.end(),
                                     [](const runner::CellReport& r) { return r.imported && !r.rolled_back; });
    const bool real_host = std::any_of(hosts.begin(), hosts.end(),
                                       [](const runner::HostContext& h) { return h.kind == scenario::HostKind::real; });
    // What the engine state says may still be on each real host (rows a rollback did not
    // confirm gone). Unreadable state counts as "something is left".
    std::vector<RecoverTarget> targets;
    for (std::size_t i = 0; i < hosts.size(); ++i) {
        if (hosts[i].kind != scenario::HostKind::real) continue;
        const auto& spec = specs[i];
        targets.push_back({hosts[i].target.url, spec.admin_api_key_env,
                           spec.admin_api_key.empty() ? spec.admin_email : std::string{}, spec.admin_password_env});
    }
    auto owned = still_owned(m_store, targets);
    if (!real_host || (out.left_on_host == 0 && owned && owned->empty())) {
        drop();
        return out;
    }
    out.kept = true;
    out.stopped_waiting = aborted && aborted->load();
    out.engine_state = file().string();
    if (owned)
        out.owned = std::move(*owned);
    else
        out.unreadable = owned.error().message;
    return out;
}

void RunState::drop() {
    if (m_dir.empty()) return;
    std::error_code ignored;
    fs::remove_all(m_dir, ignored);
}

}  // namespace crm::harness::session
