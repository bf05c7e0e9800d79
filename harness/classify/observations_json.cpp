#include "harness/classify/observations_json.hpp"

#include <fmt/format.h>

#include "probes/http/probe_exchange.hpp"
#include "util/utf8.hpp"

namespace crm::harness::classify {

namespace json = util::json;
using util::one_line;

namespace {

// One field list per struct, shared by both directions so they cannot drift apart. `Self` is
// the struct, const or not; `v(name, field)` is called for every persisted field in order.
template <class Self, class V>
void visit_http(Self& h, V&& v) {
    v("attempted", h.attempted);
    v("transport_error", h.transport_error);
    v("transport_detail", h.transport_detail);
    v("status", h.status);
    v("payload_parsed", h.payload_parsed);
    v("error_shape", h.error_shape);
    v("error_type", h.error_type);
    v("error_code", h.error_code);
    v("error_message", h.error_message);
    v("vendor_code", h.vendor_code);
    v("body_excerpt", h.body_excerpt);
    v("artifact", h.artifact);
}

template <class Self, class V>
void visit_stream(Self& s, V&& v) {
    visit_http(s, v);
    v("saw_done", s.saw_done);
    v("saw_usage", s.saw_usage);
    v("saw_error_event", s.saw_error_event);
    v("error_event_type", s.error_event_type);
    v("error_event_message", s.error_event_message);
    v("stalled", s.stalled);
    v("truncated", s.truncated);
    v("chunks", s.chunks);
    v("keepalive_comments", s.keepalive_comments);
}

template <class Self, class V>
void visit_models(Self& m, V&& v) {
    visit_http(m, v);
    v("listed_smoke_model", m.listed_smoke_model);
    v("model_ids", m.model_ids);
}

template <class Self, class V>
void visit_account_test(Self& a, V&& v) {
    v("attempted", a.attempted);
    v("outcome", a.outcome);
    v("error_text", a.error_text);
    v("artifact", a.artifact);
}

template <class Self, class V>
void visit_accounts(Self& a, V&& v) {
    v("read", a.read);
    v("count", a.count);
    v("status", a.status);
    v("schedulable", a.schedulable);
    v("unschedulable_count", a.unschedulable_count);
    v("rate_limited_count", a.rate_limited_count);
    v("temp_unschedulable_reason", a.temp_unschedulable_reason);
    v("error_message", a.error_message);
    v("artifact", a.artifact);
}

template <class Self, class V>
void visit_engine(Self& e, V&& v) {
    v("harness_error", e.harness_error);
    v("host_probe_error_code", e.host_probe_error_code);
    v("host_probe_status", e.host_probe_status);
    v("host_probe_detail", e.host_probe_detail);
    v("admin_rejected", e.admin_rejected);
    v("admin_error_code", e.admin_error_code);
    v("admin_api_error", e.admin_api_error);
    v("import_status", e.import_status);
    v("batch_status", e.batch_status);
    v("provider_status", e.provider_status);
    v("access_status", e.access_status);
    v("latest_access_status", e.latest_access_status);
    v("engine_claimed_ready", e.engine_claimed_ready);
    v("resources_missing_on_host", e.resources_missing_on_host);
    v("binding_wrong", e.binding_wrong);
    v("invariant_violation", e.invariant_violation);
    v("engine_error", e.engine_error);
    v("read_back_error", e.read_back_error);
    v("user_source", e.user_source);
    v("access_error_code", e.access_error_code);
    v("access_error_status", e.access_error_status);
    v("access_error_message", e.access_error_message);
}

template <class Self, class V>
void visit_reconcile(Self& r, V&& v) {
    v("ran", r.ran);
    v("status", r.status);
    v("owned_drift_count", r.owned_drift_count);
    v("residue_count", r.residue_count);
    v("artifact", r.artifact);
}

template <class Self, class V>
void visit_rollback(Self& r, V&& v) {
    v("ran", r.ran);
    v("status", r.status);
    v("remaining_owned", r.remaining_owned);
    v("error", r.error);
    v("artifact", r.artifact);
}

// ---- to JSON ----------------------------------------------------------------------------

struct Writer {
    json::object& out;
    void operator()(const char* k, const std::string& s) const { out[k] = s; }
    void operator()(const char* k, bool b) const { out[k] = b; }
    void operator()(const char* k, int i) const { out[k] = i; }
    void operator()(const char* k, const std::optional<int>& i) const {
        if (i)
            out[k] = *i;
        else
            out[k] = nullptr;
    }
    void operator()(const char* k, const std::optional<bool>& b) const {
        if (b)
            out[k] = *b;
        else
            out[k] = nullptr;
    }
    void operator()(const char* k, const std::vector<std::string>& l) const {
        json::array a;
        for (const auto& s : l) a.emplace_back(s);
        out[k] = std::move(a);
    }
};

std::string join_nonempty(std::initializer_list<const std::string*> parts) {
    std::string out;
    for (const std::string* p : parts) {
        if (p->empty()) continue;
        if (!out.empty()) out += " | ";
        out += *p;
    }
    return out;
}

bool has_error_body(const HttpObservation& h) {
    return !h.error_type.empty() || !h.error_code.empty() || !h.error_message.empty() ||
           (!h.vendor_code.empty() && h.vendor_code != "0");
}

bool http_ok(const HttpObservation& h) {
    return h.attempted && probes::answer_ok({h.transport_error.empty() && h.status.has_value(), h.status.value_or(0),
                                             has_error_body(h), h.payload_parsed.value_or(true)});
}

// "stalled: no payload bytes for 2000 ms", "too_large: response larger than 4194304 bytes".
std::string transport_phrase(const HttpObservation& h) {
    if (h.transport_detail.empty()) return h.transport_error;
    if (h.transport_detail.starts_with(h.transport_error)) return h.transport_detail;
    return fmt::format("{}: {}", h.transport_error, h.transport_detail);
}

// "upstream_error: Upstream request failed", "insufficient_user_quota (vendor code 1008)".
std::string error_phrase(const HttpObservation& h) {
    std::string what = h.error_type;
    if (!h.error_code.empty() && h.error_code != h.error_type) {
        what += what.empty() ? h.error_code : "/" + h.error_code;
    }
    if (!h.error_message.empty()) {
        what += what.empty() ? one_line(h.error_message, 200) : ": " + one_line(h.error_message, 200);
    }
    if (!h.vendor_code.empty() && h.vendor_code != "0") {
        what += what.empty() ? "vendor code " + h.vendor_code : " (vendor code " + h.vendor_code + ")";
    }
    return what;
}

// The derived <probe>.summary: one phrase that never contains a placeholder for what was not
// seen, so explanations can quote an exchange whatever shape its failure took.
std::string http_summary(const HttpObservation& h, bool ok) {
    if (!h.attempted) return "not attempted";
    std::string out;
    if (h.status) {
        out = fmt::format("HTTP {}", *h.status);
        if (!h.transport_error.empty()) out += ", then " + transport_phrase(h);
    } else if (!h.transport_error.empty()) {
        out = "no HTTP answer (" + transport_phrase(h) + ")";
    } else {
        out = "no HTTP answer recorded";
    }
    if (std::string err = error_phrase(h); !err.empty()) {
        out += " " + err;
    } else if (h.status && *h.status >= 200 && *h.status < 300 && h.payload_parsed == false) {
        out += h.body_excerpt.empty()
                   ? " with an empty body, not the expected payload"
                   : " with a body that is not the expected payload: \"" + one_line(h.body_excerpt, 80) + "\"";
    } else if (h.status && *h.status >= 300 && !h.body_excerpt.empty()) {
        // No API error body (a proxy's HTML page, Gin's "404 page not found"): quote what came.
        out += " with a body that is not an API error: \"" + one_line(h.body_excerpt, 120) + "\"";
    } else if (ok) {
        out += " OK";
    }
    return out;
}

std::string stream_summary(const StreamObservation& s, bool ok) {
    std::string out = http_summary(s, ok);
    if (!s.attempted || ok || !s.status || *s.status < 200 || *s.status >= 300) return out;
    std::vector<std::string> notes;
    if (s.saw_error_event) {
        std::string ev = s.error_event_type;
        if (!s.error_event_message.empty()) ev += (ev.empty() ? "" : ": ") + one_line(s.error_event_message, 200);
        notes.push_back(ev.empty() ? "an error event" : "error event " + ev);
    }
    if (s.stalled) {
        notes.push_back(fmt::format("stalled after {} chunk(s) and {} keep-alive(s)", s.chunks, s.keepalive_comments));
    }
    if (s.truncated) notes.push_back(fmt::format("ended without [DONE] after {} chunk(s)", s.chunks));
    if (notes.empty() && !s.saw_done) notes.emplace_back("no [DONE]");
    for (const auto& n : notes) out += "; " + n;
    return out;
}

std::string http_text(const HttpObservation& h) {
    return join_nonempty({&h.error_type, &h.error_code, &h.error_message, &h.vendor_code, &h.body_excerpt});
}

json::object http_view(const HttpObservation& h) {
    json::object o;
    visit_http(h, Writer{o});
    bool ok = http_ok(h);
    o["ok"] = ok;
    o["failed"] = h.attempted && !ok;
    o["text"] = http_text(h);
    o["summary"] = http_summary(h, ok);
    return o;
}

json::object stream_view(const StreamObservation& s) {
    json::object o;
    visit_stream(s, Writer{o});
    bool ok = http_ok(s) && s.saw_done && !s.saw_error_event && !s.stalled && !s.truncated;
    o["ok"] = ok;
    o["failed"] = s.attempted && !ok;
    std::string base = http_text(s);
    o["text"] = join_nonempty({&base, &s.error_event_type, &s.error_event_message});
    o["summary"] = stream_summary(s, ok);
    return o;
}

json::object models_view(const ModelsObservation& m) {
    json::object o;
    visit_models(m, Writer{o});
    bool ok = http_ok(m);
    o["ok"] = ok;
    o["failed"] = m.attempted && !ok;
    o["text"] = http_text(m);
    o["summary"] = http_summary(m, ok);
    return o;
}

// ---- from JSON --------------------------------------------------------------------------

struct Reader {
    const json::object& in;
    std::string prefix;
    std::string& error;  // first error wins
    std::set<std::string>& seen;

