#include "util/error.hpp"

namespace crm::util {

const char* to_string(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::invalid_input:
            return "invalid_input";
        case ErrorCode::io:
            return "io";
        case ErrorCode::connect_failed:
            return "connect_failed";
        case ErrorCode::timeout:
            return "timeout";
        case ErrorCode::stalled:
            return "stalled";
        case ErrorCode::too_large:
            return "too_large";
        case ErrorCode::http_status:
            return "http_status";
        case ErrorCode::protocol:
            return "protocol";
        case ErrorCode::host_rejected:
            return "host_rejected";
        case ErrorCode::not_found:
            return "not_found";
        case ErrorCode::conflict:
            return "conflict";
        case ErrorCode::missing_secret:
            return "missing_secret";
        case ErrorCode::interrupted:
            return "interrupted";
        case ErrorCode::internal:
            return "internal";
    }
    return "internal";
}

std::string Error::describe() const {
    if (context.empty()) return message;
    return message + " (" + context + ")";
}

}  // namespace crm::util
