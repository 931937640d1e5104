#include "Http1Client.h"

#include <QHostAddress>
#include <QHostInfo>
#include <QSocketNotifier>
#include <QUrl>

#include <http_parser.h>
#include <zlib.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <optional>

#ifdef Q_OS_UNIX
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>
#endif

using namespace Qt::StringLiterals;

namespace tl {

namespace {

// How long the upstream keeps an idle connection, from an answer's Keep-Alive header ("timeout=5, max=100";
// RFC 2068 section 19.7.1.1, which HTTP/1.1 servers such as Node's and cpp-httplib still send), less one
// second for the close to cross the network (undici's keepAliveTimeoutThreshold). nullopt without a timeout.
std::optional<qint64> keepAliveTimeoutMs(const HttpHeaders &headers)
{
    const QByteArray value = headerValues(headers, "keep-alive");
    for (QByteArray param : value.split(',')) {
        param = param.trimmed();
        const qsizetype eq = param.indexOf('=');
        if (eq < 0 || param.left(eq).trimmed().toLower() != "timeout")
            continue;
        QByteArray number = param.mid(eq + 1).trimmed();
        if (number.size() >= 2 && number.startsWith('"') && number.endsWith('"'))
            number = number.mid(1, number.size() - 2);
        bool ok = false;
        const qint64 seconds = number.toLongLong(&ok);
        if (!ok || seconds < 0)
            return std::nullopt;
        return std::max<qint64>(0, std::min<qint64>(seconds, 86'400) * 1000 - 1000);
    }
    return std::nullopt;
}
constexpr qint64 kResolvedForMs = 60'000; // as QHostInfo's own cache

bool idempotent(const QByteArray &method)
{
    return method == "GET" || method == "HEAD";
}

QString errnoText(int error)
{
    return QString::fromLocal8Bit(std::strerror(error));
}
} // namespace

struct Http1Client::Origin
{
    QString host;          // as QUrl gives it (lower case; an IPv6 address without brackets)
    quint16 port = 80;
    QByteArray hostHeader; // "host" or "host:port"; "[v6]" in brackets
    QList<QHostAddress> addresses;
    qint64 resolvedAtMs = -1; // -1: never; an IP literal never expires
    bool literal = false;
    bool resolving = false;
    std::vector<quint64> waiting; // transfers waiting for the name's addresses
    std::vector<Connection *> idle;  // keep-alive pool, most recently used last
};

struct Http1Client::Connection
{
    Origin *origin = nullptr;
    int fd = -1;
    QSocketNotifier *read = nullptr;
    QSocketNotifier *write = nullptr;
    Transfer *transfer = nullptr;
    bool connecting = false;
    bool closed = false;
    bool reused = false;     // the current transfer took it from the pool
    bool messageDone = false;
    bool keepAlive = false;
    bool writeFailed = false;
    qint64 idleSinceMs = 0;
    qint64 maxIdleMs = 0; // how long it may stay idle and still be used (the last answer's Keep-Alive hint)
    QByteArray pendingIn; // bytes read and not parsed yet (the transfer paused)
    http_parser parser{};
};

struct Http1Client::Transfer
{
    quint64 id = 0;
    Http1Client *client = nullptr;
    UpstreamRequest request;
    UpstreamCallbacks callbacks;
    Origin *origin = nullptr;
    QByteArray head; // request line and header block
    Connection *conn = nullptr;
    qsizetype sent = 0; // bytes of head + body written
    int addressIndex = 0;
    int attempts = 0; // times the request began to leave
    int lastConnectError = 0;
    int connectGeneration = 0; // new connections begun (the first, a retry's)
    int connectAttempt = 0;    // addresses tried so far
    qint64 connectDeadlineMs = 0;
    bool freshOnly = false; // a retry: not on a pooled connection
    bool noBody = false;    // GET or HEAD: no body, no Content-Length
    bool isHead = false;
    int status = 0;
    HttpHeaders headers;
    bool lastWasValue = false;
    bool headersDone = false;
    bool gotAnswerBytes = false;
    bool aborted = false;
    bool ended = false;
    bool reported = false; // headers or data reported in the current socket event
    bool pauseWanted = false;
    bool paused = false;   // the parser is paused; bytes wait in held / the connection's pendingIn
    QByteArray held;       // body bytes kept back by a pause (decoded; at most one decoding step when compressed)
    QByteArray heldCompressed; // compressed body bytes a pause left undecoded
    // Content decoding (gzip or deflate): zlib.
    std::unique_ptr<z_stream> inflater;
    bool deflate = false;      // "deflate": zlib format, or raw deflate from servers that send that
    bool rawTried = false;
    bool inflateEnded = false; // zlib reached the end of the current member (or zlib/deflate stream)
    int members = 0;           // whole members decoded
    qint64 memberIn = 0;       // compressed bytes of the current member given to zlib
    QString undecodable;       // the body's coding is one the client does not decode: fails at its first byte
    QString failKind;          // set by a parser callback that stops the parser
    QString failMessage;

    ~Transfer()
    {
        if (inflater)
            inflateEnd(inflater.get());
    }
};

// http-parser callbacks. The parser's data is the Connection.
struct Http1Glue
{
    static http_parser_settings settings;

    static Http1Client::Transfer *transferOf(http_parser *p)
    {
        return static_cast<Http1Client::Connection *>(p->data)->transfer;
    }

    static int onMessageBegin(http_parser *p)
    {
        Http1Client::Transfer *t = transferOf(p);
        if (!t)
            return -1;
        t->status = 0;
        t->headers.clear();
        t->lastWasValue = false;
        return 0;
    }

    static int onHeaderField(http_parser *p, const char *at, size_t len)
    {
        Http1Client::Transfer *t = transferOf(p);
        if (!t)
            return -1;
        if (t->lastWasValue || t->headers.isEmpty())
            t->headers.append({QByteArray(at, qsizetype(len)), QByteArray()});
        else
            t->headers.last().first.append(at, qsizetype(len));
        t->lastWasValue = false;
        return 0;
    }

    static int onHeaderValue(http_parser *p, const char *at, size_t len)
    {
        Http1Client::Transfer *t = transferOf(p);
        if (!t || t->headers.isEmpty())
            return -1;
        t->headers.last().second.append(at, qsizetype(len));
        t->lastWasValue = true;
        return 0;
    }

    static int onHeadersComplete(http_parser *p);
    static int onBody(http_parser *p, const char *at, size_t len);
    static int onMessageComplete(http_parser *p);

    static http_parser_settings makeSettings()
    {
        http_parser_settings s;
        http_parser_settings_init(&s);
        s.on_message_begin = &onMessageBegin;
        s.on_header_field = &onHeaderField;
        s.on_header_value = &onHeaderValue;
        s.on_headers_complete = &onHeadersComplete;
        s.on_body = &onBody;
        s.on_message_complete = &onMessageComplete;
        return s;
    }

    // Hands decoded body bytes to the receiver, or keeps them while a pause is wanted. False: the transfer
    // ended or was aborted inside the callback.
    static bool emitBody(Http1Client::Transfer *t, QByteArrayView bytes)
    {
        if (bytes.isEmpty())
            return true;
        if (t->pauseWanted) {
            t->held.append(bytes.data(), bytes.size());
            return true;
        }
        t->reported = true;
        if (t->callbacks.onData)
            t->callbacks.onData(bytes);
        return !t->ended && !t->aborted;
    }

    static bool inflateBody(Http1Client::Transfer *t, const char *at, size_t len);
};

http_parser_settings Http1Glue::settings = Http1Glue::makeSettings();

int Http1Glue::onHeadersComplete(http_parser *p)
{
    Http1Client::Transfer *t = transferOf(p);
    if (!t)
        return -1;
    t->status = int(p->status_code);
    for (auto &[name, value] : t->headers)
        value = value.trimmed();
    if (t->status < 200)
        return 0; // an interim answer (100 Continue, 103 Early Hints): no body; the real one follows
    t->headersDone = true;
    // 204 and 304 have no body whatever Content-Length says (RFC 9110 sections 8.6, 15.3.5, 15.4.5), nor has
    // the answer to a HEAD (its Content-Length describes the GET's).
    const bool bodyless = t->isHead || t->status == 204 || t->status == 304;
    if (!bodyless) {
        // Every Content-Encoding line, as one list (RFC 9110 section 5.3), "identity" left out.
        QList<QByteArray> codings;
        for (const QByteArray &item : headerValues(t->headers, "content-encoding").split(',')) {
            const QByteArray coding = item.trimmed().toLower();
            if (!coding.isEmpty() && coding != "identity")
                codings.append(coding);
        }
        const QByteArray coding = codings.size() == 1 ? codings.first() : QByteArray();
        if (coding == "gzip" || coding == "x-gzip" || coding == "deflate") {
            t->inflater = std::make_unique<z_stream>();
            std::memset(t->inflater.get(), 0, sizeof(z_stream));
            t->deflate = coding == "deflate";
            // 15 + 32: a zlib or a gzip header, told apart by zlib itself.
            if (inflateInit2(t->inflater.get(), t->deflate ? 15 : 15 + 32) != Z_OK) {
                t->inflater.reset();
                t->undecodable = u"zlib could not start decoding the answer"_s;
            }
        } else if (!codings.isEmpty()) {
            // As libcurl: the headers are reported, the transfer fails at the first byte of the body.
            t->undecodable = u"the answer came in Content-Encoding \"%1\", which the proxy's plain-HTTP client does "
                             "not decode (it decodes gzip and deflate)"_s.arg(
                                 QString::fromLatin1(codings.join(", ").left(64)));
        }
    }
    t->reported = true;
    if (t->callbacks.onHeaders)
        t->callbacks.onHeaders(t->status, t->headers);
    if (t->ended || t->aborted)
        return -1;
    return bodyless ? 1 : 0; // 1: no body follows
}

bool Http1Glue::inflateBody(Http1Client::Transfer *t, const char *at, size_t len)
{
    char *const out = t->client->m_inflateBuffer.get();
    constexpr qsizetype outSize = Http1Client::kBufferBytes;
    z_stream &z = *t->inflater;
    const auto failWith = [t](const QString &message) {
        t->failKind = u"upstream_error"_s;
        t->failMessage = message;
        return false;
    };
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(at));
    z.avail_in = uInt(len);
    while (z.avail_in > 0) {
        if (t->pauseWanted) {
            // Flow control: the rest stays compressed until resume(). Decoding it now would hold up to the
            // whole read times the compression ratio (session-15 trial: a 657:1 gzip stream held 200 MB).
            t->heldCompressed.append(reinterpret_cast<const char *>(z.next_in), qsizetype(z.avail_in));
            return true;
        }
        if (t->inflateEnded) {
            // Bytes after a whole compressed body: a gzip answer may hold several members (RFC 1952 section
            // 2.2), each decoded in turn; anything else there is not part of the answer.
            if (t->deflate)
                return failWith(u"the answer has bytes after the end of its compressed body"_s);
            inflateReset(&z);
            t->inflateEnded = false;
            t->memberIn = 0;
        }
        z.next_out = reinterpret_cast<Bytef *>(out);
        z.avail_out = uInt(outSize);
        const uInt before = z.avail_in;
        const Bytef *const from = z.next_in;
        const int rc = inflate(&z, Z_NO_FLUSH);
        t->memberIn += before - z.avail_in;
        if (rc == Z_DATA_ERROR && t->deflate && !t->rawTried && t->memberIn == qint64(before - z.avail_in)
            && z.total_out == 0) {
            // "deflate" without the zlib wrapper, as some servers send it: start again as raw deflate.
            t->rawTried = true;
            inflateEnd(&z);
            std::memset(&z, 0, sizeof z);
            if (inflateInit2(&z, -15) != Z_OK)
                return failWith(u"zlib could not start decoding the answer"_s);
            z.next_in = const_cast<Bytef *>(from);
            z.avail_in = before;
            t->memberIn = 0;
            continue;
        }
        if (rc == Z_DATA_ERROR && !t->deflate && t->members > 0 && t->memberIn == qint64(before - z.avail_in)
            && z.total_out == 0)
            return failWith(u"the answer has bytes after the end of its compressed body"_s);
        if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR)
            return failWith(u"the answer's compressed body could not be decoded (zlib: %1)"_s.arg(
                QString::fromLatin1(z.msg ? z.msg : "error")));
        const qsizetype produced = outSize - qsizetype(z.avail_out);
        if (produced > 0 && !emitBody(t, QByteArrayView(out, produced)))
            return false;
        if (rc == Z_STREAM_END) {
            t->inflateEnded = true;
            ++t->members;
        } else if (produced == 0 && before == z.avail_in) {
            break; // no progress: zlib wants more input than this read holds
        }
    }
    return true;
}

int Http1Glue::onBody(http_parser *p, const char *at, size_t len)
{
    Http1Client::Transfer *t = transferOf(p);
    if (!t || t->ended || t->aborted)
        return -1;
    if (!t->undecodable.isEmpty()) {
        t->failKind = u"upstream_error"_s;
        t->failMessage = t->undecodable;
        return -1;
    }
    const bool ok = t->inflater ? inflateBody(t, at, len) : emitBody(t, QByteArrayView(at, qsizetype(len)));
    if (!ok)
        return -1;
    if (t->pauseWanted) {
        // Flow control: the parser stops after these bytes; what the read brought beyond them waits in
        // the connection's pendingIn, and the socket is not read until resume().
        t->paused = true;
        http_parser_pause(p, 1);
    }
    return 0;
}

int Http1Glue::onMessageComplete(http_parser *p)
{
    auto *c = static_cast<Http1Client::Connection *>(p->data);
    Http1Client::Transfer *t = c->transfer;
    if (!t)
        return -1;
    if (t->status < 200) { // the interim answer ended; the real one follows on the same connection
        t->headers.clear();
        return 0;
    }
    if (t->inflater && !t->inflateEnded && t->memberIn > 0) {
        // The framing says the body is whole, zlib says it is not: the decoded answer would be cut short.
        t->failKind = u"upstream_error"_s;
        t->failMessage = u"the answer's compressed body ended before the end of its compressed data"_s;
        return -1;
    }
    c->messageDone = true;
    c->keepAlive = http_should_keep_alive(p) != 0;
    http_parser_pause(p, 1); // stop right after the answer: bytes beyond it are the upstream's fault
    return 0;
}

Http1Client::Http1Client(QObject *parent)
    : QObject(parent)
{
    m_clock.start();
    m_readBuffer = std::make_unique<char[]>(size_t(kBufferBytes));
    m_inflateBuffer = std::make_unique<char[]>(size_t(kBufferBytes));
    m_sweep.setInterval(10'000);
    connect(&m_sweep, &QTimer::timeout, this, &Http1Client::sweepIdle);
    m_connectTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, &Http1Client::connectDeadlines);
}

Http1Client::~Http1Client()
{
    for (auto &[id, t] : m_transfers)
        t->aborted = true; // no callbacks from here on
    m_transfers.clear();
    for (auto &[key, c] : m_connections) {
        if (c->fd >= 0) {
#ifdef Q_OS_UNIX
            ::close(c->fd);
#endif
        }
        delete c->read;
        delete c->write;
    }
    m_connections.clear();
}

bool Http1Client::takes(QByteArrayView url)
{
#ifdef Q_OS_UNIX
    // libcurl follows http_proxy (lower case only, for http://), all_proxy and ALL_PROXY; with any set the
    // transfer stays with libcurl, which also knows no_proxy.
    static const bool proxied = [] {
        for (const char *name : {"http_proxy", "all_proxy", "ALL_PROXY"}) {
            const char *value = std::getenv(name);
            if (value && *value)
                return true;
        }
        return false;
    }();
    if (proxied || !url.startsWith("http://"))
        return false;
    const QByteArrayView rest = url.sliced(7);
    qsizetype end = 0;
    while (end < rest.size() && rest[end] != '/' && rest[end] != '?' && rest[end] != '#')
        ++end;
    return end > 0 && !rest.first(end).contains('@');
#else
    Q_UNUSED(url);
    return false;
#endif
}

qint64 Http1Client::heldBytes() const
{
    qint64 n = 0;
    for (const auto &[id, t] : m_transfers)
        n += t->held.size();
    return n;
}

int Http1Client::idleConnections() const
{
    int n = 0;
    for (const auto &[key, o] : m_origins)
        n += int(o->idle.size());
    return n;
}

Http1Client::Transfer *Http1Client::find(quint64 id) const
{
    const auto it = m_transfers.find(id);
    return it == m_transfers.end() ? nullptr : it->second.get();
}

void Http1Client::leave()
{
    if (--m_depth == 0) {
        m_endedTransfers.clear();
        m_closedConnections.clear();
    }
}

// Every entry point from the event loop or the caller: objects ended inside live on until it returns.
class Http1Client::Scope
{
public:
    explicit Scope(Http1Client *c)
        : m_c(c)
    {
        ++m_c->m_depth;
    }
    ~Scope() { m_c->leave(); }
    Q_DISABLE_COPY_MOVE(Scope)

private:
    Http1Client *m_c;
};

Http1Client::Origin *Http1Client::originFor(QByteArrayView authority, QString *error)
{
    if (auto it = m_origins.find(authority.toByteArray()); it != m_origins.end())
        return it->second.get();
    const QUrl url(u"http://"_s + QString::fromLatin1(authority) + u'/');
    if (!url.isValid() || url.host().isEmpty()) {
        *error = u"the upstream URL's host is not valid"_s;
        return nullptr;
    }
    auto o = std::make_unique<Origin>();
    o->host = url.host();
    o->port = quint16(url.port(80));
    const QString hostInUrl = o->host.contains(u':') ? u'[' + o->host + u']' : o->host;
    o->hostHeader = (o->port == 80 ? hostInUrl : hostInUrl + u':' + QString::number(o->port)).toUtf8();
    QHostAddress literal;
    if (literal.setAddress(o->host)) {
        o->literal = true;
        o->addresses = {literal};
        o->resolvedAtMs = 0;
    }
    Origin *raw = o.get();
    m_origins.emplace(authority.toByteArray(), std::move(o));
    return raw;
}

bool Http1Client::pinAddresses(QByteArrayView authority, const QList<QHostAddress> &addresses)
{
    QString error;
    Origin *o = originFor(authority, &error);
    if (!o)
        return false;
    o->addresses = addresses;
    o->literal = true; // never resolved, never expires
    return true;
}

void Http1Client::start(quint64 id, UpstreamRequest request, UpstreamCallbacks callbacks)
{
    Scope scope(this);
    auto owned = std::make_unique<Transfer>();
    Transfer *t = owned.get();
    t->id = id;
    t->client = this;
    t->request = std::move(request);
    t->callbacks = std::move(callbacks);
    m_transfers.emplace(id, std::move(owned));

    // "http://" authority path-and-query; the fragment is not sent (RFC 9110 section 7.1).
    const QByteArray &url = t->request.url;
    qsizetype authorityEnd = 7;
    while (authorityEnd < url.size() && url[authorityEnd] != '/' && url[authorityEnd] != '?' && url[authorityEnd] != '#')
        ++authorityEnd;
    QByteArray target = url.mid(authorityEnd);
    if (const qsizetype hash = target.indexOf('#'); hash >= 0)
        target.truncate(hash);
    if (target.isEmpty() || target.startsWith('?'))
        target.prepend('/');
    QString error;
    t->origin = originFor(QByteArrayView(url).sliced(7, authorityEnd - 7), &error);
    if (!t->origin) {
        failLater(id, u"connect_error"_s, error);
        return;
    }
    t->isHead = t->request.method == "HEAD";
    t->noBody = t->request.method == "GET" || t->isHead;

    QByteArray &head = t->head;
    head.reserve(256 + t->request.headers.size() * 48);
    head.append(t->request.method).append(' ').append(target).append(" HTTP/1.1\r\nHost: ");
    head.append(t->origin->hostHeader).append("\r\n");
    bool accept = false;
    for (const auto &[name, value] : t->request.headers) {
        accept = accept || name.compare("accept", Qt::CaseInsensitive) == 0;
        head.append(name).append(": ").append(value).append("\r\n");
    }
    if (!accept)
        head.append("Accept: */*\r\n");
    head.append("Accept-Encoding: identity\r\n");
    if (!t->noBody)
        head.append("Content-Length: ").append(QByteArray::number(t->request.body.size())).append("\r\n");
    head.append("\r\n");
    m_inStart = true;
    begin(t);
    m_inStart = false;
}

void Http1Client::begin(Transfer *t)
{
    Origin &o = *t->origin;
    if (!t->freshOnly) {
        const qint64 now = m_clock.elapsed();
        while (!o.idle.empty()) {
            Connection *c = o.idle.back();
            o.idle.pop_back();
            // Alive: nothing to read (a close or stray bytes would be), and not idle too long.
            bool alive = false;
#ifdef Q_OS_UNIX
            char probe = 0;
            const auto n = ::recv(c->fd, &probe, 1, MSG_PEEK | MSG_DONTWAIT);
            alive = n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
#endif
            if (alive && now - c->idleSinceMs <= c->maxIdleMs) {
                c->reused = true;
                c->transfer = t;
                t->conn = c;
                sendRequest(c);
                return;
            }
            closeConnection(c);
        }
    }
    // A new connection, within the connect timeout from now.
    ++t->connectGeneration;
    t->connectDeadlineMs = m_clock.elapsed() + t->request.connectTimeoutMs;
    m_connectDeadlines.emplace(t->connectDeadlineMs, ConnectDeadline{t->id, t->connectGeneration, 0});
    armConnectTimer();
    if (o.literal || (o.resolvedAtMs >= 0 && m_clock.elapsed() - o.resolvedAtMs < kResolvedForMs)) {
        t->addressIndex = 0;
        connectNext(t);
        return;
    }
    o.waiting.push_back(t->id);
    if (o.resolving)
        return;
    o.resolving = true;
    Origin *origin = &o;
    QHostInfo::lookupHost(o.host, this, [this, origin](const QHostInfo &info) {
        Scope scope(this);
        origin->resolving = false;
        const std::vector<quint64> waiting = std::exchange(origin->waiting, {});
        if (info.error() != QHostInfo::NoError || info.addresses().isEmpty()) {
            const QString message = u"could not resolve the upstream host %1: %2"_s.arg(origin->host, info.errorString());
            for (quint64 id : waiting) {
                if (Transfer *w = find(id))
                    fail(w, u"connect_error"_s, message);
            }
            return;
        }
        origin->addresses = info.addresses();
        origin->resolvedAtMs = m_clock.elapsed();
        for (quint64 id : waiting) {
            if (Transfer *w = find(id); w && !w->ended) {
                w->addressIndex = 0;
                connectNext(w);
            }
        }
    });
}

void Http1Client::armConnectTimer()
{
    if (m_connectDeadlines.empty()) {
        m_connectTimer.stop();
        return;
    }
    const qint64 due = m_connectDeadlines.begin()->first;
    m_connectTimer.start(int(std::clamp<qint64>(due - m_clock.elapsed(), 0, 86'400'000)));
}

void Http1Client::connectDeadlines()
{
    Scope scope(this);
    const qint64 now = m_clock.elapsed();
    while (!m_connectDeadlines.empty() && m_connectDeadlines.begin()->first <= now) {
        const ConnectDeadline due = m_connectDeadlines.begin()->second;
        m_connectDeadlines.erase(m_connectDeadlines.begin());
        Transfer *t = find(due.id);
        if (!t || t->ended || due.generation != t->connectGeneration || (t->conn && !t->conn->connecting))
            continue; // connected (or ended) in time, or connecting again since
        if (due.attempt != 0) {
            // This address took its share of the timeout: the next one gets the rest (as libcurl does).
            if (due.attempt == t->connectAttempt && t->conn) {
                closeConnection(t->conn);
                t->lastConnectError = ETIMEDOUT;
                connectNext(t);
            }
            continue;
        }
        fail(t, u"connect_timeout"_s,
             u"no connection to %1 port %2 within %3 ms"_s.arg(t->origin->host).arg(t->origin->port).arg(
                 t->request.connectTimeoutMs));
    }
    armConnectTimer();
}

void Http1Client::connectNext(Transfer *t)
{
#ifdef Q_OS_UNIX
    Origin &o = *t->origin;
    while (t->addressIndex < o.addresses.size()) {
        const QHostAddress &address = o.addresses[t->addressIndex++];
        sockaddr_storage storage{};
        socklen_t length = 0;
        if (address.protocol() == QAbstractSocket::IPv4Protocol) {
            auto *sa = reinterpret_cast<sockaddr_in *>(&storage);
            sa->sin_family = AF_INET;
            sa->sin_port = htons(o.port);
            sa->sin_addr.s_addr = htonl(address.toIPv4Address());
            length = sizeof(sockaddr_in);
        } else if (address.protocol() == QAbstractSocket::IPv6Protocol) {
            auto *sa = reinterpret_cast<sockaddr_in6 *>(&storage);
            sa->sin6_family = AF_INET6;
            sa->sin6_port = htons(o.port);
            const Q_IPV6ADDR v6 = address.toIPv6Address();
            std::memcpy(&sa->sin6_addr, &v6, sizeof v6);
            bool ok = false;
            const uint scope = address.scopeId().toUInt(&ok);
            sa->sin6_scope_id = ok ? scope : 0;
            length = sizeof(sockaddr_in6);
        } else {
            continue;
        }
        const int fd = ::socket(storage.ss_family, SOCK_STREAM, 0);
        if (fd < 0) {
            t->lastConnectError = errno;
            continue;
        }
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
        const int one = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        ::setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof one);
#ifdef SO_NOSIGPIPE
        ::setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
        auto owned = std::make_unique<Connection>();
        Connection *c = owned.get();
        c->origin = &o;
        c->fd = fd;
        c->transfer = t;
        t->conn = c;
        m_connections.emplace(c, std::move(owned));
        c->read = new QSocketNotifier(qintptr(fd), QSocketNotifier::Read);
        connect(c->read, &QSocketNotifier::activated, this, [this, c]() { readable(c); });
        const int rc = ::connect(fd, reinterpret_cast<sockaddr *>(&storage), length);
        if (rc == 0) {
            connected(c);
            return;
        }
        if (errno == EINPROGRESS || errno == EINTR) {
            c->connecting = true;
            ++t->connectAttempt;
            if (t->addressIndex < o.addresses.size()) {
                // More addresses to try: this one gets half of the time left, so a silent first address
                // (SYNs dropped) leaves time for the next.
                const qint64 now = m_clock.elapsed();
                const qint64 share = std::max<qint64>(1, (t->connectDeadlineMs - now) / 2);
                m_connectDeadlines.emplace(now + share,
                                           ConnectDeadline{t->id, t->connectGeneration, t->connectAttempt});
                armConnectTimer();
            }
            c->write = new QSocketNotifier(qintptr(fd), QSocketNotifier::Write);
            connect(c->write, &QSocketNotifier::activated, this, [this, c]() { writable(c); });
            return;
        }
        t->lastConnectError = errno;
        closeConnection(c);
    }
    fail(t, u"connect_error"_s,
         u"could not connect to %1 port %2: %3"_s.arg(o.host).arg(o.port).arg(
             t->lastConnectError ? errnoText(t->lastConnectError) : u"no address"_s));
#else
    fail(t, u"connect_error"_s, u"plain-HTTP client not available on this system"_s);
#endif
}

