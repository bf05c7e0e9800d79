// The bundle write lock across real descriptors and a real second process: flock conflicts per
// open file description, and the kernel drops it when the holder exits.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "harness/evidence/bundle_lock.hpp"
#include "util/random.hpp"

namespace fs = std::filesystem;
using crm::harness::evidence::bundle_being_written;
using crm::harness::evidence::BundleLock;

namespace {

struct Dir {
    fs::path path = fs::temp_directory_path() / ("crm-bundle-lock-" + crm::util::random_hex(6));
    Dir() { fs::create_directories(path); }
    ~Dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

TEST_CASE("bundle lock: held by one descriptor, seen from another, gone on release", "[catalog]") {
    Dir d;
    CHECK_FALSE(bundle_being_written(d.path));
    auto lock = BundleLock::acquire(d.path, false);
    REQUIRE(lock);
    CHECK(lock->held());
    CHECK(bundle_being_written(d.path));
    auto second = BundleLock::acquire(d.path, false);
    REQUIRE_FALSE(second);
    CHECK(second.error().code == crm::util::ErrorCode::conflict);
    lock->release();
    CHECK_FALSE(bundle_being_written(d.path));
    CHECK_FALSE(bundle_being_written(d.path / "missing"));
    // No file was added to the folder.
    CHECK(fs::is_empty(d.path));
}

TEST_CASE("bundle lock: a second process holding it is seen, its exit frees it", "[catalog]") {
    Dir d;
    int ready[2];
    int go[2];
    REQUIRE(::pipe(ready) == 0);
    REQUIRE(::pipe(go) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(ready[0]);
        ::close(go[1]);
        auto lock = BundleLock::acquire(d.path, true);
        char byte = lock ? 'y' : 'n';
        (void)!::write(ready[1], &byte, 1);
        (void)!::read(go[0], &byte, 1);  // hold until the parent has looked
        ::_exit(0);                      // no release: the kernel drops the lock with the process
    }
    ::close(ready[1]);
    ::close(go[0]);
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);
    CHECK(byte == 'y');
    CHECK(bundle_being_written(d.path));
    ::close(go[1]);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    ::close(ready[0]);
    CHECK_FALSE(bundle_being_written(d.path));
}
