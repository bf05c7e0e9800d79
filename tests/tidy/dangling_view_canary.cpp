// Not built: scripts/tidy runs clang-tidy on this file and fails unless the curated checks in
// .clang-tidy report it. It is the shape of a real defect: a request description holding a
// string_view into a temporary URL, which put freed heap bytes into capability artifacts.
#include <string>
#include <string_view>

struct EnvelopeRequest {
    std::string_view method;
    std::string_view path;
    std::string_view url;
    bool admin_auth = false;
};

std::size_t describe(const EnvelopeRequest& request);

std::size_t probe_fork_route(const std::string& base_url) {
    constexpr std::string_view probe_path = "/api/v1/admin/users/0/api-keys";
    EnvelopeRequest er{"POST", probe_path, base_url + std::string(probe_path), true};
    return describe(er);
}
