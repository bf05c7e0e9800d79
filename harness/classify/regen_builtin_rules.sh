#!/bin/sh
# Regenerates harness/classify/builtin_rules.hpp from rules/causes.json (byte for byte).
# Run from anywhere: sh harness/classify/regen_builtin_rules.sh
set -e
cd "$(dirname "$0")/../.."
out=harness/classify/builtin_rules.hpp
{
printf '%s\n' '#pragma once' \
'// GENERATED from rules/causes.json: the rule table embedded in the binary, so crm-accept' \
'// classifies from any working directory. Do not edit by hand; regenerate with' \
'//   sh harness/classify/regen_builtin_rules.sh' \
'// The unit test "rules: the embedded copy is identical to rules/causes.json" fails when the' \
'// two differ.' \
'#include <string_view>' '' 'namespace crm::harness::classify {' ''
printf '%s' 'inline constexpr std::string_view k_builtin_rules_json = R"crm_rules_json('
cat rules/causes.json
printf '%s\n' ')crm_rules_json";' '' '}  // namespace crm::harness::classify'
} > "$out.tmp"
mv "$out.tmp" "$out"
