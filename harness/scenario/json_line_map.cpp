#include "harness/scenario/json_line_map.hpp"

#include <vector>

namespace crm::harness::scenario {

std::string child_path(std::string_view parent, std::string_view key) {
    if (parent.empty()) return std::string(key);
    std::string out(parent);
    out += '.';
    out += key;
    return out;
}

std::string element_path(std::string_view parent, std::size_t index) {
    std::string out(parent);
    out += '[';
    out += std::to_string(index);
    out += ']';
    return out;
}

namespace {

struct Frame {
    bool is_object = false;
    std::string path;           // path of the container itself
    bool expecting_key = true;  // objects: the next string is a key
    std::size_t index = 0;      // arrays: index of the next element
    bool element_seen = false;  // arrays: the current index already recorded
};

// Scanner state kept small: the text is a scenario file (kilobytes).
class Scanner {
  public:
    explicit Scanner(std::string_view text) : m_text(text) {}

    std::map<std::string, std::size_t, std::less<>> run() {
        std::map<std::string, std::size_t, std::less<>> lines;
        lines[""] = 1;
        std::vector<Frame> stack;
        std::string pending;  // path of the value about to start (set after a key)
        bool have_pending = false;
        while (m_pos < m_text.size()) {
            char c = m_text[m_pos];
            if (c == '\n') {
                ++m_line;
                ++m_pos;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\r') {
                ++m_pos;
                continue;
            }
            if (c == '/' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '/') {
                while (m_pos < m_text.size() && m_text[m_pos] != '\n') ++m_pos;
                continue;
            }
            if (c == '/' && m_pos + 1 < m_text.size() && m_text[m_pos + 1] == '*') {
                m_pos += 2;
                while (m_pos + 1 < m_text.size() && !(m_text[m_pos] == '*' && m_text[m_pos + 1] == '/')) {
                    if (m_text[m_pos] == '\n') ++m_line;
                    ++m_pos;
                }
                m_pos += 2;
                continue;
            }
            if (c == ':') {
                ++m_pos;
                continue;
            }
            if (c == ',') {
                if (!stack.empty()) {
                    Frame& top = stack.back();
                    if (top.is_object) {
                        top.expecting_key = true;
                    } else {
                        ++top.index;
                        top.element_seen = false;
                    }
                }
                ++m_pos;
                continue;
            }
            if (c == '}' || c == ']') {
                if (!stack.empty()) stack.pop_back();
                ++m_pos;
                continue;
            }
            // A key?
            if (c == '"' && !stack.empty() && stack.back().is_object && stack.back().expecting_key) {
                std::size_t line = m_line;
                std::string key = read_string();
                Frame& top = stack.back();
                top.expecting_key = false;
                pending = child_path(top.path, key);
                have_pending = true;
                lines.emplace(pending, line);
                continue;
            }
            // A value starts here.
            std::string path;
            if (!stack.empty() && !stack.back().is_object) {
                Frame& top = stack.back();
                path = element_path(top.path, top.index);
                if (!top.element_seen) {
                    lines.emplace(path, m_line);
                    top.element_seen = true;
                }
            } else if (have_pending) {
                path = pending;
            }
            have_pending = false;
            if (c == '{' || c == '[') {
                Frame f;
                f.is_object = c == '{';
                f.path = path;
                stack.push_back(std::move(f));
                ++m_pos;
                continue;
            }
            if (c == '"') {
                (void)read_string();
                continue;
            }
            // Number / literal: skip to a delimiter.
            while (m_pos < m_text.size()) {
                char d = m_text[m_pos];
                if (d == ',' || d == '}' || d == ']' || d == '\n' || d == ' ' || d == '\t' || d == '\r' || d == '/')
                    break;
                ++m_pos;
            }
        }
        return lines;
    }

  private:
    // At an opening quote; returns the raw (unescaped enough for keys) content and moves past
    // the closing quote.
    std::string read_string() {
        std::string out;
        ++m_pos;
        while (m_pos < m_text.size()) {
            char c = m_text[m_pos];
            if (c == '\\' && m_pos + 1 < m_text.size()) {
                out += m_text[m_pos + 1];
                m_pos += 2;
                continue;
            }
            if (c == '"') {
                ++m_pos;
                break;
            }
            if (c == '\n') ++m_line;
            out += c;
            ++m_pos;
        }
        return out;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    std::size_t m_line = 1;
};

}  // namespace

JsonLineMap JsonLineMap::build(std::string_view text) {
    JsonLineMap map;
    map.m_lines = Scanner(text).run();
    return map;
}

std::size_t JsonLineMap::line_of(std::string_view path) const {
    std::string p(path);
    while (true) {
        if (auto it = m_lines.find(p); it != m_lines.end()) return it->second;
        if (p.empty()) return 1;
        // Strip the last component: ".key" or "[i]".
        auto cut = p.find_last_of(".[");
        p = cut == std::string::npos ? std::string{} : p.substr(0, cut);
    }
}

}  // namespace crm::harness::scenario
