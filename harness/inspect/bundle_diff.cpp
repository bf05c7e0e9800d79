#include "harness/inspect/bundle_diff.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <utility>

#include "harness/gate/gate.hpp"
#include "harness/inspect/decisive_fields.hpp"

namespace crm::harness::inspect {

namespace json = util::json;

namespace {

CellState state_of(const evidence::BundleCell& c) {
    CellState s;
    if (!c.summary || c.summary->not_run || c.summary->interrupted) {
        s.gate_word = c.summary ? std::string(c.summary->gate_word()) : std::string(evidence::k_not_run);
        s.cause = s.gate_word;
        s.verdict = std::string(evidence::k_not_run);
        return s;
    }
    s.cause = std::string(classify::to_string(c.summary->cause));
    s.verdict = std::string(classify::to_string(c.summary->verdict));
    s.gate_word = std::string(c.summary->gate_word());
    s.passes = gate::outcome_passes(c.summary->gate_outcome);
    return s;
}

std::vector<DecisiveField> fields_of_cell(const evidence::Bundle& b, const evidence::BundleCell& c) {
    if (!c.folder_present) return {};
    return decisive_fields(b.dir / c.plan.id, c.summary ? c.summary->artifacts : std::vector<std::string>{});
}

// Rows whose value differs, in table order; an artifact's not-JSON row comes before its fields.
std::vector<FieldChange> changed_fields(const std::vector<DecisiveField>& a, const std::vector<DecisiveField>& b) {
    auto find = [](const std::vector<DecisiveField>& rows, std::string_view artifact,
                   std::string_view pointer) -> const DecisiveField* {
        auto it = std::ranges::find_if(
            rows, [&](const DecisiveField& r) { return r.artifact == artifact && r.pointer == pointer; });
        return it == rows.end() ? nullptr : &*it;
    };
    std::vector<FieldChange> out;
    auto compare = [&](std::string_view artifact, std::string_view pointer) {
        const DecisiveField* fa = find(a, artifact, pointer);
        const DecisiveField* fb = find(b, artifact, pointer);
        if (fa == nullptr && fb == nullptr) return;
        std::string va = fa != nullptr ? fa->value : std::string();
        std::string vb = fb != nullptr ? fb->value : std::string();
        if (va == vb) return;
        const DecisiveField& named = fa != nullptr ? *fa : *fb;
        out.push_back({named.artifact, named.pointer, named.label, std::move(va), std::move(vb)});
    };
    std::string_view previous;
    for (const FieldSpec& spec : decisive_field_table()) {
        if (spec.artifact != previous) compare(spec.artifact, k_not_json_pointer);
        previous = spec.artifact;
        compare(spec.artifact, spec.pointer);
    }
    return out;
}

CellChange change_of(const CellState& a, const CellState& b) {
    if (a.passes && !b.passes) return CellChange::regressed;
    if (!a.passes && b.passes) return CellChange::recovered;
    if (a.cause != b.cause || a.gate_word != b.gate_word) return CellChange::cause_changed;
    return CellChange::unchanged;
}

const evidence::BundleCell* find_cell(const evidence::Bundle& b, std::string_view id) {
    auto it = std::ranges::find_if(b.cells, [&](const evidence::BundleCell& c) { return c.plan.id == id; });
    return it == b.cells.end() ? nullptr : &*it;
}

}  // namespace

std::string_view to_string(CellChange c) noexcept {
    switch (c) {
        case CellChange::regressed: return "regressed";
        case CellChange::recovered: return "recovered";
        case CellChange::cause_changed: return "cause_changed";
        case CellChange::appeared: return "appeared";
        case CellChange::vanished: return "vanished";
        case CellChange::unchanged: return "unchanged";
    }
    return "unchanged";
}

std::size_t BundleDiff::count(CellChange c) const {
    return static_cast<std::size_t>(std::ranges::count_if(cells, [&](const CellDiff& d) { return d.change == c; }));
}

BundleSide side_of(const evidence::Bundle& b) {
    BundleSide s;
    s.dir = b.dir.string();
    s.name = b.dir.filename().string();
    if (s.name.empty()) s.name = b.dir.parent_path().filename().string();  // "dir/" names its folder
    s.scenario = b.run.scenario_name;
    s.label = b.run.label;
    s.started_at = b.run.started_at;
    s.status = b.run.status;
    return s;
}

util::Result<BundleDiff> diff_bundles(const evidence::Bundle& a, const evidence::Bundle& b) {
    if (a.run.scenario_name != b.run.scenario_name) {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("not comparable: {} ran scenario '{}', {} ran scenario '{}'", a.dir.string(),
                                      a.run.scenario_name, b.dir.string(), b.run.scenario_name));
    }
    BundleDiff d;
    d.a = side_of(a);
    d.b = side_of(b);
    for (const auto& ca : a.cells) {
        CellDiff cd;
        cd.id = ca.plan.id;
        cd.a = state_of(ca);
        const auto* cb = find_cell(b, ca.plan.id);
        if (cb == nullptr) {
            cd.change = CellChange::vanished;
        } else {
            cd.b = state_of(*cb);
            cd.change = change_of(*cd.a, *cd.b);
            if (cd.change != CellChange::unchanged) cd.fields = changed_fields(fields_of_cell(a, ca), fields_of_cell(b, *cb));
        }
        d.cells.push_back(std::move(cd));
    }
    for (const auto& cb : b.cells) {
        if (find_cell(a, cb.plan.id) != nullptr) continue;
        CellDiff cd;
        cd.id = cb.plan.id;
        cd.change = CellChange::appeared;
        cd.b = state_of(cb);
        d.cells.push_back(std::move(cd));
    }
    return d;
}

