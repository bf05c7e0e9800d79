// Why the account-test outcome looks only at `type` lines: sub2api answers HTTP 200 whatever the
// test's result and reports it in-band (test_complete / error), so the status code says nothing
// about the account; the in-band events are the evidence.
#include "probes/account/account_probe.hpp"

#include <cctype>
#include <cstdio>
#include <ctime>

#include "probes/envelope/body_parser.hpp"
#include "probes/sse/sse_parser.hpp"

namespace crm::probes::account {
namespace {

namespace json = util::json;
using envelope::to_valid_utf8;

constexpr std::size_t k_text_cap = 2000;

std::string text_of(const json::value* v) {
    if (v == nullptr || v->is_null()) {
        return {};
    }
    if (v->is_string()) {
        return to_valid_utf8(v->get_string(), k_text_cap);
    }
    if (v->is_int64()) {
        return std::to_string(v->get_int64());
    }
    if (v->is_uint64()) {
        return std::to_string(v->get_uint64());
    }
    return to_valid_utf8(json::serialize(*v), k_text_cap);
}

const json::value* member(const json::value& v, std::string_view key) {
    return v.is_object() ? v.as_object().if_contains(key) : nullptr;
}

HttpRequest admin_request(const AdminTarget& target, std::string method, std::string path) {
    HttpRequest req;
    req.method = std::move(method);
    req.url = join_api_url(target.host_url, path);
    req.timeouts = target.timeouts;
    req.cancel = target.cancel;
    add_auth_header(req.headers, AuthStyle::x_api_key, target.admin_api_key);
    return req;
}

}  // namespace

const char* to_string(AccountTestOutcome outcome) noexcept {
    switch (outcome) {
        case AccountTestOutcome::passed:
            return "passed";
        case AccountTestOutcome::failed:
            return "failed";
        case AccountTestOutcome::incomplete:
            return "incomplete";
        case AccountTestOutcome::http_error:
            return "http_error";
        case AccountTestOutcome::no_answer:
            return "no_answer";
    }
    return "unknown";
}

int status_in_test_error(std::string_view message) {
    constexpr std::string_view k_marker = "returned ";
    std::size_t pos = 0;
    while ((pos = message.find(k_marker, pos)) != std::string_view::npos) {
        pos += k_marker.size();
        if (pos + 3 <= message.size() && std::isdigit(static_cast<unsigned char>(message[pos])) &&
            std::isdigit(static_cast<unsigned char>(message[pos + 1])) &&
            std::isdigit(static_cast<unsigned char>(message[pos + 2])) &&
            (pos + 3 == message.size() || !std::isdigit(static_cast<unsigned char>(message[pos + 3])))) {
            return (message[pos] - '0') * 100 + (message[pos + 1] - '0') * 10 + (message[pos + 2] - '0');
        }
    }
    return 0;
}

void evaluate_account_test(AccountTestResult& result, std::string_view body,
                           std::optional<util::ErrorCode> /*cut_short*/) {
    sse::SseParser parser;
    parser.feed(body);
    parser.finish();
    bool saw_error = false;
    std::optional<bool> completed;
    for (const sse::SseEvent& ev : parser.take_events()) {
        boost::system::error_code ec;
        const json::value doc = json::parse(ev.data, ec);
        if (ec || !doc.is_object()) {
            ++result.unparsed_events;
            continue;
        }
        AccountTestEvent event;
        event.type = text_of(member(doc, "type"));
        event.text = text_of(member(doc, "text"));
        event.model = text_of(member(doc, "model"));
        event.error = text_of(member(doc, "error"));
        if (const json::value* s = member(doc, "success"); s != nullptr && s->is_bool()) {
            event.success = s->get_bool();
        }
        if (event.type == "error") {
            if (!saw_error) {
                result.error_message = event.error.empty() ? event.text : event.error;
            }
            saw_error = true;
        } else if (event.type == "test_complete") {
            completed = event.success.value_or(false);
            if (!*completed && result.error_message.empty()) {
                result.error_message = event.error;
            }
        }
        result.events.push_back(std::move(event));
    }
    if (saw_error || (completed && !*completed)) {
        result.outcome = AccountTestOutcome::failed;
    } else if (completed) {
        result.outcome = AccountTestOutcome::passed;
    } else {
        result.outcome = AccountTestOutcome::incomplete;
    }
    result.error_http_status = status_in_test_error(result.error_message);
}

json::value AccountTestResult::to_json() const {
    json::array evs;
    for (const auto& e : events) {
        json::object o{{"type", e.type}, {"text", e.text}, {"model", e.model}, {"error", e.error}};
        o["success"] = e.success ? json::value(*e.success) : json::value(nullptr);
        evs.push_back(std::move(o));
    }
    return json::object{{"probe", "account_test"},
                        {"account_id", account_id},
                        {"model_id", model_id},
                        {"outcome", to_string(outcome)},
                        {"error_message", error_message},
                        {"error_http_status", error_http_status},
                        {"unparsed_events", unparsed_events},
                        {"events", std::move(evs)},
                        {"exchange", exchange.to_json()}};
}

AccountTestResult probe_account_test(HttpTransport& http, const AdminTarget& target, std::int64_t account_id,
                                     std::string_view model_id) {
    AccountTestResult result;
    result.account_id = account_id;
    result.model_id = model_id;
    HttpRequest req = admin_request(target, "POST", "/api/v1/admin/accounts/" + std::to_string(account_id) + "/test");
    req.headers.emplace_back("Content-Type", "application/json");
    req.headers.emplace_back("Accept", "text/event-stream");
    req.body = json::serialize(json::object{{"model_id", model_id}});
    req.keep_partial = true;
    result.exchange =
        run_exchange(http, req, RequestSummary{"admin", req.method, req.url, AuthStyle::x_api_key, req.body});
    if (!result.exchange.answered()) {
        result.outcome = AccountTestOutcome::no_answer;
        return result;
    }
    const HttpResponse& resp = *result.exchange.response;
    if (resp.status != 200) {
        result.outcome = AccountTestOutcome::http_error;
        if (result.exchange.error_info) {
            result.error_message = result.exchange.error_info->message;
        }
        return result;
    }
    if (result.exchange.error_info) {  // 200 with an error envelope instead of a stream
        result.outcome = AccountTestOutcome::failed;
        result.error_message = result.exchange.error_info->message;
        result.error_http_status = status_in_test_error(result.error_message);
        return result;
    }
    evaluate_account_test(result, resp.body, resp.cut_short);
    return result;
}

std::optional<std::int64_t> state_time_unix(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    if (text.find_first_not_of("0123456789") == std::string_view::npos) {
        return text.size() <= 18 ? std::optional<std::int64_t>(std::stoll(std::string(text))) : std::nullopt;
    }
    std::tm tm{};
    const std::string s(text);
    int consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                    &tm.tm_min, &tm.tm_sec, &consumed) != 6) {
        return std::nullopt;
    }
    std::size_t pos = static_cast<std::size_t>(consumed);
    if (pos < s.size() && s[pos] == '.') {
        pos = s.find_first_not_of("0123456789", pos + 1);
    }
    if (pos == std::string::npos) {
        return std::nullopt;
    }
    long offset = 0;
    if (s.compare(pos, std::string::npos, "Z") != 0 && s.compare(pos, std::string::npos, "z") != 0) {
        int oh = 0;
        int om = 0;
        if (s.size() - pos != 6 || (s[pos] != '+' && s[pos] != '-') ||
            std::sscanf(s.c_str() + pos + 1, "%2d:%2d", &oh, &om) != 2) {
            return std::nullopt;
        }
        offset = (oh * 3600L + om * 60L) * (s[pos] == '-' ? -1 : 1);
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return static_cast<std::int64_t>(timegm(&tm)) - offset;
}

