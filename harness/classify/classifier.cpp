#include "harness/classify/classifier.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "harness/classify/observations_json.hpp"
#include "util/ascii.hpp"

namespace crm::harness::classify {

namespace json = util::json;

namespace {

// Regexes run over bounded text: a body excerpt is evidence, not a document.
constexpr std::size_t k_max_haystack = 8192;

const json::value k_null;

// Walks a dotted path without copying the view.
const json::value& lookup(const json::object& view, std::string_view path) {
    const json::object* obj = &view;
    while (true) {
        auto dot = path.find('.');
        auto it = obj->find(path.substr(0, dot));
        if (it == obj->end()) return k_null;
        if (dot == std::string_view::npos) return it->value();
        if (!it->value().is_object()) return k_null;
        obj = &it->value().get_object();
        path.remove_prefix(dot + 1);
    }
}

std::optional<double> as_number(const json::value& v) {
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    if (v.is_double()) return v.get_double();
    return std::nullopt;
}

// The string form of a scalar: used for number/string equality ("1113" == 1113) and regexes.
std::string scalar_text(const json::value& v) {
    if (v.is_string()) return std::string(v.get_string());
    if (v.is_bool()) return v.get_bool() ? "true" : "false";
    if (v.is_int64()) return std::to_string(v.get_int64());
    if (v.is_uint64()) return std::to_string(v.get_uint64());
    if (v.is_double()) return fmt::format("{}", v.get_double());
    return {};
}

bool scalar_eq(const json::value& a, const json::value& b) {
    if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
    auto na = as_number(a), nb = as_number(b);
    if (na && nb) return *na == *nb;
    if (a.is_bool() || b.is_bool()) return a.is_bool() && b.is_bool() && a.get_bool() == b.get_bool();
    if (a.is_string() && b.is_string()) return a.get_string() == b.get_string();
    if ((a.is_string() && nb) || (b.is_string() && na)) return scalar_text(a) == scalar_text(b);
    return false;
}

bool contains_one(const json::value& field, const json::value& needle) {
    if (field.is_array()) {
        const auto& a = field.get_array();
        return std::any_of(a.begin(), a.end(), [&](const json::value& e) { return scalar_eq(e, needle); });
    }
    if (!field.is_string() || needle.is_array() || needle.is_object()) return false;
    std::string hay = util::ascii_lower(field.get_string());
    std::string n = util::ascii_lower(scalar_text(needle));
    return !n.empty() && hay.find(n) != std::string::npos;
}

bool exists(const json::value& v) {
    if (v.is_null()) return false;
    if (v.is_string()) return !v.get_string().empty();
    if (v.is_array()) return !v.get_array().empty();
    return true;
}

struct Evaluator {
    const json::object& view;
    const RuleSet& rules;

    bool eval(const Condition& c) const {
        switch (c.kind) {
            case Condition::Kind::all:
                return std::all_of(c.children.begin(), c.children.end(), [&](const Condition& x) { return eval(x); });
            case Condition::Kind::any:
                return std::any_of(c.children.begin(), c.children.end(), [&](const Condition& x) { return eval(x); });
            case Condition::Kind::negate:
                return !eval(c.children.front());
            case Condition::Kind::ref: {
                auto it = rules.definitions.find(c.ref);
                return it != rules.definitions.end() && eval(it->second);
            }
            case Condition::Kind::leaf:
                return leaf(c);
        }
        return false;
    }

    bool leaf(const Condition& c) const {
        return std::any_of(c.fields.begin(), c.fields.end(),
                           [&](const std::string& path) { return leaf_on(c, lookup(view, path)); });
    }

