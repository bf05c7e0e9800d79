#pragma once
// An HttpTransport that a second SIGINT / SIGTERM can cut short. The first signal stops the
// probes (they carry the run's interrupt flag as HttpRequest::cancel) and the cells roll back; a
// host that hangs during that rollback would otherwise hold the run for every admin call's full
// timeout. Once `abort` is set:
// - a request in flight without a cancel flag of its own ends as `interrupted` (libcurl polls
//   the flag about once a second), and
// - every later request fails at once with `interrupted`, without touching the network.
// Requests that already carry a cancel flag keep it (the run's interrupt flag, set before
// `abort` can be). Borrows `inner` and `abort`; thread-safe as `inner` is.
#include <atomic>

#include "probes/http/transport.hpp"

namespace crm::harness::runner {

class AbortableTransport final : public probes::HttpTransport {
  public:
    AbortableTransport(probes::HttpTransport& inner, const std::atomic<bool>& abort) : m_inner(inner), m_abort(abort) {}
    [[nodiscard]] util::Result<probes::HttpResponse> send(const probes::HttpRequest& request) override;

  private:
    probes::HttpTransport& m_inner;
    const std::atomic<bool>& m_abort;
};

}  // namespace crm::harness::runner