// ---- renderings ---------------------------------------------------------------------------

namespace {

json::value state_json(const std::optional<CellState>& s) {
    if (!s) return nullptr;
    return json::object{{"cause", s->cause}, {"verdict", s->verdict}, {"gate", s->gate_word}, {"passes", s->passes}};
}

json::object side_json(const BundleSide& s) {
    json::array problems;
    for (const auto& p : s.problems) problems.emplace_back(p);
    return json::object{{"dir", s.dir},
                        {"name", s.name},
                        {"scenario", s.scenario},
                        {"label", s.label},
                        {"started_at", s.started_at},
                        {"status", s.status},
                        {"trusted", s.trusted()},
                        {"problems", std::move(problems)}};
}

constexpr std::array k_changes{CellChange::regressed, CellChange::recovered, CellChange::cause_changed,
                               CellChange::appeared,  CellChange::vanished,  CellChange::unchanged};

std::string side_line(char tag, const BundleSide& s) {
    std::string line = fmt::format("{}: {}  ({}, {})", tag, s.name, s.started_at.empty() ? "?" : s.started_at, s.status);
    if (!s.trusted()) line += fmt::format("\n   UNTRUSTED: verify fails: {}", s.problems.front());
    return line;
}

std::string state_words(const std::optional<CellState>& s) {
    if (!s) return "-";
    return fmt::format("{} ({})", s->cause, s->gate_word);
}

std::string counts_line(const BundleDiff& d) {
    std::string out;
    for (CellChange c : k_changes) {
        if (!out.empty()) out += ", ";
        out += fmt::format("{} {}", d.count(c), to_string(c));
    }
    return out;
}

// Markdown table cells: a pipe would end the cell, a newline the row.
std::string md_cell(std::string_view s) {
    std::string out;
    for (char ch : s) {
        if (ch == '|')
            out += "\\|";
        else if (ch == '\n')
            out += ' ';
        else
            out += ch;
    }
    return out.empty() ? "-" : out;
}

}  // namespace

