#pragma once

#include <QByteArray>
#include <QList>

#include <memory>
#include <utility>

namespace tl {

// Header list in wire order; names compared case-insensitively. Values are raw bytes.
using HttpHeaders = QList<std::pair<QByteArray, QByteArray>>;

// Whether two header names are the same name (ASCII case-insensitive, RFC 9110 section 5.1). Compares the
// lengths first: most names a request's headers are checked against differ in length, and this is called for
// every header of every request against several names.
inline bool sameHeaderName(QByteArrayView a, QByteArrayView b)
{
    return a.size() == b.size() && a.compare(b, Qt::CaseInsensitive) == 0;
}

// First value of header `name` (case-insensitive), or an empty array.
QByteArray headerValue(const HttpHeaders &headers, QByteArrayView name);
// Every value of header `name` in wire order, joined by ", " (RFC 9110 section 5.3: a list header sent on
// several lines means the same as one line of the joined values); empty when absent.
QByteArray headerValues(const HttpHeaders &headers, QByteArrayView name);
bool hasHeader(const HttpHeaders &headers, QByteArrayView name);

// One parsed HTTP/1.x request.
struct HttpRequest
{
    QByteArray method; // "POST"
    QByteArray target; // request target as sent: "/v1/chat/completions?x=1"
    HttpHeaders headers;
    QByteArray body; // de-chunked
    bool keepAlive = true;
    bool http10 = false; // an HTTP/1.0 request: no chunked encoding towards it (RFC 9112 section 6.1)
};

// Incremental HTTP/1.x request parser for the proxy's client side, built on nodejs/http-parser 2.9.4
// (Debian libhttp-parser-dev, vcpkg "http-parser", Homebrew "http-parser"), which does the RFC 9112
// framing (chunked bodies, Content-Length, keep-alive). This class adds the proxy's limits:
//  - header block (request line + headers) over `maxHeaderBytes` bytes: error 431;
//  - body over `maxBodyBytes` bytes: error 413, decided from Content-Length before any body byte is
//    read, or while reading a chunked body;
//  - anything http-parser rejects: error 400.
// It stops after each complete request (pipelined bytes stay unconsumed until reset()).
// Never throws, never reads out of bounds on any input (fuzzed by tests/fuzz/fuzz_http_request).
// Thread affinity: none (plain object, one per connection).
class HttpRequestParser
{
public:
    enum class State { NeedMore, HeadersDone, Complete, Error };

    explicit HttpRequestParser(qint64 maxHeaderBytes = 16 * 1024, qint64 maxBodyBytes = 32ll * 1024 * 1024);
    ~HttpRequestParser();
    HttpRequestParser(const HttpRequestParser &) = delete;
    HttpRequestParser &operator=(const HttpRequestParser &) = delete;

    // Feeds bytes; returns how many were consumed. After Complete or Error, nothing more is consumed
    // until reset(). State becomes HeadersDone as soon as the header block is complete (the request
    // line and headers are then readable through request()).
    qsizetype feed(const char *data, qsizetype size);
    State state() const { return m_state; }
    bool headersComplete() const { return m_headersDone; }
    bool started() const { return m_started; }
    // The request line has been read whole (its end was seen): request().method and request().target are
    // then complete, also when the header block that follows is refused (431, 400) or never completes.
    bool requestLineComplete() const { return m_requestLineDone; }
    // The body length the request announced in Content-Length, once its headers are complete; -1 without
    // one (chunked, or no body announced). Also set for a request refused with 413 for that length.
    qint64 announcedBodyBytes() const { return m_announcedBodyBytes; }

    // Valid once state() is Error: 400, 413 or 431, and a short reason (no request bytes in it). A 413
    // decided from Content-Length consumes the whole header block: the bytes after it are body bytes.
    int errorStatus() const { return m_errorStatus; }
    QByteArray errorReason() const { return m_errorReason; }

    const HttpRequest &request() const { return m_request; }
    HttpRequest takeRequest();

    // Ready for the next request on the same connection.
    void reset();

    struct Impl;

private:
    std::unique_ptr<Impl> m_impl;
    HttpRequest m_request;
    State m_state = State::NeedMore;
    bool m_headersDone = false;
    bool m_started = false;
    bool m_requestLineDone = false;
    qint64 m_announcedBodyBytes = -1;
    int m_errorStatus = 0;
    QByteArray m_errorReason;
    qint64 m_maxHeaderBytes;
    qint64 m_maxBodyBytes;
    qint64 m_headerBytes = 0;
    QByteArray m_field;
    bool m_lastWasValue = false;
    friend struct Impl;
};

} // namespace tl
