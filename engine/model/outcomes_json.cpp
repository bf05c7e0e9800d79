#include "engine/model/outcomes_json.hpp"

#include <fmt/format.h>

#include <cmath>
#include <limits>

namespace crm::engine {

std::optional<util::ErrorCode> parse_error_code(std::string_view s) noexcept {
    for (int i = 0; i <= static_cast<int>(util::ErrorCode::internal); ++i) {
        auto c = static_cast<util::ErrorCode>(i);
        if (s == util::to_string(c)) return c;
    }
    return std::nullopt;
}

namespace {

using util::ErrorCode;
using util::Result;

std::string join_path(std::string_view parent, std::string_view key) {
    return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

// One object being read: every failure names `what` and the field's path from the root.
class Reader {
  public:
    Reader(std::string_view what, std::string path, const json::object& o)
        : m_what(what), m_path(std::move(path)), m_o(o) {}

    // Opens `v` as an object at `path`.
    static Result<Reader> open(std::string_view what, std::string path, const json::value& v) {
        if (!v.is_object())
            return util::fail(ErrorCode::protocol,
                              fmt::format("{}: {}: must be an object", what, path.empty() ? "(document)" : path));
        return Reader(what, std::move(path), v.get_object());
    }

    [[nodiscard]] util::Error error(std::string_view key, std::string_view reason) const {
        return util::Error{
            ErrorCode::protocol, fmt::format("{}: {}: {}", m_what, join_path(m_path, key), reason), {}, 0, {}};
    }

    [[nodiscard]] Result<const json::value*> field(std::string_view key) const {
        const auto* v = m_o.if_contains(key);
        if (!v) return std::unexpected(error(key, "missing"));
        return v;
    }

    [[nodiscard]] Result<std::string> str(std::string_view key) const {
        CRM_TRY(v, field(key));
        if (!v->is_string()) return std::unexpected(error(key, "must be a string"));
        return std::string(v->get_string());
    }

    // Absent: "" (to_json leaves empty error/detail strings out).
    [[nodiscard]] Result<std::string> opt_str(std::string_view key) const {
        if (!m_o.contains(key)) return std::string{};
        return str(key);
    }

    [[nodiscard]] Result<bool> boolean(std::string_view key) const {
        CRM_TRY(v, field(key));
        if (!v->is_bool()) return std::unexpected(error(key, "must be true or false"));
        return v->get_bool();
    }

    [[nodiscard]] Result<std::int64_t> integer(std::string_view key) const {
        CRM_TRY(v, field(key));
        if (v->is_int64()) return v->get_int64();
        if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return static_cast<std::int64_t>(v->get_uint64());
        return std::unexpected(error(key, "must be an integer"));
    }

    [[nodiscard]] Result<std::size_t> count(std::string_view key) const {
        CRM_TRY(n, integer(key));
        if (n < 0) return std::unexpected(error(key, "must not be negative"));
        return static_cast<std::size_t>(n);
    }

    [[nodiscard]] Result<double> number(std::string_view key) const {
        CRM_TRY(v, field(key));
        if (v->is_double()) return v->get_double();
        if (v->is_int64()) return static_cast<double>(v->get_int64());
        if (v->is_uint64()) return static_cast<double>(v->get_uint64());
        return std::unexpected(error(key, "must be a number"));
    }

    // null or an integer.
    [[nodiscard]] Result<std::optional<std::int64_t>> opt_id(std::string_view key) const {
        CRM_TRY(v, field(key));
        if (v->is_null()) return std::optional<std::int64_t>{};
        CRM_TRY(n, integer(key));
        return std::optional<std::int64_t>{n};
    }

    template <class Enum>
    [[nodiscard]] Result<Enum> enumerated(std::string_view key, std::optional<Enum> (*parse)(std::string_view) noexcept,
                                          std::string_view expected) const {
        CRM_TRY(s, str(key));
        auto e = parse(s);
        if (!e)
            return std::unexpected(error(key, fmt::format("unknown value \"{}\" (expected one of {})", s, expected)));
        return *e;
    }

    // null or a mode.
    [[nodiscard]] Result<std::optional<AccessMode>> opt_mode(std::string_view key) const {
        CRM_TRY(v, field(key));
        if (v->is_null()) return std::optional<AccessMode>{};
        CRM_TRY(m, enumerated(key, &parse_access_mode, "self_service, subscription"));
        return std::optional<AccessMode>{m};
    }

    [[nodiscard]] Result<std::optional<ErrorCode>> opt_error_code(std::string_view key) const {
        if (!m_o.contains(key)) return std::optional<ErrorCode>{};
        CRM_TRY(s, str(key));
        auto c = parse_error_code(s);
        if (!c) return std::unexpected(error(key, fmt::format("unknown error code \"{}\"", s)));
        return std::optional<ErrorCode>{*c};
    }

    [[nodiscard]] Result<const json::array*> array(std::string_view key) const {
        CRM_TRY(v, field(key));
        if (!v->is_array()) return std::unexpected(error(key, "must be an array"));
        return &v->get_array();
    }

    // Each element of the array `key` read by `item(Reader)`.
    template <class T, class Item>
    [[nodiscard]] Result<std::vector<T>> list(std::string_view key, Item item) const {
        CRM_TRY(a, array(key));
        std::vector<T> out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            CRM_TRY(r, open(m_what, fmt::format("{}[{}]", join_path(m_path, key), i), (*a)[i]));
            CRM_TRY(t, item(r));
            out.push_back(std::move(t));
        }
        return out;
    }

    [[nodiscard]] Result<std::vector<AccessMode>> modes(std::string_view key) const {
        CRM_TRY(a, array(key));
        std::vector<AccessMode> out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            const auto* s = (*a)[i].if_string();
            auto m = s ? parse_access_mode(*s) : std::nullopt;
            if (!m)
                return std::unexpected(error(fmt::format("{}[{}]", key, i), "must be self_service or subscription"));
            out.push_back(*m);
        }
        return out;
    }

