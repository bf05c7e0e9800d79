#include "harness/evidence/bundle_lock.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace crm::harness::evidence {

namespace {

int open_dir(const std::filesystem::path& dir) {
    // Linux lets flock work on a read-only directory descriptor, so the lock needs no file of its
    // own inside the bundle.
    return ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

}  // namespace

util::Result<BundleLock> BundleLock::acquire(const std::filesystem::path& dir, bool wait) {
    const int fd = open_dir(dir);
    if (fd < 0) {
        return util::fail(util::ErrorCode::io,
                          fmt::format("{}: cannot open the bundle to lock it: {}", dir.string(), std::strerror(errno)));
    }
    int rc = 0;
    do {
        rc = ::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        const int err = errno;
        ::close(fd);
        if (err == EWOULDBLOCK)
            return util::fail(util::ErrorCode::conflict,
                              fmt::format("{}: another process is writing this bundle", dir.string()));
        return util::fail(util::ErrorCode::io,
                          fmt::format("{}: cannot lock the bundle: {}", dir.string(), std::strerror(err)));
    }
    return BundleLock(fd);
}

BundleLock::BundleLock(BundleLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}

BundleLock& BundleLock::operator=(BundleLock&& other) noexcept {
    if (this != &other) {
        release();
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

BundleLock::~BundleLock() { release(); }

void BundleLock::release() noexcept {
    // Closing the only descriptor of the open file description drops the flock with it.
    if (m_fd >= 0) ::close(std::exchange(m_fd, -1));
}

bool bundle_being_written(const std::filesystem::path& dir) {
    const int fd = open_dir(dir);
    if (fd < 0) return false;
    // A shared lock conflicts only with the writer's exclusive one; readers never block each other.
    const bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    ::close(fd);
    return held;
}

}  // namespace crm::harness::evidence
