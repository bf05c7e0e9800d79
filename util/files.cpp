#include "util/files.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace crm::util {

namespace fs = std::filesystem;

Result<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return fail(ErrorCode::io, fmt::format("{}: cannot read: {}", path.string(), std::strerror(errno)));
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

Result<void> write_atomic(const fs::path& path, std::string_view bytes, unsigned mode) {
    static std::atomic<unsigned> counter{0};
    std::error_code ec;
    if (path.has_parent_path()) fs::create_directories(path.parent_path(), ec);
    if (ec) {
        return fail(ErrorCode::io, fmt::format("{}: cannot create directory: {}", path.string(), ec.message()));
    }
    const fs::path tmp = path.string() + fmt::format(".tmp.{}.{}", ::getpid(), counter++);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0) {
        return fail(ErrorCode::io, fmt::format("{}: cannot create: {}", tmp.string(), std::strerror(errno)));
    }
    ::fchmod(fd, mode);  // umask must not widen or narrow the requested mode
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            return fail(ErrorCode::io, fmt::format("{}: write failed: {}", tmp.string(), std::strerror(err)));
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    ::fsync(fd);
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        int err = errno;
        ::unlink(tmp.c_str());
        return fail(ErrorCode::io, fmt::format("{}: rename failed: {}", path.string(), std::strerror(err)));
    }
    return {};
}

std::string sanitize_name(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == '-';
        out += ok ? c : '-';
    }
    if (out.empty() || out == "." || out == "..") out = "_";
    return out;
}

}  // namespace crm::util
