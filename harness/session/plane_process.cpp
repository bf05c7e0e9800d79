#include "harness/session/plane_process.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/serve/plane_client.hpp"

extern char** environ;  // NOLINT: POSIX

namespace crm::harness::session {

namespace {

using Clock = std::chrono::steady_clock;

std::string last_log_line(const std::filesystem::path& log) {
    std::ifstream in(log);
    std::string line, last;
    while (std::getline(in, line)) {
        if (!line.empty()) last = line;
    }
    if (last.size() > 200) last = last.substr(0, 200) + "...";
    return last.empty() ? "(no output)" : last;
}

// The port `serve --port-file` wrote ("PORT" or "HOST:PORT"), 0 while there is none yet.
int read_port(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.pop_back();
    if (auto colon = text.rfind(':'); colon != std::string::npos) text = text.substr(colon + 1);
    if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos) return 0;
    int port = std::stoi(text);
    return port > 0 && port < 65536 ? port : 0;
}

}  // namespace

util::Result<std::unique_ptr<PlaneProcess>> PlaneProcess::start(const PlaneProcessOptions& o,
                                                                probes::HttpTransport& http) {
    const auto port_file = o.work_dir / "serve.port";
    const auto log = o.work_dir / "serve.log";
    std::error_code ec;
    std::filesystem::remove(port_file, ec);
    // Everything the child needs is built before fork(): after it, only async-signal-safe calls.
    std::vector<std::string> args{o.exe.string(),     "serve", "--listen",         "127.0.0.1:0", "--port-file",
                                  port_file.string(), "--db",  o.db.string(),      "--pack-dir",  o.pack_dir.string(),
                                  "--log-format",     "json",  "--shutdown-grace", "3s"};
    std::vector<std::string> env;
    std::vector<std::string> overridden{"SUB2API_CRM_ADMIN_TOKEN", "SUB2API_CRM_RECONCILE_WORKER_ENABLED"};
    for (const auto& [k, v] : o.env) overridden.push_back(k);
    for (char** e = environ; e && *e; ++e) {
        std::string_view kv(*e);
        auto name = kv.substr(0, kv.find('='));
        if (std::find(overridden.begin(), overridden.end(), name) == overridden.end()) env.emplace_back(kv);
    }
    env.push_back("SUB2API_CRM_ADMIN_TOKEN=" + o.token);
    // The run drives every operation itself; a worker reconciling behind it would only add noise.
    env.emplace_back("SUB2API_CRM_RECONCILE_WORKER_ENABLED=false");
    for (const auto& [k, v] : o.env) env.push_back(k + "=" + v);
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);

    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (log_fd < 0)
        return util::fail(util::ErrorCode::io, fmt::format("cannot create {}: {}", log.string(), std::strerror(errno)));
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        ::close(log_fd);
        return util::fail(util::ErrorCode::internal, fmt::format("fork: {}", std::strerror(errno)));
    }
    if (pid == 0) {
        // The run may die without stopping us (SIGKILL): take the control plane with it.
        ::prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (::getppid() != parent) ::_exit(127);
        // A process group of its own: a terminal's Ctrl-C (or a signal to the run's group) must
        // not stop the control plane while the interrupted run still rolls back through it; the
        // run stops it itself when the cells are done.
        ::setpgid(0, 0);
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        const int null_fd = ::open("/dev/null", O_RDONLY);
        if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
        // Nothing else of the run's crosses over: its stub hosts' listening and connected sockets
        // (not close-on-exec) would otherwise stay open in the child.
        ::close_range(3, ~0U, 0);
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    ::close(log_fd);
    std::unique_ptr<PlaneProcess> p(new PlaneProcess(pid, log, o.stop_grace));

    const auto deadline = Clock::now() + o.start_timeout;
    auto failed = [&](std::string_view why) {
        p->stop();
        return util::fail(util::ErrorCode::connect_failed, fmt::format("the run's control plane ({} serve) {}: {}",
                                                                       o.exe.string(), why, last_log_line(log)));
    };
    int port = 0;
    while (port == 0) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            p->m_pid = -1;
            return failed(fmt::format("exited with status {} before listening",
                                      WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)));
        }
        if (Clock::now() > deadline) return failed("wrote no port file in time");
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        port = read_port(port_file);
    }
    p->m_url = fmt::format("http://127.0.0.1:{}", port);
    serve::PlaneClient client(http, serve::PlaneClientOptions{p->m_url, o.token, std::chrono::milliseconds(1000),
                                                              std::chrono::milliseconds(2000)});
    for (;;) {
        auto h = client.health();
        if (h) break;
        if (Clock::now() > deadline) return failed(fmt::format("did not turn healthy ({})", h.error().message));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return p;
}

PlaneProcess::~PlaneProcess() { stop(); }

void PlaneProcess::stop() {
    if (m_pid <= 0) return;
    const pid_t pid = m_pid;
    m_pid = -1;
    ::kill(pid, SIGTERM);
    const auto deadline = Clock::now() + m_grace;
    int status = 0;
    while (Clock::now() < deadline) {
        if (::waitpid(pid, &status, WNOHANG) == pid) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &status, 0);
}

}  // namespace crm::harness::session
