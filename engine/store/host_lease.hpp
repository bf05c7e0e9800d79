#pragma once
// Which engine operations may touch one host of one state file at the same time.
//
// Writers (import, access, rollback) hold a *shared* lease for as long as they talk to the host;
// any number of them, in any number of threads and processes, run side by side. recover holds
// the *exclusive* lease: it treats every pending/running batch as the remains of a dead process,
// which is only true when no writer is alive.
//
// Contract:
// - a lease is an advisory flock(2) on `<state file>.locks/host-<id>.lock` (directory 0700), so
//   the kernel releases it when its holder exits, however it exits: a killed importer never
//   blocks recover;
// - acquire() waits up to `wait` (polling; a zero wait tries once) and then fails with
//   ErrorCode::conflict naming the host and the state file;
// - flock conflicts per open file, so two leases in one process conflict exactly as two
//   processes would (the harness's parallel cells hold shared leases side by side);
// - move-only; the lease is released when the object is destroyed.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

#include "util/error.hpp"

namespace crm::engine::store {

enum class LeaseKind { shared, exclusive };

class HostLease {
  public:
    [[nodiscard]] static util::Result<HostLease> acquire(const std::filesystem::path& state_file, std::int64_t host_id,
                                                         LeaseKind kind, std::chrono::milliseconds wait,
                                                         const std::string& host_label);

    HostLease(HostLease&& other) noexcept;
    HostLease& operator=(HostLease&& other) noexcept;
    HostLease(const HostLease&) = delete;
    HostLease& operator=(const HostLease&) = delete;
    ~HostLease();

    [[nodiscard]] LeaseKind kind() const { return m_kind; }

  private:
    HostLease(int fd, LeaseKind kind) : m_fd(fd), m_kind(kind) {}
    int m_fd = -1;
    LeaseKind m_kind = LeaseKind::shared;
};

}  // namespace crm::engine::store