    [[nodiscard]] Result<Reader> child(std::string_view key) const {
        CRM_TRY(v, field(key));
        return open(m_what, join_path(m_path, key), *v);
    }

    [[nodiscard]] const json::object& object() const { return m_o; }

  private:
    std::string m_what;
    std::string m_path;
    const json::object& m_o;
};

constexpr std::string_view k_batch_statuses = "pending, running, succeeded, failed, rolled_back, rollback_failed";
constexpr std::string_view k_provider_statuses = "active, inactive, broken";
constexpr std::string_view k_access_statuses = "none, self_service_ready, subscription_ready, broken";
constexpr std::string_view k_latest_statuses = "fully_ready, partially_ready, not_ready";
constexpr std::string_view k_kinds = "group, account, channel, user, subscription, api_key";
constexpr std::string_view k_states = "intent, created, deleted, absent, delete_failed";

Result<ResourceView> resource_view(const Reader& r) {
    ResourceView v;
    CRM_TRY(kind, r.enumerated(std::string_view("kind"), &parse_resource_kind, k_kinds));
    CRM_TRY(name, r.str("name"));
    CRM_TRY(mode, r.opt_mode("mode"));
    CRM_TRY(host_id, r.opt_id("host_id"));
    CRM_TRY(state, r.enumerated(std::string_view("state"), &parse_resource_state, k_states));
    CRM_TRY(error, r.opt_str("error"));
    v.kind = kind;
    v.name = std::move(name);
    v.mode = mode;
    v.host_id = host_id;
    v.state = state;
    v.error = std::move(error);
    return v;
}

Result<ReadyCheck> ready_check(const Reader& r) {
    ReadyCheck c;
    CRM_TRY(models_listed, r.boolean("models_listed"));
    CRM_TRY(models_status, r.integer("models_status"));
    CRM_TRY(chat_ok, r.boolean("chat_ok"));
    CRM_TRY(chat_status, r.integer("chat_status"));
    c.models_listed = models_listed;
    c.models_status = static_cast<int>(models_status);
    c.chat_ok = chat_ok;
    c.chat_status = static_cast<int>(chat_status);
    if (r.object().contains("stream_ok")) {
        CRM_TRY(stream_ok, r.boolean("stream_ok"));
        c.stream_ok = stream_ok;
    }
    CRM_TRY(detail, r.opt_str("detail"));
    c.detail = std::move(detail);
    return c;
}

Result<AccountTestResult> account_test(const Reader& r) {
    AccountTestResult t;
    CRM_TRY(id, r.integer("account_id"));
    CRM_TRY(success, r.boolean("success"));
    CRM_TRY(advisory, r.boolean("advisory"));
    CRM_TRY(detail, r.str("detail"));
    t.account_id = id;
    t.success = success;
    t.advisory = advisory;
    t.detail = std::move(detail);
    return t;
}

Result<DriftItem> drift_item(const Reader& r) {
    DriftItem d;
    CRM_TRY(kind, r.enumerated(std::string_view("kind"), &parse_resource_kind, k_kinds));
    CRM_TRY(name, r.str("name"));
    CRM_TRY(host_id, r.opt_id("host_id"));
    CRM_TRY(issue, r.str("issue"));
    CRM_TRY(detail, r.str("detail"));
    d.kind = kind;
    d.name = std::move(name);
    d.host_id = host_id;
    d.issue = std::move(issue);
    d.detail = std::move(detail);
    return d;
}

Result<ResidueItem> residue_item(const Reader& r) {
    ResidueItem d;
    CRM_TRY(kind, r.enumerated(std::string_view("kind"), &parse_resource_kind, k_kinds));
    CRM_TRY(host_id, r.integer("host_id"));
    CRM_TRY(name, r.str("name"));
    CRM_TRY(platform, r.str("platform"));
    d.kind = kind;
    d.host_id = host_id;
    d.name = std::move(name);
    d.platform = std::move(platform);
    return d;
}

Result<CreditView> credit_view(const Reader& r) {
    CreditView c;
    CRM_TRY(mode, r.enumerated(std::string_view("mode"), &parse_access_mode, "self_service, subscription"));
    CRM_TRY(email, r.str("user_email"));
    CRM_TRY(amount, r.number("amount"));
    CRM_TRY(taken_back, r.number("taken_back"));
    CRM_TRY(state, r.str("state"));
    CRM_TRY(note, r.opt_str("note"));
    c.mode = mode;
    c.user_email = std::move(email);
    c.amount = amount;
    c.taken_back = taken_back;
    c.state = std::move(state);
    c.error = std::move(note);
    return c;
}

}  // namespace

