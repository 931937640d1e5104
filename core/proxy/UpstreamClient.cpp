#include "UpstreamClient.h"

#include "common/Logging.h"
#include "proxy/Http1Client.h"

#include <QSocketNotifier>

#include <curl/curl.h>

#include <algorithm>

#ifdef Q_OS_WIN
#include <winsock2.h>
#else
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace tl {

struct UpstreamClient::Transfer
{
    quint64 id = 0;
    CURL *easy = nullptr;
    int shard = 0; // UpstreamClient::m_shards index
    curl_slist *headerList = nullptr;
    UpstreamRequest request;
    UpstreamCallbacks callbacks;
    UpstreamClient *client = nullptr;
    int status = 0;
    HttpHeaders headers;
    bool headersDone = false;
    bool aborted = false;
    bool reportedInPass = false; // listed in UpstreamClient::m_reported
    bool pauseWanted = false; // pause(): the write callback pauses at the next bytes
    bool paused = false;      // the write callback returned CURL_WRITEFUNC_PAUSE; curl keeps those bytes
    int attempts = 0;         // prereqCallback calls: a second one is curl about to send the request again
    bool retryRefused = false;
    char errorBuffer[CURL_ERROR_SIZE] = {};
};

struct UpstreamClient::SocketWatch
{
    std::unique_ptr<QSocketNotifier> read;
    std::unique_ptr<QSocketNotifier> write;
    bool curlReads = false; // curl watches the socket for reading (the read notifier may be on anyway)
};

struct CurlGlue
{
    // Called by curl once a connection is made or taken from the pool, before each attempt to send the
    // request (CURLOPT_PREREQFUNCTION, libcurl 7.80+). curl sends a request again on a fresh connection
    // when a reused one closed before any answer came; the first attempt may have reached the upstream,
    // which may have acted on it (and billed it). RFC 9110 section 9.2.2: "A proxy MUST NOT automatically
    // retry non-idempotent requests." So a POST or PATCH is not sent twice: the transfer fails (the client
    // gets a 502 and may retry itself; the record's usage is unknown). Found by the session-9 trial: one
    // client POST reached the upstream twice. A connection curl finds closed before it sends anything is
    // not an attempt (curl's liveness check drops it first).
    static int prereqCallback(void *userp, char *, char *, int, int)
    {
        auto *t = static_cast<UpstreamClient::Transfer *>(userp);
        if (++t->attempts > 1 && (t->request.method == "POST" || t->request.method == "PATCH")) {
            t->retryRefused = true;
            return CURL_PREREQFUNC_ABORT;
        }
        return CURL_PREREQFUNC_OK;
    }

    // curl stops watching a socket after every transfer, also when the connection stays in its
    // keep-alive pool for the next one, and watches it again for the next transfer. The notifiers are
    // deleted only when curl closes the socket (closeSocketCallback), so a reused connection costs no
    // new QSocketNotifier. The read notifier even stays enabled between transfers: with Qt's GLib event
    // dispatcher every enable or disable is a g_source_add/remove_poll and a wake-up write to the
    // thread's eventfd (two of each per request, measured with strace). A pooled connection that becomes
    // readable (the server closed it) gets its read notifier disabled then (socketActivity), and
    // curl's own liveness check finds it closed before reusing it.
    static int socketCallback(CURL *, curl_socket_t s, int what, void *userp, void *)
    {
        auto *client = static_cast<UpstreamClient *>(userp);
        auto it = client->m_watches.find(qintptr(s));
        if (what == CURL_POLL_REMOVE) {
            if (it != client->m_watches.end()) {
                it->second->curlReads = false;
                if (it->second->write)
                    it->second->write->setEnabled(false);
            }
            return 0;
        }
        if (it == client->m_watches.end())
            it = client->m_watches.emplace(qintptr(s), std::make_unique<UpstreamClient::SocketWatch>()).first;
        UpstreamClient::SocketWatch *watch = it->second.get();
        const bool wantRead = what == CURL_POLL_IN || what == CURL_POLL_INOUT;
        const bool wantWrite = what == CURL_POLL_OUT || what == CURL_POLL_INOUT;
        auto ensure = [&](std::unique_ptr<QSocketNotifier> &n, QSocketNotifier::Type type, int event, bool want) {
            if (want && !n) {
                n = std::make_unique<QSocketNotifier>(qintptr(s), type);
                QObject::connect(n.get(), &QSocketNotifier::activated, client,
                                 [client, s, event]() { client->socketActivity(qintptr(s), event); });
            }
            if (n)
                n->setEnabled(want);
        };
        ensure(watch->read, QSocketNotifier::Read, CURL_CSELECT_IN, wantRead);
        ensure(watch->write, QSocketNotifier::Write, CURL_CSELECT_OUT, wantWrite);
        watch->curlReads = wantRead;
        return 0;
    }

    static int closeSocketCallback(void *clientp, curl_socket_t s)
    {
        auto *client = static_cast<UpstreamClient *>(clientp);
        if (auto it = client->m_watches.find(qintptr(s)); it != client->m_watches.end()) {
            // A notifier may be the one whose signal is being delivered: disable now, delete later.
            for (auto *n : {it->second->read.release(), it->second->write.release()}) {
                if (n) {
                    n->setEnabled(false);
                    n->deleteLater();
                }
            }
            client->m_watches.erase(it);
        }
#ifdef Q_OS_WIN
        return closesocket(s);
#else
        return ::close(int(s));
#endif
    }

    static int timerCallback(CURLM *, long timeoutMs, void *userp)
    {
        auto *client = static_cast<UpstreamClient *>(userp);
        if (timeoutMs < 0)
            client->m_timer.stop();
        else
            client->m_timer.start(int(timeoutMs));
        return 0;
    }

    static size_t headerCallback(char *buffer, size_t size, size_t nitems, void *userdata)
    {
        auto *t = static_cast<UpstreamClient::Transfer *>(userdata);
        const size_t len = size * nitems;
        if (t->aborted)
            return 0;
        QByteArrayView line(buffer, qsizetype(len));
        while (line.endsWith('\n') || line.endsWith('\r'))
            line.chop(1);
        if (line.startsWith("HTTP/")) {
            t->headers.clear();
            const QList<QByteArray> parts = line.toByteArray().split(' ');
            t->status = parts.size() > 1 ? parts[1].toInt() : 0;
        } else if (line.isEmpty()) {
            if (t->status >= 200 && !t->headersDone) {
                t->headersDone = true;
                t->client->reported(t);
                if (t->callbacks.onHeaders)
                    t->callbacks.onHeaders(t->status, t->headers);
            }
        } else {
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                t->headers.append({line.first(colon).toByteArray(), line.sliced(colon + 1).trimmed().toByteArray()});
        }
        return t->aborted ? 0 : len;
    }

    static size_t writeCallback(char *ptr, size_t size, size_t nmemb, void *userdata)
    {
        auto *t = static_cast<UpstreamClient::Transfer *>(userdata);
        const size_t len = size * nmemb;
        if (t->aborted)
            return 0;
        if (t->pauseWanted) {
            // Not consumed: curl keeps these bytes and hands them over again after CURLPAUSE_CONT.
            t->paused = true;
            return CURL_WRITEFUNC_PAUSE;
        }
        t->client->reported(t);
        if (!t->headersDone) { // e.g. HTTP/1.0 without a blank line seen yet
            t->headersDone = true;
            if (t->callbacks.onHeaders)
                t->callbacks.onHeaders(t->status, t->headers);
        }
        if (t->callbacks.onData && !t->aborted)
            t->callbacks.onData(QByteArrayView(ptr, qsizetype(len)));
        return t->aborted ? 0 : len;
    }
};

UpstreamClient::UpstreamClient(QObject *parent)
    : QObject(parent)
{
    static const bool globalInit = [] { return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK; }();
    Q_UNUSED(globalInit);
    CURLM *multi = curl_multi_init();
    m_multi = multi;
    curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &CurlGlue::socketCallback);
    curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &CurlGlue::timerCallback);
    curl_multi_setopt(multi, CURLMOPT_TIMERDATA, this);
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, 8192L); // keep-alive pool: 1,000+ concurrent streams
    curl_multi_setopt(multi, CURLMOPT_PIPELINING, long(CURLPIPE_MULTIPLEX));
    for (Shard &shard : m_shards) {
        CURLSH *share = curl_share_init();
        curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT); // one thread: no lock callbacks
        shard.share = share;
    }
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &UpstreamClient::timeoutPass);
    m_http1 = std::make_unique<Http1Client>();
}

