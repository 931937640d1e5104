#include "ClientConnection.h"
#include "pricing/ProviderUsage.h"

#include "cache/CanonicalRequest.h"
#include "cache/ExactCache.h"
#include "common/Logging.h"
#include "common/Money.h"
#include "ledger/Ledger.h"
#include "proxy/AnswerFaults.h"
#include "proxy/CallerIdentity.h"
#include "proxy/Exchange.h"
#include "proxy/LabelGuard.h"
#include "proxy/ProxyServer.h"
#include "proxy/RecordSemantics.h"
#include "proxy/UpstreamClient.h"
#include "tokenizer/UsageEstimate.h"

#include <QDateTime>
#include <QHostAddress>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QUrl>

#include <algorithm>
#include <type_traits>

#if defined(Q_OS_UNIX)
#include <sys/socket.h>
#endif
#if defined(Q_OS_LINUX)
#include <linux/sockios.h>
#include <sys/ioctl.h>
#elif defined(Q_OS_WIN)
#include <winsock2.h>
#endif

using namespace Qt::StringLiterals;

namespace tl {

using proxy::ApiKind;
using proxy::Dialect;

namespace proxydetail {

qint64 nowUs() { return QDateTime::currentMSecsSinceEpoch() * 1000; }

std::shared_ptr<const EndpointSavings> noEndpointSavings()
{
    static const auto none = std::make_shared<const EndpointSavings>();
    return none;
}

// The reason phrase of a status code (RFC 9110 section 15; 529 is Anthropic's "overloaded"); "" for a
// code without one, which the status line allows (RFC 9112 section 4: the reason phrase is optional).
// Session-9 trial: an upstream's 204 went out as "204 OK", 304 as "304 Client Error".
const char *reasonPhrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 203: return "Non-Authoritative Information";
    case 204: return "No Content";
    case 205: return "Reset Content";
    case 206: return "Partial Content";
    case 300: return "Multiple Choices";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 402: return "Payment Required";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 417: return "Expectation Failed";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 426: return "Upgrade Required";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 451: return "Unavailable For Legal Reasons";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    case 529: return "Overloaded";
    default: return "";
    }
}

bool isHopByHop(QByteArrayView name)
{
    static const char *const names[] = {"connection", "keep-alive", "proxy-connection", "proxy-authorization",
                                        "proxy-authenticate", "te", "trailer", "transfer-encoding", "upgrade",
                                        "content-length", "host", "expect", "accept-encoding"};
    for (const char *n : names) {
        if (sameHeaderName(name, QByteArrayView(n)))
            return true;
    }
    return false;
}

// An upstream response header the client gets: not hop-by-hop, and not Content-Encoding, because the
// body the client gets is the one UpstreamClient decoded (it asks for identity and decodes what is
// compressed anyway); a HEAD answer has no body, so its headers pass as they are.
namespace {
bool passesToClient(QByteArrayView name, bool head)
{
    return !isHopByHop(name) && (head || !sameHeaderName(name, QByteArrayView("content-encoding")));
}
} // namespace

bool isLedgerHeader(QByteArrayView name)
{
    return name.size() >= 14 && name.first(14).compare("x-tokenledger-", Qt::CaseInsensitive) == 0;
}

namespace {
// Where a request goes: `root` + `rest` is the upstream URL. `root` is the upstream's base URL, or for
// Azure its resource (https://RES.openai.azure.com), so `rest` names the deployment and api-version.
struct UpstreamTarget
{
    QByteArray root;
    QByteArray rest; // path and query
};

UpstreamTarget upstreamTarget(const UpstreamConfig &u, const QByteArray &target)
{
    // Always a path after the base URL's authority (startExchange refuses any other target; this keeps a
    // caller that did not from naming another host).
    QByteArray path = target.startsWith('/') ? target : '/' + target;
    QByteArray query;
    if (const qsizetype q = path.indexOf('?'); q >= 0) {
        query = path.mid(q + 1);
        path.truncate(q);
    }
    QByteArray base = u.baseUrl.toString(QUrl::FullyEncoded | QUrl::StripTrailingSlash).toUtf8();
    if (base.endsWith('/'))
        base.chop(1); // a root path ("https://host/") keeps its slash through StripTrailingSlash
    if (u.kind == UpstreamKind::AzureOpenAi) {
        // The base URL is a deployment (https://RES.openai.azure.com/openai/deployments/DEP) or the
        // resource (https://RES.openai.azure.com). A client path naming a deployment
        // (/openai/deployments/X/chat/completions) goes to that deployment of the configured resource,
        // never to another one silently (a trial's "depB-mini" went to "depA"); other paths (/v1/...)
        // go to the configured deployment.
        static constexpr QByteArrayView kDeployments = "/openai/deployments/";
        QByteArray resource = base;
        QByteArray deployment; // the configured one, "/openai/deployments/DEP"
        if (const qsizetype d = base.indexOf(kDeployments); d >= 0) {
            resource = base.left(d);
            deployment = base.mid(d);
        }
        if (const qsizetype d = path.indexOf(kDeployments); d >= 0) {
            path = path.mid(d);
        } else {
            if (path.startsWith("/v1/"))
                path = path.mid(3);
            path.prepend(deployment);
        }
        base = resource;
        if (!query.contains("api-version="))
            query += QByteArray(query.isEmpty() ? "" : "&") + "api-version=" + u.azureApiVersion.toUtf8();
    } else if (base.endsWith("/v1") && (path.startsWith("/v1/") || path == "/v1")) {
        path = path.mid(3);
    }
    return {base, path + (query.isEmpty() ? QByteArray() : '?' + query)};
}

// The path an API has at its provider (classify() reads it from the path's ending): the request shape
// whose hashes predate the path in the request hash.
QByteArrayView ownPath(ApiKind kind)
{
    switch (kind) {
    case ApiKind::ChatCompletions: return "/v1/chat/completions";
    case ApiKind::Completions: return "/v1/completions";
    case ApiKind::Embeddings: return "/v1/embeddings";
    case ApiKind::Responses: return "/v1/responses";
    case ApiKind::Messages: return "/v1/messages";
    default: return {};
    }
}
} // namespace

QByteArray upstreamUrl(const UpstreamConfig &u, const QByteArray &target)
{
    UpstreamTarget t = upstreamTarget(u, target);
    return t.root + t.rest;
}

QByteArray forwardedPath(const UpstreamConfig &u, const QByteArray &target)
{
    return upstreamTarget(u, target).rest;
}

QString hashedApi(ApiKind kind, const HttpHeaders &headers, const UpstreamConfig &u, const QByteArray &target)
{
    QString api = proxy::apiName(kind);
    for (const char *name : {"anthropic-beta", "openai-beta", "anthropic-version"}) {
        QList<QByteArray> items;
        for (const QByteArray &item : headerValues(headers, name).split(',')) {
            if (const QByteArray t = item.trimmed(); !t.isEmpty())
                items << t;
        }
        if (items.isEmpty() || (items == QList<QByteArray>{"2023-06-01"} && qstrcmp(name, "anthropic-version") == 0))
            continue;
        std::sort(items.begin(), items.end());
        api += u'\n' + QLatin1StringView(name) + u':' + QString::fromUtf8(items.join(','));
    }
    // The path: left out where the request goes where the API's own path goes (the usual case, and the
    // target itself is then mostly that path: no URL is made), so those hashes are what they were.
    const QByteArrayView own = ownPath(kind);
    if (u.kind != UpstreamKind::AzureOpenAi && QByteArrayView(target) == own)
        return api;
    const QByteArray forwarded = forwardedPath(u, target);
    if (u.kind != UpstreamKind::AzureOpenAi && forwarded == forwardedPath(u, own.toByteArray()))
        return api;
    return api + u"\npath:"_s + QString::fromUtf8(forwarded);
}

const QString &hashedApiOf(const ClientConnection::Exchange &x)
{
    if (x.api.isNull())
        x.api = hashedApi(x.kind, x.request.headers, *x.upstream, x.request.target);
    return x.api;
}

QByteArray semanticScopeId(const ClientConnection::Exchange &x)
{
    return x.callerId.toUtf8() + '\x1f' + x.upstream->id.toUtf8() + '\x1f' + hashedApiOf(x).toUtf8();
}

HttpHeaders upstreamHeaders(const HttpHeaders &client, const UpstreamConfig &u, bool withClientKey,
                            std::initializer_list<QByteArrayView> dropped)
{
    HttpHeaders out;
    out.reserve(client.size() + 1);
    bool hasKey = false;
    for (const auto &[name, value] : client) {
        if (isHopByHop(name) || isLedgerHeader(name)
            || std::any_of(dropped.begin(), dropped.end(),
                           [&](QByteArrayView d) { return sameHeaderName(d, name); }))
            continue;
        if (isKeyHeader(name)) {
            if (!withClientKey || isKeychainPlaceholder(name, value))
                continue;
            hasKey = true;
        }
        out.append({name, value});
    }
    if (!hasKey && !u.apiKey.isEmpty()) {
        switch (u.kind) {
        case UpstreamKind::Anthropic: out.append({QByteArray("x-api-key"), u.apiKey}); break;
        case UpstreamKind::AzureOpenAi: out.append({QByteArray("api-key"), u.apiKey}); break;
        default: out.append({QByteArray("Authorization"), "Bearer " + u.apiKey}); break;
        }
    }
    return out;
}

QString requestPath(const QByteArray &method, const QByteArray &target)
{
    // The query is left out: it can carry what is not the log's business (a key=... of some APIs).
    const qsizetype query = target.indexOf('?');
    const QByteArray path = query < 0 ? target : target.left(query);
    return QString::fromUtf8(method) + u' ' + QString::fromUtf8(path.left(512));
}

CacheControls cacheControls(const HttpHeaders &headers)
{
    CacheControls c;
    const QByteArray cc = headerValues(headers, "cache-control").toLower();
    for (const QByteArray &token : headerValues(headers, "x-tokenledger-cache").toLower().split(',')) {
        c.bypass = c.bypass || token.trimmed() == "bypass";
        c.refresh = c.refresh || token.trimmed() == "refresh";
    }
    c.bypass = c.bypass || cc.contains("no-store");
    c.refresh = !c.bypass && (c.refresh || cc.contains("no-cache"));
    return c;
}

} // namespace proxydetail

using namespace proxydetail;

