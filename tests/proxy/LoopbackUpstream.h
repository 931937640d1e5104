#pragma once

#include "proxy/HttpRequestParser.h"

#include <QByteArray>
#include <QList>
#include <QMutex>
#include <QThread>

#include <atomic>
#include <memory>

namespace tl::test {

// A real HTTP/1.1 server on 127.0.0.1 that answers like OpenAI and Anthropic, with the payloads of
// ../shared/fixtures/providers (a1, b, c1, c2, d1, d2), on its own thread (so a test may block).
// Behaviour follows the request's "model":
//   anything else    -> the fixture answer (JSON, or SSE when "stream": true). OpenAI chat streams
//                       carry "usage":null in each chunk and the final usage chunk only when
//                       stream_options.include_usage is true, as OpenAI does.
//   "rate-limited"   -> 429 with Retry-After: 7 and an OpenAI error body
//   "server-error"   -> 500 with an OpenAI error body
//   "wrong-key"      -> 401 whose OpenAI error body and X-Rejected-Key header quote the Bearer key it got
//   "overloaded"     -> 529 with an Anthropic overloaded_error body
//   "never"          -> reads the request and never answers (first-byte timeout); so does any model
//                       with the request header "X-Loopback-Mode: never".
//   "stall-stream"   -> SSE headers and the first event, then silence (idle timeout)
//   "close-early"    -> reads the request and closes the connection without answering; so does any
//                       model with the request header "X-Loopback-Mode: close-early"
//   "status-NNN"     -> status NNN with no body (a "Whatever" reason phrase)
//   with the request header "X-Loopback-Mode: headers-then-wait" -> the a1 answer's status line and
//                       headers (its Content-Length), then nothing: the body never comes
//   "huge-header"    -> the a1 answer with a 200 KB header line
//   "cut-body"       -> a 200 announcing the a1 answer's length, half of it, then closes; so does any
//                       model with the request header "X-Loopback-Mode: cut-body"
//   "cut-stream"     -> SSE headers and two events, then closes the connection
//   "cut-before-usage" -> every event before the final usage (Anthropic: before message_delta, so the
//                       text deltas came; otherwise all but the last two), then closes the connection
//   "slow-stream"    -> the first event, then the second repeated every 100 ms (100 times), then the
//                       rest of the fixture (client hang-up, graceful stop)
// With the request header "X-Loopback-Mode: echo" (non-streamed) it answers chat, messages and
// embeddings in echo mode instead: the request's model, "echo: <last user message>", and usage that
// depends only on the conversation's shape (see answerEcho in LoopbackUpstream.cpp).
// The fixture answers (JSON and streams) are compressed with the request header "X-Loopback-Encoding:
// gzip|deflate" whatever the request accepts, else with gzip when its Accept-Encoding names gzip; any
// other X-Loopback-Encoding value labels the plain JSON answer with that Content-Encoding.
// A request body naming "loopback-shape:<name>" gets that shape's answer (LoopbackShapes.h: refusal,
// annotations, citations, web search, Responses function-call and annotated text), JSON or SSE.
// GET /v1/models answers a model list. It records every request it gets.
// Background responses (OpenAI guide "Background mode"): POST /v1/responses with "background": true
// answers the c1 fixture response queued (output [], usage null) under a new id "resp_bgNNNN"; GET
// /v1/responses/{id} answers it "in_progress" for the number of retrieves the create's
// "X-Loopback-Polls" header named (default 0), then completed with c1's output and usage. A streamed
// background create sends the c2 stream (its "cut-stream" model: cut after two events) and keeps the
// finished response under c2's id for the retrieves. Other ids: 404.
class LoopbackUpstream
{
public:
    LoopbackUpstream();
    ~LoopbackUpstream();

    quint16 port() const { return m_port; }
    QByteArray baseUrl(const QByteArray &suffix = "/v1") const;

    int requestCount() const { return m_count.load(); }
    QList<HttpRequest> requests() const;
    HttpRequest lastRequest() const;
    int closedEarly() const { return m_closedEarly.load(); } // client went away mid-answer
    int connectionCount() const { return m_connections.load(); } // TCP connections accepted

    // What the client must see for a fixture stream (comment lines removed); `includeUsage` false
    // gives the OpenAI chat stream as it is without include_usage.
    static QByteArray fixtureStream(const QString &name, bool includeUsage = true);
    // An OpenAI chat stream written with include_usage as OpenAI sends it without: no "usage":null
    // members, no usage chunk (compact JSON, one data line per event).
    static QByteArray withoutUsageChunks(const QByteArray &stream);
    // A stream reshaped the way a request's `x-loopback-stream` header asks (legal SSE the fixtures do
    // not use, and faults): "noterm" (the last event's blank line missing), "cr" (CR-only line endings),
    // "multiline" (each data JSON pretty-printed over several data lines, QJsonDocument::Indented),
    // "error-event" (Anthropic: message_start and the first three events, then an `event: error`
    // overloaded_error), "cut-inside" (the first event and half of the second, then the connection is
    // cut; the writer aborts). "" or anything else: unchanged.
    static QByteArray reshapeStream(const QByteArray &stream, const QByteArray &mode);

    struct Impl;

private:
    friend struct Impl;
    std::unique_ptr<QThread> m_thread;
    Impl *m_impl = nullptr;
    quint16 m_port = 0;
    mutable QMutex m_mutex;
    QList<HttpRequest> m_requests;
    std::atomic<int> m_count{0};
    std::atomic<int> m_closedEarly{0};
    std::atomic<int> m_connections{0};
};

} // namespace tl::test