void UpstreamClient::setBuiltinPlainHttp(bool builtin, std::atomic<qint64> *counted)
{
    m_builtinCounted = counted;
    if (!builtin)
        m_http1.reset();
    else if (!m_http1)
        m_http1 = std::make_unique<Http1Client>();
}

int UpstreamClient::activeTransfers() const
{
    return int(m_transfers.size()) + (m_http1 ? m_http1->activeTransfers() : 0);
}

UpstreamClient::~UpstreamClient()
{
    m_http1.reset();
    std::vector<quint64> ids;
    for (const auto &[id, t] : m_transfers)
        ids.push_back(id);
    for (quint64 id : ids)
        removeTransfer(id, false, {}, {});
    for (void *easy : m_idleHandles)
        curl_easy_cleanup(static_cast<CURL *>(easy));
    curl_multi_cleanup(static_cast<CURLM *>(m_multi));
    // No easy handle uses a share any more: each closes the connections it keeps.
    for (Shard &shard : m_shards) {
        if (const CURLSHcode rc = curl_share_cleanup(static_cast<CURLSH *>(shard.share)); rc != CURLSHE_OK)
            qCWarning(lcProxy) << "upstream connection cache not released:" << curl_share_strerror(rc);
    }
}

quint64 UpstreamClient::start(UpstreamRequest request, UpstreamCallbacks callbacks)
{
    if (m_http1 && Http1Client::takes(request.url)) {
        const quint64 id = m_nextId++ | kBuiltinBit;
        if (m_builtinCounted)
            m_builtinCounted->fetch_add(1, std::memory_order_relaxed);
        m_http1->start(id, std::move(request), std::move(callbacks));
        return id;
    }
    auto t = std::make_unique<Transfer>();
    t->id = m_nextId++;
    t->client = this;
    t->request = std::move(request);
    t->callbacks = std::move(callbacks);
    // A handle of an earlier transfer (curl_easy_reset: options cleared, allocations kept) or a new one.
    CURL *easy = nullptr;
    if (!m_idleHandles.empty()) {
        easy = static_cast<CURL *>(m_idleHandles.back());
        m_idleHandles.pop_back();
    } else {
        easy = curl_easy_init();
    }
    t->easy = easy;
    t->shard = int(std::min_element(m_shards.begin(), m_shards.end(),
                                    [](const Shard &a, const Shard &b) { return a.running < b.running; })
                   - m_shards.begin());
    ++m_shards[size_t(t->shard)].running;
    curl_easy_setopt(easy, CURLOPT_SHARE, m_shards[size_t(t->shard)].share);
    curl_easy_setopt(easy, CURLOPT_URL, t->request.url.constData());
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(t->request.connectTimeoutMs));
    curl_easy_setopt(easy, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(easy, CURLOPT_TCP_KEEPALIVE, 1L);
    // Receive buffer per transfer (curl's default is 16 KiB): stream events and most answers are a
    // few KiB, and 1,000 open streams hold 1,000 of these buffers.
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, 8192L);
    curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, long(CURL_HTTP_VERSION_2TLS));
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->errorBuffer);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &CurlGlue::headerCallback);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, t.get());
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &CurlGlue::writeCallback);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, t.get());
    curl_easy_setopt(easy, CURLOPT_PRIVATE, t.get());
    curl_easy_setopt(easy, CURLOPT_PREREQFUNCTION, &CurlGlue::prereqCallback);
    curl_easy_setopt(easy, CURLOPT_PREREQDATA, t.get());
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETFUNCTION, &CurlGlue::closeSocketCallback);
    curl_easy_setopt(easy, CURLOPT_CLOSESOCKETDATA, this);
    // The proxy reads every answer (usage, cost, cache), so it asks for identity ("Accept-Encoding:
    // identity"; the client's own Accept-Encoding is not forwarded: ClientConnection). An upstream may
    // compress all the same (RFC 9110 section 12.5.3 lets a server ignore the field): curl then decodes
    // what its build knows (gzip and deflate always; br and zstd when built with them, as Debian's
    // libcurl is), as the bytes arrive, so streams stay streams; an unknown coding fails the transfer
    // (CURLE_BAD_CONTENT_ENCODING -> "upstream_error"). HEAD answers have no body to decode.
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "identity");
    curl_easy_setopt(easy, CURLOPT_HTTP_CONTENT_DECODING, 1L);
    if (t->request.method == "GET") {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else if (t->request.method == "HEAD") {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L); // a HEAD: curl reads no body after the headers
    } else {
        curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->request.body.constData());
        curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(t->request.body.size()));
        if (t->request.method != "POST")
            curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, t->request.method.constData());
    }
    curl_slist *list = nullptr;
    QByteArray line;
    for (const auto &[name, value] : t->request.headers) {
        line.clear();
        line.append(name).append(": ").append(value);
        list = curl_slist_append(list, line.constData());
    }
    list = curl_slist_append(list, "Expect:"); // no 100-continue round trip
    if (!hasHeader(t->request.headers, "content-type") && t->request.method != "GET")
        list = curl_slist_append(list, "Content-Type:");
    t->headerList = list;
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, list);
    const quint64 id = t->id;
    m_transfers.emplace(id, std::move(t));
    curl_multi_add_handle(static_cast<CURLM *>(m_multi), easy);
    if (m_callbackDepth == 0) {
        // Kick the transfer now rather than one event-loop turn later from the 0 ms timer.
        m_timer.stop();
        timeoutPass();
    }
    return id;
}

