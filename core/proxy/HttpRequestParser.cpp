#include "HttpRequestParser.h"

#include <http_parser.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace tl {

QByteArray headerValue(const HttpHeaders &headers, QByteArrayView name)
{
    for (const auto &[key, value] : headers) {
        if (sameHeaderName(key, name))
            return value;
    }
    return {};
}

QByteArray headerValues(const HttpHeaders &headers, QByteArrayView name)
{
    QByteArray joined;
    for (const auto &[key, value] : headers) {
        if (!sameHeaderName(key, name))
            continue;
        if (!joined.isEmpty())
            joined += ", ";
        joined += value;
    }
    return joined;
}

bool hasHeader(const HttpHeaders &headers, QByteArrayView name)
{
    for (const auto &h : headers) {
        if (sameHeaderName(h.first, name))
            return true;
    }
    return false;
}

struct HttpRequestParser::Impl
{
    http_parser parser{};
    http_parser_settings settings{};
    HttpRequestParser *owner = nullptr;

    static HttpRequestParser *self(http_parser *p) { return static_cast<Impl *>(p->data)->owner; }

    static int onMessageBegin(http_parser *p)
    {
        self(p)->m_started = true;
        return 0;
    }
    static int onUrl(http_parser *p, const char *at, size_t len)
    {
        self(p)->m_request.target.append(at, qsizetype(len));
        return 0;
    }
    // The method and target are whole once the first header field (or the header block's end) comes.
    static void requestLineDone(http_parser *p)
    {
        HttpRequestParser *s = self(p);
        if (s->m_requestLineDone)
            return;
        s->m_requestLineDone = true;
        s->m_request.method = http_method_str(static_cast<http_method>(p->method));
    }
    static int onHeaderField(http_parser *p, const char *at, size_t len)
    {
        requestLineDone(p);
        HttpRequestParser *s = self(p);
        if (s->m_lastWasValue || s->m_request.headers.isEmpty()) {
            s->m_request.headers.append({QByteArray(at, qsizetype(len)), QByteArray()});
        } else {
            s->m_request.headers.last().first.append(at, qsizetype(len));
        }
        s->m_lastWasValue = false;
        return 0;
    }
    static int onHeaderValue(http_parser *p, const char *at, size_t len)
    {
        HttpRequestParser *s = self(p);
        if (s->m_request.headers.isEmpty())
            return 1;
        s->m_request.headers.last().second.append(at, qsizetype(len));
        s->m_lastWasValue = true;
        return 0;
    }
    static int onHeadersComplete(http_parser *p)
    {
        requestLineDone(p);
        HttpRequestParser *s = self(p);
        s->m_headersDone = true;
        s->m_request.keepAlive = http_should_keep_alive(p) != 0;
        s->m_request.http10 = p->http_major == 1 && p->http_minor == 0;
        for (auto &h : s->m_request.headers)
            h.second = h.second.trimmed();
        const bool announced = (p->flags & F_CONTENTLENGTH) && p->content_length != ULLONG_MAX;
        if (announced)
            s->m_announcedBodyBytes = qint64(std::min<quint64>(p->content_length, quint64(LLONG_MAX)));
        // Content-Length is known before any body byte: refuse an oversized body without reading it.
        if (announced && p->content_length > quint64(s->m_maxBodyBytes)) {
            s->m_errorStatus = 413;
            s->m_errorReason = "request body exceeds the proxy's limit";
            return -1; // error (1 and 2 mean "skip body" to http-parser)
        }
        return 0;
    }
    static int onBody(http_parser *p, const char *at, size_t len)
    {
        HttpRequestParser *s = self(p);
        if (s->m_request.body.size() + qint64(len) > s->m_maxBodyBytes) {
            s->m_errorStatus = 413;
            s->m_errorReason = "request body exceeds the proxy's limit";
            return 1;
        }
        s->m_request.body.append(at, qsizetype(len));
        return 0;
    }
    static int onMessageComplete(http_parser *p)
    {
        HttpRequestParser *s = self(p);
        s->m_state = State::Complete;
        http_parser_pause(p, 1); // one request at a time; pipelined bytes wait for reset()
        return 0;
    }
};

