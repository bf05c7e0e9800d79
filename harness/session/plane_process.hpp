#pragma once
// The run's own control plane, for a scenario with "engine": {"via": "serve"} and no url: a child
// process of the same binary, `crm-accept serve --listen 127.0.0.1:0 --port-file F --db <the
// run's state file> --pack-dir D --log-format json`, with its token in its environment only (on
// top of the run's environment, so the engine finds the same upstream key variables). Its JSON
// log goes to a file next to the state file, never into the bundle.
//
// start() returns once /healthz answers 200; a child that exits first, never writes its port or
// never turns healthy within the start timeout is an error quoting the last line of its log (and
// the child is gone). The child also asks the kernel for SIGTERM when the run's process dies, so
// a killed run does not leave it behind. stop() (the destructor calls it) sends SIGTERM, waits up
// to the grace period, then SIGKILL, and reaps the child; idempotent.
#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "probes/http/transport.hpp"
#include "util/error.hpp"

namespace crm::harness::session {

struct PlaneProcessOptions {
    std::filesystem::path exe = "/proc/self/exe";
    std::filesystem::path db;
    std::filesystem::path pack_dir;
    std::filesystem::path work_dir;                        // port file and log (the run's state directory)
    std::string token;                                     // a secret: SUB2API_CRM_ADMIN_TOKEN of the child only
    std::vector<std::pair<std::string, std::string>> env;  // more variables for the child
    std::chrono::milliseconds start_timeout{std::chrono::seconds(20)};
    // SIGTERM, then SIGKILL after this; the child drains within --shutdown-grace 3s, under it.
    std::chrono::milliseconds stop_grace{std::chrono::seconds(5)};
};

class PlaneProcess {
  public:
    [[nodiscard]] static util::Result<std::unique_ptr<PlaneProcess>> start(const PlaneProcessOptions& options,
                                                                           probes::HttpTransport& http);
    ~PlaneProcess();
    PlaneProcess(const PlaneProcess&) = delete;
    PlaneProcess& operator=(const PlaneProcess&) = delete;

    [[nodiscard]] const std::string& url() const { return m_url; }
    [[nodiscard]] const std::filesystem::path& log_file() const { return m_log; }
    void stop();

  private:
    PlaneProcess(int pid, std::filesystem::path log, std::chrono::milliseconds grace)
        : m_pid(pid), m_log(std::move(log)), m_grace(grace) {}
    int m_pid = -1;
    std::string m_url;
    std::filesystem::path m_log;
    std::chrono::milliseconds m_grace;
};

}  // namespace crm::harness::session