bool UpstreamClient::requestSent(quint64 id) const
{
    if (id & kBuiltinBit)
        return m_http1 && m_http1->requestSent(id);
    const auto it = m_transfers.find(id);
    return it != m_transfers.end() && it->second->attempts > 0;
}

void UpstreamClient::abort(quint64 id)
{
    if (id & kBuiltinBit) {
        if (m_http1)
            m_http1->abort(id);
        return;
    }
    auto it = m_transfers.find(id);
    if (it == m_transfers.end())
        return;
    it->second->aborted = true;
    if (m_callbackDepth == 0) {
        removeTransfer(id, false, {}, {});
    } else {
        // Inside a curl callback: the handle may not be removed now.
        QTimer::singleShot(0, this, [this, id]() { removeTransfer(id, false, {}, {}); });
    }
}

void UpstreamClient::pause(quint64 id)
{
    if (id & kBuiltinBit) {
        if (m_http1)
            m_http1->pause(id);
        return;
    }
    if (auto it = m_transfers.find(id); it != m_transfers.end())
        it->second->pauseWanted = true;
}

void UpstreamClient::resume(quint64 id)
{
    if (id & kBuiltinBit) {
        if (m_http1)
            m_http1->resume(id);
        return;
    }
    auto it = m_transfers.find(id);
    if (it == m_transfers.end())
        return;
    it->second->pauseWanted = false;
    if (!it->second->paused)
        return; // the pause never took effect: curl holds nothing back
    if (m_callbackDepth > 0) {
        // curl_easy_pause may call the write callback: not from inside a curl callback.
        QTimer::singleShot(0, this, [this, id]() { unpause(id); });
        return;
    }
    unpause(id);
}

