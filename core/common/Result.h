#pragma once

#include <QString>

#include <expected>

namespace tl {

// Error codes shared by module boundaries. The message is written for the user: what failed and what
// to do about it. It never contains a secret (API keys, Authorization values).
enum class ErrorCode {
    InvalidArgument, // a caller passed something malformed (bad CLI option, bad column mapping)
    NotFound,        // a file, record or price that should exist does not
    Io,              // file system or network I/O failed (includes disk full)
    Database,        // SQLite reported an error
    Parse,           // input data could not be parsed (JSON, CSV, HTTP)
    Cancelled,       // the user cancelled a long operation
    Unsupported,     // a format or option this build cannot handle
    Secret,          // the OS keychain refused or lacks an entry
};

struct Error
{
    ErrorCode code = ErrorCode::InvalidArgument;
    QString message;
};

template<typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorCode code, QString message)
{
    return std::unexpected<Error>(Error{code, std::move(message)});
}

} // namespace tl
