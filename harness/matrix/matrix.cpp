#include "harness/matrix/matrix.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "util/files.hpp"

namespace crm::harness::matrix {

std::vector<Cell> expand(const scenario::Scenario& s) {
    std::vector<Cell> cells;
    for (std::size_t h = 0; h < s.hosts.size(); ++h) {
        for (auto mode : s.modes) {
            for (std::size_t p = 0; p < s.providers.size(); ++p) {
                const auto& prov = s.providers[p];
                Cell c;
                c.index = cells.size();
                c.host_index = h;
                c.host_name = s.hosts[h].name;
                c.mode = mode;
                c.provider_index = p;
                c.pack = prov.pack;
                c.provider = prov.provider;
                c.profile = prov.profile;
                if (auto it = prov.expect.find(mode); it != prov.expect.end()) c.expected_cause = it->second;
                // Only a matrix with several hosts needs the host in the id: single-host bundles
                // keep "<mode>__<provider>" folder names.
                c.host_in_id = s.hosts.size() > 1;
                c.id = cell_folder(c.host_in_id ? c.host_name : "", scenario::to_string(mode), prov.provider);
                cells.push_back(std::move(c));
            }
        }
    }
    return cells;
}

std::string cell_folder(std::string_view host, std::string_view mode, std::string_view provider) {
    std::string f = util::sanitize_name(mode) + "__" + util::sanitize_name(provider);
    return host.empty() ? f : util::sanitize_name(host) + "__" + f;
}

util::json::object to_json(const Cell& c) {
    return util::json::object{
        {"index", c.index},
        {"cell", c.id},
        {"host", c.host_name},
        {"mode", scenario::to_string(c.mode)},
        {"pack", c.pack},
        {"provider", c.provider},
        {"profile", c.profile},
        {"expected_cause", c.expected_cause ? util::json::value(classify::to_string(*c.expected_cause)) : nullptr}};
}

bool glob_match(std::string_view pat, std::string_view text) {
    // Iterative matcher with single-star backtracking: linear enough for cell ids.
    std::size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pat.size() && (pat[p] == '?' || pat[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pat.size() && pat[p] == '*') {
            star = p++;
            mark = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pat.size() && pat[p] == '*') ++p;
    return p == pat.size();
}

std::vector<Cell> filter_only(const std::vector<Cell>& cells, std::string_view patterns) {
    std::vector<std::string> pats;
    std::size_t start = 0;
    while (start <= patterns.size()) {
        auto comma = patterns.find(',', start);
        auto part = patterns.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
        while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
        while (!part.empty() && part.back() == ' ') part.remove_suffix(1);
        if (!part.empty()) pats.emplace_back(part);
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    std::vector<Cell> out;
    for (const auto& c : cells) {
        bool keep = std::any_of(pats.begin(), pats.end(), [&](const std::string& pat) {
            bool is_glob = pat.find_first_of("*?") != std::string::npos;
            return is_glob ? glob_match(pat, c.id) : c.id.find(pat) != std::string::npos;
        });
        if (keep) out.push_back(c);
    }
    return out;
}

util::Result<Shard> parse_shard(std::string_view text) {
    auto slash = text.find('/');
    auto bad = [&] {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("--shard: expected K/N with 1 <= K <= N, got \"{}\"", text));
    };
    if (slash == std::string_view::npos) return bad();
    Shard s;
    auto a = text.substr(0, slash), b = text.substr(slash + 1);
    auto r1 = std::from_chars(a.data(), a.data() + a.size(), s.k);
    auto r2 = std::from_chars(b.data(), b.data() + b.size(), s.n);
    if (r1.ec != std::errc{} || r1.ptr != a.data() + a.size() || r2.ec != std::errc{} ||
        r2.ptr != b.data() + b.size() || s.n < 1 || s.n > 1000 || s.k < 1 || s.k > s.n)
        return bad();
    return s;
}

std::vector<Cell> select_shard(const std::vector<Cell>& cells, Shard shard) {
    std::vector<Cell> out;
    for (const auto& c : cells) {
        if (static_cast<int>(c.index % static_cast<std::size_t>(shard.n)) + 1 == shard.k) out.push_back(c);
    }
    return out;
}

std::vector<Cell> select_rerun(const std::vector<Cell>& cells,
                               const std::optional<std::set<std::string>>& earlier_selection,
                               const std::set<std::string>& passed) {
    // Driven by the matrix, not by the folders found: a cell the earlier run never started has
    // no folder at all, and it is exactly what re-running an interrupted run is for.
    std::vector<Cell> out;
    for (const auto& c : cells) {
        if (earlier_selection && !earlier_selection->contains(c.id)) continue;
        if (!passed.contains(c.id)) out.push_back(c);
    }
    return out;
}

std::vector<Cell> missing_cells(const std::vector<Cell>& expected, const std::set<std::string>& present) {
    std::vector<Cell> out;
    for (const auto& c : expected) {
        if (!present.contains(c.id)) out.push_back(c);
    }
    return out;
}

std::string resource_prefix(std::string_view run_token, const Cell& cell) {
    std::string prov;
    for (char ch : cell.provider) {
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-')
            prov += ch;
        else if (ch >= 'A' && ch <= 'Z')
            prov += static_cast<char>(ch - 'A' + 'a');
        else
            prov += '-';
    }
    if (prov.size() > 16) prov.resize(16);
    return fmt::format("crm-{}-{}{}-{}", run_token, cell.index, cell.mode == scenario::Mode::self_service ? "s" : "u",
                       prov);
}

}  // namespace crm::harness::matrix