namespace {

// True when the request carries the proxy's access token (X-TokenLedger-Access-Token). Constant-time
// comparison: the token guards a network-reachable proxy.
bool hasAccessToken(const HttpHeaders &h, const ProxyConfig &config)
{
    const QByteArray given = headerValue(h, "x-tokenledger-access-token");
    if (given.size() != config.accessToken.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < given.size(); ++i)
        diff |= static_cast<unsigned char>(given[i] ^ config.accessToken[i]);
    return diff == 0;
}

// The upstream of a request: the one named `wanted` (X-TokenLedger-Upstream), else the first of its
// dialect; nullptr when there is none (no fallback to the other dialect's: the key would go there).
const UpstreamConfig *upstreamFor(const ProxyConfig &config, Dialect dialect, const QString &wanted)
{
    for (const UpstreamConfig &u : config.upstreams) {
        if (!wanted.isEmpty() ? u.id == wanted
                              : ((u.kind == UpstreamKind::Anthropic) == (dialect == Dialect::Anthropic)))
            return &u;
    }
    return nullptr;
}

// A request target in origin form: an absolute-form target (RFC 9112 section 3.2.2, "http://host/v1/...")
// becomes its path and query; its scheme and host are never followed. Any other target is returned as it is.
QByteArray originForm(const QByteArray &target)
{
    if (target.startsWith('/') || !target.contains("://"))
        return target;
    const qsizetype slash = target.indexOf('/', target.indexOf("://") + 3);
    return slash < 0 ? QByteArray("/") : target.mid(slash);
}

// True when the path of `target` (before any '?') has a "." or ".." segment, also written %2e / %2E.
bool hasDotSegment(const QByteArray &target)
{
    QByteArrayView path(target);
    if (const qsizetype q = path.indexOf('?'); q >= 0)
        path = path.first(q);
    // Only a '.' or a percent-encoding can spell such a segment: every usual API path is answered here,
    // without the walk below (which copies each segment).
    if (!path.contains('.') && !path.contains('%'))
        return false;
    qsizetype start = 0;
    while (start <= path.size()) {
        qsizetype end = path.indexOf('/', start);
        if (end < 0)
            end = path.size();
        const QByteArray segment = path.sliced(start, end - start).toByteArray().toLower().replace("%2e", ".");
        if (segment == "." || segment == "..")
            return true;
        start = end + 1;
    }
    return false;
}

// A Host header that names this machine: "localhost" (or a name under .localhost, RFC 6761), a
// loopback address (127.0.0.0/8, ::1), with or without a port.
bool isLoopbackHost(QByteArrayView hostPort)
{
    // What local clients send (every SDK, curl): answered without parsing an address.
    const qsizetype colon = hostPort.lastIndexOf(':');
    const QByteArrayView name = colon > 0 && hostPort.indexOf(':') == colon ? hostPort.first(colon) : hostPort;
    if (name == "127.0.0.1" || name == "localhost")
        return true;
    QByteArray host = hostPort.toByteArray().trimmed().toLower();
    if (host.startsWith('[')) {
        const qsizetype end = host.indexOf(']');
        if (end < 0)
            return false;
        host = host.mid(1, end - 1);
    } else if (host.count(':') == 1) {
        host.truncate(host.indexOf(':'));
    }
    if (host == "localhost" || host.endsWith(".localhost"))
        return true;
    const QHostAddress address(QString::fromLatin1(host));
    return !address.isNull() && address.isLoopback();
}

// Why a request that looks like a web page's is refused by a proxy with no access token, or "" when
// it is not. A browser adds Origin to cross-origin POSTs and, after a DNS rebinding, sends the
// attacker's name as Host; SDKs and command-line clients send neither. Without this check any web page
// the user opens could spend the key the proxy adds from the keychain (found by a session-7 trial).
QString browserRefusal(const HttpHeaders &h)
{
    const auto shown = [](const QByteArray &v) { return QString::fromLatin1(v.left(100)).toHtmlEscaped(); };
    const QByteArray host = headerValue(h, "host");
    if (!host.isEmpty() && !isLoopbackHost(host)) {
        return u"This proxy answers only requests addressed to this machine (Host: %1). To serve other names, "
               "set an access token (TOKENLEDGER_PROXY_TOKEN)."_s.arg(shown(host));
    }
    const QByteArray origin = headerValue(h, "origin");
    if (!origin.isEmpty() && !isLoopbackHost(QUrl(QString::fromLatin1(origin)).host().toLatin1())) {
        return u"Requests from web pages are refused (Origin: %1): the proxy adds keys from the keychain. "
               "To allow them, set an access token (TOKENLEDGER_PROXY_TOKEN) and send it."_s.arg(shown(origin));
    }
    // A browser sends Sec-Fetch-Site with every request (Fetch Metadata); without an Origin a page's request is
    // still one (an <img src>, a no-cors fetch, a link): refused unless the user made it ("none": the address
    // typed or bookmarked) or the page is this very origin. With an Origin, the check above decided.
    const QByteArray site = headerValue(h, "sec-fetch-site").trimmed().toLower();
    if (origin.isEmpty() && !site.isEmpty() && site != "none" && site != "same-origin") {
        return u"Requests from web pages are refused (Sec-Fetch-Site: %1): the proxy adds keys from the keychain. "
               "To allow them, set an access token (TOKENLEDGER_PROXY_TOKEN) and send it."_s.arg(shown(site));
    }
    return {};
}

// What a call's labels must never hold (proxy::labelLooksSecret): the request's own keys, the keys the
// proxy adds from the keychain, the access token.
QList<QByteArray> labelSecrets(const HttpHeaders &h, const ProxyConfig &config)
{
    // keyFromHeaders() gives "" for the keychain placeholder ("tokenledger" is no secret: a label may hold it).
    const QByteArray authorization = headerValue(h, "authorization");
    QList<QByteArray> secrets{keyFromHeaders(authorization, {}, {}), keyFromHeaders({}, headerValue(h, "x-api-key"), {}),
                              keyFromHeaders({}, {}, headerValue(h, "api-key")), config.accessToken};
    if (!isKeychainPlaceholder("authorization", authorization))
        secrets << authorization; // another scheme than Bearer
    for (const UpstreamConfig &u : config.upstreams)
        secrets << u.apiKey;
    return secrets;
}

// A label header's value as the ledger may keep it: "redacted" when it looks like a key (the call goes
// on; the warning names the header, never the value).
QString guardedLabel(const char *header, const QString &value, const QList<QByteArray> &secrets)
{
    if (!proxy::labelLooksSecret(value, secrets))
        return value;
    qCWarning(lcProxy) << header << "looks like an API key or token: stored as" << proxy::kRedacted;
    return proxy::kRedacted.toString();
}

// Takes the key the proxy added (Exchange::storedKeyUsed: the upstream's apiKey) out of bytes an upstream
// sent back (an error answer, its headers, an error event), as "[redacted]". A key under 8 bytes is left
// alone: replacing it would mangle ordinary text, and no provider issues one.
void redactStoredKey(QByteArray &bytes, const QByteArray &key)
{
    if (key.size() >= 8)
        bytes.replace(key, "[redacted]");
}

// The end of a stream the proxy ends early (cut, idle timeout, shutdown): the bytes of an unfinished
// event are dropped, not forwarded half (a client's SDK would parse the half glued to what follows and
// throw), and the error event leaves as an event of its own. When part of an over-long event already
// left (SseParser oversized pieces), a line ending and a blank line end it first.
QByteArray cutStreamTail(SseParser &sse, Dialect dialect, const QString &message)
{
    const bool midEvent = sse.inOversizedEvent();
    (void)sse.takeRemainder();
    return (midEvent ? QByteArray("\n\n") : QByteArray()) + proxy::errorEvent(dialect, message);
}

// The part of a savings trace computeSemanticKey() fills (memoised per exact-cache entry).
void copySemanticFields(const SavingsTrace &from, SavingsTrace &to)
{
    to.semanticScope = from.semanticScope;
    to.guardSignature = from.guardSignature;
    to.embeddingModel = from.embeddingModel;
    to.embedding = from.embedding;
}

std::shared_ptr<cache::SemanticTraceSlot> readySlot(const SavingsTrace &t)
{
    auto slot = std::make_shared<cache::SemanticTraceSlot>();
    copySemanticFields(t, slot->trace);
    slot->ready.store(true, std::memory_order_release);
    return slot;
}

// Work only the record needs, done on the ledger writer's thread (LedgerWriter::submit's completion):
// the request hash when no exact-cache lookup or store needed it, the routing decision of an endpoint
// whose routing is off (only recorded), and the recorded-only semantic fields, shared with an
// exact-cache entry through `slot`. Holds its own copies (implicitly shared, read-only) and the
// immutable embedder and router.
struct RecordCompletion
{
    QJsonObject body;
    proxy::ApiKind kind = proxy::ApiKind::Other;
    QByteArray scopeId; // semanticScopeId() of the request
    QString upstreamId; // set: make the request hash
    QString api;        // hashedApi() of the request
    std::shared_ptr<const semantic::LocalEmbedder> embedder; // set: make the semantic fields
    std::shared_ptr<cache::SemanticTraceSlot> slot;
    std::shared_ptr<const routing::Router> router; // set: make the routing decision (routing off)
    qint64 promptChars = -1;
    bool routePinned = false;

    void operator()(CallRecord &record) const
    {
        if (!upstreamId.isEmpty())
            record.requestHash = cache::requestHash(upstreamId, api, body);
        if (router) {
            decideRoute(*router, body,
                        kind == proxy::ApiKind::Messages ? routing::BodyShape::Messages
                                                         : routing::BodyShape::ChatCompletions,
                        nullptr, promptChars, record.endpoint, record.taskType, routePinned, record.savings);
        }
        if (!embedder)
            return;
        // Completions run one after the other on the writer's thread, in submission order: a slot
        // another record's completion filled is ready here; only this thread fills slots it did not make ready.
        if (slot && slot->ready.load(std::memory_order_acquire)) {
            copySemanticFields(slot->trace, record.savings);
            return;
        }
        recordSemanticFields(body, kind, scopeId, *embedder, record.savings);
        if (slot) {
            copySemanticFields(record.savings, slot->trace);
            slot->ready.store(true, std::memory_order_release);
        }
    }
};

} // namespace

ClientConnection::ClientConnection(QTcpSocket *socket, ProxyServer &server)
    : QObject(&server)
    , m_socket(socket)
    , m_server(server)
    , m_parser(server.config().maxHeaderBytes, server.config().maxBodyBytes)
{
    m_socket->setParent(this);
    m_socket->setReadBufferSize(64 * 1024); // a huge body is not slurped before the 413
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    connect(m_socket, &QTcpSocket::readyRead, this, &ClientConnection::onReadyRead);
    connect(m_socket, &QTcpSocket::bytesWritten, this, &ClientConnection::onBytesWritten);
    // Queued: a write failing inside an upstream callback must not end the exchange under our feet.
    connect(m_socket, &QTcpSocket::disconnected, this, &ClientConnection::onDisconnected, Qt::QueuedConnection);
    m_clock.start();
    m_timer.setSingleShot(true);
    connect(&m_timer, &QTimer::timeout, this, &ClientConnection::onDeadlineTimer);
    setDeadline(Deadline::Client, server.config().keepAliveIdleMs);
}

qint64 ClientConnection::kernelUnsentBytes() const
{
#if defined(Q_OS_LINUX)
    int unsent = 0;
    if (::ioctl(int(m_socket->socketDescriptor()), SIOCOUTQ, &unsent) == 0)
        return unsent;
#endif
    return -1;
}

void ClientConnection::setDeadline(Deadline kind, int ms)
{
    if (kind == Deadline::ClientWrite)
        m_kernelUnsentAtArm = kernelUnsentBytes();
    m_deadline = kind;
    m_deadlineAtMs = m_clock.elapsed() + ms;
    // A timer armed for later than the new deadline is moved; one armed earlier fires, sees that the
    // deadline is not reached yet and re-arms itself for the rest (onDeadlineTimer).
    if (m_timerDueMs < 0 || m_timerDueMs > m_deadlineAtMs) {
        m_timer.start(ms);
        m_timerDueMs = m_deadlineAtMs;
    }
}

void ClientConnection::onDeadlineTimer()
{
    m_timerDueMs = -1;
    if (m_deadline == Deadline::None)
        return;
    const qint64 now = m_clock.elapsed();
    if (now < m_deadlineAtMs) {
        m_timer.start(int(m_deadlineAtMs - now));
        m_timerDueMs = m_deadlineAtMs;
        return;
    }
    const Deadline kind = std::exchange(m_deadline, Deadline::None);
    if (kind == Deadline::Upstream)
        onUpstreamTimeout();
    else if (kind == Deadline::ClientWrite)
        onClientWriteTimeout();
    else
        onHeaderTimeout();
}

void ClientConnection::queueChunk(QByteArrayView bytes)
{
    // "<size in hex>\r\n<bytes>\r\n" (RFC 9112 section 7.1) appended in place: no QByteArray::number and no
    // temporary of the whole chunk on a streamed event's path.
    char head[2 * sizeof(qsizetype) + 2];
    char *end = head + sizeof head;
    *--end = '\n';
    *--end = '\r';
    auto size = static_cast<std::make_unsigned_t<qsizetype>>(bytes.size());
    do {
        *--end = "0123456789abcdef"[size & 0xf];
        size >>= 4;
    } while (size);
    m_out.append(end, head + sizeof head - end).append(bytes).append("\r\n", 2);
}

