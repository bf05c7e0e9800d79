// Authentication runs before routing so that a caller without the token learns nothing about
// which paths exist; /healthz (and /metrics when public) are the only routes looked up first.
#include "harness/serve/control_server.hpp"

#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <thread>

#include "harness/serve/error_shape.hpp"
#include "harness/serve/http_listener.hpp"
#include "harness/serve/router.hpp"
#include "util/files.hpp"

namespace crm::harness::serve {

namespace {

std::string_view metric_method(std::string_view method) {
    for (std::string_view known : {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}) {
        if (method == known) return known;
    }
    return "OTHER";
}

constexpr std::string_view k_healthz = "/healthz";
constexpr std::string_view k_metrics = "/metrics";
constexpr std::string_view k_unmatched = "unmatched";

struct Answer {
    ApiResponse response;
    std::string route{k_unmatched};
    std::string content_type = "application/json";
    std::string text;  // a non-JSON body (metrics)
};

Answer error_answer(int status, std::string code, std::string message) {
    Answer a;
    a.response.status = status;
    a.response.body = error_body(ApiError{status, std::move(code), std::move(message)});
    return a;
}

}  // namespace

util::Result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view text) {
    const auto bad = [&] {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("--listen expects HOST:PORT (e.g. 127.0.0.1:8080), got '{}'", text));
    };
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon + 1 == text.size()) return bad();
    std::string host(text.substr(0, colon));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host.empty()) host = "127.0.0.1";
    boost::system::error_code address_ec;
    (void)boost::asio::ip::make_address(host, address_ec);
    if (address_ec) {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("--listen expects an IP address (e.g. 127.0.0.1:8080), got '{}'", text));
    }
    const auto port_text = text.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) return bad();
    return std::make_pair(host, static_cast<std::uint16_t>(port));
}

struct ControlServer::Impl {
    ServeOptions options;
    Router router;
    AdminToken token;
    ServerParts parts;
    std::unique_ptr<HttpListener> listener;

    Impl(ServeOptions o, std::vector<Route> routes, AdminToken t, ServerParts p)
        : options(std::move(o)), router(std::move(routes)), token(std::move(t)), parts(p) {}

    Answer health() {
        Answer a;
        a.route = std::string(k_healthz);
        json::object body{{"status", "ok"}};
        for (const auto& [k, v] : parts.health.health()) body[k] = v;
        const auto* store = body.if_contains("store");
        if (!store || !store->is_string() || store->get_string() != "ok") {
            body["status"] = "degraded";
            a.response.status = 503;
        }
        a.response.body = std::move(body);
        return a;
    }

    Answer metrics() {
        Answer a;
        a.route = std::string(k_metrics);
        a.content_type = "text/plain; version=0.0.4; charset=utf-8";
        a.text = parts.metrics.render();
        return a;
    }

    Answer route(const RawRequest& raw) {
        const bool is_health = raw.path == k_healthz;
        const bool is_metrics = raw.path == k_metrics;
        if (is_health || is_metrics) {
            if (raw.method != "GET") {
                auto a =
                    error_answer(405, "method_not_allowed", fmt::format("{} does not accept {}", raw.path, raw.method));
                a.route = raw.path;
                a.response.headers.emplace_back("allow", "GET");
                return a;
            }
            if (is_health) return health();
            if (options.metrics_public || token.accepts(raw.header("authorization"))) return metrics();
        }
        if (!token.accepts(raw.header("authorization"))) {
            auto a = error_answer(401, "unauthorized", "missing or wrong bearer token (Authorization: Bearer <token>)");
            if (is_metrics) a.route = std::string(k_metrics);
            a.response.headers.emplace_back("www-authenticate", "Bearer");
            return a;
        }
        auto lookup = router.match(raw.method, raw.path);
        if (std::holds_alternative<RouteNotFound>(lookup)) {
            return error_answer(404, "route_not_found", fmt::format("no route for {} {}", raw.method, raw.path));
        }
        if (auto* nope = std::get_if<MethodNotAllowed>(&lookup)) {
            std::string allow;
            for (const auto& m : nope->allow) allow += (allow.empty() ? "" : ", ") + m;
            auto a = error_answer(405, "method_not_allowed",
                                  fmt::format("{} does not accept {} (allowed: {})", raw.path, raw.method, allow));
            a.response.headers.emplace_back("allow", allow);
            return a;
        }
        auto& match = std::get<RouteMatch>(lookup);
        ApiRequest req;
        req.method = raw.method;
        req.path = raw.path;
        req.params = std::move(match.params);
        req.query = raw.query;
        for (const auto& h : raw.headers)
            if (h.first != "authorization") req.headers.push_back(h);
        req.body = raw.body;
        req.request_id = raw.request_id;
        Answer a;
        a.route = match.route->pattern;
        ApiResult result;
        try {
            result = match.route->handler(req);
        } catch (const std::exception& e) {
            parts.log.write("error", "handler threw", {{"request_id", raw.request_id}, {"error", e.what()}});
            result = std::unexpected(ApiError{500, "internal", "internal error"});
        }
        if (result) {
            a.response = std::move(*result);
        } else {
            a.response.status = result.error().status;
            a.response.body = error_body(result.error());
        }
        return a;
    }

