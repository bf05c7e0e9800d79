// Writes the seed corpora (one file per seed) for the libFuzzer targets:
//   <dir>/sse/seed-N and <dir>/body/seed-N.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/fuzz/seed_corpus.hpp"

namespace {

void write_all(const std::filesystem::path& dir, const std::vector<std::string>& seeds) {
    std::filesystem::create_directories(dir);
    for (std::size_t i = 0; i < seeds.size(); ++i) {
        std::ofstream out(dir / ("seed-" + std::to_string(i)), std::ios::binary);
        out << seeds[i];
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        return 64;
    }
    const std::filesystem::path root = argv[1];
    write_all(root / "sse", crm::fuzz::sse_seeds());
    write_all(root / "body", crm::fuzz::body_seeds());
    return 0;
}
