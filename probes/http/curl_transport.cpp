// The libcurl adapter: the only file that includes <curl/curl.h>.
//
// Why a multi handle per transfer: curl_easy_perform polls at most once a second when the peer
// is quiet, which would make the idle watchdog and cancellation coarse. Driving one easy handle
// through its own multi handle lets us wake every k_poll_step and check both.
//
// Why a shared connection cache: parallel cells talk to the same host; a CURLSH with
// CURL_LOCK_DATA_CONNECT lets every transfer reuse any idle keep-alive connection, whichever
// thread opened it. Slots (easy + multi pairs) are pooled to avoid re-allocating per request.
#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <string>
#include <vector>

#include "probes/http/transport.hpp"

namespace crm::probes {
namespace {

using Clock = std::chrono::steady_clock;
using util::ErrorCode;

constexpr std::chrono::milliseconds k_poll_step{25};

void global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// Tracks whether incoming body bytes are *payload*. Comment lines (":" first on the line) and
// whitespace-only lines are keep-alive noise: DeepSeek sends ": keep-alive" on streams and blank
// lines before non-stream bodies while it is busy. Any other non-whitespace byte is payload.
class PayloadScanner {
  public:
    // Returns true when `chunk` holds at least one payload byte.
    bool scan(std::string_view chunk) {
        bool payload = false;
        for (char c : chunk) {
            if (c == '\n' || c == '\r') {
                m_at_line_start = true;
                m_in_comment = false;
            } else if (m_in_comment) {
                // comment text is never payload
            } else if (m_at_line_start && c == ':') {
                m_in_comment = true;
                m_at_line_start = false;
            } else if (c == ' ' || c == '\t') {
                // whitespace alone does not prove the peer is producing anything
            } else {
                m_at_line_start = false;
                payload = true;
            }
        }
        return payload;
    }

  private:
    bool m_at_line_start = true;
    bool m_in_comment = false;
};

// Per-transfer state shared with the callbacks.
struct Transfer {
    const HttpRequest* request = nullptr;
    HttpResponse response;
    PayloadScanner scanner;
    Clock::time_point last_payload;
    std::optional<ErrorCode> abort_reason;  // set by our callbacks / watchdog
    bool headers_done = false;
};

std::string trim(std::string_view s) {
    std::size_t b = 0;
    std::size_t e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) {
        ++b;
    }
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) {
        --e;
    }
    return std::string(s.substr(b, e - b));
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    std::string_view line(data, n);
    if (line.starts_with("HTTP/")) {
        // A new status line (after 100 Continue, or the only one): start the header set afresh.
        t->response.status_line = trim(line);
        t->response.headers.clear();
        t->headers_done = false;
        const auto sp = t->response.status_line.find(' ');
        if (sp != std::string::npos) {
            t->response.status = std::atoi(t->response.status_line.c_str() + sp + 1);
        }
        return n;
    }
    const std::string trimmed = trim(line);
    if (trimmed.empty()) {
        t->headers_done = true;
        return n;
    }
    const auto colon = trimmed.find(':');
    if (colon == std::string::npos) {
        return n;  // obs-fold or garbage: ignore rather than fail the transfer
    }
    t->response.headers.emplace_back(trim(std::string_view(trimmed).substr(0, colon)),
                                     trim(std::string_view(trimmed).substr(colon + 1)));
    return n;
}

std::size_t on_write(char* data, std::size_t size, std::size_t count, void* user) {
    auto* t = static_cast<Transfer*>(user);
    const std::size_t n = size * count;
    std::string_view chunk(data, n);
    if (t->scanner.scan(chunk)) {
        t->last_payload = Clock::now();
    }
    const std::size_t cap = t->request->max_response_bytes;
    bool over = false;
    if (t->response.body.size() + n > cap) {
        chunk = chunk.substr(0, cap - std::min(cap, t->response.body.size()));
        over = true;
    }
    t->response.body.append(chunk);
    if (t->request->on_chunk && !chunk.empty() && !t->request->on_chunk(chunk)) {
        t->abort_reason = ErrorCode::interrupted;
        return 0;
    }
    if (over) {
        t->abort_reason = ErrorCode::too_large;
        return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
    }
    return n;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
    auto* t = static_cast<Transfer*>(user);
    if (t->request->cancel != nullptr && t->request->cancel->load()) {
        t->abort_reason = ErrorCode::interrupted;
        return 1;
    }
    if (Clock::now() - t->last_payload >= t->request->timeouts.idle) {
        t->abort_reason = ErrorCode::stalled;
        return 1;
    }
    return 0;
}

// The share handle's locks: one mutex per lock-data kind, as libcurl requires.
struct ShareLocks {
    std::array<std::mutex, CURL_LOCK_DATA_LAST + 1> mutexes;
};

void share_lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<ShareLocks*>(user)->mutexes.at(static_cast<std::size_t>(data)).lock();
}

