#include "harness/runner/abortable_transport.hpp"

namespace crm::harness::runner {

util::Result<probes::HttpResponse> AbortableTransport::send(const probes::HttpRequest& request) {
    if (m_abort.load()) {
        return util::fail(util::ErrorCode::interrupted, "not sent: the run was stopped (second interrupt)");
    }
    if (request.cancel != nullptr) return m_inner.send(request);
    probes::HttpRequest copy = request;
    copy.cancel = &m_abort;
    return m_inner.send(copy);
}

}  // namespace crm::harness::runner
