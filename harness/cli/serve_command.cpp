// `crm-accept serve [--listen 127.0.0.1:8080] [--db FILE] [--pack-dir DIR] [--metrics-public]
//  [--log-format text|json] [--max-body BYTES] [--read-timeout DUR] [--request-timeout DUR]
//  [--shutdown-grace DUR] [--port-file FILE]`: the engine's control plane over HTTP (docs/CONTROL-PLANE.md) until
// SIGINT / SIGTERM, then: stop accepting, let in-flight requests finish (up to
// --shutdown-grace), stop the control plane, exit 0.
//
// Exit codes: 0 after a signal-driven stop; 64 a bad flag value (--listen, --log-format, a
// duration); 3 (harness_error) when SUB2API_CRM_ADMIN_TOKEN is missing or shorter than 20
// characters, a reconcile worker variable has a bad value, the state store cannot be opened,
// the address cannot be bound, or --port-file cannot be written — one line on
// stderr each, never the token.
//
// --read-timeout (default 30s): the time a client has to send one complete request and to take
// its response; a slow or stalled client is cut there (408 when it sent part of a request).
// --request-timeout (default 300s): how long one operation may run before its client gets 504
// request_timeout; the operation itself goes on (the engine is journaled: its result can be read
// back), bounded by the engine's own HTTP timeouts.
#include <atomic>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>

#include "harness/cli/command.hpp"
#include "harness/cli/default_db.hpp"
#include "harness/serve/bearer_auth.hpp"
#include "harness/serve/control_plane.hpp"
#include "harness/serve/control_server.hpp"
#include "harness/serve/plane_metrics.hpp"
#include "harness/serve/request_log.hpp"
#include "harness/session/run_setup.hpp"
#include "probes/http/transport.hpp"
#include "util/duration.hpp"
#include "util/secrets.hpp"