void share_unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<ShareLocks*>(user)->mutexes.at(static_cast<std::size_t>(data)).unlock();
}

struct Slot {
    CURL* easy = nullptr;
    CURLM* multi = nullptr;
};

double micros_to_ms(curl_off_t us) { return static_cast<double>(us) / 1000.0; }

Timing read_timing(CURL* easy) {
    curl_off_t dns = 0;
    curl_off_t connect = 0;
    curl_off_t first = 0;
    curl_off_t total = 0;
    curl_easy_getinfo(easy, CURLINFO_NAMELOOKUP_TIME_T, &dns);
    curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect);
    curl_easy_getinfo(easy, CURLINFO_STARTTRANSFER_TIME_T, &first);
    curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total);
    return Timing{micros_to_ms(dns), micros_to_ms(connect), micros_to_ms(first), micros_to_ms(total)};
}

ErrorCode map_curl_code(CURLcode code) {
    switch (code) {
        case CURLE_OPERATION_TIMEDOUT:
            return ErrorCode::timeout;
        case CURLE_FILESIZE_EXCEEDED:
            return ErrorCode::too_large;
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_CONNECT:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_UNSUPPORTED_PROTOCOL:
        case CURLE_URL_MALFORMAT:
            return ErrorCode::connect_failed;
        default:
            // Resets, truncated chunked encoding, empty replies: the peer did not give us a
            // complete answer. The probes classify these as "no answer", like a connect failure.
            return ErrorCode::connect_failed;
    }
}

// The connection was made and the request sent, but what came back is no HTTP status line
// (a TLS port, SSH, a database, random bytes): libcurl calls it HTTP/0.9 (refused by default,
// CURLE_UNSUPPORTED_PROTOCOL) or a weird server reply. The peer answered, so this is not a
// connectivity problem and must not be reported as one.
bool answered_but_not_http(CURL* easy, CURLcode code) {
    if (code == CURLE_WEIRD_SERVER_REPLY) return true;
    if (code != CURLE_UNSUPPORTED_PROTOCOL) return false;
    long request_bytes = 0;  // 0 when the scheme itself was unsupported and nothing was sent
    curl_easy_getinfo(easy, CURLINFO_REQUEST_SIZE, &request_bytes);
    return request_bytes > 0;
}

bool broken_body(CURLcode code) {
    return code == CURLE_PARTIAL_FILE || code == CURLE_RECV_ERROR || code == CURLE_GOT_NOTHING ||
           code == CURLE_HTTP2_STREAM || code == CURLE_HTTP2;
}

