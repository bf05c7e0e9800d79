#include "engine/store/host_lease.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "engine_rig.hpp"

using namespace crm;
using namespace crm::engine;
using crm::engine::store::HostLease;
using crm::engine::store::LeaseKind;
using crm::test::EngineRig;
using namespace std::chrono_literals;

namespace {

std::filesystem::path temp_state_file() {
    auto dir = std::filesystem::temp_directory_path() / ("crm-lease-" + util::random_hex(6));
    std::filesystem::create_directories(dir);
    return dir / "engine.db";
}

// Waits until the peer writes one byte (or closes the pipe); false after 120 s, so a stuck
// child fails the test instead of hanging it.
bool wait_for(int fd) {
    pollfd p{fd, POLLIN, 0};
    int n = 0;
    while ((n = ::poll(&p, 1, 120000)) < 0 && errno == EINTR) {
    }
    if (n <= 0) return false;
    char c = 0;
    while (::read(fd, &c, 1) < 0 && errno == EINTR) {
    }
    return true;
}

}  // namespace

TEST_CASE("host lease: writers share it, recover excludes them, a killed holder releases it", "[engine][component]") {
    const auto db = temp_state_file();
    auto a = HostLease::acquire(db, 7, LeaseKind::shared, 0ms, "h");
    auto b = HostLease::acquire(db, 7, LeaseKind::shared, 0ms, "h");
    REQUIRE(a);
    REQUIRE(b);
    auto x = HostLease::acquire(db, 7, LeaseKind::exclusive, 50ms, "http://h");
    REQUIRE_FALSE(x);
    CHECK(x.error().code == util::ErrorCode::conflict);
    CHECK(x.error().message.find("http://h") != std::string::npos);
    CHECK(HostLease::acquire(db, 8, LeaseKind::exclusive, 0ms, "other host"));  // per host
    {
        auto gone = std::move(*a);
    }
    CHECK_FALSE(HostLease::acquire(db, 7, LeaseKind::exclusive, 0ms, "h"));  // b still holds it
    {
        auto gone = std::move(*b);
    }
    auto ex = HostLease::acquire(db, 7, LeaseKind::exclusive, 0ms, "h");
    REQUIRE(ex);
    CHECK_FALSE(HostLease::acquire(db, 7, LeaseKind::shared, 0ms, "h"));
    {
        auto gone = std::move(*ex);
    }

    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        auto held = HostLease::acquire(db, 7, LeaseKind::shared, 0ms, "h");
        (void)!::write(ready[1], "x", 1);
        ::pause();  // until SIGKILL
        ::_exit(held ? 0 : 1);
    }
    ::close(ready[1]);
    if (!wait_for(ready[0])) ::kill(pid, SIGKILL);
    ::close(ready[0]);
    CHECK_FALSE(HostLease::acquire(db, 7, LeaseKind::exclusive, 0ms, "h"));
    ::kill(pid, SIGKILL);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(HostLease::acquire(db, 7, LeaseKind::exclusive, 0ms, "h"));
}

TEST_CASE("engine: recover refuses while another process is importing, and leaves its batch alone",
          "[engine][component]") {
    auto rig = EngineRig::start("healthy");
    auto req = rig->request({AccessMode::self_service}, "live");
    int paused[2], resume[2];
    REQUIRE(::pipe(paused) == 0);
    REQUIRE(::pipe(resume) == 0);
    rig->release();
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        // Child: an importer that stops after its second host write until told to go on.
        ::close(paused[0]);
        ::close(resume[1]);
        rig->make_engine([&](std::size_t writes) {
            if (writes != 2) return;
            (void)!::write(paused[1], "x", 1);
            (void)wait_for(resume[0]);
        });
        auto imp = rig->engine->import(rig->host, req);
        ::_exit(imp && imp->batch_status == BatchStatus::succeeded ? 0 : 1);
    }
    ::close(paused[1]);
    ::close(resume[0]);
    if (!wait_for(paused[0])) {
        ::kill(pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        FAIL("the importer child never reached its second host write");
    }

    rig->make_engine();
    auto batches = rig->store->batches();
    REQUIRE(batches);
    REQUIRE(batches->size() == 1);
    const auto live = batches->front();
    CHECK(live.status == BatchStatus::running);
    auto rec = rig->engine->recover(rig->host);
    REQUIRE_FALSE(rec);
    CHECK(rec.error().code == util::ErrorCode::conflict);
    CHECK(rig->store->batch(live.id)->status == BatchStatus::running);  // untouched

    (void)!::write(resume[1], "x", 1);
    ::close(resume[1]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);  // the importer finished undisturbed
    ::close(paused[0]);

    auto after = rig->engine->recover(rig->host);
    REQUIRE(after);
    CHECK(after->clean());
    CHECK(rig->store->batch(live.id)->status == BatchStatus::succeeded);
    auto rb = rig->engine->rollback(rig->host, live.id);
    REQUIRE(rb);
    CHECK(rb->batch_status == BatchStatus::rolled_back);
    CHECK(rig->host_resources_named("live") == 0);
}
