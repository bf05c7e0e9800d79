#include "engine/packs/pack_catalog.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <map>

#include "engine/packs/key_source.hpp"
#include "util/random.hpp"

using namespace crm::engine;
using crm::util::ErrorCode;
namespace fs = std::filesystem;

namespace {

crm::util::EnvLookup env_of(std::map<std::string, std::string> vars = {}) {
    return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(std::string(name));
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

struct TempDir {
    fs::path path = fs::temp_directory_path() / ("crm-packs-" + crm::util::random_hex(6));
    TempDir() { fs::create_directories(path); }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    void write(const std::string& name, const std::string& text) const { std::ofstream(path / name) << text; }
};

std::string one_provider_pack(std::string id, std::string provider) {
    return R"({"schema_version":1,"id":")" + id + R"(","version":"1","providers":[{"name":")" + provider +
           R"(","platform":"deepseek","upstream_base_url":"https://api.deepseek.com",
           "models":["deepseek-chat"],"pricing":{"deepseek-chat":{"input":1e-7,"output":2e-7}},
           "smoke_test_model":"deepseek-chat","key_source":{"env":"DEEPSEEK_API_KEY"}}]})";
}

Provider provider_with_env(std::string env) {
    Provider p;
    p.pack_id = "cn-core";
    p.name = "deepseek";
    p.key_env = std::move(env);
    return p;
}

}  // namespace

TEST_CASE("packs: the shipped packs load and validate") {
    auto catalog = load_pack_dir(fs::path(CRM_SOURCE_DIR) / "packs", env_of());
    REQUIRE(catalog);
    auto names = catalog->qualified_names();
    CHECK(std::find(names.begin(), names.end(), "cn-core/deepseek") != names.end());
    CHECK(std::find(names.begin(), names.end(), "cn-core/minimax") != names.end());
    CHECK(std::find(names.begin(), names.end(), "cn-core/kimi") != names.end());
    CHECK(std::find(names.begin(), names.end(), "relay-mirror/deepseek") != names.end());

    auto ds = catalog->find("cn-core", "deepseek");
    REQUIRE(ds);
    CHECK((*ds)->platform == "deepseek");
    CHECK((*ds)->smoke_test_model == "deepseek-chat");
    CHECK((*ds)->upstream_base_url == "https://api.deepseek.com");
    CHECK((*ds)->key_env == "DEEPSEEK_API_KEY");

    auto mm = catalog->find("cn-core/minimax");
    REQUIRE(mm);
    CHECK((*mm)->platform == "openai");
    CHECK((*mm)->extra.at("openai_responses_mode") == "force_chat_completions");
    CHECK((*mm)->pricing.size() == (*mm)->models.size());
}

TEST_CASE("packs: the same provider name in two packs resolves to two providers") {
    auto catalog = load_pack_dir(fs::path(CRM_SOURCE_DIR) / "packs", env_of());
    REQUIRE(catalog);
    auto core = catalog->find("cn-core", "deepseek");
    auto mirror = catalog->find("relay-mirror", "deepseek");
    REQUIRE(core);
    REQUIRE(mirror);
    CHECK(*core != *mirror);
    CHECK((*core)->qualified_name() == "cn-core/deepseek");
    CHECK((*mirror)->qualified_name() == "relay-mirror/deepseek");
    CHECK((*mirror)->platform == "openai");
    CHECK((*mirror)->upstream_model("deepseek-chat") == "deepseek-v3.2");
    CHECK((*core)->upstream_model("deepseek-chat") == "deepseek-chat");
}

TEST_CASE("packs: stub runs override the vendor base URLs through the injected environment") {
    auto catalog = load_pack_dir(
        fs::path(CRM_SOURCE_DIR) / "packs",
        env_of({{"DEEPSEEK_BASE_URL", "http://127.0.0.1:5001"}, {"KIMI_BASE_URL", "http://127.0.0.1:5003/v1"}}));
    REQUIRE(catalog);
    CHECK((*catalog->find("cn-core/deepseek"))->upstream_base_url == "http://127.0.0.1:5001");
    CHECK((*catalog->find("cn-core/kimi"))->upstream_base_url == "http://127.0.0.1:5003/v1");
    CHECK((*catalog->find("cn-core/minimax"))->upstream_base_url == "https://api.minimaxi.com/v1");
}