void Http1Client::connected(Connection *c)
{
    c->connecting = false;
    if (c->write)
        c->write->setEnabled(false);
    c->reused = false;
    sendRequest(c);
}

void Http1Client::sendRequest(Connection *c)
{
    Transfer *t = c->transfer;
    ++t->attempts;
    t->sent = 0;
    t->gotAnswerBytes = false;
    c->messageDone = false;
    c->keepAlive = false;
    c->writeFailed = false;
    c->pendingIn.clear();
    http_parser_init(&c->parser, HTTP_RESPONSE);
    c->parser.data = c;
    writeSome(c);
}

void Http1Client::writeSome(Connection *c)
{
#ifdef Q_OS_UNIX
    Transfer *t = c->transfer;
    if (!t || c->writeFailed)
        return;
    const qsizetype headSize = t->head.size();
    const qsizetype bodySize = t->noBody ? 0 : t->request.body.size();
    const qsizetype total = headSize + bodySize;
    while (t->sent < total) {
        iovec iov[2];
        int count = 0;
        if (t->sent < headSize) {
            iov[count].iov_base = const_cast<char *>(t->head.constData() + t->sent);
            iov[count].iov_len = size_t(headSize - t->sent);
            ++count;
        }
        if (bodySize > 0) {
            const qsizetype from = std::max<qsizetype>(0, t->sent - headSize);
            iov[count].iov_base = const_cast<char *>(t->request.body.constData() + from);
            iov[count].iov_len = size_t(bodySize - from);
            ++count;
        }
        msghdr msg{};
        msg.msg_iov = iov;
        msg.msg_iovlen = decltype(msg.msg_iovlen)(count);
#ifdef MSG_NOSIGNAL
        const auto n = ::sendmsg(c->fd, &msg, MSG_NOSIGNAL);
#else
        const auto n = ::sendmsg(c->fd, &msg, 0);
#endif
        if (n > 0) {
            t->sent += n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (!c->write) {
                c->write = new QSocketNotifier(qintptr(c->fd), QSocketNotifier::Write);
                connect(c->write, &QSocketNotifier::activated, this, [this, c]() { writable(c); });
            }
            c->write->setEnabled(true);
            return;
        }
        // The upstream closed or reset its side. What it answered before (a 413 for a body it would not
        // take) or its close is read on the read side, which ends the transfer.
        c->writeFailed = true;
        break;
    }
    if (c->write)
        c->write->setEnabled(false);
#else
    Q_UNUSED(c);
#endif
}

