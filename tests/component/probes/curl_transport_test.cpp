#include <catch2/catch.hpp>
#include <thread>

#include "probes/http/transport.hpp"
#include "tests/component/probes/loopback_server.hpp"

using namespace std::chrono_literals;
using crm::probes::HttpRequest;
using crm::probes::make_curl_transport;
using crm::test::http_response;
using crm::test::LoopbackServer;
using crm::test::RawConn;
using crm::test::RawRequest;
using crm::util::ErrorCode;

namespace {

HttpRequest get(const std::string& url) {
    HttpRequest r;
    r.url = url;
    r.timeouts.connect = 2000ms;
    r.timeouts.total = 10000ms;
    r.timeouts.idle = 5000ms;
    return r;
}

bool sse_head(RawConn& c) {
    return c.write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n");
}

}  // namespace

TEST_CASE("curl transport: 200 answer carries status line, headers, body and timing") {
    LoopbackServer server([](RawConn& c, const RawRequest&) {
        return c.write(
            http_response(200, "OK", R"({"ok":true})", "Content-Type: application/json\r\nSet-Cookie: s=secret99\r\n"));
    });
    auto http = make_curl_transport();
    auto r = http->send(get(server.url("/health")));
    REQUIRE(r.has_value());
    CHECK(r->status == 200);
    CHECK(r->status_line == "HTTP/1.1 200 OK");
    CHECK(r->body == R"({"ok":true})");
    CHECK(r->header("content-type") == std::optional<std::string>("application/json"));
    CHECK(r->header_dump().find("secret99") == std::string::npos);
    CHECK_FALSE(r->cut_short.has_value());
    CHECK(r->timing.total_ms >= r->timing.first_byte_ms);
    CHECK(r->timing.first_byte_ms >= r->timing.connect_ms);
}

TEST_CASE("curl transport: 4xx/5xx are answers, not errors") {
    LoopbackServer server([](RawConn& c, const RawRequest&) {
        return c.write(http_response(503, "Service Unavailable", R"({"error":{"type":"api_error"}})"));
    });
    auto http = make_curl_transport();
    auto r = http->send(get(server.url()));
    REQUIRE(r.has_value());
    CHECK(r->status == 503);
    CHECK(r->body.find("api_error") != std::string::npos);
}

TEST_CASE("curl transport: POST sends method, headers and body") {
    std::string seen_head;
    std::string seen_body;
    std::mutex m;
    LoopbackServer server([&](RawConn& c, const RawRequest& req) {
        {
            std::lock_guard lock(m);
            seen_head = req.head;
            seen_body = req.body;
        }
        return c.write(http_response(200, "OK", "{}"));
    });
    auto http = make_curl_transport();
    HttpRequest req = get(server.url("/v1/chat/completions"));
    req.method = "POST";
    req.headers = {{"Content-Type", "application/json"}, {"x-api-key", "k-123456"}};
    req.body = R"({"model":"m"})";
    auto r = http->send(req);
    REQUIRE(r.has_value());
    std::lock_guard lock(m);
    CHECK(seen_head.starts_with("POST /v1/chat/completions HTTP/1.1"));
    CHECK(seen_head.find("x-api-key: k-123456") != std::string::npos);
    CHECK(seen_body == R"({"model":"m"})");
}

TEST_CASE("curl transport: an endless keep-alive comment stream ends as stalled") {
    LoopbackServer server([](RawConn& c, const RawRequest&) {
        if (!sse_head(c)) {
            return false;
        }
        for (int i = 0; i < 400 && !c.stopping(); ++i) {
            if (!c.write(": keep-alive\n\n")) {
                return false;
            }
            std::this_thread::sleep_for(20ms);
        }
        return false;
    });
    auto http = make_curl_transport();
    HttpRequest req = get(server.url("/stream"));
    req.timeouts.idle = 300ms;
    auto r = http->send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::stalled);

    req.keep_partial = true;
    auto partial = http->send(req);
    REQUIRE(partial.has_value());
    CHECK(partial->cut_short == std::optional<ErrorCode>(ErrorCode::stalled));
    CHECK(partial->status == 200);
    CHECK(partial->body.find(": keep-alive") != std::string::npos);
}

