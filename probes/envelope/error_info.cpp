#include "probes/envelope/error_info.hpp"

#include <algorithm>

namespace crm::probes::envelope {

std::string to_valid_utf8(std::string_view s, std::size_t limit) {
    std::string out;
    out.reserve(std::min(s.size(), limit));
    std::size_t i = 0;
    while (i < s.size() && out.size() < limit) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        if (c < 0x80) {
            len = 1;
        } else if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
        }
        bool ok = len > 0 && i + len <= s.size();
        for (std::size_t k = 1; ok && k < len; ++k) {
            ok = (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
        }
        if (ok && len == 3) {
            const auto c1 = static_cast<unsigned char>(s[i + 1]);
            ok = !(c == 0xE0 && c1 < 0xA0) && !(c == 0xED && c1 >= 0xA0);
        } else if (ok && len == 4) {
            const auto c1 = static_cast<unsigned char>(s[i + 1]);
            ok = !(c == 0xF0 && c1 < 0x90) && !(c == 0xF4 && c1 >= 0x90);
        }
        if (!ok) {
            out.push_back('?');
            ++i;
            continue;
        }
        if (out.size() + len > limit) {
            break;
        }
        out.append(s.substr(i, len));
        i += len;
    }
    return out;
}

const char* to_string(BodyShape shape) noexcept {
    switch (shape) {
        case BodyShape::empty:
            return "empty";
        case BodyShape::sub2api_success:
            return "sub2api_success";
        case BodyShape::sub2api_handler_error:
            return "sub2api_handler_error";
        case BodyShape::sub2api_middleware_error:
            return "sub2api_middleware_error";
        case BodyShape::error_string:
            return "error_string";
        case BodyShape::openai_error:
            return "openai_error";
        case BodyShape::anthropic_error:
            return "anthropic_error";
        case BodyShape::minimax_base_resp:
            return "minimax_base_resp";
        case BodyShape::json_other:
            return "json_other";
        case BodyShape::sse:
            return "sse";
        case BodyShape::html:
            return "html";
        case BodyShape::text:
            return "text";
    }
    return "unknown";
}

boost::json::value to_json(const ErrorInfo& info) {
    boost::json::object o;
    o["shape"] = to_string(info.shape);
    o["type"] = info.type;
    o["code"] = info.code;
    o["reason"] = info.reason;
    o["message"] = info.message;
    o["param"] = info.param;
    o["vendor_code"] = info.vendor_code;
    o["request_id"] = info.request_id;
    o["http_status"] = info.http_status;
    o["body_http_code"] = info.body_http_code;
    return o;
}

}  // namespace crm::probes::envelope
