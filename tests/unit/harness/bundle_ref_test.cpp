// catalog::resolve_bundle over real folders: the forms an operator names a bundle in, and the one
// line each failure gives.
#include "harness/catalog/bundle_ref.hpp"

#include <catch2/catch.hpp>
#include <filesystem>

#include "util/files.hpp"
#include "util/random.hpp"

namespace fs = std::filesystem;
using crm::harness::catalog::resolve_bundle;
using crm::util::ErrorCode;

namespace {

struct Root {
    fs::path dir = fs::temp_directory_path() / ("crm-bundle-ref-" + crm::util::random_hex(6));
    Root() {
        for (const char* name : {"20261101_090000_default", "20261101_090000_default_rc1", "20261102_080000_default",
                                 "20261103_070000_release"}) {
            fs::create_directories(dir / name);
        }
        REQUIRE(crm::util::write_atomic(dir / "20261104_notes.txt", "not a bundle").has_value());
    }
    ~Root() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
};

}  // namespace

TEST_CASE("bundle ref: an existing folder is taken as a path, wherever it is") {
    Root r;
    auto p = resolve_bundle("/nonexistent-root", (r.dir / "20261102_080000_default").string());
    REQUIRE(p.has_value());
    CHECK(*p == r.dir / "20261102_080000_default");
}

TEST_CASE("bundle ref: a unique prefix of a folder name under the root") {
    Root r;
    auto p = resolve_bundle(r.dir, "20261102");
    REQUIRE(p.has_value());
    CHECK(*p == r.dir / "20261102_080000_default");
    auto q = resolve_bundle(r.dir, "20261103_07");
    REQUIRE(q.has_value());
    CHECK(q->filename() == "20261103_070000_release");
}

TEST_CASE("bundle ref: a full folder name wins over the longer names it prefixes") {
    Root r;
    auto p = resolve_bundle(r.dir, "20261101_090000_default");
    REQUIRE(p.has_value());
    CHECK(p->filename() == "20261101_090000_default");
}

TEST_CASE("bundle ref: an ambiguous prefix lists the candidates") {
    Root r;
    auto p = resolve_bundle(r.dir, "202611");
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().code == ErrorCode::invalid_input);
    const auto& m = p.error().message;
    CHECK(m.find("ambiguous") != std::string::npos);
    CHECK(m.find("20261101_090000_default, 20261101_090000_default_rc1, 20261102_080000_default") !=
          std::string::npos);
    CHECK(m.find("20261104_notes.txt") == std::string::npos);  // files are no candidates
}

TEST_CASE("bundle ref: nothing matches names the ref and the root") {
    Root r;
    auto p = resolve_bundle(r.dir, "2025");
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().code == ErrorCode::not_found);
    CHECK(p.error().message.find("'2025'") != std::string::npos);
    CHECK(p.error().message.find(r.dir.string()) != std::string::npos);
    auto missing_root = resolve_bundle(r.dir / "nope", "2026");
    REQUIRE_FALSE(missing_root.has_value());
    CHECK(missing_root.error().code == ErrorCode::not_found);
}

TEST_CASE("bundle ref: a file is not a bundle folder") {
    Root r;
    auto p = resolve_bundle(r.dir, (r.dir / "20261104_notes.txt").string());
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().code == ErrorCode::invalid_input);
    CHECK(p.error().message.find("is a file, not a bundle folder") != std::string::npos);
    // A prefix that only a file starts with matches nothing.
    auto q = resolve_bundle(r.dir, "20261104");
    REQUIRE_FALSE(q.has_value());
    CHECK(q.error().code == ErrorCode::not_found);
}

TEST_CASE("bundle ref: an empty ref is refused") {
    Root r;
    auto p = resolve_bundle(r.dir, "");
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().code == ErrorCode::invalid_input);
}