void ClientConnection::flushOut()
{
    if (!m_out.isEmpty())
        send(QByteArray());
}

void ClientConnection::send(const QByteArray &data)
{
    QByteArray joined;
    if (!m_out.isEmpty()) {
        joined = std::exchange(m_out, {});
        joined += data;
    }
    const QByteArray &bytes = joined.isEmpty() ? data : joined;
    if (bytes.isEmpty())
        return;
    m_sentTotal += bytes.size();
    if (m_heldPos < m_held.size()) {
        // Behind bytes still held for a slow client: after them, in order.
        if (m_heldPos > 0) {
            m_held.remove(0, m_heldPos);
            m_heldPos = 0;
        }
        m_held += bytes;
        return;
    }
    qsizetype from = 0;
#if defined(Q_OS_UNIX) && defined(MSG_NOSIGNAL)
    if (m_socket->bytesToWrite() == 0 && m_socket->state() == QAbstractSocket::ConnectedState) {
        const auto n = ::send(int(m_socket->socketDescriptor()), bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL);
        if (n == bytes.size())
            return;
        if (n > 0)
            from = qsizetype(n);
    }
#endif
    writeBounded(bytes, from);
}

qint64 ClientConnection::unsentBytes() const
{
    return m_socket->bytesToWrite() + (m_held.size() - m_heldPos);
}

void ClientConnection::writeBounded(const QByteArray &bytes, qsizetype from)
{
    const qsizetype rest = bytes.size() - from;
    const qint64 room = m_server.config().clientHighWaterBytes - m_socket->bytesToWrite();
    if (rest <= room) {
        if (from == 0)
            m_socket->write(bytes); // QTcpSocket may keep the (implicitly shared) array itself
        else
            m_socket->write(bytes.constData() + from, rest);
        return;
    }
    if (room > 0) {
        m_socket->write(bytes.constData() + from, room);
        from += qsizetype(room);
    }
    m_held = bytes; // shared with the exchange's answer, not copied
    m_heldPos = from;
}

void ClientConnection::onBytesWritten()
{
    const ProxyConfig &config = m_server.config();
    const bool hadHeld = m_heldPos < m_held.size();
    if (hadHeld && m_socket->bytesToWrite() <= config.clientLowWaterBytes) {
        const QByteArray held = std::exchange(m_held, {});
        const qsizetype pos = std::exchange(m_heldPos, 0);
        writeBounded(held, pos);
    }
    const bool holding = m_heldPos < m_held.size();
    if (hadHeld && !holding && m_closeWhenFlushed) {
        m_closeWhenFlushed = false;
        m_socket->disconnectFromHost(); // QTcpSocket flushes the rest first
    }
    if (m_deadline == Deadline::ClientWrite) {
        // The client took bytes: it is slow, not stalled.
        // Bytes still in QTcpSocket or unsent in the kernel keep the write deadline: a client that takes none of
        // an answer the kernel could hold whole is stalled all the same.
        if (holding || m_socket->bytesToWrite() > 0 || (m_exchange && m_exchange->upstreamPaused)
            || kernelUnsentBytes() > 0)
            setDeadline(Deadline::ClientWrite, config.clientWriteTimeoutMs);
        else if (!m_exchange && !m_closing)
            setDeadline(Deadline::Client, config.keepAliveIdleMs);
        else if (!m_exchange)
            clearDeadline();
    }
    if (m_exchange && m_exchange->upstreamPaused && unsentBytes() <= config.clientLowWaterBytes)
        resumeUpstream();
    if (m_halfCloseWhenFlushed)
        halfCloseIfFlushed();
}

void ClientConnection::applyFlowControl()
{
    if (!m_exchange)
        return;
    Exchange &x = *m_exchange;
    const ProxyConfig &config = m_server.config();
    if (x.transfer == 0 || x.sideCall || x.upstreamPaused || unsentBytes() <= config.clientHighWaterBytes)
        return;
    x.upstreamPaused = true;
    m_server.upstream().pause(x.transfer);
    // The upstream idle timeout is off while we hold the upstream back; the client's own one runs.
    setDeadline(Deadline::ClientWrite, config.clientWriteTimeoutMs);
}

void ClientConnection::resumeUpstream()
{
    Exchange &x = *m_exchange;
    x.upstreamPaused = false;
    setDeadline(Deadline::Upstream, m_server.config().idleTimeoutMs);
    // May hand over kept bytes (onUpstreamData, onPassEnd) and even finish the exchange before it returns.
    m_server.upstream().resume(x.transfer);
}

void ClientConnection::onClientWriteTimeout()
{
    // Qt tells of a client's progress (bytesWritten) only once the kernel's send buffer has room again, which
    // with a send buffer of megabytes can take longer than the timeout for a slow client that does read
    // (session-11 trial: one reading 7 KiB/s was cut at 120 s and kept a 4 MB part of a 30 MB answer). What
    // the kernel still holds tells: fewer bytes than when the deadline was armed is progress.
    if (const qint64 unsent = kernelUnsentBytes(); unsent >= 0 && m_kernelUnsentAtArm >= 0 && unsent < m_kernelUnsentAtArm) {
        setDeadline(Deadline::ClientWrite, m_server.config().clientWriteTimeoutMs);
        return;
    }
    qCInfo(lcProxy) << "client took no bytes for" << m_server.config().clientWriteTimeoutMs << "ms: closing";
    markAnswersCut(u"client_stalled"_s); // answers recorded before the client stopped taking them
    m_held.clear();
    m_heldPos = 0;
    if (m_exchange)
        abortExchange(u"client_stalled"_s);
    m_closing = true;
    m_socket->abort(); // what the client never took is dropped
    if (m_socket->state() == QAbstractSocket::UnconnectedState) // (twice is harmless)
        QMetaObject::invokeMethod(this, &ClientConnection::onDisconnected, Qt::QueuedConnection);
}

qint64 ClientConnection::takenBytes() const
{
    qint64 taken = m_sentTotal - (m_held.size() - m_heldPos) - m_socket->bytesToWrite();
    if (const qint64 unsent = kernelUnsentBytes(); unsent > 0)
        taken -= unsent;
    return taken;
}

void ClientConnection::noteHeldAnswer(qint64 recordId)
{
    // Answers the client has taken since they were noted are done with (a keep-alive client that is slow,
    // not stalled): the list stays as short as the answers still waiting.
    const qint64 taken = takenBytes();
    std::erase_if(m_heldAnswers, [taken](const HeldAnswer &a) { return a.end <= taken; });
    m_heldAnswers.push_back({m_sentTotal, recordId});
}

void ClientConnection::markAnswersCut(const QString &errorKind)
{
    if (m_heldAnswers.empty())
        return;
    // After a hang-up the kernel's count is gone (no descriptor): an answer whose bytes all reached the
    // kernel counts as taken.
    const qint64 taken = takenBytes();
    for (const HeldAnswer &a : std::exchange(m_heldAnswers, {})) {
        if (a.end > taken) {
            qCInfo(lcProxy) << "record" << a.recordId << ":" << errorKind << "before the client took the whole answer";
            m_server.ledger().markAnswerCut(a.recordId, errorKind);
        }
    }
}

void ClientConnection::markHeldAnswersShutdown()
{
    markAnswersCut(u"shutdown"_s);
}

void ClientConnection::closeSocket()
{
    if (m_heldPos < m_held.size()) {
        m_closeWhenFlushed = true; // after the held bytes (onBytesWritten)
        // ... which the client must keep taking: a pipelined request's header timeout or a refusal's linger
        // may have replaced the write deadline, and a client that never reads would otherwise hold the
        // connection and the held answer for ever (session-11 trial).
        if (!m_exchange && m_deadline != Deadline::ClientWrite)
            setDeadline(Deadline::ClientWrite, m_server.config().clientWriteTimeoutMs);
        return;
    }
    m_socket->disconnectFromHost();
}

ClientConnection::~ClientConnection() = default;

bool ClientConnection::readingBody() const
{
    return !m_exchange && !m_closing && m_lingerBytesLeft < 0 && m_parser.headersComplete();
}

void ClientConnection::closeWhenIdle()
{
    m_closeAfterResponse = true;
    capLingerWhileDraining();
    // A request whose body is still coming is in flight (a graceful stop's drain: every request in flight
    // finishes): served when its body is in, then closed; the drain deadline answers it 503 if not.
    if (readingBody())
        return;
    if (!m_exchange && !m_closing) {
        m_closing = true;
        closeSocket();
        if (m_socket->state() == QAbstractSocket::UnconnectedState)
            QMetaObject::invokeMethod(this, &ClientConnection::onDisconnected, Qt::QueuedConnection);
    }
}

void ClientConnection::onDisconnected()
{
    markAnswersCut(u"client_closed"_s);
    m_held.clear();
    m_heldPos = 0;
    if (m_exchange) {
        abortExchange(u"client_closed"_s);
        // A request pipelined behind it: its bytes wait unparsed while an exchange runs. One whose header block
        // came whole is a request of its own, recorded as a hang-up before its answer (session-11 trial).
        m_inBuffer.append(m_socket->readAll());
        while (!m_exchange && !m_inBuffer.isEmpty()) { // each of them (session-11 trial: only the first was)
            m_parser.reset();
            const qsizetype n = m_parser.feed(m_inBuffer.constData(), m_inBuffer.size());
            m_inBuffer.remove(0, n);
            if (m_parser.headersComplete() && m_parser.state() != HttpRequestParser::State::Error)
                recordUnforwarded(requestLine(), 0, u"client_closed_request"_s, 0);
            if (m_parser.state() != HttpRequestParser::State::Complete || n == 0)
                break; // a request cut short, or bytes that are no request: nothing more to read
        }
        m_inBuffer.clear();
    } else if (!m_closing && m_parser.headersComplete()) {
        // The client hung up after its whole header block, before its body was in: the request it made is
        // one record (issue 3 section 4), status 0 (no answer went out, as for a client that hangs up before
        // the upstream answers), an exact $0 (nothing left for an upstream), the body bytes that came. The
        // caller rules are the refusals' (recordUnforwarded). A hang-up inside the header block leaves none:
        // nothing there is known to name the caller (no access token, Host or Origin yet), and a browser's
        // or a port scanner's cut connection is no call; an idle keep-alive connection made no request.
        recordUnforwarded(requestLine(), 0, u"client_closed_request"_s, 0);
    }
    m_closing = true;
    m_server.connectionClosed(this);
}

void ClientConnection::onReadyRead()
{
    if (m_lingerBytesLeft >= 0) {
        // After a refusal (rejectAndClose): what the client still sends is read and dropped, so its own
        // write finishes and it reads the answer (a client still sending when the proxy closed saw a reset
        // and reported a connection error instead: Node's fetch, so both official SDKs, which then retried).
        m_lingerBytesLeft -= m_socket->skip(m_socket->bytesAvailable());
        if (m_lingerBytesLeft <= 0) { // a 413's announced body is in, or the byte bound is reached
            m_lingerBytesLeft = -1;
            clearDeadline();
            closeSocket();
        }
        return;
    }
    m_inBuffer.append(m_socket->readAll());
    if (!m_exchange)
        processBuffer();
}

