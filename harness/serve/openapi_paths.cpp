#include "harness/serve/openapi_paths.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

namespace crm::harness::serve {

namespace {

constexpr std::array<std::string_view, 8> k_methods{"get",     "put",  "post",  "delete",
                                                    "options", "head", "patch", "trace"};

std::size_t indent_of(std::string_view line) {
    auto first = line.find_first_not_of(' ');
    return first == std::string_view::npos ? line.size() : first;
}

// The key of a `key:` or `key: value` line (indent already removed), unquoted; nullopt when the
// line is not a mapping key. A path key may contain ':' only inside quotes, which our paths
// never do, so the first ':' followed by a space or the line end ends the key.
std::optional<std::string_view> key_of(std::string_view rest) {
    std::size_t colon = 0;
    while (true) {
        colon = rest.find(':', colon);
        if (colon == std::string_view::npos) return std::nullopt;
        if (colon + 1 == rest.size() || rest[colon + 1] == ' ') break;
        ++colon;
    }
    auto key = rest.substr(0, colon);
    if (key.size() >= 2 && (key.front() == '\'' || key.front() == '"') && key.back() == key.front()) {
        key = key.substr(1, key.size() - 2);
    }
    return key;
}

std::string_view value_of(std::string_view rest) {
    auto colon = rest.find(": ");
    if (colon == std::string_view::npos) return {};
    auto value = rest.substr(colon + 2);
    while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
    if (value.size() >= 2 && (value.front() == '\'' || value.front() == '"') && value.back() == value.front()) {
        value = value.substr(1, value.size() - 2);
    }
    return value;
}

std::string upper(std::string_view s) {
    std::string out(s);
    std::ranges::transform(out, out.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

// The document's meaningful lines as (indent, text after the indent): blank lines, comment
// lines and CR line ends left out.
class Lines {
  public:
    explicit Lines(std::string_view text) : m_text(text) {}
    std::optional<std::pair<std::size_t, std::string_view>> next() {
        while (!m_text.empty()) {
            auto end = m_text.find('\n');
            auto line = m_text.substr(0, end);
            m_text = end == std::string_view::npos ? std::string_view{} : m_text.substr(end + 1);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            auto indent = indent_of(line);
            if (indent == line.size() || line[indent] == '#') continue;
            return std::pair{indent, line.substr(indent)};
        }
        return std::nullopt;
    }

  private:
    std::string_view m_text;
};

// "[a, b, c]" -> a, b, c (unquoted); an empty list for anything else.
std::vector<std::string_view> flow_list(std::string_view value) {
    std::vector<std::string_view> out;
    if (value.size() < 2 || value.front() != '[' || value.back() != ']') return out;
    value = value.substr(1, value.size() - 2);
    while (!value.empty()) {
        auto comma = value.find(',');
        auto item = value.substr(0, comma);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (item.size() >= 2 && (item.front() == '\'' || item.front() == '"') && item.back() == item.front()) {
            item = item.substr(1, item.size() - 2);
        }
        if (!item.empty()) out.push_back(item);
        value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
    }
    return out;
}

}  // namespace

std::vector<OpenApiOperation> openapi_operations(std::string_view text) {
    std::vector<OpenApiOperation> out;
    bool in_paths = false;
    std::string path;           // the current path, "" before the first
    bool in_operation = false;  // below a method key of `path`: out.back() is its operation
    for (Lines lines(text); auto line = lines.next();) {
        auto [indent, rest] = *line;
        if (indent == 0) {
            in_paths = key_of(rest) == "paths";
            path.clear();
            in_operation = false;
            continue;
        }
        if (!in_paths) continue;
        auto key = key_of(rest);
        if (indent == 2) {
            path = key && key->starts_with('/') ? std::string(*key) : std::string{};
            in_operation = false;
        } else if (indent == 4 && !path.empty()) {
            in_operation = key && std::ranges::find(k_methods, *key) != k_methods.end();
            if (in_operation) out.push_back(OpenApiOperation{upper(*key), path, {}});
        } else if (indent == 6 && in_operation && key == "operationId") {
            out.back().operation_id = std::string(value_of(rest));
        }
    }
    return out;
}

std::set<std::pair<std::string, std::string>> openapi_paths(std::string_view text) {
    std::set<std::pair<std::string, std::string>> out;
    for (auto& op : openapi_operations(text)) out.emplace(std::move(op.method), std::move(op.path));
    return out;
}

std::optional<OpenApiSchemaFields> openapi_schema_fields(std::string_view text, std::string_view schema) {
    std::optional<OpenApiSchemaFields> out;
    bool in_components = false;
    bool in_schemas = false;
    std::string_view block;  // the key at six spaces being read inside the schema: properties, required
    for (Lines lines(text); auto line = lines.next();) {
        auto [indent, rest] = *line;
        auto key = key_of(rest);
        if (indent == 0) {
            in_components = key == "components";
            in_schemas = false;
        } else if (!in_components) {
            continue;
        } else if (indent == 2) {
            in_schemas = key == "schemas";
        } else if (!in_schemas) {
            continue;
        } else if (indent == 4) {
            if (out) break;  // the next schema: ours has ended
            if (key == schema) out.emplace();
        } else if (!out) {
            continue;
        } else if (indent == 6) {
            block = key ? *key : std::string_view{};
            if (block == "required") {
                for (auto item : flow_list(value_of(rest))) out->required.emplace(item);
            }
        } else if (indent == 8 && block == "properties" && key) {
            out->properties.emplace(*key);
        } else if (indent == 8 && block == "required" && rest.starts_with("- ")) {
            out->required.emplace(rest.substr(2));
        }
    }
    return out;
}

}  // namespace crm::harness::serve
