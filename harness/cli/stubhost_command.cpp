// `crm-accept stubhost [--profile NAME|FILE] [--port N] [--upstream name=style[:profile] ...]
//  [--fork-admin-key-route]`: runs the stub sub2api host and its stub upstreams until SIGINT /
// SIGTERM. When ready it prints exactly one JSON line on stdout (URLs and credentials of this
// throwaway instance); errors go to stderr. Exit: 130 (main maps the signal) after a clean stop,
// 64 bad --upstream syntax, 3 unknown profile/style or a port that cannot be bound.
#include <chrono>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "harness/cli/command.hpp"
#include "stubs/stub_cluster.hpp"
#include "util/json.hpp"

namespace crm::harness {

namespace {

struct StubhostOptions {
    std::string profile = "healthy";
    std::uint16_t port = 0;
    std::vector<std::string> upstreams;
    bool fork_route = false;
    unsigned threads = 2;
};

// "name=style[:profile]"
bool parse_upstream(const std::string& text, stubs::StubUpstreamSpec& out) {
    auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) return false;
    out.name = text.substr(0, eq);
    std::string rest = text.substr(eq + 1);
    auto colon = rest.find(':');
    out.style = rest.substr(0, colon);
    out.profile = colon == std::string::npos ? "healthy" : rest.substr(colon + 1);
    return !out.style.empty() && !out.profile.empty();
}

ExitCode run_stubhost(const StubhostOptions& opts, CommandContext& ctx) {
    stubs::StubOptions options;
    options.host_profile = opts.profile;
    options.host_port = opts.port;
    options.fork_admin_key_route = opts.fork_route;
    options.threads = opts.threads;
    for (const auto& text : opts.upstreams) {
        stubs::StubUpstreamSpec spec;
        if (!parse_upstream(text, spec)) {
            ctx.err << "crm-accept stubhost: --upstream expects name=style[:profile], got '" << text << "'\n";
            return ExitCode::usage;
        }
        options.upstreams.push_back(spec);
    }
    auto cluster = stubs::StubCluster::start(options);
    if (!cluster) {
        ctx.err << "crm-accept stubhost: " << cluster.error().describe() << "\n";
        return ExitCode::harness_error;
    }
    const auto& ep = (*cluster)->endpoints();
    util::json::object urls, keys;
    for (const auto& [name, url] : ep.upstream_urls) urls[name] = url;
    for (const auto& [name, key] : ep.upstream_keys) keys[name] = key;
    ctx.out << util::json::serialize(util::json::object{{"host_url", ep.host_url},
                                                        {"admin_api_key", ep.admin_api_key},
                                                        {"admin_email", ep.admin_email},
                                                        {"admin_password", ep.admin_password},
                                                        {"upstreams", urls},
                                                        {"upstream_keys", keys}})
            << std::endl;
    while (!ctx.interrupted.load()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    (*cluster)->stop();
    return ExitCode::gate_passed;
}

}  // namespace

void register_stubhost(CLI::App& app, CommandContext& ctx) {
    auto opts = std::make_shared<StubhostOptions>();
    auto* cmd = app.add_subcommand("stubhost", "Run the stub sub2api host and stub upstreams until interrupted");
    std::string names;
    for (const auto& n : stubs::profile_names()) names += (names.empty() ? "" : ", ") + n;
    cmd->add_option("--profile", opts->profile, "Run-wide fault profile: a name (" + names + ") or a JSON file");
    cmd->add_option("--port", opts->port, "Host port (default: ephemeral)");
    cmd->add_option("--upstream", opts->upstreams,
                    "Stub upstream name=style[:profile], style deepseek|minimax|openai (repeatable; default "
                    "deepseek=deepseek minimax=minimax kimi=openai)");
    cmd->add_flag("--fork-admin-key-route", opts->fork_route,
                  "Enable POST /api/v1/admin/users/:id/api-keys (youxuanxue fork)");
    cmd->add_option("--threads", opts->threads, "Reserved (each connection is served by its own thread)");
    cmd->callback([opts, &ctx] { ctx.action = [opts, &ctx] { return run_stubhost(*opts, ctx); }; });
}

}  // namespace crm::harness
