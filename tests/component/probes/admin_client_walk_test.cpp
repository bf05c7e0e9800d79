// The AdminClient against the in-process stub host over loopback: every resource family walked
// through create / read / list / update / delete, in both admin auth modes, plus the compliance
// profile and the capability probe.
#include <catch2/catch.hpp>

#include "probes/sub2api/admin_client.hpp"
#include "stubs/stub_cluster.hpp"
#include "util/random.hpp"

using namespace crm::probes::sub2api;
using crm::util::ErrorCode;
using crm::util::SecretRegistry;
namespace json = boost::json;

namespace {

struct Cluster {
    std::unique_ptr<crm::stubs::StubCluster> stub;
    std::unique_ptr<crm::probes::HttpTransport> http = crm::probes::make_curl_transport();

    explicit Cluster(crm::stubs::StubOptions options = {}) {
        auto started = crm::stubs::StubCluster::start(std::move(options));
        REQUIRE(started);
        stub = std::move(*started);
    }
    const crm::stubs::StubEndpoints& ep() const { return stub->endpoints(); }

    AdminClientOptions options(bool by_key, bool accept = false) const {
        AdminClientOptions o;
        o.base_url = ep().host_url;
        if (by_key) {
            o.credentials.api_key = ep().admin_api_key;
        } else {
            o.credentials.email = ep().admin_email;
            o.credentials.password = ep().admin_password;
        }
        o.accept_compliance = accept;
        o.timeouts.total = std::chrono::milliseconds(10000);
        return o;
    }
};

GroupCreate group(std::string name, std::string type) {
    GroupCreate g;
    g.name = std::move(name);
    g.platform = "deepseek";
    g.subscription_type = std::move(type);
    if (g.subscription_type == "subscription") g.daily_limit_usd = 5;
    return g;
}

// One full walk; `tag` keeps names unique per run.
void walk(Cluster& c, AdminClient& client, SecretRegistry& secrets, bool fork) {
    const std::string tag = crm::util::random_hex(4);

    auto std_group = client.create_group(group("walk-std-" + tag, "standard"));
    REQUIRE(std_group);
    auto sub_group = client.create_group(group("walk-sub-" + tag, "subscription"));
    REQUIRE(sub_group);
    auto dup = client.create_group(group("walk-std-" + tag, "standard"));
    REQUIRE_FALSE(dup);
    CHECK(dup.error().code == ErrorCode::conflict);
    CHECK(dup.error().http_status == 409);

    auto got = client.get_group(std_group->id);
    REQUIRE(got);
    CHECK(got->name == "walk-std-" + tag);
    CHECK(got->subscription_type == "standard");
    auto renamed = client.update_group(sub_group->id, json::object{{"description", "walk"}});
    REQUIRE(renamed);
    CHECK(renamed->description == "walk");
    auto groups = client.list_groups(Query{{"platform", "deepseek"}});
    REQUIRE(groups);
    CHECK(std::count_if(groups->begin(), groups->end(),
                        [&](const Group& g) { return g.id == std_group->id || g.id == sub_group->id; }) == 2);

    // Account bound to both groups, credentials with the upstream key.
    AccountCreate account;
    account.name = "walk-acct-" + tag;
    account.platform = "deepseek";
    account.credentials = json::object{{"api_key", c.ep().upstream_keys.at("deepseek")},
                                       {"base_url", c.ep().upstream_urls.at("deepseek")},
                                       {"account_mode", "payg"},
                                       {"api_protocol", "chat_completions"},
                                       {"model_mapping", json::object{{"deepseek-chat", "deepseek-chat"}}}};
    account.group_ids = {std_group->id, sub_group->id};
    auto acct = client.create_account(account);
    REQUIRE(acct);
    CHECK(acct->status == "active");
    CHECK(acct->schedulable);
    CHECK(secrets.scrub(c.ep().upstream_keys.at("deepseek")) == "[REDACTED]");
    auto read = client.get_account(acct->id);
    REQUIRE(read);
    CHECK_FALSE(read->credentials.contains("api_key"));
    CHECK(read->group_ids.size() == 2);

    // A partial credentials update keeps base_url (the client sends the full map).
    auto updated = client.update_account(
        acct->id,
        json::object{{"credentials",
                      json::object{{"model_mapping", json::object{{"deepseek-chat", "deepseek-chat"},
                                                                  {"deepseek-reasoner", "deepseek-reasoner"}}}}}});
    REQUIRE(updated);
    auto reread = client.get_account(acct->id);
    REQUIRE(reread);
    CHECK(reread->credentials.at("base_url") == json::value(c.ep().upstream_urls.at("deepseek")));
    CHECK(reread->credentials.at("model_mapping").as_object().size() == 2);
    AccountFilter filter;
    filter.group = std::to_string(std_group->id);
    auto accounts = client.list_accounts(filter);
    REQUIRE(accounts);
    REQUIRE(accounts->size() == 1);
    CHECK(accounts->front().id == acct->id);

    // Channel over the standard group.
    ChannelCreate channel;
    channel.name = "walk-ch-" + tag;
    channel.group_ids = {std_group->id};
    ChannelPricing price;
    price.platform = "deepseek";
    price.models = {"deepseek-chat"};
    price.input_price = 2.8e-7;
    price.output_price = 4.2e-7;
    channel.model_pricing = {price};
    auto ch = client.create_channel(channel);
    REQUIRE(ch);
    CHECK(ch->restrict_models);
    CHECK(ch->billing_model_source == "channel_mapped");
    auto ch_read = client.get_channel(ch->id);
    REQUIRE(ch_read);
    CHECK(ch_read->model_pricing.size() == 1);
    auto ch_updated = client.update_channel(ch->id, json::object{{"description", "walk"}});
    REQUIRE(ch_updated);
    auto channels = client.list_channels();
    REQUIRE(channels);
    CHECK(std::any_of(channels->begin(), channels->end(), [&](const Channel& x) { return x.id == ch->id; }));

    // Ordinary user with balance and a subscription.
    UserCreate user;
    user.email = "walk-" + tag + "@example.com";
    user.password = "walk-pass-" + tag;
    user.balance = 1.0;
    auto u = client.create_user(user);
    REQUIRE(u);
    CHECK(secrets.scrub(user.password) == "[REDACTED]");
    auto topped = client.update_balance(u->id, 5.0, "set", "walk");
    REQUIRE(topped);
    auto u_read = client.get_user(u->id);
    REQUIRE(u_read);
    CHECK(u_read->balance == Approx(5.0));
    auto sub = client.assign_subscription(u->id, sub_group->id, 30);
    REQUIRE(sub);
    CHECK(sub->status == "active");
    SubscriptionFilter sf;
    sf.user_id = u->id;
    auto subs = client.list_subscriptions(sf);
    REQUIRE(subs);
    REQUIRE(subs->size() == 1);
    auto sub_read = client.get_subscription(sub->id);
    REQUIRE(sub_read);
    CHECK(sub_read->group_id == sub_group->id);

    // API keys: user login + POST /api/v1/keys, and the fork route when present.
    auto session = client.login_user(user.email, user.password);
    REQUIRE(session);
    CHECK(secrets.scrub(session->access_token) == "[REDACTED]");
    auto key = client.create_key_as_user(session->access_token, "walk-std", std_group->id);
    REQUIRE(key);
    CHECK(key->key.starts_with("sk-"));
    CHECK(secrets.scrub(key->key) == "[REDACTED]");
    auto sub_key = client.create_key_as_user(session->access_token, "walk-sub", sub_group->id);
    REQUIRE(sub_key);
    auto fork_key = client.create_key_admin(u->id, "walk-fork", std_group->id);
    if (fork) {
        REQUIRE(fork_key);
        CHECK(secrets.scrub(fork_key->key) == "[REDACTED]");
    } else {
        REQUIRE_FALSE(fork_key);
        CHECK(fork_key.error().http_status == 404);
    }
    auto keys = client.list_user_keys(u->id);
    REQUIRE(keys);
    CHECK(keys->size() == (fork ? 3u : 2u));
    REQUIRE(client.delete_key_as_user(session->access_token, sub_key->id));
    keys = client.list_user_keys(u->id);
    REQUIRE(keys);
    CHECK(keys->size() == (fork ? 2u : 1u));

    // Tear down in reverse order and prove it.
    REQUIRE(client.revoke_subscription(sub->id));
    auto revoked = client.get_subscription(sub->id);
    REQUIRE(revoked);
    CHECK(revoked->status != "active");
    REQUIRE(client.delete_user(u->id));
    CHECK(client.get_user(u->id).error().code == ErrorCode::not_found);
    REQUIRE(client.delete_channel(ch->id));
    CHECK(client.get_channel(ch->id).error().code == ErrorCode::not_found);
    REQUIRE(client.delete_account(acct->id));
    CHECK(client.get_account(acct->id).error().code == ErrorCode::not_found);
    REQUIRE(client.delete_group(std_group->id));
    REQUIRE(client.delete_group(sub_group->id));
    CHECK(client.get_group(sub_group->id).error().code == ErrorCode::not_found);

    // The exchange log saw every call and holds no secret.
    auto log = client.take_exchanges();
    CHECK(log.size() > 30);
    for (const auto& e : log) {
        CHECK(secrets.find_leaks(e.path).empty());
        CHECK(e.status != 0);
    }
}

}  // namespace

