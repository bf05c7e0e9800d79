#include "util/env_expand.hpp"

#include <fmt/format.h>

#include <cstdlib>

namespace crm::util {

Result<std::string> expand_env(std::string_view text, const EnvLookup& env, std::string_view where) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '{') {
            auto close = text.find('}', i + 2);
            if (close == std::string_view::npos) {
                return fail(ErrorCode::invalid_input, fmt::format("{}: unterminated ${{ in \"{}\"", where, text));
            }
            std::string_view inner = text.substr(i + 2, close - i - 2);
            std::string_view name = inner;
            std::optional<std::string_view> fallback;
            if (auto dash = inner.find(":-"); dash != std::string_view::npos) {
                name = inner.substr(0, dash);
                fallback = inner.substr(dash + 2);
            }
            if (name.empty()) {
                return fail(ErrorCode::invalid_input, fmt::format("{}: empty ${{}}", where));
            }
            auto value = env(name);
            if (value && !value->empty()) {
                out += *value;
            } else if (fallback) {
                out += *fallback;
            } else {
                return fail(ErrorCode::invalid_input,
                            fmt::format("{}: environment variable {} is not set", where, name));
            }
            i = close + 1;
        } else {
            out += text[i++];
        }
    }
    return out;
}

EnvLookup process_env() {
    return [](std::string_view name) -> std::optional<std::string> {
        const char* v = std::getenv(std::string(name).c_str());
        if (!v) return std::nullopt;
        return std::string(v);
    };
}

}  // namespace crm::util