void UpstreamClient::unpause(quint64 id)
{
    auto it = m_transfers.find(id);
    if (it == m_transfers.end())
        return;
    Transfer *t = it->second.get();
    if (t->pauseWanted || !t->paused || t->aborted) // paused again meanwhile, or gone
        return;
    t->paused = false;
    // Hands the kept bytes to the write callback (which may pause again), then one pass of the multi
    // handle so it re-arms the socket (CURL_POLL_IN) and reads on.
    ++m_callbackDepth;
    const CURLcode rc = curl_easy_pause(t->easy, CURLPAUSE_CONT);
    --m_callbackDepth;
    if (rc != CURLE_OK)
        qCWarning(lcProxy) << "curl_easy_pause(CONT) failed:" << curl_easy_strerror(rc);
    timeoutPass();
}

void UpstreamClient::timeoutPass()
{
    int running = 0;
    ++m_callbackDepth;
    curl_multi_socket_action(static_cast<CURLM *>(m_multi), CURL_SOCKET_TIMEOUT, 0, &running);
    --m_callbackDepth;
    checkDone();
    endPass();
}

void UpstreamClient::removeTransfer(quint64 id, bool notify, const QString &errorKind, const QString &message)
{
    auto it = m_transfers.find(id);
    if (it == m_transfers.end())
        return;
    std::unique_ptr<Transfer> t = std::move(it->second);
    m_transfers.erase(it);
    curl_multi_remove_handle(static_cast<CURLM *>(m_multi), t->easy);
    --m_shards[size_t(t->shard)].running;
    if (m_idleHandles.size() < kMaxIdleHandles) {
        curl_easy_reset(t->easy);
        m_idleHandles.push_back(t->easy);
    } else {
        curl_easy_cleanup(t->easy);
    }
    curl_slist_free_all(t->headerList);
    if (notify && !t->aborted && t->callbacks.onFinished)
        t->callbacks.onFinished(errorKind, message);
}