TEST_CASE("admin client over loopback: full resource walk with the admin API key") {
    Cluster c;
    SecretRegistry secrets;
    AdminClient client(*c.http, c.options(true), secrets);
    walk(c, client, secrets, false);
}

TEST_CASE("admin client over loopback: full resource walk with admin login (JWT)") {
    Cluster c;
    SecretRegistry secrets;
    AdminClient client(*c.http, c.options(false), secrets);
    walk(c, client, secrets, false);
    CHECK(secrets.scrub(c.ep().admin_password) == "[REDACTED]");
}

TEST_CASE("admin client over loopback: walk on a host with the fork admin key route") {
    crm::stubs::StubOptions options;
    options.fork_admin_key_route = true;
    Cluster c(options);
    SecretRegistry secrets;
    AdminClient client(*c.http, c.options(true), secrets);
    walk(c, client, secrets, true);
    auto caps = client.probe_capabilities();
    REQUIRE(caps);
    CHECK(caps->key_route == KeyRoute::admin_fork_route);
}

TEST_CASE("admin client over loopback: capability probe of a healthy stub host") {
    Cluster c;
    SecretRegistry secrets;
    AdminClient client(*c.http, c.options(false), secrets);
    auto caps = client.probe_capabilities();
    REQUIRE(caps);
    CHECK(caps->reachable);
    CHECK(caps->version == "0.1.179");
    CHECK(caps->admin_auth_mode == "login");
    CHECK(caps->admin_auth_ok);
    CHECK(caps->channels_supported);
    CHECK(caps->key_route == KeyRoute::user_login);
    CHECK(caps->compliance == ComplianceState::not_required);
    auto text = json::serialize(caps->to_json());
    CHECK(secrets.find_leaks(text).empty());
}