Result<ImportOutcome> import_outcome_from_json(const json::value& v) {
    CRM_TRY(r, Reader::open("import outcome", "", v));
    ImportOutcome o;
    CRM_TRY(batch_id, r.integer("batch_id"));
    CRM_TRY(batch_status, r.enumerated(std::string_view("batch_status"), &parse_batch_status, k_batch_statuses));
    CRM_TRY(provider_status,
            r.enumerated(std::string_view("provider_status"), &parse_provider_status, k_provider_statuses));
    CRM_TRY(provider, r.str("provider"));
    CRM_TRY(platform, r.str("platform"));
    CRM_TRY(prefix, r.str("name_prefix"));
    CRM_TRY(modes, r.modes("modes"));
    CRM_TRY(resources, r.list<ResourceView>("resources", resource_view));
    CRM_TRY(error, r.opt_str("error"));
    CRM_TRY(error_code, r.opt_error_code("error_code"));
    o.batch_id = batch_id;
    o.batch_status = batch_status;
    o.provider_status = provider_status;
    o.provider = std::move(provider);
    o.platform = std::move(platform);
    o.name_prefix = std::move(prefix);
    o.modes = std::move(modes);
    o.resources = std::move(resources);
    o.error = std::move(error);
    o.error_code = error_code;
    return o;
}

Result<AccessOutcome> access_outcome_from_json(const json::value& v) {
    CRM_TRY(r, Reader::open("access outcome", "", v));
    AccessOutcome o;
    CRM_TRY(batch_id, r.integer("batch_id"));
    CRM_TRY(mode, r.enumerated(std::string_view("mode"), &parse_access_mode, "self_service, subscription"));
    CRM_TRY(access_status, r.enumerated(std::string_view("access_status"), &parse_access_status, k_access_statuses));
    CRM_TRY(latest,
            r.enumerated(std::string_view("latest_access_status"), &parse_latest_access_status, k_latest_statuses));
    CRM_TRY(managed_user, r.boolean("managed_user"));
    CRM_TRY(user_id, r.opt_id("user_id"));
    CRM_TRY(group_id, r.opt_id("group_id"));
    CRM_TRY(key_id, r.opt_id("key_id"));
    CRM_TRY(subscription_id, r.opt_id("subscription_id"));
    CRM_TRY(key_route, r.str("key_route"));
    CRM_TRY(smoke_test_model, r.str("smoke_test_model"));
    CRM_TRY(ready_reader, r.child("ready"));
    CRM_TRY(ready, ready_check(ready_reader));
    CRM_TRY(tests, r.list<AccountTestResult>("account_tests", account_test));
    CRM_TRY(error, r.opt_str("error"));
    CRM_TRY(error_code, r.opt_error_code("error_code"));
    o.batch_id = batch_id;
    o.mode = mode;
    o.access_status = access_status;
    o.latest_access_status = latest;
    o.managed_user = managed_user;
    o.user_id = user_id;
    o.group_id = group_id;
    o.key_id = key_id;
    o.subscription_id = subscription_id;
    o.key_route = std::move(key_route);
    o.smoke_test_model = std::move(smoke_test_model);
    o.ready = std::move(ready);
    o.account_tests = std::move(tests);
    o.error = std::move(error);
    o.error_code = error_code;
    return o;
}

