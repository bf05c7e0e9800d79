#pragma once
// One error value for every expected failure in crm-accept (house style 14/15).
// Expected failures travel as `Result<T>` (std::expected); exceptions are bugs and are caught
// once, in main. The code list is closed and append-only: callers switch on it.
//
// Facts a caller acts on travel as fields, never inside `message`: the HTTP status of an
// answer (`http_status`) and the host's own machine code for its refusal (`remote_code`,
// e.g. "GROUP_EXISTS"). `message` is for people: no code reads a code or a status out of it.
//
// Propagation, inside a function returning any `Result<U>`:
//   CRM_TRY(users, admin.list_users());             // on failure returns its Error; otherwise
//                                                   // declares `users`, the value moved out
//   CRM_TRY_VOID(store.mark_created(id, host_id));  // a Result<void>, or a value not needed
// `expr` is evaluated once. CRM_TRY declares `var` (and a hidden `var_r`) in the enclosing
// scope, so it cannot be the unbraced body of an `if` or a loop; CRM_TRY_VOID is one statement.
#include <expected>
#include <string>
#include <utility>

namespace crm::util {

enum class ErrorCode {
    invalid_input,   // malformed scenario / pack / JSON / argument; message names file + field
    io,              // local filesystem failure
    connect_failed,  // TCP connect / DNS / TLS failure
    timeout,         // connect or total timeout elapsed
    stalled,         // idle watchdog: no payload bytes within the idle timeout
    too_large,       // response exceeded the configured size cap
    http_status,     // a well-formed HTTP answer we did not accept (status in context)
    protocol,        // the peer spoke, but not the documented API (bad envelope, bad JSON)
    host_rejected,   // admin auth failed or the compliance gate is not accepted
    not_found,       // a named thing does not exist (provider, batch, file)
    conflict,        // the host or the store already has it (409, unique constraint)
    missing_secret,  // an env var / file that should hold a credential is absent
    interrupted,     // SIGINT / SIGTERM observed
    internal,        // a bug in crm-accept
};

[[nodiscard]] const char* to_string(ErrorCode code) noexcept;

struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string message;  // one line, human readable, names the file/field/URL
    std::string context;  // optional: step, URL, status ... (already redacted)
    int http_status = 0;  // for http_status errors
    // The host's machine code when it answered with an error envelope: the `reason` of a
    // handler error, the string `code` of a middleware error or the `error` of the account
    // shape ("GROUP_EXISTS", "ADMIN_COMPLIANCE_ACK_REQUIRED", ...). Empty for every other error
    // (transport failures, answers that are not envelopes, local errors).
    std::string remote_code;

    [[nodiscard]] std::string describe() const;  // "message (context)"
    friend bool operator==(const Error&, const Error&) = default;
};

template <class T>
using Result = std::expected<T, Error>;

[[nodiscard]] inline std::unexpected<Error> fail(ErrorCode code, std::string message, std::string context = {}) {
    return std::unexpected(Error{code, std::move(message), std::move(context), 0, {}});
}

}  // namespace crm::util

// Macros because only a macro can return from the function that uses it.
#define CRM_TRY(var, expr)                                            \
    auto var##_r = (expr);                                            \
    if (!var##_r) return std::unexpected(std::move(var##_r).error()); \
    auto var = std::move(*var##_r)

#define CRM_TRY_VOID(expr)                                                                             \
    do {                                                                                               \
        if (auto crm_try_r = (expr); !crm_try_r) return std::unexpected(std::move(crm_try_r).error()); \
    } while (false)
