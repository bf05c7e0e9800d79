#pragma once
// The JSON view of a cell's observations: what the rule table's field paths address, what
// 21-summary.json records under "observations", and what `observations_from_json` reads back
// (tests, replaying a bundle).
//
// The view holds every field of observations.hpp (std::nullopt -> null) plus DERIVED fields:
//   <http>.ok      attempted, no transport error, 2xx status, no error in the body
//                  (vendor_code "0" counts as success), payload_parsed not false (a 2xx whose
//                  body is not a completion / model list is no success); for chat_stream
//                  additionally [DONE] seen, no error event, not stalled, not truncated
//   <http>.failed  attempted and not ok
//   <http>.text    error_type, error_code, error_message, vendor_code and body_excerpt joined by
//                  " | " (chat_stream adds the error event's type and message): the haystack for
//                  body-first vocabulary matching
//   <http>.summary one phrase for explanations, never empty and never a chain of "not
//                  observed": "not attempted", "no HTTP answer (stalled: no payload bytes for
//                  2000 ms)", "HTTP 502 upstream_error: Upstream request failed", "HTTP 200 with
//                  a body that is not the expected payload: \"<html>...\"", "HTTP 200 OK"
//                  (chat_stream adds the stream's failure: error event, stall, missing [DONE])
//   account_test.text, accounts.text   the error text / reasons and error messages joined
#include <set>
#include <string>

#include "harness/classify/observations.hpp"
#include "util/json.hpp"

namespace crm::harness::classify {

[[nodiscard]] util::json::object to_json(const CellObservations& obs);

// Reads a (possibly partial) view back. Missing keys keep their defaults; derived keys are
// ignored; an unknown key or a wrongly typed value is an invalid_input error naming the path.
[[nodiscard]] util::Result<CellObservations> observations_from_json(const util::json::value& v,
                                                                    std::string_view source);

// Every leaf path of the view ("chat.status", "models.model_ids", ...), derived fields included.
// Rule validation rejects any other path.
[[nodiscard]] const std::set<std::string, std::less<>>& known_fields();

}  // namespace crm::harness::classify