Result<ReconcileOutcome> reconcile_outcome_from_json(const json::value& v) {
    CRM_TRY(r, Reader::open("reconcile outcome", "", v));
    ReconcileOutcome o;
    CRM_TRY(batch_id, r.integer("batch_id"));
    CRM_TRY(status, r.str("status"));
    CRM_TRY(owned_checked, r.count("owned_checked"));
    CRM_TRY(drift, r.list<DriftItem>("drift", drift_item));
    CRM_TRY(residue, r.list<ResidueItem>("residue", residue_item));
    o.batch_id = batch_id;
    o.status = std::move(status);
    o.owned_checked = owned_checked;
    o.drift = std::move(drift);
    o.residue = std::move(residue);
    return o;
}

Result<RollbackOutcome> rollback_outcome_from_json(const json::value& v) {
    CRM_TRY(r, Reader::open("rollback outcome", "", v));
    RollbackOutcome o;
    CRM_TRY(batch_id, r.integer("batch_id"));
    CRM_TRY(batch_status, r.enumerated(std::string_view("batch_status"), &parse_batch_status, k_batch_statuses));
    CRM_TRY(resources, r.list<ResourceView>("resources", resource_view));
    CRM_TRY(read_back, r.child("read_back"));
    CRM_TRY(host_checks, read_back.count("host_checks"));
    CRM_TRY(remaining, read_back.list<ResourceView>("remaining", resource_view));
    if (r.object().contains("balance_credits")) {
        CRM_TRY(credits, r.list<CreditView>("balance_credits", credit_view));
        o.balance_credits = std::move(credits);
    }
    CRM_TRY(error, r.opt_str("error"));
    o.batch_id = batch_id;
    o.batch_status = batch_status;
    o.resources = std::move(resources);
    o.remaining = std::move(remaining);
    o.host_checks = host_checks;
    o.error = std::move(error);
    return o;
}

Result<BatchReport> batch_report_from_json(const json::value& v) {
    CRM_TRY(r, Reader::open("batch report", "", v));
    BatchReport o;
    CRM_TRY(batch_id, r.integer("batch_id"));
    CRM_TRY(host_url, r.str("host_url"));
    CRM_TRY(provider, r.str("provider"));
    CRM_TRY(platform, r.str("platform"));
    CRM_TRY(prefix, r.str("name_prefix"));
    CRM_TRY(owner_run, r.str("owner_run"));
    CRM_TRY(modes, r.modes("modes"));
    CRM_TRY(batch_status, r.enumerated(std::string_view("batch_status"), &parse_batch_status, k_batch_statuses));
    CRM_TRY(provider_status,
            r.enumerated(std::string_view("provider_status"), &parse_provider_status, k_provider_statuses));
    CRM_TRY(access, r.child("access_status"));
    for (const auto& kv : access.object()) {
        auto mode = parse_access_mode(kv.key());
        if (!mode)
            return std::unexpected(access.error(kv.key(), "unknown mode (expected self_service or subscription)"));
        CRM_TRY(status, access.enumerated(kv.key(), &parse_access_status, k_access_statuses));
        o.access.emplace_back(*mode, status);
    }
    CRM_TRY(latest,
            r.enumerated(std::string_view("latest_access_status"), &parse_latest_access_status, k_latest_statuses));
    CRM_TRY(resources, r.list<ResourceView>("resources", resource_view));
    CRM_TRY(created_at, r.str("created_at"));
    CRM_TRY(updated_at, r.str("updated_at"));
    CRM_TRY(error, r.opt_str("error"));
    o.batch_id = batch_id;
    o.host_url = std::move(host_url);
    o.provider = std::move(provider);
    o.platform = std::move(platform);
    o.name_prefix = std::move(prefix);
    o.owner_run = std::move(owner_run);
    o.modes = std::move(modes);
    o.batch_status = batch_status;
    o.provider_status = provider_status;
    o.latest_access_status = latest;
    o.resources = std::move(resources);
    o.created_at = std::move(created_at);
    o.updated_at = std::move(updated_at);
    o.error = std::move(error);
    return o;
}

}  // namespace crm::engine