void ClientConnection::processBuffer()
{
    while (!m_exchange && !m_closing && !m_inBuffer.isEmpty()) {
        const bool wasStarted = m_parser.started() || m_parser.headersComplete();
        const qsizetype n = m_parser.feed(m_inBuffer.constData(), m_inBuffer.size());
        m_inBuffer.remove(0, n);
        if (!wasStarted && n > 0) // first byte of a request: the header timeout runs from here
            setDeadline(Deadline::Client, m_server.config().headerTimeoutMs);
        switch (m_parser.state()) {
        case HttpRequestParser::State::Error:
            rejectAndClose(m_parser.errorStatus(), m_parser.errorReason(),
                           m_parser.errorStatus() == 413       ? u"request_too_large"_s
                               : m_parser.errorStatus() == 431 ? u"headers_too_large"_s
                                                               : u"bad_request"_s);
            return;
        case HttpRequestParser::State::Complete:
            clearDeadline();
            m_bodyClock.invalidate();
            startExchange(m_parser.takeRequest());
            continue;
        case HttpRequestParser::State::HeadersDone:
            // curl and others wait for "100 Continue" before sending a body over 1 KiB.
            if (!m_continueSent
                && headerValue(m_parser.request().headers, "expect").compare("100-continue", Qt::CaseInsensitive) == 0) {
                send(QByteArrayLiteral("HTTP/1.1 100 Continue\r\n\r\n"));
                m_continueSent = true;
            }
            // Body reads: at most idleTimeoutMs apart, and the whole body within bodyTimeoutMs (a client
            // trickling a byte every few seconds would otherwise hold the connection for ever).
            if (!m_bodyClock.isValid())
                m_bodyClock.start();
            setDeadline(Deadline::Client,
                        int(std::clamp<qint64>(m_server.config().bodyTimeoutMs - m_bodyClock.elapsed(), 1,
                                               m_server.config().idleTimeoutMs)));
            break;
        case HttpRequestParser::State::NeedMore:
            break;
        }
        if (n == 0)
            break;
    }
}

void ClientConnection::onHeaderTimeout()
{
    if (m_exchange)
        return;
    if (m_lingerBytesLeft >= 0) { // the lingering drain after a refusal ends (time bound)
        m_lingerBytesLeft = -1;
        closeSocket();
        return;
    }
    if (m_parser.headersComplete()) {
        rejectAndClose(408, "request body not received in time", u"body_timeout"_s);
        return;
    }
    if (m_parser.started() || !m_inBuffer.isEmpty()) {
        rejectAndClose(408, "request headers not received in time", u"header_timeout"_s);
        return;
    }
    closeWhenIdle(); // idle keep-alive connection
}

ClientConnection::RequestLine ClientConnection::requestLine() const
{
    const HttpRequest &req = m_parser.request();
    RequestLine line;
    // The request line is read before the header block: a 431 or a malformed or late header block still
    // knows its path, so its answer takes the provider's error shape and its record the provider.
    line.pathKnown = m_parser.requestLineComplete() && !req.target.isEmpty();
    line.target = originForm(req.target);
    if (line.pathKnown) {
        line.dialect = proxy::dialectOf(proxy::classify(req.method, line.target), line.target,
                                        hasHeader(req.headers, "anthropic-version"));
    }
    return line;
}

CallRecord ClientConnection::recordUnforwarded(const RequestLine &line, int status, const QString &errorKind,
                                               qint64 responseBytes)
{
    const HttpRequest &req = m_parser.request();
    const bool headers = m_parser.headersComplete();
    // Every request the client sent bytes of gets a record, like every answered request (issue 3 section 4).
    // Nothing reached an upstream: an exact $0 with no usage. Labels and the caller are read only from a
    // complete header block (a header cut by the limit could hold half a key).
    CallRecord r;
    r.startedAtUs = nowUs();
    r.sourceKind = SourceKind::Proxy;
    r.sourceRef = u"proxy"_s;
    if (headers) {
        r.endpoint = guardedLabel("X-TokenLedger-Endpoint",
                                  QString::fromUtf8(headerValue(req.headers, "x-tokenledger-endpoint").trimmed()),
                                  labelSecrets(req.headers, m_server.config()));
    }
    if (r.endpoint.isEmpty())
        r.endpoint = u"untagged"_s;
    r.httpStatus = status;
    r.errorKind = errorKind;
    r.latencyUs = 0;
    r.requestPath = line.pathKnown ? requestPath(req.method, line.target) : u""_s;
    r.requestBytes = req.body.size();
    r.responseBytes = responseBytes;
    r.usageStatus = UsageStatus::Complete;
    r.cost = 0;
    r.costStatus = CostStatus::Exact;
    for (QString *text : {&r.provider, &r.requestedModel, &r.servedModel, &r.keyId, &r.priceEntry, &r.priceVersion,
                          &r.requestHash, &r.taskType})
        *text = u""_s;
    if (line.pathKnown) {
        const QString wanted
            = headers ? QString::fromUtf8(headerValue(req.headers, "x-tokenledger-upstream")) : QString();
        if (const UpstreamConfig *u = upstreamFor(m_server.config(), line.dialect, wanted))
            r.provider = u->effectivePriceProvider();
    }
    if (headers) {
        if (const QByteArray key = keyFromHeaders(headerValue(req.headers, "authorization"),
                                                  headerValue(req.headers, "x-api-key"), headerValue(req.headers, "api-key"));
            !key.isEmpty())
            r.keyId = m_server.callerIdentityFor(key);
    }
    // As for a 401 or 403 (respondError): a caller the proxy would refuse leaves no record. With an access
    // token set, only a request that showed it (so a whole header block) is recorded. Without one, not a web
    // page's (browserRefusal); and a header block cut short (431, 408, malformed) only when what came of it
    // names this machine as Host and shows no web page (no Origin, no Sec-Fetch-* header, which every browser
    // request carries), so a request line too long to read shows nothing (session-10 trial: a page's no-cors
    // fetch with a huge Referer or URL made ledger rows).
    const auto browserFree = [&](const HttpHeaders &partial) {
        if (!hasHeader(partial, "host") || !browserRefusal(partial).isEmpty())
            return false;
        return std::none_of(partial.cbegin(), partial.cend(), [](const auto &h) {
            return h.first.size() >= 10 && h.first.first(10).compare("sec-fetch-", Qt::CaseInsensitive) == 0;
        });
    };
    const ProxyConfig &config = m_server.config();
    const bool refusedCaller = !config.accessToken.isEmpty() ? !headers || !hasAccessToken(req.headers, config)
                             : headers                      ? !browserRefusal(req.headers).isEmpty()
                                                            : !browserFree(req.headers);
    if (!refusedCaller) {
        r.id = m_server.ledger().writer().submit(r);
        m_server.recordFinished(r);
    }
    m_server.stats().requests.fetch_add(1, std::memory_order_relaxed);
    return r;
}

void ClientConnection::rejectAndClose(int status, const QByteArray &reason, const QString &errorKind)
{
    const RequestLine line = requestLine();
    const QByteArray body = proxy::errorBody(line.dialect, status, QString::fromUtf8(reason));
    const CallRecord r = recordUnforwarded(line, status, errorKind, body.size());
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status)
        + "\r\nContent-Type: application/json\r\nConnection: close\r\n";
    for (const auto &[name, value] : ledgerHeaders(r, nullptr))
        head += name + ": " + value + "\r\n";
    send(head + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    m_closing = true;
    const qint64 bodyBytesHere = m_inBuffer.size(); // a 413's body bytes that came with its headers
    m_inBuffer.clear();
    if (status == 413 && m_parser.headersComplete()) {
        // Lingering close (as nginx's lingering_close): the connection stays open while the client
        // sends the rest of its body, which is dropped unread, up to kLingerBytes or kLingerMs. A body of
        // announced length ends the drain when it is all in: the connection then closes at once (before,
        // it stayed open up to kLingerMs for a client that had sent everything and waited).
        const qint64 announced = m_parser.announcedBodyBytes();
        m_lingerBytesLeft = announced >= 0 ? std::min(kLingerBytes, announced - bodyBytesHere) : kLingerBytes;
        if (m_lingerBytesLeft > 0) {
            setDeadline(Deadline::Client, kLingerMs);
            capLingerWhileDraining();
            return;
        }
        m_lingerBytesLeft = -1;
        closeSocket();
        return;
    }
    // A 431, 400 or 408: how much the client still sends is unknown (its header block, or its body, never
    // ended). Once the answer is out the proxy's side is half-closed (the client reads the answer and then
    // its end), and what still comes is dropped until the client closes, for at most kRefusalLingerMs and
    // kRefusalLingerBytes. Closing at once with bytes still coming made the kernel reset the connection, so
    // a client still writing got a connection error instead of the answer.
    m_lingerBytesLeft = kRefusalLingerBytes;
    setDeadline(Deadline::Client, kRefusalLingerMs);
    m_halfCloseWhenFlushed = true;
    halfCloseIfFlushed();
}

void ClientConnection::capLingerWhileDraining()
{
    // A 413's drain may run for kLingerMs: a graceful stop waits for it no longer than for a refusal's, whether
    // the linger began before the stop (closeWhenIdle) or during it (session-11 trials: the stop waited for
    // its drain deadline, 20-30 s).
    if (m_server.draining() && m_lingerBytesLeft >= 0 && m_deadline == Deadline::Client
        && m_deadlineAtMs > m_clock.elapsed() + kRefusalLingerMs)
        setDeadline(Deadline::Client, kRefusalLingerMs);
}

void ClientConnection::halfCloseIfFlushed()
{
    if (!m_halfCloseWhenFlushed || unsentBytes() > 0)
        return; // onBytesWritten() comes back when the client has taken the rest
    m_halfCloseWhenFlushed = false;
    if (m_socket->state() != QAbstractSocket::ConnectedState)
        return;
    // QAbstractSocket has no half-close (disconnectFromHost() closes both directions once its buffer is
    // written): the descriptor's write side is shut down directly. Nothing is written after this.
#if defined(Q_OS_UNIX)
    ::shutdown(int(m_socket->socketDescriptor()), SHUT_WR);
#elif defined(Q_OS_WIN)
    ::shutdown(SOCKET(m_socket->socketDescriptor()), SD_SEND);
#endif
}

HttpHeaders ClientConnection::ledgerHeaders(const CallRecord &record, const char *cacheState) const
{
    HttpHeaders h;
    if (cacheState)
        h.append({QByteArray("X-TokenLedger-Cache"), QByteArray(cacheState)});
    if (record.id > 0)
        h.append({QByteArray("X-TokenLedger-Record-Id"), QByteArray::number(record.id)});
    if (record.id > 0)
        h.append({QByteArray("X-TokenLedger-Cost-USD"), costHeaderValue(record)});
    return h;
}

void ClientConnection::writeResponse(int status, const HttpHeaders &headers, const QByteArray &body)
{
    QByteArray out;
    out.reserve(256 + body.size());
    out += "HTTP/1.1 " + QByteArray::number(status) + ' ' + reasonPhrase(status) + "\r\n";
    for (const auto &[name, value] : headers)
        out += name + ": " + value + "\r\n";
    const bool close = m_closeAfterResponse || m_server.draining() || !m_exchange || !m_exchange->request.keepAlive;
    out += close ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
    QByteArray length = QByteArray::number(body.size());
    if (m_exchange && m_exchange->request.method == "HEAD" && m_exchange->status != 0) {
        // A HEAD answer carries the length a GET would have had, and no body (RFC 9110 section 9.3.2).
        length = headerValue(m_exchange->upstreamHeaders, "content-length");
    }
    // 204 and 304 carry no body, and a 204 no Content-Length (RFC 9110 sections 8.6, 15.3.5, 15.4.5).
    const bool bodyless = status == 204 || status == 304;
    if (!length.isEmpty() && !bodyless)
        out += "Content-Length: " + length + "\r\n";
    out += "\r\n";
    if (bodyless) {
        send(out);
    } else if (body.size() > 64 * 1024) {
        // A large answer is not copied: the client gets it from the exchange's own bytes (send(),
        // flow control). The head leaves first, in its own write.
        send(out);
        send(body);
    } else {
        out += body;
        send(out);
    }
    if (m_exchange)
        m_exchange->record.responseBytes = body.size();
}

