#include "engine/model/outcomes.hpp"

#include <fmt/format.h>

namespace crm::engine {

namespace {

json::value opt(const std::optional<std::int64_t>& v) { return v ? json::value(*v) : json::value(nullptr); }

json::array modes_json(const std::vector<AccessMode>& modes) {
    json::array a;
    for (auto m : modes) a.emplace_back(to_string(m));
    return a;
}

template <class T>
json::array list_json(const std::vector<T>& items) {
    json::array a;
    for (const auto& i : items) a.push_back(i.to_json());
    return a;
}

}  // namespace

json::value ImportPlan::to_json() const {
    json::array res;
    for (const auto& r : resources) {
        res.push_back(json::object{{"kind", to_string(r.kind)},
                                   {"name", r.name},
                                   {"mode", r.mode ? json::value(to_string(*r.mode)) : json::value(nullptr)},
                                   {"body", r.body}});
    }
    json::array warn;
    for (const auto& w : warnings) warn.emplace_back(w);
    return json::object{{"schema_version", 1},          {"host_url", host_url},       {"pack_id", pack_id},
                        {"pack_version", pack_version}, {"provider", provider},       {"platform", platform},
                        {"name_prefix", name_prefix},   {"modes", modes_json(modes)}, {"writes", false},
                        {"resources", std::move(res)},  {"warnings", std::move(warn)}};
}

json::value ResourceView::to_json() const {
    json::object o{{"kind", to_string(kind)},
                   {"name", name},
                   {"mode", mode ? json::value(to_string(*mode)) : json::value(nullptr)},
                   {"host_id", opt(host_id)},
                   {"state", to_string(state)}};
    if (!error.empty()) o["error"] = error;
    return o;
}

json::value ImportOutcome::to_json() const {
    json::object o{{"schema_version", 1},
                   {"batch_id", batch_id},
                   {"batch_status", to_string(batch_status)},
                   {"provider_status", to_string(provider_status)},
                   {"provider", provider},
                   {"platform", platform},
                   {"name_prefix", name_prefix},
                   {"modes", modes_json(modes)},
                   {"resources", list_json(resources)}};
    if (!error.empty()) o["error"] = error;
    if (error_code) o["error_code"] = util::to_string(*error_code);
    return o;
}

json::value ReadyCheck::to_json() const {
    json::object o{{"models_listed", models_listed},
                   {"models_status", models_status},
                   {"chat_ok", chat_ok},
                   {"chat_status", chat_status},
                   {"ready", ready()}};
    if (stream_ok) o["stream_ok"] = *stream_ok;
    if (!detail.empty()) o["detail"] = detail;
    return o;
}

json::value AccountTestResult::to_json() const {
    return json::object{{"account_id", account_id}, {"success", success}, {"advisory", advisory}, {"detail", detail}};
}

json::value AccessOutcome::to_json() const {
    json::object o{{"schema_version", 1},
                   {"batch_id", batch_id},
                   {"mode", to_string(mode)},
                   {"access_status", to_string(access_status)},
                   {"latest_access_status", to_string(latest_access_status)},
                   {"managed_user", managed_user},
                   {"user_id", opt(user_id)},
                   {"group_id", opt(group_id)},
                   {"key_id", opt(key_id)},
                   {"subscription_id", opt(subscription_id)},
                   {"key_route", key_route},
                   {"smoke_test_model", smoke_test_model},
                   {"ready", ready.to_json()},
                   {"account_tests", list_json(account_tests)}};
    if (!error.empty()) o["error"] = error;
    if (error_code) o["error_code"] = util::to_string(*error_code);
    return o;
}

json::value DriftItem::to_json() const {
    return json::object{
        {"kind", to_string(kind)}, {"name", name}, {"host_id", opt(host_id)}, {"issue", issue}, {"detail", detail}};
}

json::value ResidueItem::to_json() const {
    return json::object{{"kind", to_string(kind)}, {"host_id", host_id}, {"name", name}, {"platform", platform}};
}

json::value ReconcileOutcome::to_json() const {
    return json::object{{"schema_version", 1},
                        {"batch_id", batch_id},
                        {"status", status},
                        {"owned_checked", owned_checked},
                        {"drift", list_json(drift)},
                        {"residue", list_json(residue)},
                        {"residue_count", residue.size()}};
}

json::value CreditView::to_json() const {
    json::object o{{"mode", to_string(mode)},
                   {"user_email", user_email},
                   {"amount", amount},
                   {"taken_back", taken_back},
                   {"state", state}};
    if (!error.empty()) o["note"] = error;
    return o;
}

json::value RollbackOutcome::to_json() const {
    json::object o{{"schema_version", 1},
                   {"batch_id", batch_id},
                   {"batch_status", to_string(batch_status)},
                   {"resources", list_json(resources)},
                   {"read_back", json::object{{"host_checks", host_checks},
                                              {"remaining", list_json(remaining)},
                                              {"clean", remaining.empty()}}}};
    if (!balance_credits.empty()) o["balance_credits"] = list_json(balance_credits);
    if (!error.empty()) o["error"] = error;
    return o;
}

json::value Leftover::to_json() const {
    return json::object{
        {"batch_id", batch_id}, {"what", what}, {"name", name}, {"host_id", opt(host_id)}, {"detail", detail}};
}

std::string Leftover::line() const {
    return fmt::format("batch {}: {} {}{}: {}", batch_id, what, name,
                       host_id ? fmt::format(" (id {})", *host_id) : std::string{}, detail);
}

json::value RecoverOutcome::to_json() const {
    json::array rolled, failed, kept, left, n;
    for (auto b : batches_rolled_back) rolled.emplace_back(b);
    for (auto b : batches_failed) failed.emplace_back(b);
    for (auto b : batches_kept) kept.emplace_back(b);
    for (const auto& l : remaining) left.push_back(l.to_json());
    for (const auto& s : notes) n.emplace_back(s);
    return json::object{{"schema_version", 1},
                        {"intents_resolved", intents_resolved},
                        {"intents_found_on_host", intents_found_on_host},
                        {"batches_rolled_back", std::move(rolled)},
                        {"batches_rollback_failed", std::move(failed)},
                        {"batches_kept", std::move(kept)},
                        {"remaining", std::move(left)},
                        {"clean", clean()},
                        {"notes", std::move(n)}};
}

json::value BatchReport::to_json() const {
    json::object access_o;
    for (const auto& [m, s] : access) access_o[to_string(m)] = to_string(s);
    json::object o{{"schema_version", 1},
                   {"batch_id", batch_id},
                   {"host_url", host_url},
                   {"provider", provider},
                   {"platform", platform},
                   {"name_prefix", name_prefix},
                   {"owner_run", owner_run},
                   {"modes", modes_json(modes)},
                   {"batch_status", to_string(batch_status)},
                   {"provider_status", to_string(provider_status)},
                   {"access_status", std::move(access_o)},
                   {"latest_access_status", to_string(latest_access_status)},
                   {"resources", list_json(resources)},
                   {"created_at", created_at},
                   {"updated_at", updated_at}};
    if (!error.empty()) o["error"] = error;
    return o;
}

}  // namespace crm::engine
