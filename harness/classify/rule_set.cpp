#include "harness/classify/rule_set.hpp"

#include <fmt/format.h>

#include <set>

#include "harness/classify/builtin_rules.hpp"
#include "harness/classify/observations_json.hpp"
#include "util/files.hpp"
#include "util/input_file.hpp"

namespace crm::harness::classify {

namespace json = util::json;

namespace {

constexpr std::pair<std::string_view, Condition::Op> k_ops[] = {
    {"eq", Condition::Op::eq},
    {"ne", Condition::Op::ne},
    {"in", Condition::Op::in},
    {"exists", Condition::Op::exists},
    {"contains", Condition::Op::contains},
    {"matches", Condition::Op::matches},
    {"gt", Condition::Op::gt},
    {"gte", Condition::Op::gte},
    {"lt", Condition::Op::lt},
    {"lte", Condition::Op::lte},
};

bool is_scalar(const json::value& v) { return v.is_string() || v.is_number() || v.is_bool() || v.is_null(); }

// A condition error: "<rule or definition>: <what>".
std::unexpected<util::Error> bad_at(const std::string& where, const std::string& what) {
    return util::fail(util::ErrorCode::invalid_input, fmt::format("{}: {}", where, what));
}

// The field part of a leaf condition: "field" or "fields", every name a known field, and "op".
util::Result<void> parse_leaf_fields(Condition& c, const json::object& o, std::string& op, const std::string& where) {
    for (const auto& kv : o) {
        if (kv.key() != "field" && kv.key() != "fields" && kv.key() != "op" && kv.key() != "value") {
            return bad_at(where, fmt::format("unknown key '{}' in a field condition", std::string(kv.key())));
        }
    }
    if (o.contains("field")) {
        if (!o.at("field").is_string()) return bad_at(where, "'field' must be a string");
        c.fields.emplace_back(o.at("field").get_string());
    } else {
        const auto& list = o.at("fields");
        if (!list.is_array() || list.get_array().empty()) return bad_at(where, "'fields' must be a non-empty array");
        for (const auto& f : list.get_array()) {
            if (!f.is_string()) return bad_at(where, "'fields' must hold strings");
            c.fields.emplace_back(f.get_string());
        }
    }
    for (const auto& f : c.fields) {
        if (!known_fields().contains(f)) return bad_at(where, fmt::format("unknown field '{}'", f));
    }
    c.field = c.fields.front();
    if (!o.contains("op") || !o.at("op").is_string()) return bad_at(where, "'op' must be a string");
    op = std::string(o.at("op").get_string());
    bool found = false;
    for (const auto& [name, value] : k_ops) {
        if (name == op) {
            c.op = value;
            found = true;
        }
    }
    if (!found) return bad_at(where, fmt::format("unknown op '{}' on field '{}'", op, c.field));
    return {};
}

// The value part of a leaf condition: present unless the op is "exists", of the op's type, and
// a regex that compiles ("matches" takes a string or a named pattern of the rule set).
util::Result<void> parse_leaf_value(Condition& c, const json::object& o, const std::string& op,
                                    const std::string& where, const RuleSet& set) {
    bool has_value = o.contains("value");
    if (c.op == Condition::Op::exists) {
        if (has_value) return bad_at(where, "'exists' takes no value");
        return {};
    }
    if (!has_value) return bad_at(where, fmt::format("op '{}' on field '{}' needs a value", op, c.field));
    c.value = o.at("value");
    switch (c.op) {
        case Condition::Op::eq:
        case Condition::Op::ne:
            if (!is_scalar(c.value)) return bad_at(where, fmt::format("op '{}' needs a scalar value", op));
            break;
        case Condition::Op::in:
            if (!c.value.is_array() || c.value.get_array().empty()) {
                return bad_at(where, "op 'in' needs a non-empty array value");
            }
            for (const auto& e : c.value.get_array()) {
                if (!is_scalar(e)) return bad_at(where, "op 'in' needs an array of scalars");
            }
            break;
        case Condition::Op::contains:
            if (!is_scalar(c.value) && !c.value.is_array()) {
                return bad_at(where, "op 'contains' needs a scalar or an array value");
            }
            break;
        case Condition::Op::matches: {
            std::string pattern;
            if (c.value.is_string()) {
                pattern = std::string(c.value.get_string());
            } else if (c.value.is_object() && c.value.get_object().size() == 1 &&
                       util::get_string(c.value, "pattern")) {
                std::string name = *util::get_string(c.value, "pattern");
                auto it = set.patterns.find(name);
                if (it == set.patterns.end()) return bad_at(where, fmt::format("unknown pattern '{}'", name));
                pattern = it->second;
            } else {
                return bad_at(where, "op 'matches' needs a regex string or {\"pattern\": name}");
            }
            try {
                c.regex = std::make_shared<const std::regex>(
                    pattern, std::regex::ECMAScript | std::regex::icase | std::regex::optimize);
            } catch (const std::regex_error& e) {
                return bad_at(where, fmt::format("bad regex on field '{}': {}", c.field, e.what()));
            }
            break;
        }
        case Condition::Op::gt:
        case Condition::Op::gte:
        case Condition::Op::lt:
        case Condition::Op::lte:
            if (!c.value.is_number()) return bad_at(where, fmt::format("op '{}' needs a number", op));
            break;
        case Condition::Op::exists:
            break;
    }
    return {};
}

// Parses one condition. `where` names the rule or definition for error messages; `defs` holds
// the definitions known so far (refs must point backwards, which also rules out cycles).
util::Result<Condition> parse_condition(const json::value& v, const std::string& where, const RuleSet& set) {
    const auto& defs = set.definitions;
    if (!v.is_object()) return bad_at(where, "a condition must be an object");
    const auto& o = v.get_object();
    Condition c;
    if (o.contains("all") || o.contains("any")) {
        const char* key = o.contains("all") ? "all" : "any";
        if (o.size() != 1) return bad_at(where, fmt::format("'{}' must be the only key of its object", key));
        const auto& list = o.at(key);
        if (!list.is_array() || list.get_array().empty()) {
            return bad_at(where, fmt::format("'{}' needs a non-empty array of conditions", key));
        }
        c.kind = o.contains("all") ? Condition::Kind::all : Condition::Kind::any;
        for (const auto& child : list.get_array()) {
            CRM_TRY(parsed, parse_condition(child, where, set));
            c.children.push_back(std::move(parsed));
        }
        return c;
    }
    if (o.contains("not")) {
        if (o.size() != 1) return bad_at(where, "'not' must be the only key of its object");
        CRM_TRY(parsed, parse_condition(o.at("not"), where, set));
        c.kind = Condition::Kind::negate;
        c.children.push_back(std::move(parsed));
        return c;
    }
    if (o.contains("ref")) {
        if (o.size() != 1 || !o.at("ref").is_string()) return bad_at(where, "'ref' takes one definition name");
        c.kind = Condition::Kind::ref;
        c.ref = std::string(o.at("ref").get_string());
        if (!defs.contains(c.ref)) return bad_at(where, fmt::format("unknown definition '{}'", c.ref));
        return c;
    }
    if (o.contains("field") == o.contains("fields")) {
        return bad_at(where, "a condition needs all/any/not/ref, or exactly one of field/fields with op");
    }
    c.kind = Condition::Kind::leaf;
    std::string op;
    CRM_TRY_VOID(parse_leaf_fields(c, o, op, where));
    CRM_TRY_VOID(parse_leaf_value(c, o, op, where, set));
    return c;
}

// Every {path} in the template must be a known field; "{{" and "}}" are literal braces;
// "[[ ... ]]" optional segments are closed and not nested.
util::Result<void> check_template(std::string_view tpl, const std::string& where) {
    bool in_segment = false;
    for (std::size_t i = 0; i + 1 < tpl.size(); ++i) {
        std::string_view two = tpl.substr(i, 2);
        if (two != "[[" && two != "]]") continue;
        if ((two == "[[") == in_segment) {
            return util::fail(util::ErrorCode::invalid_input, fmt::format("{}: {} in 'explain'", where,
                                                                          in_segment ? "nested '[[' optional segment"
                                                                                     : "']]' without an opening '[['"));
        }
        in_segment = !in_segment;
        ++i;
    }
    if (in_segment) {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("{}: unterminated '[[' optional segment in 'explain'", where));
    }
    for (std::size_t i = 0; i < tpl.size(); ++i) {
        if (tpl[i] != '{') continue;
        if (i + 1 < tpl.size() && tpl[i + 1] == '{') {
            ++i;
            continue;
        }
        auto close = tpl.find('}', i);
        if (close == std::string_view::npos) {
            return util::fail(util::ErrorCode::invalid_input,
                              fmt::format("{}: unterminated placeholder in 'explain'", where));
        }
        std::string_view name = tpl.substr(i + 1, close - i - 1);
        if (!known_fields().contains(name)) {
            return util::fail(util::ErrorCode::invalid_input,
                              fmt::format("{}: unknown placeholder '{{{}}}' in 'explain'", where, std::string(name)));
        }
        i = close;
    }
    return {};
}

}  // namespace

