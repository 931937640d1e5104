#pragma once

#include "proxy/UpstreamClient.h"

#include <QElapsedTimer>
#include <QHostAddress>
#include <QObject>
#include <QTimer>

#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

namespace tl {

// HTTP/1.1 keep-alive client for plain-HTTP upstreams (a local vLLM, Ollama or LM Studio, a test's loopback
// server), on the proxy thread's own sockets. UpstreamClient hands it the transfers whose URL is "http://"
// when ProxyConfig::plainHttpClient is Builtin and no proxy variable of the environment applies (takes());
// everything else (https, HTTP/2, a system proxy, Windows) stays on libcurl.
//
// Why (issue 3 section 7, docs/proxy.md "Own HTTP/1.1 client"): one request at a time through libcurl's
// multi interface cost 155k instructions a request in the proxy, 126k of them in curl_multi_socket_action's
// transfer start and in removing the finished transfer (callgrind, session 14). This client does what a
// plain-HTTP keep-alive exchange needs and no more: write the request head and body in one sendmsg, read
// the answer with http-parser 2.9.4 (the same well-kept parser as the proxy's request side; Debian
// libhttp-parser-dev, vcpkg and Homebrew "http-parser"), decode gzip or deflate with zlib.
//
// Semantics: the same as UpstreamClient's (callbacks, pause/resume, onPassEnd once after the socket event in
// which the transfer reported headers or data, requestSent, errorKind values), with these specifics:
// - Connections: kept alive per origin (host and port) with no cap on how many are open; an idle one is
//   taken last-in first-out, checked alive first (recv MSG_PEEK), closed when the upstream closes it or
//   beyond kMaxIdleConnections, and not used again once idle longer than the upstream keeps it: the
//   answer's `Keep-Alive: timeout=N` less one second (as Node's undici client does; Node servers and
//   llama.cpp's server say timeout=5 and close an idle connection after 5 s, and a POST sent on one just as
//   it closes would fail unanswered, never being sent twice), else kIdleWithoutHintMs, which is kMaxIdleMs
//   (118 s, libcurl's CURLOPT_MAXAGE_CONN default). A 4 s default (undici's) was measured and not taken: an
//   A/B of 100 paced streams, whose proxy turn comes every 4-5 s, had 2-4 times the gap growth (docs/proxy.md
//   Known gaps).
// - Names: an IP literal is used as it is; a host name is resolved by QHostInfo (Qt's resolver thread and
//   its 60 s cache), then each address is tried in order within the connect timeout; while more addresses
//   remain, one gets half of the time left (a silent address leaves time for the next; no happy eyeballs).
// - Reading: one recv (at most kBufferBytes) per socket event, so the receiver's flow control (onPassEnd,
//   pause) acts between reads and other connections get their turn; a pause takes effect inside http-parser's
//   body callback, and nothing more is read until resume().
// - The request: "METHOD path HTTP/1.1", Host (with the port unless 80), the given headers, "Accept: */*"
//   when none is given, "Accept-Encoding: identity", and Content-Length for a method other than GET and
//   HEAD; the given headers must not hold Host, Content-Length, Transfer-Encoding or Connection
//   (ClientConnection's upstreamHeaders() drops them).
// - The answer: 1xx interim answers are skipped; a 204, a 304 and the answer to a HEAD have no body whatever
//   Content-Length says. The Content-Encoding lines and list items are one list, "identity" left out: gzip
//   (every member, RFC 1952) or deflate (zlib or raw) reaches onData decoded, as with libcurl; any other
//   coding, or more than one, ends the transfer "upstream_error" at the body's first byte (after onHeaders),
//   and so do bytes after the compressed body and a compressed body cut short. A header block over
//   http-parser's limit (80 KiB, HTTP_MAX_HEADER_SIZE) ends it "upstream_error" too, as does what http-parser
//   2.9.4 refuses (two Content-Length fields, Transfer-Encoding with Content-Length).
// - A POST or PATCH is never sent twice (RFC 9110 section 9.2.2): when a reused connection closes before
//   any byte of the answer, the transfer ends "upstream_cut"; a GET or HEAD is sent once more on a new
//   connection.
// - Errors before the request left: "connect_error" (refused, unreachable, unresolvable) or
//   "connect_timeout" (no connection within connectTimeoutMs); their onFinished comes from the event loop,
//   never from inside start().
//
// Thread affinity: create, use and destroy in one thread (the proxy thread); callbacks run there. Unix only
// (POSIX sockets); elsewhere takes() is false.
class Http1Client final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Http1Client)

