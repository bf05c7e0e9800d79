#include "harness/serve/error_shape.hpp"

#include <boost/json/parse.hpp>

namespace crm::harness::serve {

json::value error_body(const ApiError& error) {
    return json::object{{"error", json::object{{"code", error.code}, {"message", error.message}}}};
}

std::expected<json::value, ApiError> parse_json_body(const ApiRequest& request) {
    if (request.body.find_first_not_of(" \t\r\n") == std::string::npos) {
        return std::unexpected(ApiError{400, "bad_json", "the request body is empty; expected JSON"});
    }
    boost::system::error_code ec;
    json::value v = json::parse(request.body, ec);
    if (ec) {
        return std::unexpected(ApiError{400, "bad_json", "the request body is not JSON: " + ec.message()});
    }
    return v;
}

}  // namespace crm::harness::serve
