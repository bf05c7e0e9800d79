#include "probes/envelope/error_info.hpp"

namespace crm::probes::envelope {

const char* to_string(BodyShape shape) noexcept {
    switch (shape) {
        case BodyShape::empty: return "empty";
        case BodyShape::sub2api_success: return "sub2api_success";
        case BodyShape::sub2api_handler_error: return "sub2api_handler_error";
        case BodyShape::sub2api_middleware_error: return "sub2api_middleware_error";
        case BodyShape::error_string: return "error_string";
        case BodyShape::openai_error: return "openai_error";
        case BodyShape::anthropic_error: return "anthropic_error";
        case BodyShape::minimax_base_resp: return "minimax_base_resp";
        case BodyShape::json_other: return "json_other";
        case BodyShape::sse: return "sse";
        case BodyShape::html: return "html";
        case BodyShape::text: return "text";
    }
    return "unknown";
}

util::json::value to_json(const ErrorInfo& info) {
    util::json::object o;
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