TEST_CASE("packs: an unknown provider names itself and lists the known ones") {
    PackCatalog catalog;
    auto a = parse_pack(one_provider_pack("a", "x"), "packs/a.json", env_of());
    auto b = parse_pack(one_provider_pack("b", "x"), "packs/b.json", env_of());
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(catalog.add(*a));
    REQUIRE(catalog.add(*b));
    auto missing = catalog.find("a", "y");
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::not_found);
    CHECK(missing.error().message == "unknown provider a/y; known: a/x, b/x");
    auto wrong_pack = catalog.find("c/x");
    REQUIRE_FALSE(wrong_pack);
    CHECK(wrong_pack.error().message == "unknown provider c/x; known: a/x, b/x");
}

TEST_CASE("packs: two files declaring the same pack id are rejected naming both") {
    TempDir dir;
    dir.write("one.json", one_provider_pack("same", "x"));
    dir.write("two.json", one_provider_pack("same", "y"));
    auto catalog = load_pack_dir(dir.path, env_of());
    REQUIRE_FALSE(catalog);
    CHECK(catalog.error().code == ErrorCode::invalid_input);
    CHECK(catalog.error().message == (dir.path / "two.json").generic_string() +
                                         ": id: pack id \"same\" is already defined by " +
                                         (dir.path / "one.json").generic_string());
}

TEST_CASE("packs: one invalid file fails the directory load with its own message") {
    TempDir dir;
    dir.write("good.json", one_provider_pack("good", "x"));
    dir.write("bad.json", R"({"schema_version":1,"id":"bad","version":"1","providers":[{"name":"x"}]})");
    auto catalog = load_pack_dir(dir.path, env_of());
    REQUIRE_FALSE(catalog);
    CHECK(catalog.error().message == (dir.path / "bad.json").generic_string() + ": providers[0].platform: missing");
}

TEST_CASE("packs: a missing pack directory is an io error") {
    auto catalog = load_pack_dir("/nonexistent/crm-packs", env_of());
    REQUIRE_FALSE(catalog);
    CHECK(catalog.error().code == crm::util::ErrorCode::io);
}

TEST_CASE("key source: env key is read through the lookup, trimmed and registered") {
    crm::util::SecretRegistry secrets;
    const std::string key = "sk-" + std::string(40, '1');
    auto value = resolve_key(provider_with_env("DEEPSEEK_API_KEY"), env_of({{"DEEPSEEK_API_KEY", key + "\n"}}),
                             filesystem_reader(), &secrets);
    REQUIRE(value);
    CHECK(*value == key);
    CHECK(secrets.scrub(key) == "[REDACTED]");
}

TEST_CASE("key source: an unset env var is missing_secret naming the variable only") {
    auto value = resolve_key(provider_with_env("DEEPSEEK_API_KEY"), env_of({{"OTHER", "sk-x"}}));
    REQUIRE_FALSE(value);
    CHECK(value.error().code == ErrorCode::missing_secret);
    CHECK(value.error().message == "provider cn-core/deepseek: key_source.env DEEPSEEK_API_KEY is not set");
}

TEST_CASE("key source: a key file is read through the injected reader") {
    Provider p = provider_with_env("");
    p.key_file = "/run/keys/deepseek";
    std::string asked;
    FileReader reader = [&](const fs::path& path) -> crm::util::Result<std::string> {
        asked = path.generic_string();
        return std::string("  sk-from-file-0123456789\n");
    };
    auto value = resolve_key(p, env_of(), reader);
    REQUIRE(value);
    CHECK(*value == "sk-from-file-0123456789");
    CHECK(asked == "/run/keys/deepseek");
}

TEST_CASE("key source: an unreadable or empty key file is missing_secret naming the file") {
    Provider p = provider_with_env("");
    p.key_file = "/run/keys/none";
    FileReader failing = [](const fs::path&) -> crm::util::Result<std::string> {
        return crm::util::fail(ErrorCode::io, "/run/keys/none: No such file or directory");
    };
    auto missing = resolve_key(p, env_of(), failing);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == ErrorCode::missing_secret);
    CHECK(missing.error().message == "provider cn-core/deepseek: key_source.file /run/keys/none: cannot read (io)");
    FileReader empty = [](const fs::path&) -> crm::util::Result<std::string> { return std::string("\n"); };
    auto blank = resolve_key(p, env_of(), empty);
    REQUIRE_FALSE(blank);
    CHECK(blank.error().message == "provider cn-core/deepseek: key_source.file /run/keys/none is empty");
}