class CurlTransport final : public HttpTransport {
  public:
    CurlTransport() {
        global_init_once();
        m_share = curl_share_init();
        curl_share_setopt(m_share, CURLSHOPT_LOCKFUNC, share_lock);
        curl_share_setopt(m_share, CURLSHOPT_UNLOCKFUNC, share_unlock);
        curl_share_setopt(m_share, CURLSHOPT_USERDATA, &m_locks);
        curl_share_setopt(m_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
        curl_share_setopt(m_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
        curl_share_setopt(m_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    }

    ~CurlTransport() override {
        for (Slot& slot : m_pool) {
            curl_multi_cleanup(slot.multi);
            curl_easy_cleanup(slot.easy);
        }
        curl_share_cleanup(m_share);
    }

    CurlTransport(const CurlTransport&) = delete;
    CurlTransport& operator=(const CurlTransport&) = delete;

    util::Result<HttpResponse> send(const HttpRequest& request) override {
        Slot slot = acquire();
        auto result = perform(slot, request);
        release(slot);
        return result;
    }

  private:
    Slot acquire() {
        {
            std::lock_guard lock(m_pool_mutex);
            if (!m_pool.empty()) {
                Slot slot = m_pool.back();
                m_pool.pop_back();
                return slot;
            }
        }
        return Slot{curl_easy_init(), curl_multi_init()};
    }

    void release(Slot slot) {
        curl_easy_reset(slot.easy);
        std::lock_guard lock(m_pool_mutex);
        m_pool.push_back(slot);
    }

    util::Result<HttpResponse> perform(Slot& slot, const HttpRequest& request) {
        const std::string where = request.method + " " + request.url;
        if (slot.easy == nullptr || slot.multi == nullptr) {
            return util::fail(ErrorCode::internal, "libcurl handle allocation failed", where);
        }
        Transfer t;
        t.request = &request;
        t.last_payload = Clock::now();

        CURL* e = slot.easy;
        curl_slist* header_list = nullptr;
        for (const auto& [name, value] : request.headers) {
            const std::string line = value.empty() ? name + ";" : name + ": " + value;
            header_list = curl_slist_append(header_list, line.c_str());
        }
        // No "Expect: 100-continue" round trip for small JSON bodies.
        header_list = curl_slist_append(header_list, "Expect:");

        curl_easy_setopt(e, CURLOPT_SHARE, m_share);
        curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(request.timeouts.connect.count()));
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeouts.total.count()));
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list);
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(e, CURLOPT_HEADERDATA, &t);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &t);
        curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
        curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(e, CURLOPT_XFERINFODATA, &t);
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(request.max_response_bytes));
        if (request.method == "GET") {
            curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        } else if (request.method == "HEAD") {
            curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
        } else {
            if (request.method != "POST") {
                curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, request.method.c_str());
            }
            if (request.method == "POST" || !request.body.empty()) {
                curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
                curl_easy_setopt(e, CURLOPT_POSTFIELDS, request.body.c_str());
            }
        }

        const CURLcode code = drive(slot, t);
        t.response.timing = read_timing(e);
        long status = 0;
        curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
        if (status != 0) {
            t.response.status = static_cast<int>(status);
        }
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, nullptr);
        curl_slist_free_all(header_list);

        if (code == CURLE_OK && !t.abort_reason) {
            return std::move(t.response);
        }
        ErrorCode reason = t.abort_reason ? *t.abort_reason : map_curl_code(code);
        const bool not_http = !t.abort_reason && !t.headers_done && answered_but_not_http(e, code);
        if (not_http) reason = ErrorCode::protocol;
        if (!t.abort_reason && t.headers_done && broken_body(code)) {
            // The answer started but the connection ended mid-body (truncated chunked framing,
            // reset, short Content-Length): the peer's framing is broken, not the connect.
            reason = ErrorCode::protocol;
        }
        const bool partial_ok = reason == ErrorCode::stalled || reason == ErrorCode::too_large ||
                                reason == ErrorCode::interrupted || reason == ErrorCode::timeout ||
                                reason == ErrorCode::protocol;
        if (request.keep_partial && partial_ok && t.response.status != 0) {
            t.response.cut_short = reason;
            return std::move(t.response);
        }
        return std::unexpected(
            util::Error{reason, not_http ? describe_not_http(code) : describe(reason, code, request), where, 0, {}});
    }

    // Runs one transfer on its own multi handle, waking every k_poll_step so the idle watchdog
    // and cancellation are checked even when the peer sends nothing at all.
    static CURLcode drive(Slot& slot, Transfer& t) {
        CURLM* m = slot.multi;
        curl_multi_add_handle(m, slot.easy);
        CURLcode result = CURLE_OK;
        bool done = false;
        while (!done) {
            int running = 0;
            const CURLMcode mc = curl_multi_perform(m, &running);
            if (mc != CURLM_OK) {
                result = CURLE_FAILED_INIT;
                break;
            }
            int queued = 0;
            while (CURLMsg* msg = curl_multi_info_read(m, &queued)) {
                if (msg->msg == CURLMSG_DONE && msg->easy_handle == slot.easy) {
                    result = msg->data.result;
                    done = true;
                }
            }
            if (done || running == 0) {
                break;
            }
            if (on_progress(&t, 0, 0, 0, 0) != 0) {
                result = CURLE_ABORTED_BY_CALLBACK;
                break;
            }
            const auto idle_left = t.request->timeouts.idle -
                                   std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t.last_payload);
            const auto wait = std::clamp(idle_left, std::chrono::milliseconds{1}, k_poll_step);
            curl_multi_poll(m, nullptr, 0, static_cast<int>(wait.count()), nullptr);
        }
        curl_multi_remove_handle(m, slot.easy);
        return result;
    }

    // `protocol` with no status line: the peer is not speaking HTTP (see answered_but_not_http).
    static std::string describe_not_http(CURLcode code) {
        return std::string("the peer answered, but not with HTTP (no HTTP status line): ") + curl_easy_strerror(code);
    }

    static std::string describe(ErrorCode reason, CURLcode code, const HttpRequest& request) {
        switch (reason) {
            case ErrorCode::stalled:
                return "stalled: no payload bytes for " + std::to_string(request.timeouts.idle.count()) + " ms";
            case ErrorCode::too_large:
                return "response larger than " + std::to_string(request.max_response_bytes) + " bytes";
            case ErrorCode::interrupted:
                return "transfer interrupted";
            case ErrorCode::timeout:
                return std::string("timed out: ") + curl_easy_strerror(code);
            case ErrorCode::protocol:
                return std::string("connection ended before the body was complete: ") + curl_easy_strerror(code);

            default:
                return std::string("no complete HTTP answer: ") + curl_easy_strerror(code);
        }
    }

    CURLSH* m_share = nullptr;
    ShareLocks m_locks;
    std::mutex m_pool_mutex;
    std::vector<Slot> m_pool;
};

}  // namespace

std::unique_ptr<HttpTransport> make_curl_transport() { return std::make_unique<CurlTransport>(); }

}  // namespace crm::probes