void ClientConnection::startExchange(HttpRequest request)
{
    const ProxyConfig &config = m_server.config();
    m_exchange = std::make_unique<Exchange>();
    Exchange &x = *m_exchange;
    x.clock.start();
    m_server.stats().inFlight.fetch_add(1, std::memory_order_relaxed);
    x.request = std::move(request);
    // An absolute-form target (RFC 9112 section 3.2.2: "POST http://host/v1/chat/completions") counts by its
    // path; its scheme and host are never followed (session-9 trial: it was appended to the base path).
    x.request.target = originForm(x.request.target);
    x.kind = proxy::classify(x.request.method, x.request.target);
    const HttpHeaders &h = x.request.headers;
    x.dialect = proxy::dialectOf(x.kind, x.request.target, hasHeader(h, "anthropic-version"));

    CallRecord &r = x.record;
    r.startedAtUs = nowUs();
    r.sourceKind = SourceKind::Proxy;
    r.sourceRef = u"proxy"_s;
    // Labels are stored and exported: a key-like value is kept out (proxy/LabelGuard.h).
    const QByteArray endpoint = headerValue(h, "x-tokenledger-endpoint").trimmed();
    const QByteArray tags = headerValue(h, "x-tokenledger-tags");
    const QByteArray task = headerValue(h, "x-tokenledger-task");
    if (!endpoint.isEmpty() || !tags.isEmpty() || !task.isEmpty()) {
        // The secrets are gathered only for a request that names labels (most send none).
        const QList<QByteArray> secrets = labelSecrets(h, config);
        r.endpoint = guardedLabel("X-TokenLedger-Endpoint", QString::fromUtf8(endpoint), secrets);
        for (const QByteArray &t : tags.split(',')) {
            if (!t.trimmed().isEmpty())
                r.tags << guardedLabel("X-TokenLedger-Tags", QString::fromUtf8(t.trimmed()), secrets);
        }
        r.taskType = guardedLabel("X-TokenLedger-Task", QString::fromUtf8(task), secrets);
    }
    if (r.endpoint.isEmpty())
        r.endpoint = u"untagged"_s;
    r.requestBytes = x.request.body.size();
    r.usageStatus = UsageStatus::Complete;
    r.requestPath = requestPath(x.request.method, x.request.target);

    if (!config.accessToken.isEmpty()) {
        if (!hasAccessToken(h, config)) {
            respondError(401, u"Missing or wrong X-TokenLedger-Access-Token for this proxy."_s, u"unauthorized"_s);
            return;
        }
    } else if (const QString why = browserRefusal(h); !why.isEmpty()) {
        // No token: the proxy is on loopback, and only local programs may use it.
        qCWarning(lcProxy).noquote() << "refused:" << why;
        respondError(403, why, u"forbidden"_s);
        return;
    }
    const KeyHeaderScan keyHeaders = scanKeyHeaders(h);
    if (!keyHeaders.repeated.isEmpty()) { // a credential header given twice (session-16 trial; scanKeyHeaders)
        respondError(400, u"The request has more than one %1 header."_s.arg(QLatin1StringView(keyHeaders.repeated)),
                     u"bad_request"_s);
        return;
    }

    // The forwarded URL is the base URL's text followed by the target's, so the target must be a path: with a
    // base URL that has none ("https://api.anthropic.com"), "*@evil.example/v1/messages" (which http-parser takes
    // as a target) made the URL's authority "...@evil.example" and sent the key there (session-16 trial).
    // RFC 9112 section 3.2: origin-form starts with "/"; the absolute form became its path above; the asterisk
    // and authority forms are not for these requests.
    if (!x.request.target.startsWith('/')) {
        respondError(400, u"The request target must be a path starting with \"/\" (or an absolute URL)."_s,
                     u"bad_request"_s);
        return;
    }
    // A "." or ".." path segment (also percent-encoded) would be resolved on the way and could leave the
    // base URL's path (session-9 trial: /v1/../../admin/... reached the upstream as /admin/...). Refused.
    if (hasDotSegment(x.request.target)) {
        respondError(400, u"The request path may not contain \".\" or \"..\" segments."_s, u"bad_request"_s);
        return;
    }

    // Upstream: named by X-TokenLedger-Upstream, else the first of the request's dialect.
    const QString wanted = QString::fromUtf8(headerValue(h, "x-tokenledger-upstream"));
    x.upstream = upstreamFor(config, x.dialect, wanted);
    // No fallback to an upstream of the other dialect: the request's key would go to the other provider.
    if (!x.upstream) {
        respondError(404, wanted.isEmpty() ? u"No upstream is configured for this API."_s
                                           : u"No upstream named \"%1\" is configured."_s.arg(wanted),
                     u"no_upstream"_s);
        return;
    }
    r.provider = x.upstream->effectivePriceProvider();
    if (x.upstream->apiKey.isEmpty()
        && std::any_of(h.cbegin(), h.cend(), [](const auto &hd) { return isKeychainPlaceholder(hd.first, hd.second); })) {
        respondError(401,
                     u"The key \"%1\" asks the proxy for the key kept in the keychain for upstream \"%2\", and none "
                     "is stored: save one on the Proxy page, or send your own key."_s
                         .arg(QLatin1StringView(kKeychainKeyPlaceholder), x.upstream->id),
                     u"no_stored_key"_s);
        return;
    }

    // The caller's key (or the configured one) names the caller; it is hashed, never kept.
    const QByteArray clientKey = keyFromHeaders(headerValue(h, "authorization"), headerValue(h, "x-api-key"),
                                                headerValue(h, "api-key"));
    // The stored key is the caller's only when it is the one sent upstream: no key header of the client's own
    // (upstreamHeaders()). An empty "Authorization:" keeps the stored key out, so it is no caller of it (session-16
    // trial: such calls were booked to the stored key, and served from its cache scope). With no key at all, a
    // gateway's key header still tells callers apart.
    QByteArray key = keyHeaders.ownKey ? clientKey : x.upstream->apiKey;
    x.storedKeyUsed = !keyHeaders.ownKey && !x.upstream->apiKey.isEmpty();
    if (key.isEmpty())
        key = gatewayCredential(h);
    x.callerId = m_server.callerIdentityFor(key); // remembered by the server for every connection
    r.keyId = x.callerId;

    if (x.request.method == "POST" && proxy::isPriced(x.kind)) {
        QJsonParseError err{};
        const ProxyServer::ParsedRequest *parsed = m_server.parsedRequest(x.kind, x.request.body, &err);
        if (!parsed) {
            respondError(400,
                         err.error != QJsonParseError::NoError
                             ? u"The request body is not valid JSON (%1 at offset %2)."_s.arg(err.errorString()).arg(err.offset)
                             : u"The request body must be a JSON object."_s,
                         u"bad_request"_s);
            return;
        }
        x.body = parsed->body;
        x.jsonBody = true;
        x.info = parsed->info;
        r.requestedModel = x.info.model;
        m_server.prepareEstimateEncoding(x.info.model);
        r.promptChars = x.info.promptChars;
        r.messageCount = x.info.messageCount;
        r.maxTokens = x.info.maxTokens;
        r.hasTools = x.info.hasTools;
        x.requestHashDeferred = true; // made here only when the exact cache needs it (below)
    }

    // Endpoint policy and routing decision (complexity) of the request as the client sent it.
    prepareSavings();

    // Exact cache controls (they govern the semantic cache too).
    const bool exactOn = x.savings->exactCache.value_or(config.cache.enabled);
    // A background response is a job the client then polls by its id: never answered from the cache (a
    // replay would name an old job), never stored.
    if (x.jsonBody && proxy::isCacheable(x.kind) && exactOn && m_server.exactCache() && !x.info.background) {
        const auto [bypass, refresh] = cacheControls(h);
        x.cacheLookup = !bypass && !refresh;
        x.cacheStore = !bypass;
        x.cacheHeader = bypass ? "bypass" : "miss";
        r.cacheOutcome = bypass ? CacheOutcome::Bypass : CacheOutcome::Miss;
        if (!bypass) {
            ProxyServer::RequestKeys keys =
                m_server.requestKeys(x.upstream->id, hashedApiOf(x),
                                     x.callerId, x.request.body, x.body);
            r.requestHash = std::move(keys.requestHash);
            x.cacheKey = std::move(keys.cacheKey);
            x.requestHashDeferred = false;
        }
        if (x.cacheLookup && serveFromCache())
            return;
    }
    runSavings();
}

bool ClientConnection::serveFromCache()
{
    Exchange &x = *m_exchange;
    cache::CachedAnswer *hit = m_server.exactCache()->lookup(x.cacheKey, nowUs());
    if (!hit || hit->api != proxy::apiName(x.kind))
        return false;
    // A JSON client gets the stored bytes and the usage read when the answer was stored: no parse.
    QJsonObject answer;
    if (x.info.stream || !hit->usage)
        answer = QJsonDocument::fromJson(hit->body).object();
    if (!hit->usage)
        hit->usage = proxy::usageFromAnswer(x.kind, answer).usage;
    const Usage usage = *hit->usage;
    // The semantic key and local embedding recorded for this request (computeSemanticKey) are those of
    // the request the answer was stored for: taken from the entry, made once per entry otherwise (on
    // the writer's thread when recorded only: the record's completion fills the entry's slot, and a
    // later hit's completion, which runs after it on that thread, copies from it).
    if (x.savingsEligible && (m_server.savings().recordEmbeddings || x.savings->semanticCache)) {
        std::shared_ptr<cache::SemanticTraceSlot> &slot = hit->semanticTrace;
        if (slot && slot->ready.load(std::memory_order_acquire)) {
            copySemanticFields(slot->trace, x.record.savings);
            x.semanticKeyDone = true;
        } else {
            computeSemanticKey();
            if (x.semanticDeferred) {
                if (!slot)
                    slot = std::make_shared<cache::SemanticTraceSlot>();
                x.semanticSlot = slot;
            } else if (!slot) {
                slot = readySlot(x.record.savings);
            }
        }
    }
    answerFromCache(CacheOutcome::ExactHit, answer, hit->body, hit->servedModel, {}, {}, &usage);
    return true;
}

void ClientConnection::answerFromCache(CacheOutcome outcome, const QJsonObject &answer, const QByteArray &stored,
                                       const QString &servedModel, HttpHeaders extraHeaders,
                                       const std::function<void(qint64 recordId)> &recorded, const Usage *usage)
{
    Exchange &x = *m_exchange;
    CallRecord &r = x.record;
    r.cacheOutcome = outcome;
    r.usage = usage ? *usage : proxy::usageFromAnswer(x.kind, answer).usage;
    r.servedModel = servedModel;
    r.httpStatus = 200;
    m_server.stats().cacheHits.fetch_add(1, std::memory_order_relaxed);
    QByteArray body;
    QByteArray contentType;
    if (x.info.stream) {
        body = proxy::synthesizeStream(x.kind, answer, x.info.includeUsage);
        contentType = "text/event-stream; charset=utf-8";
    } else {
        body = stored;
        contentType = "application/json";
    }
    r.latencyUs = x.clock.nsecsElapsed() / 1000;
    r.ttftUs = x.info.stream ? r.latencyUs : -1;
    r.responseBytes = body.size();
    x.responseBody = stored; // the answer as JSON, for a text-storing endpoint (shared, not copied)
    finalizeRecord();
    if (recorded)
        recorded(r.id);
    HttpHeaders headers{{QByteArray("Content-Type"), contentType}};
    headers += ledgerHeaders(r, "hit");
    headers += extraHeaders;
    writeResponse(200, headers, body);
    finishExchange(x.request.keepAlive);
}

