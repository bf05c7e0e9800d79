#include "harness/serve/prometheus_text.hpp"

#include <fmt/format.h>

#include <cmath>

namespace crm::harness::serve {

std::string escape_label_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '"') {
            out += "\\\"";
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out.push_back(c);
        }
    }
    return out;
}

std::string format_value(double value) {
    if (std::isnan(value)) return "NaN";
    if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
    if (value == std::floor(value) && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
    return fmt::format("{}", value);
}

std::string format_labels(const LabelList& labels) {
    if (labels.empty()) return {};
    std::string out = "{";
    for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) out += ',';
        out += labels[i].first;
        out += "=\"";
        out += escape_label_value(labels[i].second);
        out += '"';
    }
    out += '}';
    return out;
}

void write_family_header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
    std::string escaped;
    for (char c : help) {
        if (c == '\\') {
            escaped += "\\\\";
        } else if (c == '\n') {
            escaped += "\\n";
        } else {
            escaped.push_back(c);
        }
    }
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escaped, name, type);
}

void write_sample(std::string& out, std::string_view name, const LabelList& labels, double value) {
    out += name;
    out += format_labels(labels);
    out += ' ';
    out += format_value(value);
    out += '\n';
}

}  // namespace crm::harness::serve
