#pragma once
// The write lock of a bundle being written. BundleWriter holds an exclusive flock(2) on the
// bundle directory's own file descriptor from create() until finalize() or its destruction, so a
// reader (the catalog) can tell "a run is writing this right now" from "a run died here": both
// leave 00-run.json "incomplete", only the first holds the lock. No file is added to the bundle
// (verify would see it), and the kernel drops the lock when the writing process dies, so a killed
// run never leaves a stale lock behind.
//
// flock locks belong to an open file description: a second open() of the same directory, even in
// the same process, conflicts with the first.
#include <filesystem>

#include "util/error.hpp"

namespace crm::harness::evidence {

class BundleLock {
  public:
    BundleLock() = default;
    // Opens `dir` (O_RDONLY | O_DIRECTORY) and takes the exclusive lock. `wait`: block until any
    // reader's momentary shared lock is gone (a freshly created folder); otherwise fail at once.
    // io: the directory cannot be opened; conflict: another descriptor holds the lock.
    [[nodiscard]] static util::Result<BundleLock> acquire(const std::filesystem::path& dir, bool wait);

    BundleLock(BundleLock&& other) noexcept;
    BundleLock& operator=(BundleLock&& other) noexcept;
    BundleLock(const BundleLock&) = delete;
    BundleLock& operator=(const BundleLock&) = delete;
    ~BundleLock();

    [[nodiscard]] bool held() const { return m_fd >= 0; }
    // Drops the lock (and the descriptor); a no-op when none is held.
    void release() noexcept;

  private:
    explicit BundleLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

// True when some process holds `dir`'s write lock now (a run is writing it). False when nobody
// does, and when `dir` cannot be opened (nothing is writing a folder that is not there).
[[nodiscard]] bool bundle_being_written(const std::filesystem::path& dir);

}  // namespace crm::harness::evidence