HttpRequestParser::HttpRequestParser(qint64 maxHeaderBytes, qint64 maxBodyBytes)
    : m_impl(std::make_unique<Impl>())
    , m_maxHeaderBytes(maxHeaderBytes)
    , m_maxBodyBytes(maxBodyBytes)
{
    m_impl->owner = this;
    http_parser_settings_init(&m_impl->settings);
    m_impl->settings.on_message_begin = &Impl::onMessageBegin;
    m_impl->settings.on_url = &Impl::onUrl;
    m_impl->settings.on_header_field = &Impl::onHeaderField;
    m_impl->settings.on_header_value = &Impl::onHeaderValue;
    m_impl->settings.on_headers_complete = &Impl::onHeadersComplete;
    m_impl->settings.on_body = &Impl::onBody;
    m_impl->settings.on_message_complete = &Impl::onMessageComplete;
    reset();
}

HttpRequestParser::~HttpRequestParser() = default;

void HttpRequestParser::reset()
{
    http_parser_init(&m_impl->parser, HTTP_REQUEST);
    m_impl->parser.data = m_impl.get();
    m_request = {};
    m_state = State::NeedMore;
    m_headersDone = false;
    m_started = false;
    m_requestLineDone = false;
    m_announcedBodyBytes = -1;
    m_errorStatus = 0;
    m_errorReason.clear();
    m_headerBytes = 0;
    m_lastWasValue = false;
}

HttpRequest HttpRequestParser::takeRequest()
{
    return std::exchange(m_request, {});
}

qsizetype HttpRequestParser::feed(const char *data, qsizetype size)
{
    if (m_state == State::Complete || m_state == State::Error || size <= 0)
        return 0;
    qsizetype chunk = size;
    if (!m_headersDone) {
        // Feed header bytes only up to the limit, so a huge header block is refused with 431
        // before http-parser's own (80 KiB) limit.
        const qint64 room = m_maxHeaderBytes - m_headerBytes;
        if (room <= 0) {
            m_state = State::Error;
            m_errorStatus = 431;
            m_errorReason = "request header block exceeds the proxy's limit";
            return 0;
        }
        chunk = qsizetype(std::min<qint64>(size, room));
    }
    const bool headersBefore = m_headersDone;
    const size_t n = http_parser_execute(&m_impl->parser, &m_impl->settings, data, size_t(chunk));
    const http_errno err = HTTP_PARSER_ERRNO(&m_impl->parser);
    if (!headersBefore) {
        // Bytes up to the end of the header block count against the header limit.
        m_headerBytes += qint64(n);
    }
    if (err == HPE_PAUSED) {
        http_parser_pause(&m_impl->parser, 0);
        return qsizetype(n);
    }
    if (err == HPE_CB_headers_complete && m_errorStatus == 413) {
        // http-parser stops on the header block's last LF when on_headers_complete refuses: that byte
        // still belongs to the block, so the caller's rest is exactly the body bytes that came with it.
        m_state = State::Error;
        return qsizetype(n) + (qsizetype(n) < chunk && data[n] == '\n' ? 1 : 0);
    }
    if (err != HPE_OK) {
        m_state = State::Error;
        if (m_errorStatus == 0) {
            m_errorStatus = err == HPE_HEADER_OVERFLOW ? 431 : 400;
            m_errorReason = QByteArray("malformed HTTP request: ") + http_errno_name(err);
        }
        return qsizetype(n);
    }
    if (!m_headersDone && m_headerBytes >= m_maxHeaderBytes) {
        m_state = State::Error;
        m_errorStatus = 431;
        m_errorReason = "request header block exceeds the proxy's limit";
        return qsizetype(n);
    }
    if (m_state == State::NeedMore && m_headersDone)
        m_state = State::HeadersDone;
    if (qsizetype(n) < size && m_state != State::Complete && chunk == size) {
        m_state = State::Error;
        m_errorStatus = 400;
        m_errorReason = "malformed HTTP request";
    }
    // A partial feed (header limit window) continues with the rest.
    if (chunk < size && m_state != State::Error && m_state != State::Complete && qsizetype(n) == chunk)
        return qsizetype(n) + feed(data + n, size - qsizetype(n));
    return qsizetype(n);
}

} // namespace tl