    const json::value* get(const char* k) const {
        seen.insert(k);
        auto it = in.find(k);
        if (it == in.end() || it->value().is_null()) return nullptr;
        return &it->value();
    }
    void bad(const char* k, const char* want) const {
        if (error.empty()) error = fmt::format("{}{}: expected {}", prefix, k, want);
    }
    void operator()(const char* k, std::string& s) const {
        if (auto* v = get(k)) {
            if (v->is_string())
                s = std::string(v->get_string());
            else
                bad(k, "a string");
        }
    }
    void operator()(const char* k, bool& b) const {
        if (auto* v = get(k)) {
            if (v->is_bool())
                b = v->get_bool();
            else
                bad(k, "true or false");
        }
    }
    void operator()(const char* k, int& i) const {
        if (auto* v = get(k)) {
            if (v->is_int64())
                i = static_cast<int>(v->get_int64());
            else if (v->is_uint64())
                i = static_cast<int>(v->get_uint64());
            else
                bad(k, "an integer");
        }
    }
    void operator()(const char* k, std::optional<int>& i) const {
        if (get(k) != nullptr) {
            int x = 0;
            (*this)(k, x);
            i = x;
        }
    }
    void operator()(const char* k, std::optional<bool>& b) const {
        if (get(k) != nullptr) {
            bool x = false;
            (*this)(k, x);
            b = x;
        }
    }
    void operator()(const char* k, std::vector<std::string>& l) const {
        if (auto* v = get(k)) {
            if (!v->is_array()) return bad(k, "an array of strings");
            l.clear();
            for (const auto& e : v->get_array()) {
                if (!e.is_string()) return bad(k, "an array of strings");
                l.emplace_back(e.get_string());
            }
        }
    }
};

const std::set<std::string> k_derived = {"ok", "failed", "text", "summary"};

template <class T, class VisitFn>
void read_section(const json::object& root, const char* key, T& target, VisitFn visit, std::string& error) {
    auto it = root.find(key);
    if (it == root.end() || it->value().is_null()) return;
    if (!it->value().is_object()) {
        if (error.empty()) error = fmt::format("{}: expected an object", key);
        return;
    }
    const auto& obj = it->value().get_object();
    std::set<std::string> seen;
    Reader r{obj, std::string(key) + ".", error, seen};
    visit(target, r);
    for (const auto& kv : obj) {
        std::string k(kv.key());
        if (!seen.contains(k) && !k_derived.contains(k) && error.empty()) {
            error = fmt::format("{}.{}: unknown field", key, k);
        }
    }
}

void collect_leaves(const json::object& o, const std::string& prefix, std::set<std::string, std::less<>>& out) {
    for (const auto& kv : o) {
        std::string path = prefix.empty() ? std::string(kv.key()) : prefix + "." + std::string(kv.key());
        if (kv.value().is_object())
            collect_leaves(kv.value().get_object(), path, out);
        else
            out.insert(path);
    }
}

}  // namespace

json::object to_json(const CellObservations& obs) {
    json::object o;
    o["mode"] = obs.mode;
    o["provider"] = obs.provider;
    o["smoke_model"] = obs.smoke_model;
    o["stream_enabled"] = obs.stream_enabled;

    json::object engine;
    visit_engine(obs.engine, Writer{engine});
    o["engine"] = std::move(engine);

    json::object at;
    visit_account_test(obs.account_test, Writer{at});
    at["text"] = obs.account_test.error_text;
    o["account_test"] = std::move(at);

    json::object accounts;
    visit_accounts(obs.accounts, Writer{accounts});
    accounts["text"] = join_nonempty({&obs.accounts.temp_unschedulable_reason, &obs.accounts.error_message});
    o["accounts"] = std::move(accounts);

    o["models"] = models_view(obs.models);
    o["chat"] = http_view(obs.chat);
    o["chat_stream"] = stream_view(obs.chat_stream);
    o["chat_alt_auth"] = http_view(obs.chat_alt_auth);
    o["upstream_models"] = models_view(obs.upstream_models);
    o["upstream_chat"] = http_view(obs.upstream_chat);

    json::object rec;
    visit_reconcile(obs.reconcile, Writer{rec});
    o["reconcile"] = std::move(rec);
    json::object rb;
    visit_rollback(obs.rollback, Writer{rb});
    o["rollback"] = std::move(rb);
    return o;
}

util::Result<CellObservations> observations_from_json(const json::value& v, std::string_view source) {
    if (!v.is_object()) {
        return util::fail(util::ErrorCode::invalid_input,
                          fmt::format("{}: observations must be a JSON object", source));
    }
    const auto& root = v.get_object();
    CellObservations obs;
    std::string error;
    std::set<std::string> seen;
    Reader top{root, "", error, seen};
    top("mode", obs.mode);
    top("provider", obs.provider);
    top("smoke_model", obs.smoke_model);
    top("stream_enabled", obs.stream_enabled);

    auto http = [](HttpObservation& h, const Reader& r) { visit_http(h, r); };
    auto models = [](ModelsObservation& m, const Reader& r) { visit_models(m, r); };
    read_section(root, "engine", obs.engine, [](EngineObservation& e, const Reader& r) { visit_engine(e, r); }, error);
    read_section(
        root, "account_test", obs.account_test,
        [](AccountTestObservation& a, const Reader& r) { visit_account_test(a, r); }, error);
    read_section(
        root, "accounts", obs.accounts, [](AccountStateObservation& a, const Reader& r) { visit_accounts(a, r); },
        error);
    read_section(root, "models", obs.models, models, error);
    read_section(root, "chat", obs.chat, http, error);
    read_section(
        root, "chat_stream", obs.chat_stream, [](StreamObservation& s, const Reader& r) { visit_stream(s, r); }, error);
    read_section(root, "chat_alt_auth", obs.chat_alt_auth, http, error);
    read_section(root, "upstream_models", obs.upstream_models, models, error);
    read_section(root, "upstream_chat", obs.upstream_chat, http, error);
    read_section(
        root, "reconcile", obs.reconcile, [](ReconcileObservation& x, const Reader& r) { visit_reconcile(x, r); },
        error);
    read_section(
        root, "rollback", obs.rollback, [](RollbackObservation& x, const Reader& r) { visit_rollback(x, r); }, error);

    static const std::set<std::string> k_sections = {
        "engine",        "account_test",    "accounts",      "models",    "chat",    "chat_stream",
        "chat_alt_auth", "upstream_models", "upstream_chat", "reconcile", "rollback"};
    for (const auto& kv : root) {
        std::string k(kv.key());
        if (!seen.contains(k) && !k_sections.contains(k) && error.empty()) {
            error = fmt::format("{}: unknown field", k);
        }
    }
    if (!error.empty()) {
        return util::fail(util::ErrorCode::invalid_input, fmt::format("{}: {}", source, error));
    }
    return obs;
}

const std::set<std::string, std::less<>>& known_fields() {
    static const std::set<std::string, std::less<>> fields = [] {
        std::set<std::string, std::less<>> out;
        collect_leaves(to_json(CellObservations{}), "", out);
        return out;
    }();
    return fields;
}

}  // namespace crm::harness::classify
