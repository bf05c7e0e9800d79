#include "util/sha256.hpp"

#include <openssl/evp.h>

#include <array>

#include "util/files.hpp"

namespace crm::util {

std::string sha256_hex(std::string_view bytes) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int len = 0;
    EVP_Digest(bytes.data(), bytes.size(), md.data(), &len, EVP_sha256(), nullptr);
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(len * 2);
    for (unsigned int i = 0; i < len; ++i) {
        out += k_hex[md[i] >> 4];
        out += k_hex[md[i] & 0xF];
    }
    return out;
}

Result<std::string> sha256_file(const std::filesystem::path& path) {
    CRM_TRY(bytes, read_file(path));
    return sha256_hex(bytes);
}

}  // namespace crm::util