std::string_view to_string(Condition::Op op) noexcept {
    for (const auto& [name, value] : k_ops) {
        if (value == op) return name;
    }
    return "?";
}

// One entry of "rules". `ids` holds the ids seen so far (rules and notes share one namespace).
util::Result<Rule> parse_rule(const json::value& rv, const std::string& id, const std::string& where,
                              const RuleSet& set, std::set<std::string>& ids) {
    if (!rv.is_object()) return bad_at(where, "a rule must be an object");
    for (const auto& kv : rv.get_object()) {
        if (kv.key() != "id" && kv.key() != "cause" && kv.key() != "when" && kv.key() != "explain" &&
            kv.key() != "evidence" && kv.key() != "note") {
            return bad_at(where, fmt::format("unknown key '{}'", std::string(kv.key())));
        }
    }
    if (id.empty()) return bad_at(where, "missing string 'id'");
    if (!ids.insert(id).second) return bad_at(where, "duplicate rule id");
    Rule rule;
    rule.id = id;
    auto cause_name = util::get_string(rv, "cause");
    if (!cause_name) return bad_at(where, "missing string 'cause'");
    auto cause = parse_cause(*cause_name);
    if (!cause) return bad_at(where, fmt::format("unknown cause '{}'", *cause_name));
    rule.cause = *cause;
    const auto* when = util::find(rv, "when");
    if (!when) return bad_at(where, "missing 'when'");
    CRM_TRY(cond, parse_condition(*when, where, set));
    rule.when = std::move(cond);
    auto explain = util::get_string(rv, "explain");
    if (!explain || explain->empty()) return bad_at(where, "missing string 'explain'");
    CRM_TRY_VOID(check_template(*explain, where));
    rule.explain = *explain;
    const auto* evidence = util::find(rv, "evidence");
    if (!evidence || !evidence->is_array()) return bad_at(where, "'evidence' must be an array of artifact names");
    for (const auto& e : evidence->get_array()) {
        if (!e.is_string() || e.get_string().empty()) return bad_at(where, "'evidence' must hold non-empty strings");
        rule.evidence.emplace_back(e.get_string());
    }
    return rule;
}

