#include "harness/session/still_owned.hpp"

#include <catch2/catch.hpp>

using crm::harness::session::recover_command;
using crm::harness::session::RecoverTarget;

TEST_CASE("still owned: the recover command names the run's admin variables, never a secret") {
    CHECK(recover_command("/tmp/crm-accept-ab/state.sqlite",
                          {"https://relay.example.com", "CRM_ADMIN_API_KEY", "", ""}) ==
          "crm-accept engine recover --db /tmp/crm-accept-ab/state.sqlite --host-url https://relay.example.com "
          "--admin-key-env CRM_ADMIN_API_KEY");
    CHECK(recover_command("/s.db", {"http://h:1", "", "ops@example.com", "CRM_ADMIN_PASSWORD"}) ==
          "crm-accept engine recover --db /s.db --host-url http://h:1 --admin-email ops@example.com "
          "--admin-password-env CRM_ADMIN_PASSWORD");
    // A key written literally in the scenario: the engine's default variable, and what to export.
    CHECK(recover_command("/s.db", {"http://h:1", "", "", ""}) ==
          "crm-accept engine recover --db /s.db --host-url http://h:1"
          "  # export SUB2API_ADMIN_KEY=<the scenario's admin key> first");
    // A literal password: the login still works through the default password variable.
    CHECK(recover_command("/s.db", {"http://h:1", "", "ops@example.com", ""}) ==
          "crm-accept engine recover --db /s.db --host-url http://h:1 --admin-email ops@example.com "
          "--admin-password-env SUB2API_ADMIN_PASSWORD"
          "  # export SUB2API_ADMIN_PASSWORD=<the scenario's admin password> first");
}

TEST_CASE("still owned: a state path with spaces or quotes is quoted for the shell") {
    CHECK(recover_command("/tmp/my dir/state.sqlite", {"http://h:1", "K", "", ""}) ==
          "crm-accept engine recover --db '/tmp/my dir/state.sqlite' --host-url http://h:1 --admin-key-env K");
    CHECK(recover_command("/tmp/o'k/s.db", {"http://h:1", "K", "", ""}).find("'/tmp/o'\\''k/s.db'") !=
          std::string::npos);
}
