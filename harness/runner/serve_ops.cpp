#include "harness/runner/serve_ops.hpp"

#include <fmt/format.h>

namespace crm::harness::runner {

ServeOps::ServeOps(const ServePlane& plane, engine::StateStore& store, util::SecretRegistry& secrets,
                   std::string provider)
    : m_plane(plane), m_store(store), m_secrets(secrets), m_provider(std::move(provider)) {}

util::Result<const PlaneHostRef*> ServeOps::host_ref(const engine::HostTarget& host) const {
    auto it = m_plane.hosts.find(host.url);
    if (it == m_plane.hosts.end() || !m_plane.client)
        return util::fail(util::ErrorCode::internal,
                          fmt::format("host {} was not registered with the control plane", host.url));
    return &it->second;
}

util::Result<engine::ImportOutcome> ServeOps::import(const engine::HostTarget& host,
                                                     const engine::ImportRequest& request) {
    CRM_TRY(ref, host_ref(host));
    serve::ImportCall call{ref->id, request.pack_id, request.modes, request.name_prefix, request.owner_run};
    return m_plane.client->import_provider(request.provider, call);
}

util::Result<engine::AccessOutcome> ServeOps::close_access(const engine::HostTarget& host, std::int64_t batch_id,
                                                           engine::AccessMode mode,
                                                           const engine::AccessOptions& options) {
    CRM_TRY(ref, host_ref(host));
    serve::AccessCall call;
    call.host_id = ref->id;
    call.batch_id = batch_id;
    call.mode = mode;
    call.stream_check = options.stream_check;
    call.account_test = options.account_test;
    if (options.reuse_user) {
        call.user_email = options.reuse_user->email;
        call.user_password_env = ref->user_password_env;
    }
    CRM_TRY(out, m_plane.client->close_access(m_provider, call));
    // The API never returns the key; the server stored it in the state file both sides share.
    auto row = m_store.access(batch_id, mode);
    if (row && row->has_value() && !(*row)->api_key.empty()) {
        out.api_key = (*row)->api_key;
        m_secrets.add(out.api_key);
    }
    return out;
}

util::Result<engine::ReconcileOutcome> ServeOps::reconcile(const engine::HostTarget& host, std::int64_t batch_id) {
    CRM_TRY(ref, host_ref(host));
    return m_plane.client->reconcile_provider(m_provider, batch_id, ref->id);
}

util::Result<engine::RollbackOutcome> ServeOps::rollback(const engine::HostTarget& host, std::int64_t batch_id) {
    CRM_TRY_VOID(host_ref(host));
    return m_plane.client->rollback_batch(batch_id);
}

}  // namespace crm::harness::runner
