#pragma once
// A tiny raw-socket HTTP/1.1 server on 127.0.0.1 for transport tests that need byte-level control
// (keep-alive comment floods, silence, oversize bodies). Each connection runs on its own thread;
// the handler writes the raw response and says whether the connection stays open.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace crm::test {

struct RawRequest {
    std::string head;  // request line + headers
    std::string body;
    [[nodiscard]] std::string request_line() const { return head.substr(0, head.find("\r\n")); }
};

class RawConn {
  public:
    RawConn(int fd, const std::atomic<bool>& stop) : m_fd(fd), m_stop(stop) {}
    // False once the peer is gone or the server is stopping.
    bool write(std::string_view data) {
        while (!data.empty()) {
            const ssize_t n = ::send(m_fd, data.data(), data.size(), MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            data.remove_prefix(static_cast<std::size_t>(n));
        }
        return !m_stop.load();
    }
    [[nodiscard]] bool stopping() const { return m_stop.load(); }

  private:
    int m_fd;
    const std::atomic<bool>& m_stop;
};

// Returns true to keep the connection open for another request.
using RawHandler = std::function<bool(RawConn&, const RawRequest&)>;

class LoopbackServer {
  public:
    explicit LoopbackServer(RawHandler handler) : m_handler(std::move(handler)) {
        m_listen = ::socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        ::setsockopt(m_listen, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        addr.sin_port = 0;
        if (::bind(m_listen, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(m_listen, 64) != 0) {
            throw std::runtime_error("loopback server: bind/listen failed");
        }
        socklen_t len = sizeof addr;
        ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&addr), &len);
        m_port = ntohs(addr.sin_port);
        m_accept = std::thread([this] { accept_loop(); });
    }
    ~LoopbackServer() {
        m_stop = true;
        m_accept.join();
        std::vector<std::thread> threads;
        {
            std::lock_guard lock(m_mutex);
            threads.swap(m_threads);
        }
        for (auto& t : threads) {
            t.join();
        }
        ::close(m_listen);
    }
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;

    [[nodiscard]] std::string url(std::string_view path = "/") const {
        return "http://127.0.0.1:" + std::to_string(m_port) + std::string(path);
    }
    [[nodiscard]] int connections() const { return m_connections.load(); }
    [[nodiscard]] int requests() const { return m_requests.load(); }

  private:
    void accept_loop() {
        while (!m_stop) {
            pollfd p{m_listen, POLLIN, 0};
            if (::poll(&p, 1, 20) <= 0) {
                continue;
            }
            const int fd = ::accept(m_listen, nullptr, nullptr);
            if (fd < 0) {
                continue;
            }
            ++m_connections;
            std::lock_guard lock(m_mutex);
            m_threads.emplace_back([this, fd] { serve(fd); });
        }
    }

    // Reads one request; false on EOF / stop.
    bool read_request(int fd, std::string& buffer, RawRequest& out) {
        for (;;) {
            const auto end = buffer.find("\r\n\r\n");
            if (end != std::string::npos) {
                out.head = buffer.substr(0, end + 2);
                std::size_t length = 0;
                std::string lower = out.head;
                for (char& c : lower) {
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                }
                const auto cl = lower.find("content-length:");
                if (cl != std::string::npos) {
                    length = std::stoul(lower.substr(cl + 15));
                }
                if (buffer.size() >= end + 4 + length) {
                    out.body = buffer.substr(end + 4, length);
                    buffer.erase(0, end + 4 + length);
                    return true;
                }
            }
            pollfd p{fd, POLLIN, 0};
            if (m_stop) {
                return false;
            }
            if (::poll(&p, 1, 20) <= 0) {
                continue;
            }
            char tmp[4096];
            const ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
            if (n <= 0) {
                return false;
            }
            buffer.append(tmp, static_cast<std::size_t>(n));
        }
    }

    void serve(int fd) {
        RawConn conn(fd, m_stop);
        std::string buffer;
        RawRequest request;
        while (read_request(fd, buffer, request)) {
            ++m_requests;
            if (!m_handler(conn, request)) {
                break;
            }
        }
        ::close(fd);
    }

    RawHandler m_handler;
    int m_listen = -1;
    unsigned short m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_connections{0};
    std::atomic<int> m_requests{0};
    std::thread m_accept;
    std::mutex m_mutex;
    std::vector<std::thread> m_threads;
};

inline std::string http_response(int status, std::string_view reason, std::string_view body,
                                 std::string_view extra_headers = "") {
    std::string out = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += extra_headers;
    out += "\r\n";
    out += body;
    return out;
}

}  // namespace crm::test