void ClientConnection::forwardUpstream()
{
    Exchange &x = *m_exchange;
    const ProxyConfig &config = m_server.config();
    const UpstreamConfig &u = *x.upstream;
    UpstreamRequest req;
    req.method = x.request.method;
    req.url = upstreamUrl(u, x.request.target);
    req.connectTimeoutMs = config.connectTimeoutMs;
    req.headers = upstreamHeaders(x.request.headers, u, true);
    // The client's bytes unless the savings pipeline changed the body (few-shot, compression, routing).
    req.body = x.workChanged ? QJsonDocument(x.work).toJson(QJsonDocument::Compact) : x.request.body;
    // OpenAI chat and legacy completions streams report usage only when asked (stream_options.include_usage,
    // in both APIs' references): ask, and hide the extra chunk from the client.
    if (x.jsonBody && (x.kind == ApiKind::ChatCompletions || x.kind == ApiKind::Completions) && x.info.stream
        && !x.info.includeUsage
        && u.kind != UpstreamKind::Anthropic) {
        req.body = x.workChanged ? proxy::withIncludeUsage(x.work) : proxy::withIncludeUsage(x.request.body, x.body);
        x.injectedUsage = true;
    }
    setDeadline(Deadline::Upstream, config.firstByteTimeoutMs);
    UpstreamCallbacks cb;
    cb.onHeaders = [this](int status, const HttpHeaders &headers) { onUpstreamHeaders(status, headers); };
    cb.onData = [this](QByteArrayView bytes) { onUpstreamData(bytes); };
    cb.onFinished = [this](const QString &kind, const QString &message) { onUpstreamFinished(kind, message); };
    cb.onPassEnd = [this]() {
        if (m_socket->isOpen()) {
            flushOut();
            applyFlowControl();
        }
    };
    // start() may finish the transfer at once (connection refused) and with it this exchange.
    const Exchange *before = m_exchange.get();
    x.forwarded = true;
    const quint64 id = m_server.upstream().start(std::move(req), std::move(cb));
    if (m_exchange && m_exchange.get() == before && !m_exchange->recorded) {
        m_exchange->transfer = id;
        computeSemanticKey(); // while the upstream answers
    }
}

void ClientConnection::onUpstreamHeaders(int status, const HttpHeaders &headers)
{
    if (!m_exchange)
        return;
    Exchange &x = *m_exchange;
    x.status = status;
    x.upstreamHeaders = headers;
    x.record.httpStatus = status;
    setDeadline(Deadline::Upstream, m_server.config().idleTimeoutMs);
    const QByteArray type = headerValue(headers, "content-type").toLower();
    x.streaming = status == 200 && type.startsWith("text/event-stream");
    if (!x.streaming) {
        // The answer is kept whole (usage, cost headers, cache): one allocation when its size is announced.
        bool ok = false;
        const qint64 length = headerValue(headers, "content-length").toLongLong(&ok);
        if (ok && length > 0 && length <= 256ll * 1024 * 1024)
            x.responseBody.reserve(qsizetype(length));
        return;
    }
    // A streamed retrieve (GET /v1/responses/{id}?stream=true) sends the Responses API's events.
    x.accounting.emplace(x.kind == ApiKind::ResponsesRetrieve ? ApiKind::Responses : x.kind);
    QByteArray out = "HTTP/1.1 200 OK\r\n";
    for (const auto &[name, value] : headers) {
        if (passesToClient(name, false))
            out += name + ": " + value + "\r\n";
    }
    if (x.cacheHeader)
        out += QByteArray("X-TokenLedger-Cache: ") + x.cacheHeader + "\r\n";
    // The record is named now, before it exists; its cost is known only once the stream ended, so it
    // follows as a chunked-encoding trailer (outside the event stream, which stays byte-for-byte).
    x.record.id = m_server.ledger().writer().reserveId();
    out += "X-TokenLedger-Record-Id: " + QByteArray::number(x.record.id) + "\r\n";
    // An HTTP/1.0 client cannot take chunked encoding: its stream ends with the connection, and the
    // cost (no trailer) is in the ledger only.
    x.chunked = !x.request.http10;
    if (!x.chunked)
        m_closeAfterResponse = true;
    const bool close = m_closeAfterResponse || m_server.draining() || !x.request.keepAlive;
    out += close ? "Connection: close\r\n" : "Connection: keep-alive\r\n";
    out += x.chunked ? "Trailer: X-TokenLedger-Cost-USD\r\nTransfer-Encoding: chunked\r\n\r\n" : "\r\n";
    // The first events usually come in the same upstream read: they leave together with the headers
    // (forwardEvent); headers of an upstream that then waits leave at the end of this upstream pass
    // (UpstreamCallbacks::onPassEnd), with no event-loop turn (a posted event) of their own.
    queue(out);
    x.headersSent = true;
}

void ClientConnection::forwardEvent(const SseEvent &event)
{
    Exchange &x = *m_exchange;
    if (x.accounting->onEvent(event, x.injectedUsage))
        return; // the usage chunk the proxy asked for
    const bool first = x.record.ttftUs < 0;
    if (first)
        x.record.ttftUs = x.clock.nsecsElapsed() / 1000;
    const QByteArray &stripped = x.injectedUsage ? proxy::stripNullUsage(event.raw) : event.raw;
    QByteArray redacted;
    if (x.storedKeyUsed && !x.accounting->errorKind().isEmpty()) {
        // An error event (it ends the stream) may quote the key as an error answer may (above): the one
        // place where an event does not pass byte for byte.
        redacted = stripped;
        redactStoredKey(redacted, x.upstream->apiKey);
    }
    const QByteArray &raw = redacted.isNull() ? stripped : redacted;
    if (x.chunked)
        queueChunk(raw);
    else
        queue(raw);
    x.record.responseBytes += raw.size();
    // The headers and the first event leave at once, before the rest of this upstream read is parsed
    // (time to first byte); later events of a read still leave together (onUpstreamData).
    if (first)
        flushOut();
}

void ClientConnection::onUpstreamData(QByteArrayView bytes)
{
    if (!m_exchange)
        return;
    Exchange &x = *m_exchange;
    setDeadline(Deadline::Upstream, m_server.config().idleTimeoutMs);
    if (!x.streaming) {
        x.responseBody.append(bytes);
        return;
    }
    x.sse.feed(bytes, [this](const SseEvent &ev) { forwardEvent(ev); });
    // The events of this upstream read leave in one write at the end of the upstream pass (onPassEnd),
    // also when the upstream client hands them over in several pieces (chunked encoding).
}

void ClientConnection::endStream(const QByteArray &tail)
{
    Exchange &x = *m_exchange;
    QByteArray out;
    x.record.responseBytes += tail.size();
    if (!x.chunked) { // HTTP/1.0: the connection's end ends the stream (finishExchange closes it)
        send(tail);
        return;
    }
    if (!tail.isEmpty())
        out = QByteArray::number(tail.size(), 16) + "\r\n" + tail + "\r\n";
    // Last chunk, then the cost trailer announced in the headers (the record is final by now); one
    // write with the tail.
    const CallRecord &r = x.record;
    out += "0\r\nX-TokenLedger-Cost-USD: " + costHeaderValue(r) + "\r\n\r\n";
    send(out);
}

void ClientConnection::onUpstreamFinished(const QString &errorKind, const QString &message)
{
    if (!m_exchange)
        return;
    Exchange &x = *m_exchange;
    clearDeadline();
    x.transfer = 0;
    CallRecord &r = x.record;
    r.latencyUs = x.clock.nsecsElapsed() / 1000;
    if (x.streaming) {
        QByteArray tail;
        if (errorKind.isEmpty()) {
            // The upstream's body ended properly. A last event whose lines all ended but whose blank line
            // never came (or CR-only line endings, the last CR having waited for a LF) was sent whole: it
            // is accounted and forwarded unchanged, as if dispatched. (openai-node 6.49 and
            // @anthropic-ai/sdk 0.69, whose LineDecoder.flush() ends a pending CR at the end of the
            // body, dispatch the CR-only case and drop an event whose blank line is missing, as WHATWG's
            // "pending data is discarded" does; the proxy passes the bytes on and leaves that to them.)
            SseParser::End end = x.sse.finish();
            if (end.hasEvent)
                forwardEvent(end.event);
            else
                tail = end.unfinished; // bytes after the last whole line: passed on as they came
        }
        // The upstream's body ended properly (errorKind empty): the stream ends as the upstream ended it, with
        // no error event of the proxy's, also without its end marker ([DONE], message_stop): some
        // OpenAI-compatible servers send none, and a client would have seen exactly these bytes without the
        // proxy (session-12 trial: an error event was appended and the record said upstream_cut though the
        // usage had come). Its record is complete when the final usage came, else `upstream_incomplete`
        // (usage estimated, or incomplete: message_start's counts). A connection that failed (cut, timeout)
        // ends the client's stream with the proxy's error event.
        const bool complete = errorKind.isEmpty() && (x.accounting->finished() || x.accounting->hasFinalUsage());
        if (!complete && errorKind.isEmpty()) {
            r.errorKind = u"upstream_incomplete"_s;
        } else if (!complete) {
            r.errorKind = errorKind;
            tail = cutStreamTail(x.sse, x.dialect, u"The upstream ended the stream early."_s);
            m_server.stats().upstreamErrors.fetch_add(1, std::memory_order_relaxed);
        }
        // An error event inside the stream (Anthropic `event: error`, e.g. overloaded_error) ended it: the
        // upstream's own error, passed on unchanged, recorded with its type; no second error event.
        const bool upstreamError = complete && !x.accounting->errorKind().isEmpty();
        r.usage = x.accounting->usage();
        r.servedModel = x.accounting->servedModel();
        r.truncated = x.accounting->truncated();
        r.usageStatus = complete && x.accounting->hasUsage() && !upstreamError ? UsageStatus::Complete
                        : x.accounting->hasUsage()                             ? UsageStatus::Incomplete
                                                                               : UsageStatus::Unknown;
        if (upstreamError) {
            r.errorKind = x.accounting->errorKind();
            m_server.stats().upstreamErrors.fetch_add(1, std::memory_order_relaxed);
        } else if (complete && x.accounting->failed()) {
            r.errorKind = u"upstream_failed"_s;
        }
        finalizeRecord();
        if (complete && x.accounting->hasUsage() && !x.accounting->failed() && !x.accounting->lossy()) {
            const QJsonObject assembled = x.accounting->assembled();
            maybeStoreInCache(assembled, x.accounting->truncated());
            maybeStoreSemantic(assembled, x.accounting->truncated());
        }
        endStream(tail);
        finishExchange(x.request.keepAlive);
        return;
    }
    if (!errorKind.isEmpty() && x.status == 0) {
        m_server.stats().upstreamErrors.fetch_add(1, std::memory_order_relaxed);
        const bool timeout = errorKind == "timeout"_L1 || errorKind == "connect_timeout"_L1;
        // Not connected (connect_error, tls_error, connect_timeout): the request never left, nothing was billed. Otherwise it
        // may have reached the provider: the usage is unknown and the record unpriced, never an exact $0
        // (session-9 trial: an answer with a 100 KB header, and an upstream that closed after reading the
        // request, were recorded as exact $0).
        const bool neverSent
            = errorKind == "connect_error"_L1 || errorKind == "tls_error"_L1 || errorKind == "connect_timeout"_L1;
        if (!neverSent) {
            // As an abandoned call's: the prompt counted by the local tokenizer, completion 0 (nothing came).
            r.usageStatus = UsageStatus::Unknown;
            x.estimateUnanswered = true;
        }
        respondError(timeout ? 504 : 502,
                     timeout && neverSent ? u"The upstream could not be reached in time: %1"_s.arg(message)
                     : timeout            ? u"The upstream did not answer in time."_s
                     : neverSent          ? u"The upstream could not be reached: %1"_s.arg(message)
                                 : u"The upstream gave no usable answer: %1"_s.arg(message),
                     errorKind);
        return;
    }
    if (!errorKind.isEmpty()) {
        // The headers came, then the body was cut (the upstream closed, or a timeout) or could not be
        // read (a content coding the upstream client does not decode, a corrupt compressed body): the answer is not
        // passed on as a well-framed but truncated body; the client gets a 502 in the provider's shape.
        // The provider may have billed the call: its usage is unknown, so the record is unpriced.
        m_server.stats().upstreamErrors.fetch_add(1, std::memory_order_relaxed);
        r.usageStatus = UsageStatus::Unknown;
        // A 200 the provider began to send was billed: its prompt is estimated as an abandoned call's, its
        // completion from the text in the part of the body that came (partialAnswerText). An error status
        // cut short was not billed.
        x.estimateUnanswered = x.status == 200;
        respondError(502,
                     errorKind == u"upstream_cut"_s
                         ? u"The upstream closed the connection before the whole answer arrived (%1 bytes received)."_s
                               .arg(x.responseBody.size())
                         : u"The upstream's answer could not be read: %1"_s.arg(message),
                     errorKind);
        return;
    }
    r.httpStatus = x.status;
    if (x.storedKeyUsed && x.status >= 400) {
        // An upstream that quotes the key it got in an error ("Incorrect API key provided: sk-...", some
        // OpenAI-compatible servers in full) would hand the keychain's key to a client that never had it, and
        // to the ledger's text of a text-storing endpoint (session-16 trial). It is taken out of the answer.
        redactStoredKey(x.responseBody, x.upstream->apiKey);
        for (auto &header : x.upstreamHeaders)
            redactStoredKey(header.second, x.upstream->apiKey);
    }
    // An error answer's kind names the provider's error type when its body does (the body is read only for
    // a status of 400 and up), as the same error inside a stream is recorded.
    r.errorKind = proxy::answerErrorKind(x.status, x.responseBody);
    if (x.status >= 500)
        m_server.stats().upstreamErrors.fetch_add(1, std::memory_order_relaxed);
    QJsonObject answer;
    proxy::AnswerUsage usage;
    if (x.status == 200 && proxy::isPriced(x.kind)) {
        if ((x.cacheStore && m_server.exactCache()) || (x.semanticStore && m_server.semanticCache())) {
            // The answer may be stored: the caches take the parsed answer.
            answer = QJsonDocument::fromJson(x.responseBody).object();
            usage = proxy::usageFromAnswer(x.kind, answer);
        } else {
            usage = proxy::usageFromBody(x.kind, x.responseBody); // no QJsonObject of the whole answer
        }
    } else {
        usage = proxy::usageFromAnswer(x.kind, answer);
    }
    r.usage = usage.usage;
    r.servedModel = usage.servedModel;
    r.truncated = usage.truncated;
    x.serviceTier = usage.serviceTier;
    if (x.status == 200 && proxy::isPriced(x.kind) && !usage.found)
        r.usageStatus = UsageStatus::Unknown;
    if (!errorKind.isEmpty())
        r.usageStatus = usage.found ? UsageStatus::Incomplete : UsageStatus::Unknown;
    if (x.status == 200 && x.kind == ApiKind::Responses && x.info.background
        && (usage.status == "queued"_L1 || usage.status == "in_progress"_L1))
        markUsagePending(usage.responseId); // the usage comes with a retrieve (PendingUsage.h)
    if (x.status == 200 && x.kind == ApiKind::ResponsesRetrieve) {
        const proxy::AnswerUsage retrieved = proxy::usageFromBody(ApiKind::Responses, x.responseBody);
        noteRetrieved(retrieved.status, retrieved.usage, retrieved.found);
    }
    r.responseBytes = x.responseBody.size();
    finalizeRecord();
    if (errorKind.isEmpty() && x.status == 200 && usage.found) {
        maybeStoreInCache(answer, usage.truncated);
        maybeStoreSemantic(answer, usage.truncated);
    }
    HttpHeaders headers;
    const bool head = x.request.method == "HEAD";
    for (const auto &h : x.upstreamHeaders) {
        if (passesToClient(h.first, head))
            headers.append(h);
    }
    headers += ledgerHeaders(r, x.cacheHeader);
    writeResponse(x.status, headers, x.responseBody);
    finishExchange(x.request.keepAlive);
}

