// Linear scan over a few dozen routes: cheaper than any index at this size, and the specificity
// rule (most literal segments wins) stays obvious.
#include "harness/serve/router.hpp"

#include <algorithm>

namespace crm::harness::serve {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
    std::vector<std::string_view> out;
    if (path.empty() || path.front() != '/') return out;
    std::size_t start = 1;
    while (true) {
        auto slash = path.find('/', start);
        out.push_back(path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    return out;
}

bool is_param(std::string_view seg) { return seg.size() > 2 && seg.front() == '{' && seg.back() == '}'; }

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::optional<std::string> percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out.push_back(text[i]);
            continue;
        }
        if (i + 2 >= text.size()) return std::nullopt;
        const int hi = hex_value(text[i + 1]);
        const int lo = hex_value(text[i + 2]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
    }
    return out;
}

Router::Router(std::vector<Route> routes) : m_routes(std::move(routes)) {
    for (const auto& r : m_routes) {
        Compiled c;
        for (auto seg : split_path(r.pattern)) {
            if (!is_param(seg)) ++c.literal_count;
            c.segments.emplace_back(seg);
        }
        m_compiled.push_back(std::move(c));
    }
}

RouteLookup Router::match(std::string_view method, std::string_view path) const {
    const auto segments = split_path(path);
    std::optional<RouteMatch> best;
    std::size_t best_literals = 0;
    std::vector<std::string> allow;
    for (std::size_t i = 0; i < m_routes.size(); ++i) {
        const auto& c = m_compiled[i];
        if (c.segments.size() != segments.size()) continue;
        RouteMatch m;
        bool ok = true;
        for (std::size_t s = 0; s < segments.size() && ok; ++s) {
            const auto& pat = c.segments[s];
            if (!is_param(pat)) {
                ok = pat == segments[s];
                continue;
            }
            auto value = segments[s].empty() ? std::nullopt : percent_decode(segments[s]);
            ok = value && value->find('/') == std::string::npos && value->find('\0') == std::string::npos;
            if (ok) m.params[pat.substr(1, pat.size() - 2)] = std::move(*value);
        }
        if (!ok) continue;
        if (m_routes[i].method != method) {
            allow.push_back(m_routes[i].method);
            continue;
        }
        if (!best || c.literal_count > best_literals) {
            m.route = &m_routes[i];
            best = std::move(m);
            best_literals = c.literal_count;
        }
    }
    if (best) return std::move(*best);
    if (allow.empty()) return RouteNotFound{};
    std::sort(allow.begin(), allow.end());
    allow.erase(std::unique(allow.begin(), allow.end()), allow.end());
    return MethodNotAllowed{std::move(allow)};
}

std::vector<std::pair<std::string, std::string>> Router::registered() const { return route_list(m_routes); }

std::vector<std::pair<std::string, std::string>> route_list(const std::vector<Route>& routes) {
    std::vector<std::pair<std::string, std::string>> out;
    out.reserve(routes.size());
    for (const auto& r : routes) out.emplace_back(r.method, r.pattern);
    return out;
}

}  // namespace crm::harness::serve
