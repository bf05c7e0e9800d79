#include "util/random.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace crm::util {

std::string random_hex(std::size_t bytes) {
    std::vector<unsigned char> buf(bytes);
    if (RAND_bytes(buf.data(), static_cast<int>(buf.size())) != 1) {
        throw std::runtime_error("RAND_bytes failed");  // no entropy is a broken machine, a bug
    }
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes * 2);
    for (unsigned char c : buf) {
        out += k_hex[c >> 4];
        out += k_hex[c & 0xF];
    }
    return out;
}

}  // namespace crm::util
