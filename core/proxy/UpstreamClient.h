#pragma once

#include "proxy/HttpRequestParser.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <array>
#include <atomic>
#include <functional>
#include <memory>
#include <unordered_map>
#include <vector>

namespace tl {

class Http1Client;

// One request to an upstream provider.
struct UpstreamRequest
{
    QByteArray method = "POST";
    QByteArray url; // absolute http(s) URL, already built from the configured base URL
    HttpHeaders headers;
    QByteArray body;
    int connectTimeoutMs = 10'000;
};

// What a transfer reports, in order: headers once, data zero or more times, finished once. After
// abort() nothing more is reported.
struct UpstreamCallbacks
{
    std::function<void(int status, const HttpHeaders &headers)> onHeaders;
    std::function<void(QByteArrayView bytes)> onData;
    // errorKind "" on success; else "connect_error", "upstream_cut", "tls_error", "upstream_error".
    std::function<void(const QString &errorKind, const QString &message)> onFinished;
    // Optional: called once after the pass (one socket event, timer or start(); with Http1Client one socket event
    // or resume()) in which onHeaders and/or onData of this transfer were called, unless the transfer finished
    // or was aborted in it.
    // The receiver writes what those produced in one go, without an event-loop turn of its own.
    std::function<void()> onPassEnd;
};

// HTTP client for upstream providers. Plain-HTTP URLs go to Http1Client, the proxy thread's own HTTP/1.1
// client, unless setBuiltinPlainHttp(false) (its own header says how it behaves); what follows is about the
// transfers on libcurl's multi interface (curl 7.88, Debian libcurl4-openssl-dev;
// vcpkg "curl", Homebrew "curl"), driven by the owning thread's Qt event loop through
// CURLMOPT_SOCKETFUNCTION / CURLMOPT_TIMERFUNCTION (QSocketNotifier + one QTimer). One multi handle
// per proxy thread keeps HTTP/1.1 keep-alive connections and HTTP/2 multiplexing to each upstream
// with no per-host connection cap; TLS and the system's proxy variables come from curl.
// Chosen over QNetworkAccessManager (6 connections per host, an extra thread hop: issue 3 section 7).
//
// Thread affinity: create, use and destroy in one thread (the proxy worker thread). Callbacks run
// on that thread. Redirects are never followed. A POST or PATCH is never sent twice: when a reused
// connection closes before any answer, libcurl would send the request again on a new one; that retry is
// refused (RFC 9110 section 9.2.2) and the transfer ends "upstream_cut". Every request asks for identity ("Accept-Encoding:
// identity"); a body the upstream compresses all the same (Content-Encoding gzip or deflate, br and zstd
// where libcurl is built with them) reaches onData decoded, while onHeaders still shows the upstream's
// Content-Encoding and Content-Length (the receiver must not pass them on with the decoded bytes).
class UpstreamClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UpstreamClient)