void Http1Client::writable(Connection *c)
{
    Scope scope(this);
    if (c->closed)
        return;
    if (!c->connecting) {
        writeSome(c);
        return;
    }
#ifdef Q_OS_UNIX
    Transfer *t = c->transfer;
    int error = 0;
    socklen_t length = sizeof error;
    if (::getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &error, &length) < 0)
        error = errno;
    if (error == 0) {
        connected(c);
        return;
    }
    if (!t) {
        closeConnection(c);
        return;
    }
    t->lastConnectError = error;
    closeConnection(c);
    connectNext(t); // the next address, or connect_error
#endif
}

void Http1Client::readable(Connection *c)
{
    Scope scope(this);
    if (c->closed)
        return;
    if (c->connecting) { // an error shows as readable too
        writable(c);
        return;
    }
    Transfer *t = c->transfer;
    if (!t) {
        // Idle in the pool: the upstream closed it (or sent what nobody asked for).
        closeConnection(c);
        return;
    }
    if (t->paused) {
        c->read->setEnabled(false);
        return;
    }
#ifdef Q_OS_UNIX
    char *const buffer = m_readBuffer.get();
    // One read per socket event, even when it fills the buffer: the receiver's flow control (onPassEnd) runs
    // after each, and other connections get their turn (the socket stays readable, so the event comes
    // again). Reading until EAGAIN let a fast upstream pour a whole answer into memory past a pause, and
    // hold up every other connection meanwhile (session-15 trial: 100 MB read in 0.34 s, RSS 735 MB).
    for (;;) {
        const auto n = ::recv(c->fd, buffer, size_t(kBufferBytes), 0);
        if (n > 0) {
            t->gotAnswerBytes = true;
            parse(c, buffer, qsizetype(n));
            break;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        endOfInput(c, n == 0 ? 0 : errno);
        break;
    }
    // `t` is alive until this handler's Scope ends, even if it ended meanwhile (m_endedTransfers).
    if (t->reported && !t->ended && !t->aborted) {
        t->reported = false;
        if (t->callbacks.onPassEnd)
            t->callbacks.onPassEnd();
    }
#endif
}

bool Http1Client::parse(Connection *c, const char *data, qsizetype size)
{
    Transfer *t = c->transfer;
    const size_t n = http_parser_execute(&c->parser, &Http1Glue::settings, data, size_t(size));
    if (c->closed || !c->transfer || t->ended)
        return false; // aborted or ended inside a callback
    const http_errno error = HTTP_PARSER_ERRNO(&c->parser);
    if (c->messageDone) {
        messageComplete(c, qsizetype(n) == size);
        return false;
    }
    if (error == HPE_PAUSED) {
        c->pendingIn.append(data + n, size - qsizetype(n));
        c->read->setEnabled(false);
        return false;
    }
    if (error != HPE_OK) {
        if (!t->failKind.isEmpty()) {
            fail(t, t->failKind, t->failMessage);
        } else if (error == HPE_HEADER_OVERFLOW) {
            fail(t, u"upstream_error"_s,
                 u"the upstream's response headers are over http-parser's limit (80 KiB)"_s);
        } else {
            fail(t, u"upstream_error"_s,
                 u"the upstream's answer is not valid HTTP/1.1 (http-parser: %1)"_s.arg(
                     QString::fromLatin1(http_errno_description(error))));
        }
        return false;
    }
    return true;
}

void Http1Client::endOfInput(Connection *c, int error)
{
    Transfer *t = c->transfer;
    if (!t) {
        closeConnection(c);
        return;
    }
    if (error == 0) {
        // An answer without Content-Length or chunks ends with the connection.
        http_parser_execute(&c->parser, &Http1Glue::settings, nullptr, 0);
        if (c->closed || t->ended)
            return;
        if (!t->failKind.isEmpty()) {
            fail(t, t->failKind, t->failMessage);
            return;
        }
        if (c->messageDone) {
            c->keepAlive = false;
            messageComplete(c, false);
            return;
        }
    }
    const QString why = error ? errnoText(error) : u"closed"_s;
    if (!t->gotAnswerBytes && c->reused) {
        if (idempotent(t->request.method) && t->attempts < 2) {
            // The pooled connection was gone: once more on a new one, as libcurl does for a GET.
            closeConnection(c);
            t->freshOnly = true;
            begin(t);
            return;
        }
        fail(t, u"upstream_cut"_s,
             u"the upstream closed a reused connection without answering; the request may have reached it, "
             "and a POST is not sent again"_s);
        return;
    }
    if (!t->gotAnswerBytes)
        fail(t, u"upstream_cut"_s, u"the upstream closed the connection without answering (%1)"_s.arg(why));
    else
        fail(t, u"upstream_cut"_s, u"the upstream's connection ended before the answer did (%1)"_s.arg(why));
}

void Http1Client::messageComplete(Connection *c, bool nothingBeyond)
{
    Transfer *t = c->transfer;
    const qsizetype total = t->head.size() + (t->noBody ? 0 : t->request.body.size());
    const bool keep = c->keepAlive && nothingBeyond && c->pendingIn.isEmpty() && t->sent == total
                      && !c->writeFailed;
    c->maxIdleMs = std::min<qint64>(keepAliveTimeoutMs(t->headers).value_or(m_idleWithoutHintMs), kMaxIdleMs);
    release(c, keep);
    finish(t, {}, {});
}

void Http1Client::release(Connection *c, bool keep)
{
    if (Transfer *t = c->transfer) {
        t->conn = nullptr;
        c->transfer = nullptr;
    }
    if (!keep || idleConnections() >= kMaxIdleConnections) {
        closeConnection(c);
        return;
    }
    c->idleSinceMs = m_clock.elapsed();
    c->reused = false;
    c->origin->idle.push_back(c);
    c->read->setEnabled(true); // a close while idle shows as readable
    if (c->write)
        c->write->setEnabled(false);
    if (!m_sweep.isActive())
        m_sweep.start();
}

void Http1Client::closeConnection(Connection *c)
{
    if (c->closed)
        return;
    c->closed = true;
    auto &idle = c->origin->idle;
    if (auto it = std::find(idle.begin(), idle.end(), c); it != idle.end())
        idle.erase(it);
    if (Transfer *t = c->transfer) {
        if (t->conn == c)
            t->conn = nullptr;
        c->transfer = nullptr;
    }
    // A notifier may be the one whose signal is being delivered: disable now, delete later.
    for (QSocketNotifier *n : {c->read, c->write}) {
        if (n) {
            n->setEnabled(false);
            n->deleteLater();
        }
    }
    c->read = c->write = nullptr;
#ifdef Q_OS_UNIX
    if (c->fd >= 0)
        ::close(c->fd);
#endif
    c->fd = -1;
    if (auto node = m_connections.extract(c); !node.empty())
        m_closedConnections.push_back(std::move(node.mapped()));
}

void Http1Client::fail(Transfer *t, const QString &kind, const QString &message)
{
    if (m_inStart) {
        // Never from inside start(): the caller has not got the id yet.
        if (t->conn)
            closeConnection(t->conn);
        failLater(t->id, kind, message);
        return;
    }
    finish(t, kind, message);
}

void Http1Client::failLater(quint64 id, const QString &kind, const QString &message)
{
    QMetaObject::invokeMethod(
        this,
        [this, id, kind, message]() {
            Scope scope(this);
            if (Transfer *t = find(id); t && !t->ended)
                finish(t, kind, message);
        },
        Qt::QueuedConnection);
}

void Http1Client::finish(Transfer *t, const QString &kind, const QString &message)
{
    if (t->ended)
        return;
    t->ended = true;
    if (Connection *c = t->conn)
        closeConnection(c); // an error or an abort mid-answer: the connection cannot carry another request
    auto &waiting = t->origin ? t->origin->waiting : m_noWaiting;
    if (auto it = std::find(waiting.begin(), waiting.end(), t->id); it != waiting.end())
        waiting.erase(it);
    auto node = m_transfers.extract(t->id);
    if (!node.empty())
        m_endedTransfers.push_back(std::move(node.mapped()));
    if (!t->aborted && t->callbacks.onFinished)
        t->callbacks.onFinished(kind, message);
}

void Http1Client::abort(quint64 id)
{
    Scope scope(this);
    Transfer *t = find(id);
    if (!t)
        return;
    t->aborted = true;
    finish(t, u"aborted"_s, {});
}

bool Http1Client::requestSent(quint64 id) const
{
    const Transfer *t = find(id);
    return t && t->attempts > 0;
}

void Http1Client::pause(quint64 id)
{
    if (Transfer *t = find(id))
        t->pauseWanted = true;
}

void Http1Client::resume(quint64 id)
{
    Transfer *t = find(id);
    if (!t)
        return;
    t->pauseWanted = false;
    if (!t->paused)
        return; // the pause never took effect: nothing is held
    if (m_depth > 0) {
        // Inside a callback of this client: go on from the event loop, not inside the parser.
        QMetaObject::invokeMethod(this, [this, id]() { unpause(id); }, Qt::QueuedConnection);
        return;
    }
    unpause(id);
}

void Http1Client::unpause(quint64 id)
{
    Scope scope(this);
    Transfer *t = find(id);
    if (!t || t->pauseWanted || !t->paused || t->ended)
        return;
    t->paused = false;
    Connection *c = t->conn;
    if (!t->held.isEmpty()) {
        const QByteArray held = std::exchange(t->held, {});
        t->reported = true;
        if (t->callbacks.onData)
            t->callbacks.onData(held);
        if (t->ended || t->aborted)
            return;
    }
    if (!t->pauseWanted && !t->heldCompressed.isEmpty()) {
        const QByteArray compressed = std::exchange(t->heldCompressed, {});
        if (!Http1Glue::inflateBody(t, compressed.constData(), size_t(compressed.size()))) {
            if (!t->ended && !t->aborted)
                fail(t, t->failKind.isEmpty() ? u"upstream_error"_s : t->failKind, t->failMessage);
            return;
        }
        if (t->ended || t->aborted)
            return;
    }
    if (t->pauseWanted) {
        t->paused = true; // paused again by that data's receiver; the parser stays paused
    } else if (c && !c->closed) {
        http_parser_pause(&c->parser, 0);
        const QByteArray in = std::exchange(c->pendingIn, {});
        if (in.isEmpty() || parse(c, in.constData(), in.size()))
            c->read->setEnabled(true);
    }
    if (Transfer *still = find(id); still && still->reported && !still->ended) {
        still->reported = false;
        if (still->callbacks.onPassEnd && !still->aborted)
            still->callbacks.onPassEnd();
    }
}

void Http1Client::sweepIdle()
{
    Scope scope(this);
    const qint64 now = m_clock.elapsed();
    bool any = false;
    for (auto &[key, o] : m_origins) {
        std::vector<Connection *> old;
        for (Connection *c : o->idle) {
            if (now - c->idleSinceMs > c->maxIdleMs)
                old.push_back(c);
        }
        for (Connection *c : old)
            closeConnection(c);
        any = any || !o->idle.empty();
    }
    if (!any)
        m_sweep.stop();
}

} // namespace tl
