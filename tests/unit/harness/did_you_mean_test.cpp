#include "harness/cli/did_you_mean.hpp"

#include <catch2/catch.hpp>

using crm::harness::cli::did_you_mean;
using crm::harness::cli::edit_distance;

namespace {
const std::vector<std::string> k_verbs{"host-probe", "install-pack", "preview",   "import", "access",
                                       "status",     "rollback",     "reconcile", "recover"};
}  // namespace

TEST_CASE("did you mean: edits count inserts, deletes, replacements and adjacent swaps once each") {
    CHECK(edit_distance("rollback", "rollback") == 0);
    CHECK(edit_distance("rolback", "rollback") == 1);    // missing letter
    CHECK(edit_distance("rollbacks", "rollback") == 1);  // extra letter
    CHECK(edit_distance("rollbuck", "rollback") == 1);   // wrong letter
    CHECK(edit_distance("rnu", "run") == 1);             // swapped letters
    CHECK(edit_distance("", "run") == 3);
    CHECK(edit_distance("frob", "run") == 3);
}

TEST_CASE("did you mean: a name at most two edits away is suggested") {
    CHECK(did_you_mean("rolback", k_verbs) == std::optional<std::string>("rollback"));
    CHECK(did_you_mean("stauts", k_verbs) == std::optional<std::string>("status"));
    CHECK(did_you_mean("imprt", k_verbs) == std::optional<std::string>("import"));
    CHECK(did_you_mean("host_probe", k_verbs) == std::optional<std::string>("host-probe"));
}

TEST_CASE("did you mean: the closest name wins, ties go to the earlier name") {
    // "recove" is 1 from recover and 3 from reconcile.
    CHECK(did_you_mean("recove", k_verbs) == std::optional<std::string>("recover"));
    // "ab" is 2 edits from both; the earlier one is suggested.
    CHECK(did_you_mean("ab", {"abcd", "abxy"}) == std::optional<std::string>("abcd"));
    CHECK(did_you_mean("ab", {"abxy", "abcd"}) == std::optional<std::string>("abxy"));
}

TEST_CASE("did you mean: nothing is suggested three edits away or for an empty word") {
    CHECK_FALSE(did_you_mean("frob", k_verbs));
    CHECK_FALSE(did_you_mean("", k_verbs));
    CHECK_FALSE(did_you_mean("rollback-now", k_verbs));
}
