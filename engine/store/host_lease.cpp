#include "engine/store/host_lease.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace crm::engine::store {

using util::ErrorCode;
using util::fail;
using util::Result;

Result<HostLease> HostLease::acquire(const std::filesystem::path& state_file, std::int64_t host_id, LeaseKind kind,
                                     std::chrono::milliseconds wait, const std::string& host_label) {
    // One lock file per real database file, however the path to it is spelled (symlinks, ..).
    std::error_code ec;
    auto canonical = std::filesystem::weakly_canonical(state_file, ec);
    if (ec) canonical = state_file;
    const std::filesystem::path dir = canonical.string() + ".locks";
    std::filesystem::create_directories(dir, ec);
    if (ec) {
        return fail(ErrorCode::io,
                    fmt::format("state store: cannot create lock directory {}: {}", dir.string(), ec.message()));
    }
    ::chmod(dir.c_str(), 0700);
    const auto file = dir / fmt::format("host-{}.lock", host_id);
    int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        return fail(ErrorCode::io,
                    fmt::format("state store: cannot open lock {}: {}", file.string(), std::strerror(errno)));
    }
    const int op = (kind == LeaseKind::shared ? LOCK_SH : LOCK_EX) | LOCK_NB;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        if (::flock(fd, op) == 0) return HostLease(fd, kind);
        if (errno == EINTR) continue;
        if (errno != EWOULDBLOCK || std::chrono::steady_clock::now() >= deadline) break;
        // Polling rather than a blocking flock keeps the wait bounded and interruptible; the
        // only long holder of the exclusive lease is recover, and writers hold it for seconds.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const int saved = errno;
    ::close(fd);
    if (saved != EWOULDBLOCK) {
        return fail(ErrorCode::io, fmt::format("state store: cannot lock {}: {}", file.string(), std::strerror(saved)));
    }
    return fail(ErrorCode::conflict, kind == LeaseKind::exclusive
                                         ? fmt::format("host {} is in use by another engine operation on {} (import, "
                                                       "access or rollback); run recover when it has finished",
                                                       host_label, state_file.string())
                                         : fmt::format("host {} is being recovered by another engine process on {}; "
                                                       "retry when recover has finished",
                                                       host_label, state_file.string()));
}

HostLease::HostLease(HostLease&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)), m_kind(other.m_kind) {}

HostLease& HostLease::operator=(HostLease&& other) noexcept {
    if (this != &other) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = std::exchange(other.m_fd, -1);
        m_kind = other.m_kind;
    }
    return *this;
}

HostLease::~HostLease() {
    if (m_fd >= 0) ::close(m_fd);  // closing the last descriptor releases the flock
}

}  // namespace crm::engine::store