TEST_CASE("curl transport: blank keep-alive lines before a body do not reset the watchdog") {
    LoopbackServer server([](RawConn& c, const RawRequest&) {
        if (!c.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n")) {
            return false;
        }
        for (int i = 0; i < 400 && !c.stopping(); ++i) {
            if (!c.write("\n")) {
                return false;
            }
            std::this_thread::sleep_for(20ms);
        }
        return false;
    });
    auto http = make_curl_transport();
    HttpRequest req = get(server.url());
    req.timeouts.idle = 300ms;
    auto r = http->send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::stalled);
}

TEST_CASE("curl transport: steady data events keep the watchdog satisfied") {
    LoopbackServer server([](RawConn& c, const RawRequest&) {
        if (!sse_head(c)) {
            return false;
        }
        for (int i = 0; i < 8; ++i) {
            if (!c.write(": keep-alive\n\ndata: {\"n\":" + std::to_string(i) + "}\n\n")) {
                return false;
            }
            std::this_thread::sleep_for(100ms);
        }
        c.write("data: [DONE]\n\n");
        return false;
    });
    auto http = make_curl_transport();
    HttpRequest req = get(server.url());
    req.timeouts.idle = 2000ms;  // far above the 100 ms cadence: the stream must complete
    std::string chunks;
    req.on_chunk = [&](std::string_view chunk) {
        chunks.append(chunk);
        return true;
    };
    auto r = http->send(req);
    REQUIRE(r.has_value());
    CHECK(r->body.find("data: [DONE]") != std::string::npos);
    CHECK(chunks == r->body);
}

TEST_CASE("curl transport: silence after the request ends as stalled, not a hang") {
    LoopbackServer server([](RawConn& c, const RawRequest&) {
        for (int i = 0; i < 400 && !c.stopping(); ++i) {
            std::this_thread::sleep_for(20ms);
        }
        return false;
    });
    auto http = make_curl_transport();
    HttpRequest req = get(server.url());
    req.timeouts.idle = 300ms;
    auto r = http->send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::stalled);
}

TEST_CASE("curl transport: total timeout elapses as timeout") {
    LoopbackServer server([](RawConn& c, const RawRequest&) {
        if (!sse_head(c)) {
            return false;
        }
        for (int i = 0; i < 400 && !c.stopping(); ++i) {
            if (!c.write("data: x\n\n")) {
                return false;
            }
            std::this_thread::sleep_for(20ms);
        }
        return false;
    });
    auto http = make_curl_transport();
    HttpRequest req = get(server.url());
    req.timeouts.total = 400ms;
    auto r = http->send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::timeout);
}

TEST_CASE("curl transport: a body over the size cap is too_large, partial kept on request") {
    const std::string big(10000, 'x');
    LoopbackServer server([&](RawConn& c, const RawRequest&) {
        return c.write("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + big) && false;
    });
    auto http = make_curl_transport();
    HttpRequest req = get(server.url());
    req.max_response_bytes = 1000;
    auto r = http->send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::too_large);

    req.keep_partial = true;
    auto partial = http->send(req);
    REQUIRE(partial.has_value());
    CHECK(partial->cut_short == std::optional<ErrorCode>(ErrorCode::too_large));
    CHECK(partial->body.size() == 1000);
}

TEST_CASE("curl transport: a declared Content-Length over the cap is too_large") {
    const std::string big(5000, 'y');
    LoopbackServer server([&](RawConn& c, const RawRequest&) { return c.write(http_response(200, "OK", big)); });
    auto http = make_curl_transport();
    HttpRequest req = get(server.url());
    req.max_response_bytes = 100;
    auto r = http->send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::too_large);
}

