#include "harness/runner/abortable_transport.hpp"

#include <catch2/catch.hpp>
#include <vector>

using namespace crm;

namespace {

// Records what it was asked; answers 200.
class RecordingTransport final : public probes::HttpTransport {
  public:
    util::Result<probes::HttpResponse> send(const probes::HttpRequest& request) override {
        cancels.push_back(request.cancel);
        probes::HttpResponse r;
        r.status = 200;
        return r;
    }
    std::vector<const std::atomic<bool>*> cancels;
};

}  // namespace

TEST_CASE("abortable transport: admin calls get the abort flag; probes keep their own cancel flag") {
    RecordingTransport inner;
    std::atomic<bool> abort{false}, interrupted{false};
    harness::runner::AbortableTransport t(inner, abort);
    probes::HttpRequest admin;
    admin.url = "http://h/api/v1/admin/groups/1";
    REQUIRE(t.send(admin));
    probes::HttpRequest probe = admin;
    probe.cancel = &interrupted;
    REQUIRE(t.send(probe));
    REQUIRE(inner.cancels.size() == 2);
    CHECK(inner.cancels[0] == &abort);
    CHECK(inner.cancels[1] == &interrupted);
}

TEST_CASE("abortable transport: once aborted nothing more is sent") {
    RecordingTransport inner;
    std::atomic<bool> abort{true};
    harness::runner::AbortableTransport t(inner, abort);
    auto r = t.send(probes::HttpRequest{});
    REQUIRE_FALSE(r);
    CHECK(r.error().code == util::ErrorCode::interrupted);
    CHECK(inner.cancels.empty());
}