namespace crm::harness {

namespace {

struct ServeFlags {
    std::string listen = "127.0.0.1:8080";
    std::string db;
    std::string pack_dir;  // empty: the packs beside the default scenario (installed_pack_dir)
    bool metrics_public = false;
    std::string log_format = "text";
    std::size_t max_body = 1024 * 1024;
    std::string read_timeout = "30s";
    std::string request_timeout = "300s";
    std::string shutdown_grace = "10s";
    std::string port_file;
};

// The packs an installed or checked-out crm-accept ships: beside the default scenario, found the
// way `run` finds it (CRM_ACCEPT_HOME, the binary's directories, the working directory); "packs"
// when there is none, which then fails naming that directory.
std::string installed_pack_dir(const util::EnvLookup& env) {
    auto scenario = session::default_scenario_path(env);
    if (!scenario) return "packs";
    return (std::filesystem::path(*scenario).parent_path().parent_path() / "packs").lexically_normal().string();
}

ExitCode run_serve(const ServeFlags& f, CommandContext& ctx) {
    const auto fail_usage = [&](const std::string& line) {
        ctx.err << "crm-accept serve: " << line << "\n";
        return ExitCode::usage;
    };
    serve::ServeOptions options;
    auto listen = serve::parse_listen(f.listen);
    if (!listen) return fail_usage(listen.error().message);
    options.address = listen->first;
    options.port = listen->second;
    options.metrics_public = f.metrics_public;
    options.max_body_bytes = f.max_body;
    auto read_timeout = util::parse_go_duration(f.read_timeout);
    if (!read_timeout) {
        return fail_usage("--read-timeout expects a duration like 30s or 500ms, got '" + f.read_timeout + "'");
    }
    options.read_timeout = *read_timeout;
    auto request_timeout = util::parse_go_duration(f.request_timeout);
    if (!request_timeout) {
        return fail_usage("--request-timeout expects a duration like 300s or 5m, got '" + f.request_timeout + "'");
    }
    options.request_timeout = *request_timeout;
    auto grace = util::parse_go_duration(f.shutdown_grace);
    if (!grace) {
        return fail_usage("--shutdown-grace expects a positive duration like 10s or 500ms, got '" + f.shutdown_grace +
                          "'");
    }
    options.shutdown_grace = *grace;
    if (!f.port_file.empty()) options.port_file = f.port_file;
    serve::LogFormat format = serve::LogFormat::text;
    if (f.log_format == "json") {
        format = serve::LogFormat::json;
    } else if (f.log_format != "text") {
        return fail_usage("--log-format expects text or json, got '" + f.log_format + "'");
    }

    util::SecretRegistry secrets;
    auto token = serve::AdminToken::from_env(ctx.env, secrets);
    if (!token) {
        ctx.err << "crm-accept serve: " << token.error().message << "\n";
        return ExitCode::harness_error;
    }
    serve::RequestLog log(ctx.err, format, secrets);
    serve::PlaneMetrics metrics;
    const std::string db = f.db.empty() ? default_db(ctx.env) : f.db;
    const std::string pack_dir = f.pack_dir.empty() ? installed_pack_dir(ctx.env) : f.pack_dir;
    log.write("info", "starting", {{"db", db}, {"pack_dir", pack_dir}});

    auto worker = serve::worker_settings(ctx.env);
    if (!worker) {
        ctx.err << "crm-accept serve: " << worker.error().message << "\n";
        return ExitCode::harness_error;
    }
    auto http = probes::make_curl_transport();
    auto plane =
        serve::ControlPlane::open({db, pack_dir, ctx.env, worker->first, worker->second}, *http, secrets, metrics);
    if (!plane) {
        ctx.err << "crm-accept serve: " << secrets.scrub(plane.error().describe()) << "\n";
        return ExitCode::harness_error;
    }
    (*plane)->start_worker();

    ctx.signal_is_stop = true;
    auto ran = serve::run_server(options, (*plane)->routes(), std::move(*token),
                                 serve::ServerParts{**plane, metrics, log, secrets}, ctx.interrupted,
                                 [&plane] { (*plane)->stop(); });
    // Stopped before the drain already (idempotent); again for a server that never started. The
    // store closes with the plane.
    (*plane)->stop();
    if (!ran) {
        ctx.err << "crm-accept serve: " << secrets.scrub(ran.error().describe()) << "\n";
        return ExitCode::harness_error;
    }
    log.write("info", "stopped", {});
    return ExitCode::gate_passed;
}

}  // namespace

void register_serve(CLI::App& app, CommandContext& ctx) {
    auto f = std::make_shared<ServeFlags>();
    auto* cmd = app.add_subcommand(
        "serve", "Run the engine's control plane over HTTP (needs SUB2API_CRM_ADMIN_TOKEN, >= 20 characters)");
    cmd->add_option("--listen", f->listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
    cmd->add_option("--db", f->db, "State database (default $XDG_STATE_HOME/crm-accept/engine.db)");
    cmd->add_option("--pack-dir", f->pack_dir,
                    "Directory of pack files installable over the API (default: the packs shipped beside the "
                    "default scenario)");
    cmd->add_flag("--metrics-public", f->metrics_public, "Serve /metrics without the token");
    cmd->add_option("--log-format", f->log_format, "Log lines on stderr: text or json")->capture_default_str();
    cmd->add_option("--max-body", f->max_body, "Largest request body in bytes (413 above)")->capture_default_str();
    cmd->add_option("--read-timeout", f->read_timeout,
                    "Time a client has to send a request and take its response (e.g. 30s, 500ms)")
        ->capture_default_str();
    cmd->add_option("--request-timeout", f->request_timeout,
                    "Time an operation may run before its client gets 504 (it goes on; e.g. 300s, 5m)")
        ->capture_default_str();
    cmd->add_option("--shutdown-grace", f->shutdown_grace,
                    "On SIGINT/SIGTERM: how long in-flight requests may still run")
        ->capture_default_str();
    cmd->add_option("--port-file", f->port_file, "Write the bound port to this file once listening");
    cmd->callback([f, &ctx] { ctx.action = [f, &ctx] { return run_serve(*f, ctx); }; });
}

}  // namespace crm::harness