void ClientConnection::onUpstreamTimeout()
{
    if (!m_exchange)
        return;
    Exchange &x = *m_exchange;
    if (x.headersSent) {
        endStartedStreamEarly(u"timeout"_s, u"The upstream stopped sending events (idle timeout)."_s,
                              x.request.keepAlive);
        return;
    }
    // The first-byte deadline runs from the forward, so it can end a transfer still connecting (a first-byte
    // timeout shorter than the connect timeout): then the request never left and nothing was billed.
    const bool sent = m_server.upstream().requestSent(x.transfer);
    m_server.upstream().abort(x.transfer);
    x.transfer = 0;
    m_server.stats().upstreamErrors.fetch_add(1, std::memory_order_relaxed);
    if (!sent) {
        respondError(504, u"The upstream could not be reached in time."_s, u"connect_timeout"_s);
        return;
    }
    x.record.usageStatus = UsageStatus::Unknown;
    // The request left: the provider may bill it. Estimated as an abandoned call (prompt; completion from the
    // text of what a 200 sent of its body), unless an error status came.
    x.estimateUnanswered = x.status == 0 || x.status == 200;
    respondError(504, u"The upstream did not answer in time."_s, u"timeout"_s);
}

void ClientConnection::respondError(int status, const QString &message, const QString &errorKind)
{
    Exchange &x = *m_exchange;
    if (x.transfer) {
        m_server.upstream().abort(x.transfer);
        x.transfer = 0;
    }
    CallRecord &r = x.record;
    r.httpStatus = status;
    r.errorKind = errorKind;
    r.latencyUs = x.clock.nsecsElapsed() / 1000;
    if (r.usageStatus == UsageStatus::Complete)
        r.usage = {};
    const QByteArray body = proxy::errorBody(x.dialect, status, message);
    r.responseBytes = body.size();
    const bool recordIt = status != 401 && status != 403; // refused callers' noise stays out of the ledger
    if (recordIt)
        finalizeRecord();
    HttpHeaders headers{{QByteArray("Content-Type"), QByteArray("application/json")}};
    if (recordIt)
        headers += ledgerHeaders(r, x.cacheHeader);
    writeResponse(status, headers, body);
    finishExchange(x.request.keepAlive);
}

void ClientConnection::finalizeRecord()
{
    Exchange &x = *m_exchange;
    if (x.recorded)
        return;
    // The semantic key and local embedding, if the upstream answered before there was time for them.
    computeSemanticKey();
    x.recorded = true;
    CallRecord &r = x.record;
    if (x.kind == ApiKind::Responses && x.info.background && x.accounting && r.usageStatus == UsageStatus::Unknown
        && !x.accounting->responseId().isEmpty()) {
        // A background stream that ended without its usage (cut, abandoned): the response runs on at the
        // provider, and a retrieve will tell its usage.
        markUsagePending(x.accounting->responseId());
    }
    if (x.kind == ApiKind::ResponsesRetrieve && x.accounting && x.accounting->finished()
        && x.accounting->errorKind().isEmpty()) {
        noteRetrieved(x.accounting->failed() ? u"failed"_s : x.accounting->truncated() ? u"incomplete"_s : u"completed"_s,
                      x.accounting->usage(), x.accounting->hasUsage());
    }
    if (x.settlement) // first, so a settlement follows the records submitted before it (the create's)
        m_server.ledger().settlePendingUsage(*std::exchange(x.settlement, std::nullopt));
    if (r.usageStatus == UsageStatus::Unknown && (x.accounting || x.estimateUnanswered) && m_server.tokenizers()
        && (x.kind == ApiKind::ChatCompletions || x.kind == ApiKind::Completions || x.kind == ApiKind::Messages
            || x.kind == ApiKind::Responses)) {
        // The stream ended without the provider's usage: count it locally (prompt from the request,
        // completion from what was streamed, or from the text in the part of a 200's JSON body that came)
        // and mark it estimated; errorKind still says why. Only on these failure paths.
        const QString completion = x.accounting                                  ? x.accounting->completionText()
                                   : x.status == 200 && !x.responseBody.isEmpty() ? proxy::partialAnswerText(x.responseBody)
                                                                                 : QString();
        auto estimate = tokenizer::estimateChatUsage(*m_server.tokenizers(), x.request.body, completion,
                                                     r.requestedModel);
        if (estimate) {
            r.usage = estimate->usage;
            // Web and file searches are not tokens: those a cut Responses stream showed done still count.
            r.usage.webSearchRequests = x.accounting ? x.accounting->usage().webSearchRequests : 0;
            r.usage.fileSearchCalls = x.accounting ? x.accounting->usage().fileSearchCalls : 0;
            r.usageStatus = UsageStatus::Estimated;
        }
    } else if (r.usageStatus == UsageStatus::Incomplete && x.accounting && m_server.tokenizers()
               && (x.kind == ApiKind::Messages || x.kind == ApiKind::ChatCompletions || x.kind == ApiKind::Responses)) {
        // The provider's usage came in part only: a cut Anthropic stream has message_start's counts (the
        // input, exact, and an output_tokens of 1), the final message_delta never came. The output streamed
        // since is counted locally and replaces a smaller reported output; the input counts stay the
        // provider's (session-9 trial: 147 streamed deltas were recorded as 1 output token).
        auto estimate = tokenizer::estimateChatUsage(*m_server.tokenizers(), x.request.body,
                                                     x.accounting->completionText(), r.requestedModel);
        if (estimate && estimate->usage.completionTokens > r.usage.completionTokens)
            r.usage.completionTokens = estimate->usage.completionTokens;
    }
    // A search model of Chat Completions (web_search_options) searched before it answered: one billed
    // search (the answer carries no count of it), also when the answer was cut or abandoned, or served from
    // a cache (its saving). Not for an error answer.
    if (x.info.webSearch && r.usage.webSearchRequests == 0
        && (r.usageStatus == UsageStatus::Complete || r.usageStatus == UsageStatus::Incomplete
            || r.usageStatus == UsageStatus::Estimated)
        && (r.cacheOutcome == CacheOutcome::ExactHit || r.cacheOutcome == CacheOutcome::SemanticHit
            || (x.forwarded && (x.status == 200 || (x.status == 0 && r.usageStatus == UsageStatus::Estimated)))))
        r.usage.webSearchRequests = 1;
    // The provider's own counts (not a local estimate) in the normalised form: xAI's reasoning on top of output.
    if ((r.usageStatus == UsageStatus::Complete || r.usageStatus == UsageStatus::Incomplete)
        && (x.kind == ApiKind::ChatCompletions || x.kind == ApiKind::Completions))
        ProviderUsage::normaliseForProvider(r.usage, r.provider);
    // The tier the provider served it on (flex: Batch API rates; priority: above list): its price.
    if (x.forwarded && r.cacheOutcome != CacheOutcome::ExactHit && r.cacheOutcome != CacheOutcome::SemanticHit)
        applyServiceTier(r, x.accounting ? x.accounting->serviceTier() : x.serviceTier);
    m_server.ledger().pricer()->apply(r);
    if (!x.forwarded && r.cacheOutcome != CacheOutcome::ExactHit && r.cacheOutcome != CacheOutcome::SemanticHit) {
        // Answered by the proxy itself (a malformed body, no upstream): nothing reached a provider, so
        // nothing was billed. Exactly $0, not an unpriced call.
        r.usage = {};
        r.usageStatus = UsageStatus::Complete;
        r.cost = 0;
        r.costStatus = CostStatus::Exact;
    } else if (x.kind == ApiKind::ResponsesRetrieve || x.kind == ApiKind::Models || x.kind == ApiKind::CountTokens) {
        // Not billed, whatever it answered: a known $0 ("free:<api>"), not an unpriced call. Retrieving (or
        // cancelling) a response: the usage it carried went to the create's record (noteRetrieved). Listing
        // models (OpenAI API reference "Models": no usage, no price) and Anthropic's token counting (guide
        // "Token counting": "free to use", rate-limited only) cost nothing (session-17 trial: a models.list
        // made the ledger "partly unpriced").
        r.usage = {};
        r.usageStatus = UsageStatus::Complete;
        r.cost = 0;
        r.costStatus = CostStatus::Exact;
        r.priceEntry = u"free:"_s + proxy::apiName(x.kind); // PendingUsage::kFreePriceEntry for a retrieve
        r.priceVersion = u""_s;
        r.savedCost = 0;
    } else if (r.usageStatus == UsageStatus::Unknown && r.cacheOutcome != CacheOutcome::ExactHit) {
        // No usage at all: the cost is not known, never a silent zero.
        r.cost.reset();
        r.costStatus = CostStatus::Unpriced;
    }
    // The ledger's text columns are NOT NULL: empty, never null strings.
    for (QString *text : {&r.endpoint, &r.provider, &r.requestedModel, &r.servedModel, &r.keyId, &r.priceEntry,
                          &r.priceVersion, &r.errorKind, &r.sourceRef, &r.requestHash, &r.taskType}) {
        if (text->isNull())
            *text = u""_s;
    }
    if (!m_server.config().storeTextEndpoints.isEmpty() && m_server.config().storeTextEndpoints.contains(r.endpoint)) {
        // The user asked for this endpoint's text (off by default). Bodies only: headers, and so keys, are
        // never part of it.
        r.text.request = x.request.body;
        if (x.streaming && x.accounting)
            r.text.response = QJsonDocument(x.accounting->assembled()).toJson(QJsonDocument::Compact);
        else
            r.text.response = x.responseBody;
    }
    LedgerWriter::Completion complete;
    if (x.requestHashDeferred || x.routeDeferred || (x.semanticDeferred && !x.semanticKeyDone)) {
        RecordCompletion c;
        c.body = x.body;
        c.kind = x.kind;
        c.scopeId = semanticScopeId(x);
        c.promptChars = x.info.promptChars;
        c.routePinned = x.routePinned;
        if (x.requestHashDeferred) {
            c.upstreamId = x.upstream->id;
            c.api = hashedApiOf(x);
        }
        if (x.routeDeferred)
            c.router = m_server.sharedRouterFor(r.endpoint);
        bool ownSlot = false; // made here: no other completion can be filling it
        if (x.semanticDeferred && !x.semanticKeyDone) {
            c.embedder = m_server.sharedLocalEmbedder();
            // A miss whose answer may be stored: the entry will share the fields.
            if (!x.semanticSlot && x.cacheStore) {
                x.semanticSlot = std::make_shared<cache::SemanticTraceSlot>();
                ownSlot = true;
            }
            c.slot = x.semanticSlot;
        }
        // Back-pressure: when the writer is behind (more than ~150 ms of records waiting at 15,000/s),
        // the work is done here, so the writer's backlog, and what a crash could lose (issue 3
        // section 7: at most 250 ms of records), does not grow with it. Here it fills only a slot it
        // made: an entry's slot that is not ready yet is being filled by a queued completion.
        constexpr qint64 kWriterBacklog = 2000;
        if (m_server.ledger().writer().pending() > kWriterBacklog) {
            if (!ownSlot && c.slot && !c.slot->ready.load(std::memory_order_acquire))
                c.slot.reset();
            c(r);
        } else {
            complete = std::move(c);
        }
    }
    r.id = m_server.ledger().writer().submit(r, std::move(complete));
    m_server.recordFinished(r);
    // Token-count calibration (tokenizer/CalibrationSampler.h): a sampled call's body is counted on a
    // low-priority worker; here only a few checks and a hash lookup.
    if (m_server.tokenizers())
        m_server.tokenizers()->offerCalibrationSample(r, x.request.body, x.workChanged ? x.work : QJsonObject());
}