TEST_CASE("admin client over loopback: compliance profile refuses without permission") {
    crm::stubs::StubOptions options;
    options.host_profile = "compliance_gate";
    Cluster c(options);
    SecretRegistry secrets;
    AdminClient client(*c.http, c.options(true, false), secrets);
    auto groups = client.list_groups();
    REQUIRE_FALSE(groups);
    CHECK(groups.error().code == ErrorCode::host_rejected);
    CHECK(groups.error().http_status == 423);
    CHECK(groups.error().message.find("compliance gate not accepted (set accept_compliance to allow)") !=
          std::string::npos);
    auto caps = client.probe_capabilities();
    REQUIRE(caps);
    CHECK(caps->compliance == ComplianceState::required);
    CHECK_FALSE(caps->compliance_accepted_now);
}

TEST_CASE("admin client over loopback: compliance profile accepted once, then admin calls work") {
    crm::stubs::StubOptions options;
    options.host_profile = "compliance_gate";
    Cluster c(options);
    SecretRegistry secrets;
    AdminClient client(*c.http, c.options(true, true), secrets);
    auto groups = client.list_groups();
    REQUIRE(groups);
    CHECK(client.compliance_state() == ComplianceState::accepted);
    auto status = client.compliance_status();
    REQUIRE(status);
    CHECK(status->at("acknowledgement").is_object());
    // A second client acting as the same admin sees the acceptance.
    AdminClient second(*c.http, c.options(false, false), secrets);
    CHECK(second.list_groups());
}

TEST_CASE("admin client over loopback: a wrong admin key is host_rejected") {
    Cluster c;
    SecretRegistry secrets;
    auto options = c.options(true);
    options.credentials.api_key = "admin-" + std::string(64, '0');
    AdminClient client(*c.http, options, secrets);
    auto groups = client.list_groups();
    REQUIRE_FALSE(groups);
    CHECK(groups.error().code == ErrorCode::host_rejected);
    CHECK(groups.error().http_status == 401);
    CHECK(secrets.find_leaks(groups.error().message).empty());
}
