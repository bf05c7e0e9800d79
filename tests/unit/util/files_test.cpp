#include "util/files.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "util/random.hpp"
#include "util/sha256.hpp"

namespace fs = std::filesystem;
using namespace crm::util;

namespace {
fs::path scratch_dir() {
    auto dir = fs::temp_directory_path() / ("crm-files-test-" + random_hex(6));
    fs::create_directories(dir);
    return dir;
}
}  // namespace

TEST_CASE("files: write_atomic creates parents, replaces content, leaves no temp file", "[util]") {
    auto dir = scratch_dir();
    auto target = dir / "a" / "b" / "x.json";
    REQUIRE(write_atomic(target, "one"));
    REQUIRE(write_atomic(target, "two"));
    CHECK(read_file(target) == std::string("two"));
    std::size_t entries = 0;
    for ([[maybe_unused]] auto& e : fs::directory_iterator(target.parent_path())) ++entries;
    CHECK(entries == 1);
    fs::remove_all(dir);
}

TEST_CASE("files: write_atomic applies the requested mode (0600 for credentials)", "[util]") {
    auto dir = scratch_dir();
    auto target = dir / "secret.db";
    REQUIRE(write_atomic(target, "x", 0600));
    struct stat st{};
    REQUIRE(::stat(target.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    fs::remove_all(dir);
}

TEST_CASE("files: reading a missing file names the path", "[util]") {
    auto r = read_file("/nonexistent/crm/file.json");
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::io);
    CHECK(r.error().message.find("/nonexistent/crm/file.json") != std::string::npos);
}

TEST_CASE("sha256: known vectors", "[util]") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST_CASE("random: random_hex has the requested length and differs between calls", "[util]") {
    auto a = random_hex(32);
    CHECK(a.size() == 64);
    CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(a != random_hex(32));
}