// One entry of "notes".
util::Result<Note> parse_note(const json::value& nv, const std::string& id, const std::string& where,
                              const RuleSet& set, std::set<std::string>& ids) {
    if (!nv.is_object()) return bad_at(where, "a note must be an object");
    for (const auto& kv : nv.get_object()) {
        if (kv.key() != "id" && kv.key() != "when" && kv.key() != "text")
            return bad_at(where, fmt::format("unknown key '{}'", std::string(kv.key())));
    }
    if (id.empty()) return bad_at(where, "missing string 'id'");
    if (!ids.insert(id).second) return bad_at(where, "duplicate id");
    const auto* when = util::find(nv, "when");
    if (!when) return bad_at(where, "missing 'when'");
    CRM_TRY(cond, parse_condition(*when, where, set));
    auto note_text = util::get_string(nv, "text");
    if (!note_text || note_text->empty()) return bad_at(where, "missing string 'text'");
    CRM_TRY_VOID(check_template(*note_text, where));
    return Note{id, std::move(cond), *note_text};
}

util::Result<RuleSet> parse_rules(std::string_view text, std::string_view source) {
    CRM_TRY(doc, util::parse_json(text, source));
    auto bad = [&](const std::string& what) {
        return util::fail(util::ErrorCode::invalid_input, fmt::format("{}: {}", source, what));
    };
    if (!doc.is_object()) return bad("the rule table must be a JSON object");
    const auto& root = doc.get_object();
    RuleSet set;
    set.source = std::string(source);
    auto version = util::get_int(doc, "schema_version");
    if (!version) return bad("missing integer 'schema_version'");
    if (*version != 1) return bad(fmt::format("unsupported schema_version {} (this build reads 1)", *version));
    for (const auto& kv : root) {
        if (kv.key() != "schema_version" && kv.key() != "patterns" && kv.key() != "definitions" &&
            kv.key() != "rules" && kv.key() != "notes" && kv.key() != "description") {
            return bad(fmt::format("unknown top-level key '{}'", std::string(kv.key())));
        }
    }
    if (auto it = root.find("patterns"); it != root.end()) {
        if (!it->value().is_object()) return bad("'patterns' must be an object of regex strings");
        for (const auto& kv : it->value().get_object()) {
            if (!kv.value().is_string()) {
                return bad(fmt::format("pattern '{}' must be a regex string", std::string(kv.key())));
            }
            set.patterns.emplace(std::string(kv.key()), std::string(kv.value().get_string()));
        }
    }
    if (auto it = root.find("definitions"); it != root.end()) {
        if (!it->value().is_object()) return bad("'definitions' must be an object");
        for (const auto& kv : it->value().get_object()) {
            std::string name(kv.key());
            CRM_TRY(c, parse_condition(kv.value(), fmt::format("{}: definition '{}'", source, name), set));
            set.definitions.emplace(name, std::move(c));
        }
    }
    auto rules_it = root.find("rules");
    if (rules_it == root.end() || !rules_it->value().is_array()) return bad("'rules' must be an array");
    std::set<std::string> ids;
    std::size_t index = 0;
    for (const auto& rv : rules_it->value().get_array()) {
        std::string id = rv.is_object() ? util::get_string(rv, "id").value_or("") : "";
        std::string where = fmt::format("{}: rule #{} ({})", source, index, id.empty() ? "?" : id);
        CRM_TRY(rule, parse_rule(rv, id, where, set, ids));
        set.rules.push_back(std::move(rule));
        ++index;
    }
    if (set.rules.empty()) return bad("the rule table has no rules");
    if (auto it = root.find("notes"); it != root.end()) {
        if (!it->value().is_array()) return bad("'notes' must be an array");
        std::size_t n = 0;
        for (const auto& nv : it->value().get_array()) {
            std::string id = nv.is_object() ? util::get_string(nv, "id").value_or("") : "";
            std::string where = fmt::format("{}: note #{} ({})", source, n++, id.empty() ? "?" : id);
            CRM_TRY(note, parse_note(nv, id, where, set, ids));
            set.notes.push_back(std::move(note));
        }
    }
    return set;
}

util::Result<RuleSet> load_rules(const std::filesystem::path& path) {
    CRM_TRY(text, util::read_input_file(path));
    return parse_rules(text, path.string());
}

util::Result<RuleSet> builtin_rules() { return parse_rules(builtin_rules_text(), "<builtin>"); }

std::string_view builtin_rules_text() { return k_builtin_rules_json; }

}  // namespace crm::harness::classify
