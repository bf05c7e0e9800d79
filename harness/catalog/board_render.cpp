#include "harness/catalog/board_render.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <array>

#include "harness/evidence/builtin_templates.hpp"
#include "harness/evidence/report.hpp"
#include "harness/scenario/duration.hpp"

namespace crm::harness::catalog {

namespace json = util::json;
using evidence::md_cell;

namespace {

std::string age_text(const BoardRow& r) {
    if (!r.proven) return "-";
    if (r.age == std::chrono::seconds::max()) return "unknown";
    return scenario::format_duration(r.age);
}

std::string cause_text(const std::optional<classify::Cause>& c) {
    return c ? std::string(classify::to_string(*c)) : std::string();
}

// The report.html colour classes, so a board and a run report look alike.
std::string verdict_css(const BoardRow& r) {
    if (!r.proven || !r.verdict) return "unproven";
    if (r.as_expected) return "pass-noted";
    return std::string(classify::to_string(*r.verdict));
}

json::array strings(const std::vector<std::string>& v) {
    json::array a;
    for (const auto& s : v) a.emplace_back(s);
    return a;
}

}  // namespace

std::string verdict_text(const BoardRow& row) {
    if (!row.proven || !row.verdict) return "unproven";
    std::string v(classify::to_string(*row.verdict));
    return row.as_expected && *row.verdict != classify::Verdict::pass ? v + " (as expected)" : v;
}

json::object board_to_json(const Board& board, const std::filesystem::path& root) {
    json::array rows;
    for (const auto& r : board.rows) {
        auto opt_cause = [](const std::optional<classify::Cause>& c) -> json::value {
            return c ? json::value(classify::to_string(*c)) : json::value(nullptr);
        };
        json::object o{{"host_key", r.host_key},
                       {"host_name", r.host_name},
                       {"mode", scenario::to_string(r.mode)},
                       {"provider", r.provider},
                       {"proven", r.proven},
                       {"cell", r.cell},
                       {"verdict", r.verdict ? json::value(classify::to_string(*r.verdict)) : json::value(nullptr)},
                       {"cause", opt_cause(r.cause)},
                       {"expected_cause", opt_cause(r.expected_cause)},
                       {"as_expected", r.as_expected},
                       {"explanation", r.explanation},
                       {"bundle", r.bundle},
                       {"proven_at", r.proven_at},
                       {"age_seconds", r.proven && r.age != std::chrono::seconds::max() ? json::value(r.age.count())
                                                                                        : json::value(nullptr)},
                       {"max_age_seconds", r.max_age.count()},
                       {"max_age_source", r.max_age_source},
                       {"last_ready_at", r.last_ready_at},
                       {"last_ready_bundle", r.last_ready_bundle},
                       {"stale", r.stale},
                       {"superseded_by_failure", r.superseded_by_failure},
                       {"superseded_note", r.superseded_note},
                       {"flapping", r.flapping},
                       {"only_old_proof", r.only_old_proof},
                       {"flags", strings(r.flags())},
                       {"recent_verdicts", strings(r.recent_verdicts)}};
        rows.emplace_back(std::move(o));
    }
    json::array untrusted;
    for (const auto& u : board.untrusted) {
        untrusted.emplace_back(json::object{
            {"name", u.name}, {"trust", to_string(u.trust)}, {"reason", u.reason}, {"started_at", u.started_at}});
    }
    json::object counts{{"rows", board.rows.size()},
                        {"proven", std::ranges::count_if(board.rows, [](const BoardRow& r) { return r.proven; })},
                        {"stale", board.count_flag("stale")},
                        {"superseded_by_failure", board.count_flag("superseded_by_failure")},
                        {"flapping", board.count_flag("flapping")},
                        {"only_old_proof", board.count_flag("only_old_proof")}};
    return json::object{
        {"schema_version", 1},         {"kind", "crm-accept.board"}, {"generated_at", evidence::iso8601(board.now)},
        {"root", root.string()},       {"bundles", board.bundles},   {"trusted_bundles", board.trusted_bundles},
        {"counts", std::move(counts)}, {"rows", std::move(rows)},    {"untrusted_bundles", std::move(untrusted)}};
}

json::object board_view(const Board& board, const std::filesystem::path& root, bool markdown) {
    auto txt = [&](std::string_view v) { return markdown ? md_cell(v) : std::string(v); };
    json::array rows;
    bool has_notes = false;
    for (const auto& r : board.rows) {
        std::vector<std::string> rest;
        for (auto& f : r.flags()) {
            if (f != "stale") rest.push_back(f);
        }
        has_notes = has_notes || !r.superseded_note.empty();
        const auto cause = cause_text(r.cause);
        rows.emplace_back(json::object{
            {"host", txt(r.host_key)},
            {"mode", scenario::to_string(r.mode)},
            {"provider", txt(r.provider)},
            {"verdict_text", verdict_text(r)},
            {"css", verdict_css(r)},
            {"cause", cause.empty() ? json::value(nullptr) : json::value(cause)},
            {"proven_at", r.proven_at.empty() ? "-" : r.proven_at},
            {"age", age_text(r)},
            {"max_age", scenario::format_duration(r.max_age)},
            {"bundle", r.bundle.empty() ? "-" : txt(r.bundle)},
            {"last_ready_at", r.last_ready_at.empty() ? "never" : r.last_ready_at},
            {"stale", r.stale},
            {"flags", strings(r.flags())},
            {"flags_text", fmt::format("{}", fmt::join(rest, ", "))},
            {"superseded_note", r.superseded_note.empty() ? json::value(nullptr) : json::value(txt(r.superseded_note))},
        });
    }
    json::array untrusted;
    for (const auto& u : board.untrusted) {
        untrusted.emplace_back(
            json::object{{"name", txt(u.name)},
                         {"trust", to_string(u.trust)},
                         {"reason", u.reason.empty() ? json::value(nullptr) : json::value(txt(u.reason))}});
    }
    return json::object{{"root", txt(root.string())},       {"generated_at", evidence::iso8601(board.now)},
                        {"bundles", board.bundles},         {"trusted_bundles", board.trusted_bundles},
                        {"rows", std::move(rows)},          {"has_notes", has_notes},
                        {"untrusted", std::move(untrusted)}};
}

util::Result<std::string> render_board_md(const Board& board, const std::filesystem::path& root) {
    return evidence::render_template(evidence::k_tpl_board_md, board_view(board, root, true), "board.md.mustache");
}

util::Result<std::string> render_board_html(const Board& board, const std::filesystem::path& root) {
    // The run report's stylesheet, so a board and a report.html read the same way.
    return evidence::render_template(evidence::k_tpl_board_html, board_view(board, root, false), "board.html.mustache",
                                     {{"style", std::string(evidence::k_tpl_style_css)}});
}

std::string render_board_table(const Board& board, const std::filesystem::path& root, bool color) {
    static constexpr std::array<const char*, 10> k_head{"HOST",      "MODE",    "PROVIDER", "VERDICT",    "CAUSE",
                                                        "PROVEN AT", "AGE/MAX", "BUNDLE",   "LAST READY", "FLAGS"};
    std::vector<std::array<std::string, 10>> cells;
    std::vector<std::string> css;
    for (const auto& r : board.rows) {
        const auto cause = cause_text(r.cause);
        cells.push_back({r.host_key, scenario::to_string(r.mode), r.provider, verdict_text(r),
                         cause.empty() ? "-" : cause, r.proven_at.empty() ? "-" : r.proven_at,
                         fmt::format("{}/{}", age_text(r), scenario::format_duration(r.max_age)),
                         r.bundle.empty() ? "-" : r.bundle, r.last_ready_at.empty() ? "never" : r.last_ready_at,
                         fmt::format("{}", fmt::join(r.flags(), ","))});
        css.push_back(verdict_css(r));
    }
    std::array<std::size_t, 10> width{};
    for (std::size_t c = 0; c < width.size(); ++c) {
        width[c] = std::string_view(k_head[c]).size();
        for (const auto& row : cells) width[c] = std::max(width[c], row[c].size());
    }
    auto colour_of = [&](const std::string& cls) -> std::string_view {
        if (!color) return "";
        if (cls == "pass" || cls == "pass-noted") return "\x1b[32m";
        if (cls == "fail" || cls == "error") return "\x1b[31m";
        if (cls == "blocked" || cls == "inconclusive") return "\x1b[33m";
        return "\x1b[2m";
    };
    std::string out = fmt::format("board of {} as of {}: {} bundles, {} trusted\n", root.string(),
                                  evidence::iso8601(board.now), board.bundles, board.trusted_bundles);
    auto line = [&](const auto& row, std::string_view on) {
        std::string l;
        for (std::size_t c = 0; c < row.size(); ++c) {
            const std::string text(row[c]);
            const bool last = c + 1 == row.size();
            if (c == 3 && !on.empty())
                l += fmt::format("{}{:<{}}\x1b[0m", on, text, width[c]);
            else
                l += last ? text : fmt::format("{:<{}}", text, width[c]);
            if (!last) l += "  ";
        }
        while (!l.empty() && l.back() == ' ') l.pop_back();
        return l + "\n";
    };
    out += line(k_head, "");
    for (std::size_t i = 0; i < cells.size(); ++i) out += line(cells[i], colour_of(css[i]));
    if (cells.empty()) out += "(no bundle ran any cell)\n";
    for (const auto& r : board.rows) {
        if (!r.superseded_note.empty())
            out += fmt::format("note: {} {} {}: newer evidence that proves nothing: {}\n", r.host_key,
                               scenario::to_string(r.mode), r.provider, r.superseded_note);
    }
    out += fmt::format("untrusted bundles ({}):\n", board.untrusted.size());
    for (const auto& u : board.untrusted)
        out += fmt::format("  {}  {}{}\n", u.name, to_string(u.trust), u.reason.empty() ? "" : ": " + u.reason);
    if (board.untrusted.empty()) out += "  none\n";
    return out;
}

}  // namespace crm::harness::catalog
