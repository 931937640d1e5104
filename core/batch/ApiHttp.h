#pragma once

#include "common/Result.h"

#include <QByteArray>
#include <QCoroTask>
#include <QList>
#include <QNetworkRequest>
#include <QString>

#include <chrono>
#include <functional>

class QNetworkAccessManager;

namespace tl {

// The result of a coroutine: a Result<T> in a holder. QCoro 0.8 with GCC 12's libstdc++ cannot co_await a
// QCoro::Task<std::expected<...>> (its Q_ASSERT compares the coroutine handle with nullptr, and argument
// lookup pulls in std::expected's unconstrained operator==, whose noexcept then depends on itself), so
// coroutines return Task<Async<T>>; Async<T> reads like the Result<T> it holds.
template<typename T>
struct Async
{
    Result<T> result;

    // A default value for QCoro::waitFor's storage: "not finished" (never returned by a coroutine).
    Async() : result(std::unexpected<Error>(Error{ErrorCode::Cancelled, QStringLiteral("not finished")})) {}
    Async(Result<T> r) : result(std::move(r)) {}
    Async(std::unexpected<Error> e) : result(std::move(e)) {}
    template<typename U>
        requires(!std::is_same_v<std::remove_cvref_t<U>, Async> && !std::is_same_v<std::remove_cvref_t<U>, Result<T>>
                 && std::is_constructible_v<Result<T>, U &&>)
    Async(U &&value) : result(std::forward<U>(value))
    {
    }

    explicit operator bool() const { return result.has_value(); }
    bool has_value() const { return result.has_value(); }
    const Error &error() const { return result.error(); }
    decltype(auto) operator*() const & { return *result; }
    decltype(auto) operator*() & { return *result; }
    auto operator->() const { return result.operator->(); }
    auto operator->() { return result.operator->(); }
};

// How a provider API call is retried. 429 (rate limit; Retry-After honoured, in seconds, as OpenAI and
// Anthropic send it), 500, 502, 503, 504, 529 (Anthropic "overloaded") and network errors (including a
// transfer timeout) are retried with exponential backoff; other statuses are answers.
struct RetryPolicy
{
    int maxAttempts = 6;                                    // first try included
    std::chrono::milliseconds initialDelay{1000};           // before the 2nd try; doubles each retry
    std::chrono::milliseconds maxDelay{60000};              // cap of one wait (Retry-After included)
    std::chrono::milliseconds transferTimeout{60000};       // no bytes for this long: the try fails
};

// A pause of the given length; the default is QCoro::sleepFor. Tests inject one that records the
// requested delays and returns at once, so backoff is checked without waiting.
using Sleeper = std::function<QCoro::Task<>(std::chrono::milliseconds)>;
Sleeper defaultSleeper();

struct HttpResponse
{
    int status = 0; // HTTP status; 0 never reaches a caller (network failures are errors)
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray header(QByteArrayView name) const;
};

// A small JSON/HTTP client for the providers' REST APIs on a caller-owned QNetworkAccessManager (one
// long-lived manager per thread, created by the composition root on that thread). Each reply is owned
// by a unique_ptr (deleteLater) for the life of one try. Thread affinity: the manager's thread.
// Errors: Io after the last try ("<what>: HTTP 503 after 6 tries" or the network error text). Request
// headers (Authorization, x-api-key) never appear in an error message or a log line.
class ApiHttp
{
public:
    ApiHttp(QNetworkAccessManager &manager, RetryPolicy policy = {}, Sleeper sleeper = defaultSleeper());

    // Sends `verb` with `body` (may be empty) and returns the final answer: any status that is not
    // retryable, or the last retryable one once the tries are used up (as an error).
    // `what` names the call for messages ("OpenAI batch status"). Parameters by value (coroutine).
    QCoro::Task<Async<HttpResponse>> send(QNetworkRequest request, QByteArray verb, QByteArray body, QString what);

    // Delays asked of the sleeper so far (tests read it; cleared by nobody).
    const QList<std::chrono::milliseconds> &waits() const { return m_waits; }
    const RetryPolicy &policy() const { return m_policy; }

    static bool isRetryableStatus(int status);
    // Message text of a provider error body ({"error": {"message": ...}}), or the first 200 bytes.
    static QString errorText(const QByteArray &body);

private:
    QNetworkAccessManager &m_manager;
    RetryPolicy m_policy;
    Sleeper m_sleeper;
    QList<std::chrono::milliseconds> m_waits;
};

} // namespace tl
