#include "stubs/upstream/upstream_errors.hpp"

#include "util/json.hpp"
#include "util/random.hpp"

namespace crm::stubs {

namespace {

Response make(int status, std::string body, HeaderList headers = {}) {
    Response r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

std::string request_id() { return util::random_hex(12); }

std::string minimax_error(std::string_view type, std::string_view message, int http_code) {
    namespace json = util::json;
    return json::serialize(json::object{
        {"type", "error"},
        {"error", json::object{{"type", type}, {"message", message}, {"http_code", std::to_string(http_code)}}},
        {"request_id", request_id()}});
}

}  // namespace

Response upstream_error_response(std::string_view name) {
    if (name == "deepseek_401")
        return make(
            401,
            R"({"error":{"message":"Authentication Fails, Your api key: ****d569 is invalid","type":"authentication_error","param":null,"code":"invalid_request_error"}})");
    if (name == "deepseek_402")
        return make(
            402,
            R"({"error":{"message":"Insufficient Balance","type":"unknown_error","param":null,"code":"invalid_request_error"}})");
    if (name == "deepseek_400_model_not_exist")
        return make(
            400,
            R"({"error":{"message":"Model Not Exist","type":"invalid_request_error","param":null,"code":"invalid_request_error"}})");
    if (name == "relay_insufficient_user_quota")
        return make(403, R"({"error":{"message":"user quota is not enough (request id: )" + request_id() +
                             R"j()","type":"one_api_error","param":"","code":"insufficient_user_quota"}})j");
    if (name == "moonshot_balance_429")
        return make(
            429,
            R"({"error":{"message":"Your account org-stub <ak-stub> is suspended due to insufficient balance, please recharge your account or check your plan and billing details","type":"exceeded_current_quota_error"}})");
    if (name == "rate_limit_429")
        return make(
            429,
            R"({"error":{"message":"Rate limit reached for requests","type":"rate_limit_error","param":null,"code":"rate_limit_exceeded"}})");
    if (name == "minimax_1004_401")
        return make(
            401,
            minimax_error(
                "authorized_error",
                "login fail: Please carry the API secret key in the 'Authorization' field of the request header (1004)",
                401));
    if (name == "minimax_2013_400")
        return make(400, minimax_error("bad_request_error", "invalid params, invalid chat setting (2013)", 400));
    if (name == "minimax_1008_500") return make(500, minimax_error("api_error", "insufficient balance (1008)", 500));
    if (name == "minimax_2056_429")
        return make(429, minimax_error("rate_limit_error",
                                       "usage limit exceeded, 5-hour usage limit reached for Token Plan (2056)", 429));
    if (name == "minimax_base_resp_1008")
        return make(200,
                    R"({"id":"","choices":null,"base_resp":{"status_code":1008,"status_msg":"insufficient balance"}})");
    if (name == "server_500")
        return make(
            500, R"({"error":{"message":"Server Error","type":"server_error","param":null,"code":"internal_error"}})");
    if (name == "server_502") return make(502, "<html><body><h1>502 Bad Gateway</h1></body></html>");
    if (name == "server_503")
        return make(
            503,
            R"({"error":{"message":"Server Overloaded","type":"server_error","param":null,"code":"service_unavailable"}})");
    if (name == "overloaded_529")
        return make(529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
    return make(500, R"({"error":{"message":"unknown stub error","type":"server_error"}})");
}

Response upstream_auth_error(std::string_view style, std::string_view key_tail) {
    if (style == "deepseek")
        return make(401,
                    R"({"error":{"message":"Authentication Fails, Your api key: ****)" + std::string(key_tail) +
                        R"( is invalid","type":"authentication_error","param":null,"code":"invalid_request_error"}})");
    if (style == "minimax") return upstream_error_response("minimax_1004_401");
    return make(401, R"({"error":{"message":"Incorrect API key provided: ****)" + std::string(key_tail) +
                         R"(","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})");
}

Response upstream_developer_role_error(std::string_view style, std::size_t index) {
    if (style == "deepseek")
        return make(
            400,
            R"({"error":{"message":"Failed to deserialize the JSON body into the target type: messages[)" +
                std::to_string(index) +
                R"(].role: unknown variant `developer`, expected one of `system`, `user`, `assistant`, `tool`, `latest_reminder` at line 1 column 40","type":"invalid_request_error","param":null,"code":"invalid_request_error"}})");
    return make(400, minimax_error("bad_request_error", "invalid params, invalid role: developer (2013)", 400));
}

Response upstream_bad_json_error(std::string_view style, std::string_view detail) {
    if (style == "minimax")
        return make(400, minimax_error("bad_request_error", "invalid params, " + std::string(detail) + " (2013)", 400));
    return make(
        400,
        R"({"error":{"message":"Failed to parse the request body as JSON","type":"invalid_request_error","param":null,"code":"invalid_request_error"}})");
}

}  // namespace crm::stubs
