#include "util/input_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace crm::util {

namespace {

const char* kind_of(mode_t mode) {
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "not a file";
}

std::string mib(std::size_t bytes) {
    if (bytes >= (1u << 20)) return fmt::format("{} MiB", bytes >> 20);
    return fmt::format("{} KiB", bytes >> 10);
}

// Closes the descriptor on every path out of read_input_file.
struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

}  // namespace

Result<std::string> read_input_file(const std::filesystem::path& path, std::size_t max_bytes) {
    const std::string name = path.string();
    // O_NONBLOCK: opening a FIFO for reading otherwise waits for a writer, forever and deaf to
    // signals handled by flag. The mode is checked on the open descriptor, so the file that is
    // read is the one that was checked.
    Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)};
    if (f.fd < 0) {
        int err = errno;
        if (err == EISDIR) return fail(ErrorCode::invalid_input, name + ": is a directory, not a file");
        return fail(ErrorCode::invalid_input, fmt::format("{}: cannot read: {}", name, std::strerror(err)));
    }
    struct stat st{};
    if (::fstat(f.fd, &st) != 0) {
        return fail(ErrorCode::invalid_input, fmt::format("{}: cannot read: {}", name, std::strerror(errno)));
    }
    if (S_ISDIR(st.st_mode)) return fail(ErrorCode::invalid_input, name + ": is a directory, not a file");
    if (!S_ISREG(st.st_mode)) {
        return fail(ErrorCode::invalid_input, fmt::format("{}: not a regular file ({})", name, kind_of(st.st_mode)));
    }
    const auto size = static_cast<std::size_t>(st.st_size);
    if (size > max_bytes) {
        return fail(ErrorCode::invalid_input, fmt::format("{}: larger than {} ({})", name, mib(max_bytes), mib(size)));
    }
    // Read at most one byte past the cap: a file that grows after fstat is refused all the same.
    // The buffer starts at the size fstat saw (plus the byte that detects growth) and grows only
    // if the file does: sizing it to the cap would zero-fill the cap (64 MiB for a bundle record)
    // on every read, which dominated reading a bundle.
    const std::size_t limit = max_bytes + 1;
    std::string out;
    out.resize(std::min(size, max_bytes) + 1);
    std::size_t got = 0;
    for (;;) {
        if (got == out.size()) {
            if (out.size() >= limit) break;
            out.resize(std::min(limit, out.size() * 2));
        }
        ssize_t n = ::read(f.fd, out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            return fail(ErrorCode::invalid_input, fmt::format("{}: cannot read: {}", name, std::strerror(errno)));
        }
        if (n == 0) break;
        got += static_cast<std::size_t>(n);
    }
    if (got > max_bytes) {
        return fail(ErrorCode::invalid_input,
                    fmt::format("{}: larger than {} (grew while read)", name, mib(max_bytes)));
    }
    out.resize(got);
    return out;
}

}  // namespace crm::util