json::object to_json(const BundleDiff& d, bool all) {
    json::object counts;
    for (CellChange c : k_changes) counts[to_string(c)] = d.count(c);
    json::array cells;
    for (const auto& c : d.cells) {
        if (c.change == CellChange::unchanged && !all) continue;
        json::array fields;
        for (const auto& f : c.fields) {
            fields.push_back(json::object{
                {"artifact", f.artifact}, {"field", f.pointer}, {"label", f.label}, {"a", f.a}, {"b", f.b}});
        }
        cells.push_back(json::object{{"cell", c.id},
                                     {"change", to_string(c.change)},
                                     {"a", state_json(c.a)},
                                     {"b", state_json(c.b)},
                                     {"fields", std::move(fields)}});
    }
    return json::object{{"schema_version", k_diff_schema_version},
                        {"kind", k_diff_kind},
                        {"a", side_json(d.a)},
                        {"b", side_json(d.b)},
                        {"regressions", d.has_regressions()},
                        {"counts", std::move(counts)},
                        {"cells", std::move(cells)}};
}

std::string render_text(const BundleDiff& d, bool all) {
    std::string out = side_line('A', d.a) + "\n" + side_line('B', d.b) + "\n";
    out += fmt::format("scenario: {}\n\n", d.a.scenario);
    std::size_t shown = 0;
    for (const auto& c : d.cells) {
        if (c.change == CellChange::unchanged && !all) continue;
        ++shown;
        out += fmt::format("{:<14} {:<32} {} -> {}\n", to_string(c.change), c.id, state_words(c.a), state_words(c.b));
        for (const auto& f : c.fields) {
            out += fmt::format("    {} {} ({}): {} -> {}\n", f.artifact, f.label, f.pointer.empty() ? "text" : f.pointer,
                               f.a.empty() ? "(absent)" : f.a, f.b.empty() ? "(absent)" : f.b);
        }
    }
    if (shown == 0) out += "no cell changed\n";
    out += fmt::format("\n{}\n", counts_line(d));
    out += d.has_regressions() ? "REGRESSIONS (exit 1)\n" : "no regressions\n";
    if (!d.a.trusted() || !d.b.trusted()) out += "WARNING: an UNTRUSTED bundle is compared (see above)\n";
    return out;
}

std::string render_markdown(const BundleDiff& d, bool all) {
    std::string out = fmt::format("## crm-accept diff: {}\n\n", md_cell(d.a.scenario));
    out += "| side | bundle | started | status | trust |\n|---|---|---|---|---|\n";
    for (auto [tag, s] : {std::pair{"A", &d.a}, std::pair{"B", &d.b}}) {
        out += fmt::format("| {} | `{}` | {} | {} | {} |\n", tag, s->name, md_cell(s->started_at), md_cell(s->status),
                           s->trusted() ? "trusted" : "**UNTRUSTED**: " + md_cell(s->problems.front()));
    }
    out += fmt::format("\n{}{}\n\n", d.has_regressions() ? "**Regressions.** " : "No regressions. ", counts_line(d));
    out += "| change | cell | A | B |\n|---|---|---|---|\n";
    std::string fields;
    for (const auto& c : d.cells) {
        if (c.change == CellChange::unchanged && !all) continue;
        out += fmt::format("| {} | `{}` | {} | {} |\n", to_string(c.change), c.id, md_cell(state_words(c.a)),
                           md_cell(state_words(c.b)));
        for (const auto& f : c.fields) {
            fields += fmt::format("| `{}` | `{}` | {} | {} | {} |\n", c.id, f.artifact, md_cell(f.label), md_cell(f.a),
                                  md_cell(f.b));
        }
    }
    if (!fields.empty()) {
        out += "\n### Decisive fields that changed\n\n| cell | artifact | field | A | B |\n|---|---|---|---|---|\n";
        out += fields;
    }
    return out;
}

}  // namespace crm::harness::inspect