    bool leaf_on(const Condition& c, const json::value& f) const {
        switch (c.op) {
            case Condition::Op::exists:
                return exists(f);
            case Condition::Op::eq:
                return scalar_eq(f, c.value);
            case Condition::Op::ne:
                return !scalar_eq(f, c.value);
            case Condition::Op::in: {
                const auto& a = c.value.get_array();
                return std::any_of(a.begin(), a.end(), [&](const json::value& e) { return scalar_eq(f, e); });
            }
            case Condition::Op::contains: {
                if (c.value.is_array()) {
                    const auto& a = c.value.get_array();
                    return std::any_of(a.begin(), a.end(), [&](const json::value& e) { return contains_one(f, e); });
                }
                return contains_one(f, c.value);
            }
            case Condition::Op::matches: {
                if (f.is_null() || !c.regex) return false;
                std::string hay;
                if (f.is_array()) {
                    for (const auto& e : f.get_array()) hay += scalar_text(e) + "\n";
                } else {
                    hay = scalar_text(f);
                }
                if (hay.empty()) return false;
                if (hay.size() > k_max_haystack) hay.resize(k_max_haystack);
                return std::regex_search(hay, *c.regex);
            }
            case Condition::Op::gt:
            case Condition::Op::gte:
            case Condition::Op::lt:
            case Condition::Op::lte: {
                auto a = as_number(f), b = as_number(c.value);
                if (!a || !b) return false;
                if (c.op == Condition::Op::gt) return *a > *b;
                if (c.op == Condition::Op::gte) return *a >= *b;
                if (c.op == Condition::Op::lt) return *a < *b;
                return *a <= *b;
            }
        }
        return false;
    }
};

// The text of a value for an explanation; "" when the observation is empty.
std::string value_text(const json::value& v) {
    constexpr std::size_t k_max = 240;
    std::string s;
    if (v.is_array()) {
        for (const auto& e : v.get_array()) {
            if (!s.empty()) s += ", ";
            s += scalar_text(e);
        }
    } else {
        s = scalar_text(v);
    }
    for (char& ch : s) {
        if (ch == '\n' || ch == '\r' || ch == '\t') ch = ' ';
    }
    if (s.size() > k_max) s = s.substr(0, k_max) + "...";
    return s;
}

// Fills the {path} placeholders of `tpl` (no optional segments inside). An empty value renders
// as "not observed" and sets `missing`.
std::string fill_placeholders(std::string_view tpl, const json::object& view, bool& missing) {
    std::string out;
    for (std::size_t i = 0; i < tpl.size(); ++i) {
        char ch = tpl[i];
        if ((ch == '{' || ch == '}') && i + 1 < tpl.size() && tpl[i + 1] == ch) {
            out += ch;
            ++i;
            continue;
        }
        if (ch != '{') {
            out += ch;
            continue;
        }
        auto close = tpl.find('}', i);
        if (close == std::string_view::npos) {
            out += tpl.substr(i);
            break;
        }
        std::string text = value_text(lookup(view, tpl.substr(i + 1, close - i - 1)));
        if (text.empty()) {
            missing = true;
            text = "not observed";
        }
        out += text;
        i = close;
    }
    return out;
}

// "[[ ... ]]" is an optional segment: left out unless every placeholder in it was observed, so a
// template can name a code or a message only when there is one (", code {chat.error_code}").
std::string render(std::string_view tpl, const json::object& view) {
    std::string out;
    while (!tpl.empty()) {
        auto open = tpl.find("[[");
        auto close = open == std::string_view::npos ? open : tpl.find("]]", open + 2);
        bool unused = false;
        if (close == std::string_view::npos) {
            out += fill_placeholders(tpl, view, unused);
            break;
        }
        out += fill_placeholders(tpl.substr(0, open), view, unused);
        bool missing = false;
        std::string segment = fill_placeholders(tpl.substr(open + 2, close - open - 2), view, missing);
        if (!missing) out += segment;
        tpl.remove_prefix(close + 2);
    }
    return out;
}

}  // namespace

namespace {

std::vector<std::string> holding_notes(Evaluator& ev, const json::object& view, const RuleSet& rules) {
    std::vector<std::string> out;
    for (const Note& note : rules.notes)
        if (ev.eval(note.when)) out.push_back(render(note.text, view));
    return out;
}

}  // namespace

Classification classify_view(const json::object& view, const RuleSet& rules) {
    Evaluator ev{view, rules};
    for (const Rule& rule : rules.rules) {
        if (!ev.eval(rule.when)) continue;
        Classification c;
        c.cause = rule.cause;
        c.verdict = verdict_of(rule.cause);
        c.explanation = render(rule.explain, view);
        c.evidence = rule.evidence;
        c.rule_id = rule.id;
        c.notes = holding_notes(ev, view, rules);
        return c;
    }
    Classification c;
    c.notes = holding_notes(ev, view, rules);
    c.cause = Cause::harness_error;
    c.verdict = verdict_of(c.cause);
    c.explanation = fmt::format(
        "No rule of {} matched the observations of this cell, so it cannot be trusted either "
        "way; the rule table has a gap. Read the cell's artifacts and extend the table.",
        rules.source);
    c.evidence = {"00-cell.json", "21-summary.json"};
    c.rule_id = std::string(k_no_rule_matched);
    return c;
}

Classification classify(const CellObservations& obs, const RuleSet& rules) {
    return classify_view(to_json(obs), rules);
}

json::object to_json(const Classification& c) {
    json::object o;
    o["cause"] = std::string(to_string(c.cause));
    o["verdict"] = std::string(to_string(c.verdict));
    o["blocks_release_by_default"] = blocks_release_by_default(c.cause);
    o["explanation"] = c.explanation;
    json::array ev;
    for (const auto& e : c.evidence) ev.emplace_back(e);
    o["evidence"] = std::move(ev);
    o["rule_id"] = c.rule_id;
    json::array notes;
    for (const auto& n : c.notes) notes.emplace_back(n);
    o["notes"] = std::move(notes);
    return o;
}

}  // namespace crm::harness::classify