void UpstreamClient::socketActivity(qintptr fd, int curlEvent)
{
    if (curlEvent == CURL_CSELECT_IN) {
        // A pooled connection curl is not reading from (see socketCallback): stop watching it now.
        if (auto it = m_watches.find(fd); it != m_watches.end() && !it->second->curlReads) {
            if (it->second->read)
                it->second->read->setEnabled(false);
            return;
        }
    }
    int running = 0;
    ++m_callbackDepth;
    curl_multi_socket_action(static_cast<CURLM *>(m_multi), curl_socket_t(fd), curlEvent, &running);
    --m_callbackDepth;
    checkDone();
    endPass();
}

void UpstreamClient::reported(Transfer *t)
{
    if (t->reportedInPass || !t->callbacks.onPassEnd)
        return;
    t->reportedInPass = true;
    m_reported.push_back(t->id);
}

void UpstreamClient::endPass()
{
    if (m_reported.empty())
        return;
    // A callback may start a transfer (a nested pass) or abort one: walk a list of our own.
    std::vector<quint64> ids = std::exchange(m_reported, std::move(m_reportedSpare));
    for (const quint64 id : ids) {
        auto it = m_transfers.find(id);
        if (it == m_transfers.end() || it->second->aborted)
            continue;
        it->second->reportedInPass = false;
        if (it->second->callbacks.onPassEnd)
            it->second->callbacks.onPassEnd();
    }
    ids.clear();
    if (m_reportedSpare.capacity() < ids.capacity())
        m_reportedSpare = std::move(ids);
}

void UpstreamClient::checkDone()
{
    int left = 0;
    while (CURLMsg *msg = curl_multi_info_read(static_cast<CURLM *>(m_multi), &left)) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        Transfer *t = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, reinterpret_cast<char **>(&t));
        if (!t)
            continue;
        const CURLcode code = msg->data.result;
        QString kind;
        QString message;
        if (code != CURLE_OK) {
            switch (code) {
            case CURLE_COULDNT_CONNECT:
            case CURLE_COULDNT_RESOLVE_HOST:
            case CURLE_COULDNT_RESOLVE_PROXY:
                kind = u"connect_error"_s;
                break;
            case CURLE_OPERATION_TIMEDOUT:
                // curl's connect timeout (TCP or TLS) is this code too: before the request was sent, nothing
                // reached the provider (session-10 trial: such calls were estimated and costed).
                kind = t->headersDone ? u"upstream_cut"_s : t->attempts == 0 ? u"connect_timeout"_s : u"timeout"_s;
                break;
            case CURLE_SSL_CONNECT_ERROR:
            case CURLE_PEER_FAILED_VERIFICATION:
                kind = u"tls_error"_s;
                break;
            case CURLE_PARTIAL_FILE:
            case CURLE_RECV_ERROR:
            case CURLE_GOT_NOTHING:
            case CURLE_HTTP2_STREAM:
            case CURLE_HTTP2:
                kind = u"upstream_cut"_s;
                break;
            default:
                kind = u"upstream_error"_s;
            }
            // curl's message names the host and the failure, never headers or bodies.
            message = QString::fromUtf8(t->errorBuffer[0] ? t->errorBuffer : curl_easy_strerror(code));
            if (t->retryRefused) {
                kind = u"upstream_cut"_s;
                message = u"the upstream closed a reused connection without answering; the request may have "
                          "reached it, and a POST is not sent again"_s;
            } else if (code == CURLE_OUT_OF_MEMORY && !t->headersDone) {
                // libcurl 7.88 reports an answer's header block over its 100 KB limit as out of memory.
                message = u"the upstream's response headers are over libcurl's limit (100 KB)"_s;
            }
        } else if (!t->headersDone && t->callbacks.onHeaders) {
            t->headersDone = true;
            t->callbacks.onHeaders(t->status, t->headers);
        }
        removeTransfer(t->id, true, kind, message);
    }
}

} // namespace tl