QByteArray ClientConnection::costHeaderValue(const CallRecord &record)
{
    if (record.cost)
        return toDecimalUsd(*record.cost).toLatin1();
    return record.usageStatus == UsageStatus::Pending ? QByteArray("pending") : QByteArray("unpriced");
}

void ClientConnection::markUsagePending(const QString &responseId)
{
    Exchange &x = *m_exchange;
    CallRecord &r = x.record;
    if (responseId.isEmpty() || x.callerId.isEmpty())
        return; // nothing to link a retrieve to: the record stays as it is (unknown usage)
    if (r.id <= 0)
        r.id = m_server.ledger().writer().reserveId(); // the link names the record
    r.usage = {};
    r.usageStatus = UsageStatus::Pending;
    r.sourceKey = PendingUsage::sourceKey(x.callerId, responseId, r.id);
}

void ClientConnection::noteRetrieved(const QString &status, const Usage &usage, bool hasUsage)
{
    Exchange &x = *m_exchange;
    // Only a terminal status settles (guide "Background mode": queued and in_progress are not).
    if (status != "completed"_L1 && status != "failed"_L1 && status != "cancelled"_L1 && status != "incomplete"_L1)
        return;
    PendingUsage::Settlement s;
    s.callerId = x.callerId;
    s.responseId = proxy::retrievedResponseId(x.request.target);
    s.usage = usage;
    s.usageStatus = hasUsage ? UsageStatus::Complete : UsageStatus::Unknown;
    s.status = status;
    if (!s.responseId.isEmpty() && !s.callerId.isEmpty())
        x.settlement = std::move(s);
}

void ClientConnection::maybeStoreInCache(const QJsonObject &answer, bool truncated)
{
    Exchange &x = *m_exchange;
    const CacheConfig &cc = m_server.config().cache;
    if (!x.cacheStore || !m_server.exactCache() || (truncated && !cc.storeTruncated) || answer.isEmpty())
        return;
    const qint64 now = nowUs();
    const qint64 ttl = x.savings->exactCacheTtlSeconds.value_or(cc.ttlPerEndpoint.value(x.record.endpoint, cc.ttlSeconds));
    cache::CachedAnswer a{proxy::apiName(x.kind),
                          x.streaming ? QJsonDocument(answer).toJson(QJsonDocument::Compact) : x.responseBody,
                          x.record.servedModel, now, now + ttl * 1'000'000,
                          proxy::usageFromAnswer(x.kind, answer).usage, {}};
    if (x.semanticKeyDone)
        a.semanticTrace = readySlot(x.record.savings);
    else if (x.semanticSlot)
        a.semanticTrace = x.semanticSlot; // filled on the writer's thread

    if (auto r = m_server.exactCache()->store(x.cacheKey, x.callerId, std::move(a)); !r)
        qCWarning(lcProxy) << "cache store failed:" << r.error().message;
}

void ClientConnection::abortExchange(const QString &errorKind)
{
    if (!m_exchange)
        return;
    Exchange &x = *m_exchange;
    if (x.transfer) {
        m_server.upstream().abort(x.transfer);
        x.transfer = 0;
    }
    clearDeadline();
    if (x.sideTimer)
        x.sideTimer->stop();
    CallRecord &r = x.record;
    r.errorKind = errorKind;
    r.latencyUs = x.clock.nsecsElapsed() / 1000;
    // Status 0 while no answer reached the client (the proxy's convention for a hang-up before any answer,
    // client_closed_request's too), also when the upstream's status line had come: a non-streamed answer is
    // passed on only once it is whole, so a client that left before had none (session-12 trial: it was
    // recorded with the upstream's 200). A stream whose headers went out keeps its 200: the client had them.
    if (!x.headersSent)
        r.httpStatus = 0;
    if (x.accounting) {
        r.usage = x.accounting->usage();
        r.servedModel = x.accounting->servedModel();
        r.usageStatus = x.accounting->hasUsage() ? UsageStatus::Incomplete : UsageStatus::Unknown;
    } else {
        // A non-streamed call ended before its answer was passed on (the client hung up, stalled, or the
        // proxy stops): once forwarded, the provider may bill it, so it gets the local tokenizer's estimate
        // as a cut stream does (prompt from the request; completion from what came of the answer's body),
        // never a silent zero. A call never forwarded (a side call of the savings pipeline still running)
        // stays Unknown, as does an error status whose body had not come whole (not billed).
        r.usage = {};
        r.usageStatus = UsageStatus::Unknown;
        x.estimateUnanswered = x.forwarded && (x.status == 0 || x.status == 200);
    }
    finalizeRecord();
    m_closeAfterResponse = true;
    if (errorKind == "shutdown"_L1 && x.headersSent && m_socket->state() == QAbstractSocket::ConnectedState)
        endStream(cutStreamTail(x.sse, x.dialect, u"The proxy is shutting down."_s));
    finishExchange(false);
}

void ClientConnection::answerAtDrainDeadline()
{
    if (!m_exchange) {
        if (readingBody()) // its body did not come in time: answered and recorded as the proxy's refusal
            rejectAndClose(503, "The TokenLedger proxy stopped before the request body arrived (drain timeout of a "
                                "graceful stop); the request may be retried.",
                           u"shutdown"_s);
        return;
    }
    Exchange &x = *m_exchange;
    m_closeAfterResponse = true;
    if (x.sideTimer)
        x.sideTimer->stop();
    if (!x.headersSent) {
        // Nothing of the answer reached the client: a provider-shaped 503 (respondError aborts the
        // transfer). A forwarded request may have been billed: its usage is estimated, not zero.
        x.record.usageStatus = UsageStatus::Unknown;
        x.estimateUnanswered = x.forwarded;
        respondError(503,
                     u"The TokenLedger proxy stopped before the upstream answered (drain timeout of a graceful "
                     "stop); the request may be retried."_s,
                     u"shutdown"_s);
        return;
    }
    // A stream under way ends as one the upstream cut: the error event, then the stream's end.
    endStartedStreamEarly(u"shutdown"_s,
                          u"The TokenLedger proxy is stopping (the drain timeout of a graceful stop ran out): it "
                          "ended this stream before the upstream did."_s,
                          false);
}

void ClientConnection::endStartedStreamEarly(const QString &errorKind, const QString &message, bool keepAlive)
{
    Exchange &x = *m_exchange;
    if (x.transfer) {
        m_server.upstream().abort(x.transfer);
        x.transfer = 0;
    }
    clearDeadline();
    m_server.stats().upstreamErrors.fetch_add(1, std::memory_order_relaxed);
    CallRecord &r = x.record;
    r.latencyUs = x.clock.nsecsElapsed() / 1000;
    r.errorKind = errorKind;
    r.usage = x.accounting->usage();
    r.servedModel = x.accounting->servedModel();
    r.usageStatus = x.accounting->hasUsage() ? UsageStatus::Incomplete : UsageStatus::Unknown;
    finalizeRecord();
    endStream(cutStreamTail(x.sse, x.dialect, message));
    finishExchange(keepAlive);
}

void ClientConnection::finishExchange(bool keepAlive)
{
    // A recorded answer whose last bytes still wait for a slow client: the record is written (its usage and
    // cost are known), and if the client does not take the rest, markAnswersCut() says so.
    // Bytes waiting in QTcpSocket count as well as those held back (up to clientHighWaterBytes, 4 MiB by
    // default, wait there: a session-13 trial found such answers never amended and never timed out).
    // An answer the kernel took whole may still wait there for a client that reads nothing: asked of the kernel
    // (one ioctl) only after a large answer, which a stalled client can leave there for good; a small one
    // counts as taken, as before.
    constexpr qint64 kAskTheKernelAboveBytes = 256 * 1024;
    const bool unsent = unsentBytes() > 0
                        || (m_exchange->record.responseBytes > kAskTheKernelAboveBytes && kernelUnsentBytes() > 0);
    if (m_exchange->recorded && m_exchange->record.id > 0 && unsent)
        noteHeldAnswer(m_exchange->record.id);
    m_exchange.reset();
    m_continueSent = false;
    m_server.stats().inFlight.fetch_sub(1, std::memory_order_relaxed);
    m_server.stats().requests.fetch_add(1, std::memory_order_relaxed);
    m_parser.reset();
    if (!keepAlive || m_closeAfterResponse || m_server.draining()) {
        clearDeadline();
        if (!m_closing) {
            m_closing = true;
            closeSocket();
        }
    } else {
        setDeadline(Deadline::Client, m_server.config().keepAliveIdleMs);
        if (!m_inBuffer.isEmpty())
            QMetaObject::invokeMethod(this, &ClientConnection::processBuffer, Qt::QueuedConnection);
    }
    // An answer still waiting for a slow client: the client must keep taking it (clientWriteTimeoutMs).
    if (unsent)
        setDeadline(Deadline::ClientWrite, m_server.config().clientWriteTimeoutMs);
    m_server.exchangeFinished();
}

} // namespace tl