bool AccountState::rate_limited(std::int64_t now_unix) const {
    const auto reset = state_time_unix(rate_limit_reset_at);
    return reset && *reset > now_unix;
}

json::value to_json(const AccountState& s) {
    json::array groups;
    for (auto g : s.group_ids) {
        groups.emplace_back(g);
    }
    return json::object{{"id", s.id},
                        {"name", s.name},
                        {"platform", s.platform},
                        {"type", s.type},
                        {"status", s.status},
                        {"schedulable", s.schedulable ? json::value(*s.schedulable) : json::value(nullptr)},
                        {"error_message", s.error_message},
                        {"temp_unschedulable_until", s.temp_unschedulable_until},
                        {"temp_unschedulable_reason", s.temp_unschedulable_reason},
                        {"rate_limited_at", s.rate_limited_at},
                        {"rate_limit_reset_at", s.rate_limit_reset_at},
                        {"overload_until", s.overload_until},
                        {"group_ids", std::move(groups)}};
}

AccountState account_state_from_json(const json::value& dto) {
    AccountState s;
    if (const json::value* id = member(dto, "id"); id != nullptr && id->is_int64()) {
        s.id = id->get_int64();
    }
    s.name = text_of(member(dto, "name"));
    s.platform = text_of(member(dto, "platform"));
    s.type = text_of(member(dto, "type"));
    s.status = text_of(member(dto, "status"));
    if (const json::value* v = member(dto, "schedulable"); v != nullptr && v->is_bool()) {
        s.schedulable = v->get_bool();
    }
    s.error_message = text_of(member(dto, "error_message"));
    s.temp_unschedulable_until = text_of(member(dto, "temp_unschedulable_until"));
    s.temp_unschedulable_reason = text_of(member(dto, "temp_unschedulable_reason"));
    s.rate_limited_at = text_of(member(dto, "rate_limited_at"));
    s.rate_limit_reset_at = text_of(member(dto, "rate_limit_reset_at"));
    s.overload_until = text_of(member(dto, "overload_until"));
    if (const json::value* g = member(dto, "group_ids"); g != nullptr && g->is_array()) {
        for (const json::value& item : g->as_array()) {
            if (item.is_int64()) {
                s.group_ids.push_back(item.get_int64());
            }
        }
    }
    return s;
}