public:
    explicit Http1Client(QObject *parent = nullptr);
    ~Http1Client() override;

    // Whether this client can carry a request to `url`: an "http://" URL without user info, on a Unix
    // system, and none of the proxy variables libcurl would follow for it (http_proxy, all_proxy,
    // ALL_PROXY) set in the environment. Reads the environment once per process.
    static bool takes(QByteArrayView url);

    // Starts a transfer under the caller's id (unique among live transfers). Never calls back from inside.
    void start(quint64 id, UpstreamRequest request, UpstreamCallbacks callbacks);
    // As UpstreamClient's; unknown ids are ignored (abort, pause, resume) or false (requestSent).
    void abort(quint64 id);
    bool requestSent(quint64 id) const;
    void pause(quint64 id);
    void resume(quint64 id);
    int activeTransfers() const { return int(m_transfers.size()); }
    // Pins the addresses of the URL authority `authority` ("host:port" as in the URL), tried in this order,
    // in place of resolving the name; for tests (an address that never answers before one that does).
    // False when the authority is not a valid host[:port].
    bool pinAddresses(QByteArrayView authority, const QList<QHostAddress> &addresses);
    // Connections open (busy, idle or being made), and of those idle in the keep-alive pool; for tests.
    int openConnections() const { return int(m_connections.size()); }
    int idleConnections() const;
    // Decoded answer bytes held back by pauses, over all transfers; for tests.
    qint64 heldBytes() const;

    static constexpr int kMaxIdleMs = 118'000;
    static constexpr int kIdleWithoutHintMs = kMaxIdleMs;
    // The idle time allowed when the answer gives no Keep-Alive timeout (default kIdleWithoutHintMs); for tests.
    void setIdleWithoutHintMs(int ms) { m_idleWithoutHintMs = ms; }
    static constexpr int kMaxIdleConnections = 8192;
    static constexpr qsizetype kBufferBytes = 64 * 1024; // one read; one step of decoding

    struct Transfer;
    struct Connection;
    struct Origin;
    struct Parsing;

private:
    class Scope;
    struct ByteArrayHash
    {
        size_t operator()(const QByteArray &b) const noexcept { return size_t(qHash(b)); }
    };

    Origin *originFor(QByteArrayView authority, QString *error);
    void begin(Transfer *t);
    void connectNext(Transfer *t);
    void connected(Connection *c);
    void sendRequest(Connection *c);
    void writeSome(Connection *c);
    void readable(Connection *c);
    void writable(Connection *c);
    // Feeds bytes to the answer's parser; false when the connection is gone or the transfer paused or ended.
    bool parse(Connection *c, const char *data, qsizetype size);
    // The upstream closed the connection (error 0) or it failed (errno).
    void endOfInput(Connection *c, int error);
    // The answer is whole; `nothingBeyond`: the read held no bytes after it.
    void messageComplete(Connection *c, bool nothingBeyond);
    // Detaches the connection from its transfer: into the keep-alive pool (`keep`) or closed.
    void release(Connection *c, bool keep);
    void closeConnection(Connection *c);
    void fail(Transfer *t, const QString &kind, const QString &message);
    void failLater(quint64 id, const QString &kind, const QString &message);
    void finish(Transfer *t, const QString &kind, const QString &message);
    void unpause(quint64 id);
    void sweepIdle();
    void armConnectTimer();
    void connectDeadlines();
    void leave();
    Transfer *find(quint64 id) const;

    std::unordered_map<QByteArray, std::unique_ptr<Origin>, ByteArrayHash> m_origins; // by URL authority
    std::unordered_map<quint64, std::unique_ptr<Transfer>> m_transfers;
    std::unordered_map<Connection *, std::unique_ptr<Connection>> m_connections;
    // Objects ended while a callback or socket handler may still use them; freed when the outermost
    // handler returns (leave()).
    std::vector<std::unique_ptr<Transfer>> m_endedTransfers;
    std::vector<std::unique_ptr<Connection>> m_closedConnections;
    int m_depth = 0;
    bool m_inStart = false;
    // Connect deadlines (ms on m_clock), one timer for all; an entry whose transfer is connected, gone or
    // connecting anew is skipped when it falls due.
    struct ConnectDeadline
    {
        quint64 id = 0;
        int generation = 0; // Transfer::connectGeneration it was set for (a retry starts another)
        int attempt = 0;    // 0: the whole connect timeout; n: the n-th address's own share of it
    };
    std::multimap<qint64, ConnectDeadline> m_connectDeadlines;
    QTimer m_connectTimer;
    QTimer m_sweep; // closes connections idle over kMaxIdleMs; runs while any is idle
    QElapsedTimer m_clock;
    int m_idleWithoutHintMs = kIdleWithoutHintMs;
    // Per client, not static: several proxies (threads) may run in one process.
    std::unique_ptr<char[]> m_readBuffer;
    std::unique_ptr<char[]> m_inflateBuffer;
    std::vector<quint64> m_noWaiting;
    friend struct Http1Glue;
};

} // namespace tl
