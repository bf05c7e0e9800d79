#include "util/input_file.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "util/files.hpp"
#include "util/random.hpp"

namespace fs = std::filesystem;
using namespace crm::util;

namespace {
fs::path scratch_dir() {
    auto dir = fs::temp_directory_path() / ("crm-input-test-" + random_hex(6));
    fs::create_directories(dir);
    return dir;
}
}  // namespace

TEST_CASE("input file: a regular file under the cap is read whole", "[util]") {
    auto dir = scratch_dir();
    REQUIRE(write_atomic(dir / "s.json", "{\"name\": \"x\"}"));
    auto text = read_input_file(dir / "s.json");
    REQUIRE(text);
    CHECK(*text == "{\"name\": \"x\"}");
    fs::remove_all(dir);
}

TEST_CASE("input file: a FIFO is refused at once, without waiting for a writer", "[util]") {
    auto dir = scratch_dir();
    auto fifo = dir / "scenario.json";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    auto text = read_input_file(fifo);
    REQUIRE_FALSE(text);
    CHECK(text.error().code == ErrorCode::invalid_input);
    CHECK(text.error().message == fifo.string() + ": not a regular file (a FIFO)");
    fs::remove_all(dir);
}

TEST_CASE("input file: a device such as /dev/zero is refused, not read without end", "[util]") {
    auto text = read_input_file("/dev/zero");
    REQUIRE_FALSE(text);
    CHECK(text.error().message == "/dev/zero: not a regular file (a character device)");
}

TEST_CASE("input file: a directory says it is a directory", "[util]") {
    auto dir = scratch_dir();
    auto text = read_input_file(dir);
    REQUIRE_FALSE(text);
    CHECK(text.error().code == ErrorCode::invalid_input);
    CHECK(text.error().message == dir.string() + ": is a directory, not a file");
    fs::remove_all(dir);
}

TEST_CASE("input file: a file over the cap is refused before it is read", "[util]") {
    auto dir = scratch_dir();
    auto big = dir / "big.json";
    {
        std::ofstream out(big, std::ios::binary);
        out.seekp((5 << 20) - 1);  // sparse: 5 MiB on paper, nothing on disk
        out.put('x');
    }
    auto text = read_input_file(big);
    REQUIRE_FALSE(text);
    CHECK(text.error().message == big.string() + ": larger than 4 MiB (5 MiB)");
    CHECK(read_input_file(big, 8u << 20));  // the cap is per kind of input
    auto key = read_input_file(big, k_max_key_file_bytes);
    REQUIRE_FALSE(key);
    CHECK(key.error().message == big.string() + ": larger than 64 KiB (5 MiB)");
    fs::remove_all(dir);
}

TEST_CASE("input file: a missing file names the file and the reason", "[util]") {
    auto text = read_input_file("/nonexistent/crm/scenario.json");
    REQUIRE_FALSE(text);
    CHECK(text.error().message == "/nonexistent/crm/scenario.json: cannot read: No such file or directory");
}