json::value AccountReadBack::to_json() const {
    json::value ex = exchange.to_json();
    if (json::value* resp = ex.as_object().if_contains("response"); resp && resp->is_object()) {
        resp->as_object().erase("body");
        resp->as_object().erase("body_json");
    }
    return json::object{{"probe", "account_read"},
                        {"account_id", account_id},
                        {"state", state ? probes::account::to_json(*state) : json::value(nullptr)},
                        {"exchange", std::move(ex)}};
}

AccountReadBack read_account(HttpTransport& http, const AdminTarget& target, std::int64_t account_id) {
    AccountReadBack result;
    result.account_id = account_id;
    const HttpRequest req = admin_request(target, "GET", "/api/v1/admin/accounts/" + std::to_string(account_id));
    result.exchange = run_exchange(http, req, RequestSummary{"admin", req.method, req.url, AuthStyle::x_api_key, {}});
    if (!result.exchange.answered() || result.exchange.status() != 200) {
        return result;
    }
    const auto parsed = envelope::parse_body(result.exchange.response->body, 200);
    if (parsed.shape != envelope::BodyShape::sub2api_success || !parsed.json) {
        return result;
    }
    if (const json::value* data = member(*parsed.json, "data"); data != nullptr && data->is_object()) {
        result.state = account_state_from_json(*data);
    }
    return result;
}

std::vector<AccountReadBack> read_accounts(HttpTransport& http, const AdminTarget& target,
                                           std::span<const std::int64_t> ids) {
    std::vector<AccountReadBack> out;
    out.reserve(ids.size());
    for (auto id : ids) {
        out.push_back(read_account(http, target, id));
    }
    return out;
}

}  // namespace crm::probes::account
