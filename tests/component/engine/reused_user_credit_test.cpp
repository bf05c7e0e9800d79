#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "engine/store/balance_credits.hpp"
#include "engine_rig.hpp"

using namespace crm;
using namespace crm::engine;
using crm::test::EngineRig;

namespace {

double balance_of(EngineRig& rig, const std::string& email) {
    auto users = rig.admin().list_users({{"search", email}});
    if (!users) throw std::runtime_error(users.error().message);
    for (const auto& u : *users) {
        if (u.email == email) return u.balance;
    }
    throw std::runtime_error("no user " + email);
}

}  // namespace

TEST_CASE("engine: balance added to an operator-supplied user is taken back by rollback, and by recover after a crash",
          "[engine][component]") {
    auto rig = EngineRig::start("shared_host_residue");  // seeds legacy-user@example.com
    const std::string email = "legacy-user@example.com";
    AccessOptions reuse;
    reuse.reuse_user = UserCredentials{email, "legacy-password"};
    reuse.balance_usd = 5.0;
    const double before = balance_of(*rig, email);

    auto imp = rig->engine->import(rig->host, rig->request({AccessMode::self_service}));
    REQUIRE(imp);
    auto acc = rig->engine->close_access(rig->host, imp->batch_id, AccessMode::self_service, reuse);
    REQUIRE(acc);
    INFO(acc->error);
    CHECK(acc->access_status == AccessStatus::self_service_ready);
    CHECK(balance_of(*rig, email) > before + 4.0);  // topped up, minus the smoke's cost

    auto rb = rig->engine->rollback(rig->host, imp->batch_id);
    REQUIRE(rb);
    INFO(rb->error);
    CHECK(rb->batch_status == BatchStatus::rolled_back);
    REQUIRE(rb->balance_credits.size() == 1);
    const auto& credit = rb->balance_credits.front();
    CHECK(credit.state == "taken_back");
    CHECK(credit.amount == 5.0);
    CHECK(credit.taken_back > 4.0);
    const double after = balance_of(*rig, email);
    CHECK(after <= before + 1e-9);                                         // nothing of ours left
    CHECK(after == Approx(before - (credit.amount - credit.taken_back)));  // only what was spent
    CHECK(rig->host_resources_named(email) == 1);                          // the user stays

    // A crash right after the top-up reached the host, before the engine recorded it.
    auto second = rig->engine->import(rig->host, rig->request({AccessMode::self_service}));
    REQUIRE(second);
    const double before_crash = balance_of(*rig, email);
    // The first write of this access is the top-up.
    const int status = rig->run_killed_after_write(
        1, [&](Engine& e) { (void)e.close_access(rig->host, second->batch_id, AccessMode::self_service, reuse); });
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 42);
    rig->make_engine();
    CHECK(balance_of(*rig, email) == Approx(before_crash + 5.0));
    auto journal = BalanceCredits(*rig->store).of_batch(second->batch_id);
    REQUIRE(journal);
    REQUIRE(journal->size() == 1);
    CHECK(journal->front().state == CreditState::intent);  // the answer was never recorded

    auto rec = rig->engine->recover(rig->host);
    REQUIRE(rec);
    CHECK(rec->clean());
    CHECK(balance_of(*rig, email) == Approx(before_crash));  // replayed once, then taken back
    journal = BalanceCredits(*rig->store).of_batch(second->batch_id);
    REQUIRE(journal);
    CHECK(journal->front().state == CreditState::taken_back);
    CHECK(journal->front().taken_back == Approx(5.0));
}