    RawResponse handle(const RawRequest& raw, Refusal refusal) {
        const auto started = std::chrono::steady_clock::now();
        parts.metrics.in_flight_add(1);
        Answer a;
        if (refusal == Refusal::too_large) {
            a = error_answer(413, "payload_too_large",
                             fmt::format("the request body exceeds {} bytes", options.max_body_bytes));
        } else if (refusal == Refusal::read_timeout) {
            a = error_answer(408, "request_timeout", "the request was not received in time");
        } else if (refusal == Refusal::handler_timeout) {
            a = error_answer(504, "request_timeout",
                             fmt::format("the operation did not finish within {} ms; it goes on in the server: read "
                                         "its result back later (e.g. GET /api/import-batches/{{batchID}})",
                                         options.request_timeout.count()));
            const auto lookup = router.match(raw.method, raw.path);
            if (const auto* m = std::get_if<RouteMatch>(&lookup)) a.route = m->route->pattern;
        } else {
            a = route(raw);
        }
        RawResponse out;
        out.status = a.response.status;
        out.content_type = a.content_type;
        out.body = parts.secrets.scrub(a.text.empty() ? json::serialize(a.response.body) : a.text);
        out.headers = std::move(a.response.headers);
        out.headers.emplace_back("x-request-id", raw.request_id);
        const auto took = std::chrono::steady_clock::now() - started;
        const std::string method = raw.method.empty() ? "-" : raw.method;
        // The metric's method label is one of a fixed set: any token is a valid HTTP method, and
        // a label per token would let anyone, token or not, grow the series without bound.
        parts.metrics.http_request(a.route, metric_method(method), out.status, took);
        parts.metrics.in_flight_add(-1);
        parts.log.write(out.status >= 500 ? "error" : "info", "request",
                        {{"request_id", raw.request_id},
                         {"method", method},
                         {"route", a.route},
                         {"path", raw.path},
                         {"status", out.status},
                         {"duration_ms", std::chrono::duration<double, std::milli>(took).count()},
                         {"bytes", out.body.size()}});
        return out;
    }
};

ControlServer::ControlServer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

ControlServer::~ControlServer() { drain(); }

util::Result<std::unique_ptr<ControlServer>> ControlServer::start(ServeOptions options, std::vector<Route> routes,
                                                                  AdminToken token, ServerParts parts) {
    auto impl = std::make_unique<Impl>(std::move(options), std::move(routes), std::move(token), parts);
    ListenerOptions lo;
    lo.address = impl->options.address;
    lo.port = impl->options.port;
    lo.max_body_bytes = impl->options.max_body_bytes;
    lo.read_timeout = impl->options.read_timeout;
    lo.request_timeout = impl->options.request_timeout;
    lo.max_connections = impl->options.max_connections;
    Impl* raw = impl.get();
    CRM_TRY(listener, HttpListener::start(lo, [raw](const RawRequest& r, Refusal f) { return raw->handle(r, f); }));
    impl->listener = std::move(listener);
    return std::unique_ptr<ControlServer>(new ControlServer(std::move(impl)));
}

std::uint16_t ControlServer::port() const { return m_impl->listener->port(); }

std::vector<std::pair<std::string, std::string>> ControlServer::registered() const {
    auto out = m_impl->router.registered();
    out.emplace_back("GET", std::string(k_healthz));
    out.emplace_back("GET", std::string(k_metrics));
    return out;
}

void ControlServer::drain() {
    if (m_impl && m_impl->listener) m_impl->listener->drain(m_impl->options.shutdown_grace);
}

util::Result<void> run_server(const ServeOptions& options, std::vector<Route> routes, AdminToken token,
                              ServerParts parts, const std::atomic<bool>& stop,
                              const std::function<void()>& before_drain) {
    CRM_TRY(server, ControlServer::start(options, std::move(routes), std::move(token), parts));
    if (options.port_file) {
        if (auto w = util::write_atomic(*options.port_file, std::to_string(server->port()) + "\n"); !w) {
            server->drain();
            return std::unexpected(w.error());
        }
    }
    parts.log.write("info", "listening",
                    {{"address", options.address},
                     {"port", server->port()},
                     {"routes", server->registered().size()},
                     {"metrics_public", options.metrics_public}});
    while (!stop.load()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (before_drain) before_drain();
    parts.log.write("info", "draining", {{"grace_ms", options.shutdown_grace.count()}});
    server->drain();
    parts.log.write("info", "stopped accepting; in-flight requests finished", {});
    return {};
}

}  // namespace crm::harness::serve