TEST_CASE("curl transport: a closed port is connect_failed") {
    int port = 0;
    {
        LoopbackServer probe([](RawConn&, const RawRequest&) { return false; });
        const std::string u = probe.url();
        port = std::stoi(u.substr(u.rfind(':') + 1));
    }
    auto http = make_curl_transport();
    auto r = http->send(get("http://127.0.0.1:" + std::to_string(port) + "/"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::connect_failed);
    CHECK(r.error().context.find("127.0.0.1") != std::string::npos);
}

TEST_CASE("curl transport: on_chunk returning false ends the transfer as interrupted") {
    LoopbackServer server([](RawConn& c, const RawRequest&) {
        if (!sse_head(c)) {
            return false;
        }
        for (int i = 0; i < 400 && !c.stopping(); ++i) {
            if (!c.write("data: x\n\n")) {
                return false;
            }
            std::this_thread::sleep_for(20ms);
        }
        return false;
    });
    auto http = make_curl_transport();
    HttpRequest req = get(server.url());
    int calls = 0;
    req.on_chunk = [&](std::string_view) { return ++calls < 3; };
    auto r = http->send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::interrupted);
    CHECK(calls == 3);
}

TEST_CASE("curl transport: the cancel flag ends a quiet transfer as interrupted") {
    LoopbackServer server([](RawConn& c, const RawRequest&) {
        for (int i = 0; i < 400 && !c.stopping(); ++i) {
            std::this_thread::sleep_for(20ms);
        }
        return false;
    });
    auto http = make_curl_transport();
    std::atomic<bool> cancel{true};
    HttpRequest req = get(server.url());
    req.cancel = &cancel;
    auto r = http->send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::interrupted);
}

TEST_CASE("curl transport: sequential requests reuse one keep-alive connection") {
    LoopbackServer server([](RawConn& c, const RawRequest&) { return c.write(http_response(200, "OK", "{}")); });
    auto http = make_curl_transport();
    for (int i = 0; i < 5; ++i) {
        auto r = http->send(get(server.url("/models")));
        REQUIRE(r.has_value());
    }
    CHECK(server.requests() == 5);
    CHECK(server.connections() == 1);
}

TEST_CASE("curl transport: parallel senders on one transport all get their answers") {
    LoopbackServer server(
        [](RawConn& c, const RawRequest& req) { return c.write(http_response(200, "OK", req.request_line())); });
    auto http = make_curl_transport();
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 10; ++i) {
                const std::string path = "/p" + std::to_string(t) + "_" + std::to_string(i);
                auto r = http->send(get(server.url(path)));
                if (r && r->status == 200 && r->body.find(path) != std::string::npos) {
                    ++ok;
                }
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    CHECK(ok.load() == 40);
    CHECK(server.connections() <= 4);
}

TEST_CASE("curl transport: a connection closed mid-body is protocol, partial kept on request") {
    LoopbackServer server([](RawConn& c, const RawRequest&) {
        c.write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789");
        return false;
    });
    auto http = make_curl_transport();
    HttpRequest req = get(server.url());
    auto r = http->send(req);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::protocol);

    req.keep_partial = true;
    auto partial = http->send(req);
    REQUIRE(partial.has_value());
    CHECK(partial->cut_short == std::optional<ErrorCode>(ErrorCode::protocol));
    CHECK(partial->body == "0123456789");
}

TEST_CASE("curl transport: a peer answering bytes that are not HTTP is protocol (not HTTP), not connect_failed") {
    static const char k_garbage[] = "\x16\x03\x01\x00\xa5\xff\xfe garbage \x80\x81 not http\r\n";
    LoopbackServer server([](RawConn& c, const RawRequest&) {
        c.write(std::string_view(k_garbage, sizeof k_garbage - 1));
        return false;
    });
    auto http = make_curl_transport();
    auto r = http->send(get(server.url("/health")));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::protocol);
    CHECK(r.error().message.find("not with HTTP") != std::string::npos);
}
