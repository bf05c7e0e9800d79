#pragma once
// Whether a host write that failed certainly did not happen.
//
// A write is journaled before it is sent (an intent row, a balance credit); when it fails, the
// journal entry is either closed (`absent`: nothing to undo) or left open for rollback/recover
// to resolve on the host. Closing it wrongly leaks a resource or money on an operator's host, so
// only one kind of failure closes it: the host refused it with a definite 4xx (bad request,
// not found, conflict, auth). 408, 425 and 429 are excluded: they are "try again", not "no".
// Everything else leaves the outcome unknown: a 5xx (a proxy may answer 502 after the backend
// applied it), a timeout, a stall, an interrupt, and every transport failure — the transport's
// connect_failed also covers resets and empty replies after the request was sent.
#include "util/error.hpp"

namespace crm::engine {

[[nodiscard]] inline bool write_certainly_not_applied(const util::Error& e) {
    const int s = e.http_status;
    return s >= 400 && s < 500 && s != 408 && s != 425 && s != 429;
}

}  // namespace crm::engine
