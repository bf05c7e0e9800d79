#pragma once
// The classification rule table: data, not code. rules/causes.json is loaded once, validated,
// and evaluated in order by classify() (first match wins). A copy is embedded in the binary
// (builtin_rules.hpp, kept byte-identical to rules/causes.json by a unit test) so crm-accept
// classifies from any working directory.
//
// File format (schema_version 1):
//   { "schema_version": 1,
//     "patterns": { "<name>": "<regex>", ... },           // named vocabularies for 'matches'
//     "definitions": { "<name>": <condition>, ... },     // reusable conditions, may ref earlier ones
//     "rules": [ { "id": "<unique>", "cause": "<Cause name>", "when": <condition>,
//                  "explain": "text with {field.path} placeholders",
//                  "evidence": ["19-upstream-chat.json", ...] }, ... ],
//     "notes": [ { "id": "<unique>", "when": <condition>, "text": "with {field.path}" }, ... ] }
//   Notes are optional and never change the cause: every note whose condition holds adds its
//   rendered text to the cell summary (a non-blocking observation, e.g. an auth style refused).
//   <condition> := {"all": [<condition>...]} | {"any": [<condition>...]} | {"not": <condition>}
//                | {"ref": "<definition name>"}
//                | {"field": "<path>", "op": "<op>", "value": <json>}
//                | {"fields": ["<path>", ...], "op": "<op>", "value": <json>}   // any of the paths
//   ops: eq, ne (scalars; a number equals its decimal string), in (value: array),
//        exists (not null, not "", not []; no value), contains (case-insensitive substring of a
//        string field, or element of an array field; value may be an array = any of),
//        matches (ECMAScript regex, case-insensitive, searched anywhere in the string form;
//        value: a regex string or {"pattern": "<name>"}),
//        gt, gte, lt, lte (numbers; a null field never compares).
// Field paths are those of observations_json.hpp's view; anything else is rejected at load.
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "harness/classify/cause.hpp"
#include "util/error.hpp"
#include "util/json.hpp"

namespace crm::harness::classify {

struct Condition {
    enum class Kind { all, any, negate, ref, leaf };
    enum class Op { eq, ne, in, exists, contains, matches, gt, gte, lt, lte };

    Kind kind = Kind::all;
    std::vector<Condition> children;          // all / any: operands; negate: exactly one
    std::string ref;                          // ref: definition name (resolved at load)
    std::vector<std::string> fields;          // leaf: holds when it holds for ANY of these paths
    std::string field;                        // leaf: fields.front(), for messages
    Op op = Op::eq;                           // leaf
    util::json::value value;                  // leaf operand
    std::shared_ptr<const std::regex> regex;  // leaf, op == matches (compiled once at load)
};

struct Rule {
    std::string id;
    Cause cause = Cause::harness_error;
    Condition when;
    std::string explain;                // template; {path} placeholders validated at load
    std::vector<std::string> evidence;  // artifact names relative to the cell folder
};

// A non-blocking observation: rendered into the cell summary whenever `when` holds.
struct Note {
    std::string id;
    Condition when;
    std::string text;  // template, like Rule::explain
};

struct RuleSet {
    std::string source;  // file name or "<builtin>"
    int schema_version = 1;
    std::map<std::string, std::string, std::less<>> patterns;  // named regex sources
    std::map<std::string, Condition, std::less<>> definitions;
    std::vector<Rule> rules;  // precedence order
    std::vector<Note> notes;  // all evaluated, in order
};

// Parses and validates a rule table. Every error is one line naming `source` and the rule index
// (and id) or definition name: unknown cause, unknown field, unknown op, bad regex, bad value,
// unknown placeholder, duplicate id, unresolved ref.
[[nodiscard]] util::Result<RuleSet> parse_rules(std::string_view text, std::string_view source);
[[nodiscard]] util::Result<RuleSet> load_rules(const std::filesystem::path& path);

// The embedded copy of rules/causes.json, parsed (source "<builtin>").
[[nodiscard]] util::Result<RuleSet> builtin_rules();
[[nodiscard]] std::string_view builtin_rules_text();

[[nodiscard]] std::string_view to_string(Condition::Op op) noexcept;

}  // namespace crm::harness::classify