public:
    explicit UpstreamClient(QObject *parent = nullptr);
    ~UpstreamClient() override;

    // Plain-HTTP upstreams ("http://" URLs) go through Http1Client, the proxy thread's own HTTP/1.1
    // keep-alive client, when `builtin` (the default, ProxyConfig::plainHttpClient) and Http1Client::takes()
    // the URL; else through libcurl like every https URL. Set before the first start(). `counted`, when
    // given, is raised by one for each transfer the builtin client carries (ProxyStats); it must outlive
    // this client.
    void setBuiltinPlainHttp(bool builtin, std::atomic<qint64> *counted = nullptr);

    // Starts a transfer and returns its id (> 0).
    quint64 start(UpstreamRequest request, UpstreamCallbacks callbacks);
    // Cancels a transfer; its callbacks are not called any more. Safe inside a callback.
    void abort(quint64 id);
    // Whether the transfer's request was sent: its connection (TCP, TLS, any proxy) was made and curl began to
    // send the request (CURLOPT_PREREQFUNCTION was called). False for an unknown id. A transfer that ends
    // with a timeout before this ends with errorKind "connect_timeout" (nothing reached the provider).
    bool requestSent(quint64 id) const;
    // Flow control towards a receiver slower than the upstream (issue 3 section 7: bounded memory).
    // pause(): the next bytes curl receives for the transfer are not handed over; its write callback
    // returns CURL_WRITEFUNC_PAUSE (the documented way to pause from inside a callback: curl keeps those
    // bytes, at most one receive buffer, and delivers them again on unpause) and curl stops reading the
    // socket, so TCP's own window holds the upstream back. No onData follows until resume(). Cheap:
    // a flag; safe inside a callback. resume(): curl_easy_pause(CURLPAUSE_CONT) outside any curl
    // callback (deferred one event-loop turn when called inside one), which may call onData with the
    // kept bytes before it returns, then one curl_multi_socket_action(CURL_SOCKET_TIMEOUT) pass so the
    // multi handle watches the socket again at once (libcurl 7.88 also sets a 0 ms timer on unpause).
    // Unknown or finished ids are ignored. curl's own timeouts are not affected (none is set beyond
    // the connect timeout); the caller's idle deadline is its own business.
    void pause(quint64 id);
    void resume(quint64 id);
    int activeTransfers() const;

    struct Transfer;
    struct SocketWatch;

private:
    void socketActivity(qintptr fd, int curlEvent);
    void checkDone();
    // One curl_multi_socket_action(CURL_SOCKET_TIMEOUT) pass (due timers, new and unpaused transfers),
    // then checkDone() and endPass().
    void timeoutPass();
    // Calls onPassEnd of the transfers that reported headers or data in the pass that just ended.
    void endPass();
    void reported(Transfer *t);
    void unpause(quint64 id);
    void removeTransfer(quint64 id, bool notify, const QString &errorKind, const QString &message);
    friend struct CurlGlue;

    // Ids of Http1Client transfers have this bit set.
    static constexpr quint64 kBuiltinBit = quint64(1) << 62;
    std::unique_ptr<Http1Client> m_http1; // null: plain HTTP goes through libcurl too
    std::atomic<qint64> *m_builtinCounted = nullptr;
    void *m_multi = nullptr;
    // Connection caches: curl (7.88) looks for a reusable connection by walking every connection it
    // keeps to the host, busy ones included, on each new transfer; with 1,000 streams open to one
    // upstream that walk cost ~50 µs per request, with 3,000 ~400 µs (measured: session 7, docs/proxy.md).
    // So connections live in kConnectionShards share handles (CURLSHOPT_SHARE CURL_LOCK_DATA_CONNECT),
    // and a new transfer takes the shard with the fewest transfers running (the lowest index on a tie):
    // one request at a time keeps reusing shard 0's connection; many concurrent ones spread evenly,
    // and each walk covers about 1/kConnectionShards of the connections.
    static constexpr int kConnectionShards = 16;
    struct Shard
    {
        void *share = nullptr; // CURLSH *
        int running = 0;       // transfers started on this shard and not yet removed
    };
    std::array<Shard, kConnectionShards> m_shards{};
    QTimer m_timer;
    quint64 m_nextId = 1;
    std::unordered_map<quint64, std::unique_ptr<Transfer>> m_transfers;
    // Easy handles of finished transfers, reset and reused (connections stay in the multi handle's
    // pool either way); at most kMaxIdleHandles are kept.
    static constexpr size_t kMaxIdleHandles = 64;
    std::vector<void *> m_idleHandles;
    // Notifiers of the sockets curl opened (by descriptor), kept while curl keeps the connection.
    std::unordered_map<qintptr, std::unique_ptr<SocketWatch>> m_watches;
    int m_callbackDepth = 0;
    // Transfers that reported headers or data in the current curl pass (ids; see onPassEnd).
    std::vector<quint64> m_reported;
    std::vector<quint64> m_reportedSpare;
};

} // namespace tl
