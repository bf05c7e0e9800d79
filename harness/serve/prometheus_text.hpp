#pragma once
// Pieces of the Prometheus text exposition format 0.0.4, as pure functions (unit tested).
//
// Contract:
// - escape_label_value escapes '\\', '"' and newline as the format requires; nothing else;
// - format_value renders integers without a fraction, +Inf/-Inf/NaN by their names, other
//   doubles with enough digits to round-trip;
// - write_family_header writes "# HELP name help" (help escaped: '\\' and newline) and
//   "# TYPE name type"; a family's samples follow it, all together (the format requires it).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace crm::harness::serve {

using LabelList = std::vector<std::pair<std::string, std::string>>;

[[nodiscard]] std::string escape_label_value(std::string_view value);
[[nodiscard]] std::string format_value(double value);
// "{a="x",b="y"}" or "" for no labels.
[[nodiscard]] std::string format_labels(const LabelList& labels);
void write_family_header(std::string& out, std::string_view name, std::string_view help, std::string_view type);
// name{labels} value\n
void write_sample(std::string& out, std::string_view name, const LabelList& labels, double value);

}  // namespace crm::harness::serve
