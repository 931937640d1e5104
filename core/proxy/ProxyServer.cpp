#include "ProxyServer.h"

#include "cache/CanonicalRequest.h"
#include "cache/ExactCache.h"
#include "common/FreedMemory.h"
#include "common/Logging.h"
#include "ledger/Ledger.h"
#include "proxy/CallerIdentity.h"
#include "proxy/ClientConnection.h"
#include "proxy/UpstreamClient.h"
#include "compress/FewShot.h"
#include "compress/SummaryCache.h"
#include "routing/Router.h"
#include "semantic/LocalEmbedder.h"
#include "semantic/SemanticCache.h"
#include "tokenizer/Tokenizers.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QThreadPool>

#include <QTcpServer>
#include <QTcpSocket>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

// Accepts connections itself so a full proxy can answer 503 before a QTcpSocket is set up.
class Listener final : public QTcpServer
{
public:
    using QTcpServer::QTcpServer;
};

} // namespace

ProxyServer::ProxyServer(ProxyConfig config, Ledger &ledger, std::shared_ptr<ProxyStats> stats,
                         std::shared_ptr<const tokenizer::Tokenizers> tokenizers, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_ledger(ledger)
    , m_stats(std::move(stats))
    , m_tokenizers(std::move(tokenizers))
    , m_server(new Listener(this))
    , m_upstream(std::make_unique<UpstreamClient>())
    // Keyed by the install's caller salt: the embeddings kept for the simulator confirm no guessed prompt
    // without it (LocalEmbedder.h, "Keyed").
    , m_embedder(std::make_shared<const semantic::LocalEmbedder>(semantic::LocalEmbedder::kDefaultDims,
                                                                 m_config.callerSalt))
    , m_summaries(std::make_unique<compress::SummaryCache>())
{
    m_savingsShared = std::make_shared<const SavingsPolicy>(m_config.savings);
    m_upstream->setBuiltinPlainHttp(m_config.plainHttpClient == PlainHttpClient::Builtin,
                                    m_stats ? &m_stats->builtinUpstreamRequests : nullptr);
    m_server->setMaxPendingConnections(1024);
    // The kernel's accept queue (listen backlog; QTcpServer's default is 50). A burst of connections
    // beyond it has its handshakes or first requests dropped and retransmitted after 200 ms-1 s (a
    // 1,000-stream burst measured a 544 ms time to first byte); the kernel caps it at somaxconn.
    m_server->setListenBacklogSize(4096);
    connect(m_server, &QTcpServer::newConnection, this, &ProxyServer::onNewConnection);
    m_recordTimer.setSingleShot(true);
    m_recordTimer.setInterval(100);
    connect(&m_recordTimer, &QTimer::timeout, this, &ProxyServer::flushRecords);
    m_cacheFlushTimer.setInterval(2000);
    connect(&m_cacheFlushTimer, &QTimer::timeout, this, [this]() {
        if (m_cache) {
            if (auto r = m_cache->flushTouches(); !r)
                qCWarning(lcProxy) << "cache:" << r.error().message;
        }
    });
    m_releaseTimer.setSingleShot(true);
    m_releaseTimer.setInterval(250);
    connect(&m_releaseTimer, &QTimer::timeout, this, &ProxyServer::maybeReleaseFreedMemory);
    m_drainTimer.setSingleShot(true);
    connect(&m_drainTimer, &QTimer::timeout, this, [this]() {
        if (!m_drainAnswered) {
            // The drain deadline: every request still in flight gets its answer now (a 503, or the
            // error event that ends a stream) and its record; the connections then get a short grace
            // to take those bytes before the thread stops.
            m_drainAnswered = true;
            qCWarning(lcProxy) << "drain timeout: answering the requests in flight of" << m_connections.size()
                               << "connections";
            const auto connections = m_connections;
            for (ClientConnection *c : connections) {
                c->answerAtDrainDeadline(); // a request in flight (or whose body is still coming) is answered
                c->closeWhenIdle();
            }
            m_drainTimer.start(kDrainFlushMs);
            checkDrained();
            return;
        }
        qCWarning(lcProxy) << "drain: closing" << m_connections.size() << "connections that did not take their answer";
        abortAll();
        finishDrain();
    });
}

ProxyServer::~ProxyServer()
{
    abortAll();
    flushRecords();
}

Result<quint16> ProxyServer::start()
{
    if (auto v = m_config.validate(); !v)
        return std::unexpected(v.error());
    bool exactWanted = m_config.cache.enabled || !m_config.cache.path.isEmpty();
    for (const EndpointSavings &e : std::as_const(m_config.savings.endpoints))
        exactWanted = exactWanted || e.exactCache.value_or(false);
    if (exactWanted) {
        const QString path = m_config.cache.path.isEmpty() ? cache::ExactCache::pathForLedger(m_ledger.path())
                                                           : m_config.cache.path;
        auto c = cache::ExactCache::open(path, m_config.cache.maxBytes);
        if (!c)
            return std::unexpected(c.error());
        m_cache = std::move(*c);
        m_cacheFlushTimer.start();
    }
    if (auto s = openSavings(); !s)
        return std::unexpected(s.error());
    if (!m_server->listen(m_config.bindAddress, m_config.port)) {
        // A busy port is the usual case (another proxy, the app and `tokenledger proxy` both on 8787): say what
        // to do, not only the socket's words.
        const QString why = m_server->serverError() == QAbstractSocket::AddressInUseError
                                ? u"the port is already in use (another program listens there, perhaps another TokenLedger "
                                  "proxy); choose another port, or stop that program"_s
                                : m_server->errorString();
        return fail(ErrorCode::Io, u"Cannot listen on %1:%2: %3"_s.arg(m_config.bindAddress.toString())
                                       .arg(m_config.port)
                                       .arg(why));
    }
    qCInfo(lcProxy) << "listening on" << m_config.bindAddress.toString() << m_server->serverPort();
    // o200k_base (every current OpenAI model, and the estimate for unpublished tokenizers) loads now, in the
    // background, so the first token estimate (a cut stream) does not load it on this thread.
    queueEstimateEncoding(tokenizer::EncodingId::O200kBase);
    return m_server->serverPort();
}

void ProxyServer::onNewConnection()
{
    while (QTcpSocket *socket = m_server->nextPendingConnection()) {
        if (m_draining || m_connections.size() >= m_config.maxConnections) {
            // Over the limit: a short provider-neutral 503 and close.
            static const QByteArray body = proxy::errorBody(proxy::Dialect::OpenAi, 503,
                                                            u"The TokenLedger proxy has too many open connections."_s);
            socket->write("HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
                          "Connection: close\r\nContent-Length: "
                          + QByteArray::number(body.size()) + "\r\n\r\n" + body);
            socket->disconnectFromHost();
            connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
            continue;
        }
        auto *connection = new ClientConnection(socket, *this);
        m_connections.insert(connection);
        m_stats->openConnections.store(int(m_connections.size()));
        m_connectionPeak = std::max(m_connectionPeak, m_connections.size());
    }
}

void ProxyServer::connectionClosed(ClientConnection *connection)
{
    if (m_connections.remove(connection)) {
        connection->deleteLater();
        m_stats->openConnections.store(int(m_connections.size()));
        if (m_connectionPeak >= kReleaseAfterPeak && m_connections.size() <= m_connectionPeak / 4
            && !m_releaseTimer.isActive())
            m_releaseTimer.start();
    }
    checkDrained();
}

void ProxyServer::maybeReleaseFreedMemory()
{
    if (m_connections.size() > m_connectionPeak / 4 || m_releasing->load())
        return; // busy again: the next fall from the peak tries again
    const qint64 freeBytes = allocatorFreeBytes();
    if (freeBytes < kReleaseAboveBytes)
        return;
    m_connectionPeak = m_connections.size();
    m_releasing->store(true);
    QThreadPool::globalInstance()->start([releasing = m_releasing, stats = m_stats, freeBytes] {
        QElapsedTimer clock;
        clock.start();
        releaseFreedMemory();
        qCDebug(lcProxy) << "returned freed memory to the system:" << freeBytes / (1024 * 1024) << "MiB free in"
                         << clock.nsecsElapsed() / 1000 << "us";
        stats->freedMemoryReleases.fetch_add(1);
        releasing->store(false);
    });
}

ProxyServer::RequestKeys ProxyServer::requestKeys(const QString &upstreamId, const QString &api,
                                                  const QString &callerId, const QByteArray &rawBody,
                                                  const QJsonObject &body)
{
    constexpr qsizetype kMaxBody = 16 * 1024;
    constexpr qint64 kMaxBytes = 4 * 1024 * 1024;
    if (rawBody.size() > kMaxBody) {
        const QString hash = cache::requestHash(upstreamId, api, body);
        return {hash, cache::cacheKey(callerId, hash)};
    }
    QByteArray key;
    key.reserve(upstreamId.size() + api.size() + rawBody.size() + 2);
    key.append(upstreamId.toUtf8()).append('\x1f').append(api.toUtf8()).append('\x1f').append(rawBody);
    auto it = m_requestKeys.find(key);
    if (it == m_requestKeys.end()) {
        if (m_requestKeyBytes + key.size() > kMaxBytes) {
            m_requestKeys.clear();
            m_requestKeyBytes = 0;
        }
        m_requestKeyBytes += key.size();
        it = m_requestKeys.insert(key, {cache::requestHash(upstreamId, api, body), {}, {}});
    }
    if (it->cacheKey.isEmpty() || it->callerId != callerId) {
        it->callerId = callerId;
        it->cacheKey = cache::cacheKey(callerId, it->requestHash);
    }
    return {it->requestHash, it->cacheKey};
}

const ProxyServer::ParsedRequest *ProxyServer::parsedRequest(proxy::ApiKind kind, const QByteArray &rawBody,
                                                            QJsonParseError *error)
{
    constexpr qsizetype kMaxBody = 16 * 1024;
    // Counted as the key's bytes three times over plus 512 per entry: the parsed QJsonObject holds the body's
    // strings again, and its elements and the hash node cost more than the bytes (session-9 benchmark: with
    // only the key bytes counted against 4 MiB, 30,000 distinct miss bodies raised the RSS by about 14 MiB).
    constexpr qint64 kMaxBytes = 4 * 1024 * 1024;
    const auto parse = [&](ParsedRequest &into) {
        const QJsonDocument doc = QJsonDocument::fromJson(rawBody, error);
        if (error->error != QJsonParseError::NoError || !doc.isObject())
            return false;
        into.body = doc.object();
        into.info = proxy::inspectRequest(kind, into.body);
        return true;
    };
    *error = QJsonParseError{};
    if (rawBody.size() > kMaxBody)
        return parse(m_parsedScratch) ? &m_parsedScratch : nullptr;
    QByteArray key;
    key.reserve(rawBody.size() + 1);
    key.append(char(kind)).append(rawBody);
    if (auto it = m_parsedRequests.constFind(key); it != m_parsedRequests.constEnd())
        return &*it;
    ParsedRequest parsed;
    if (!parse(parsed))
        return nullptr;
    const qint64 cost = 3 * key.size() + 512;
    if (m_parsedRequestBytes + cost > kMaxBytes) {
        m_parsedRequests.clear();
        m_parsedRequestBytes = 0;
    }
    m_parsedRequestBytes += cost;
    return &*m_parsedRequests.insert(key, std::move(parsed));
}

QString ProxyServer::callerIdentityFor(const QByteArray &apiKey)
{
    auto it = m_callerIds.constFind(apiKey);
    if (it != m_callerIds.constEnd())
        return *it;
    if (m_callerIds.size() >= 1024)
        m_callerIds.clear();
    return *m_callerIds.insert(apiKey, callerIdentity(m_config.callerSalt, apiKey));
}

void ProxyServer::recordFinished(const CallRecord &record)
{
    m_pendingRecords.append(record);
    if (!m_recordTimer.isActive())
        m_recordTimer.start();
}

void ProxyServer::flushRecords()
{
    if (m_pendingRecords.isEmpty())
        return;
    Q_EMIT recordsFinished(std::exchange(m_pendingRecords, {}));
}

void ProxyServer::exchangeFinished()
{
    checkDrained();
}

void ProxyServer::drain(std::function<void()> done)
{
    m_draining = true;
    m_drainDone = std::move(done);
    m_server->close();
    for (ClientConnection *c : std::as_const(m_connections))
        c->closeWhenIdle();
    m_drainTimer.start(m_config.drainTimeoutMs);
    checkDrained();
}

void ProxyServer::drainNow()
{
    if (m_draining && m_drainDone && !m_drainAnswered)
        m_drainTimer.start(0);
}

void ProxyServer::checkDrained()
{
    // Drained when every connection is gone: answered, flushed and closed by the client or by us.
    if (!m_draining || !m_drainDone || !m_connections.isEmpty())
        return;
    finishDrain();
}

void ProxyServer::finishDrain()
{
    if (!m_drainDone)
        return;
    m_drainTimer.stop();
    flushRecords();
    if (m_cache)
        (void)m_cache->flushTouches();
    auto done = std::exchange(m_drainDone, {});
    done();
}

void ProxyServer::abortAll()
{
    const auto connections = m_connections;
    for (ClientConnection *c : connections) {
        if (c->busy())
            c->abortExchange(u"shutdown"_s);
        // Answers recorded and still held for a slow client: it will not get the rest (before session 14 their
        // records kept saying the answer was taken).
        c->markHeldAnswersShutdown();
        c->closeWhenIdle();
    }
}

Result<void> ProxyServer::clearCache()
{
    if (!m_cache)
        return {};
    return m_cache->clear();
}

void ProxyServer::setCacheConfig(const CacheConfig &cache)
{
    const QString path = m_config.cache.path;
    m_config.cache = cache;
    m_config.cache.path = path;
    if (m_cache)
        m_cache->setMaxBytes(cache.maxBytes);
}

Result<void> ProxyServer::openSavings()
{
    const SavingsPolicy &p = m_config.savings;
    bool semanticWanted = p.defaults.semanticCache;
    for (const EndpointSavings &e : p.endpoints)
        semanticWanted = semanticWanted || e.semanticCache;
    if (semanticWanted && !m_semantic) {
        const QString path = p.semanticCachePath.isEmpty() ? semantic::SemanticCache::pathForLedger(m_ledger.path())
                                                           : p.semanticCachePath;
        auto c = semantic::SemanticCache::open(path, {}, QDateTime::currentMSecsSinceEpoch() * 1000);
        if (!c)
            return std::unexpected(c.error());
        m_semantic = std::move(*c);
        m_semantic->setLocalEmbedder(*m_embedder);
    }
    bool compressionWanted = p.defaults.compression;
    for (const EndpointSavings &e : p.endpoints)
        compressionWanted = compressionWanted || e.compression;
    if (compressionWanted && !m_summaries->persistent()) {
        const QString path = p.summaryCachePath.isEmpty() ? m_ledger.path() + u".summaries.sqlite"_s : p.summaryCachePath;
        if (auto r = m_summaries->openDatabase(path); !r) // the memory cache still works
            qCWarning(lcProxy) << "summary cache:" << r.error().message;
    }
    m_fewShotIndexes.clear();
    m_fewShot.reset();
    // The example sets: the configured file, else "<ledger>.fewshot.json" when it exists.
    QString fewShotPath = p.fewShotPath;
    if (fewShotPath.isEmpty() && QFileInfo::exists(m_ledger.path() + u".fewshot.json"_s))
        fewShotPath = m_ledger.path() + u".fewshot.json"_s;
    if (!fewShotPath.isEmpty()) {
        auto store = std::make_unique<compress::FewShotStore>(fewShotPath);
        if (auto r = store->load(); !r)
            return fail(r.error().code, u"Few-shot examples (%1): %2"_s.arg(fewShotPath, r.error().message));
        m_fewShot = std::move(store);
    }
    m_routers.clear();
    return {};
}

Result<void> ProxyServer::setSavingsPolicy(const SavingsPolicy &policy)
{
    const SavingsPolicy previous = m_config.savings;
    m_config.savings = policy;
    if (auto r = openSavings(); !r) {
        m_config.savings = previous;
        (void)openSavings();
        return r;
    }
    m_savingsShared = std::make_shared<const SavingsPolicy>(m_config.savings);
    return {};
}

std::shared_ptr<const routing::Router> ProxyServer::sharedRouterFor(const QString &endpoint)
{
    routerFor(endpoint); // made if needed
    return m_routers.at(m_config.savings.endpoints.contains(endpoint) ? endpoint : QString());
}

const routing::Router &ProxyServer::routerFor(const QString &endpoint)
{
    const QString key = m_config.savings.endpoints.contains(endpoint) ? endpoint : QString();
    auto it = m_routers.find(key);
    if (it == m_routers.end()) {
        const EndpointSavings &e = key.isEmpty() ? m_config.savings.defaults : m_config.savings.endpoints[key];
        // This router serves one policy entry: every endpoint entry of its config (and "*") takes the
        // policy's mode, keeping its own rules and default task type.
        routing::RouterConfig config = e.router;
        config.endpoints[u"*"_s];
        for (auto ep = config.endpoints.begin(); ep != config.endpoints.end(); ++ep)
            ep->mode = e.routeMode;
        it = m_routers
                 .emplace(key, std::make_unique<routing::Router>(config, m_ledger.pricer()->bookPtr(), e.routingRules,
                                                                 e.complexityRouting))
                 .first;
    }
    return *it->second;
}

const compress::FewShotIndex *ProxyServer::fewShotIndex(const QString &name, const QString &endpoint,
                                                        const QString &model, QString *error)
{
    if (!m_fewShot) {
        *error = u"no few-shot example file is configured"_s;
        return nullptr;
    }
    const compress::FewShotSet *set = m_fewShot->find(name);
    if (!set) {
        *error = u"no few-shot set named \"%1\""_s.arg(name);
        return nullptr;
    }
    if (!set->endpoint.isEmpty() && set->endpoint != endpoint) {
        *error = u"few-shot set \"%1\" belongs to endpoint \"%2\""_s.arg(name, set->endpoint);
        return nullptr;
    }
    if (!m_tokenizers) {
        *error = u"no tokenizer to count the examples"_s;
        return nullptr;
    }
    const QString key = name + u'\x1f' + model;
    auto it = m_fewShotIndexes.find(key);
    if (it == m_fewShotIndexes.end()) {
        auto index = compress::FewShotIndex::build(*set, *m_embedder, *m_tokenizers, model);
        if (!index) {
            *error = index.error().message;
            return nullptr;
        }
        it = m_fewShotIndexes.emplace(key, std::make_unique<compress::FewShotIndex>(std::move(*index))).first;
    }
    return it->second.get();
}

void ProxyServer::rememberSemanticHit(qint64 recordId, qint64 entryId)
{
    if (m_semantic) // kept in the cache file too, for "mark wrong" in later runs
        (void)m_semantic->rememberHit(recordId, entryId);
    m_semanticHits.insert(recordId, entryId);
    m_semanticHitOrder.append(recordId);
    if (m_semanticHitOrder.size() > 20000) // the request log shows at most 2,000 rows
        m_semanticHits.remove(m_semanticHitOrder.takeFirst());
}

void ProxyServer::prepareEstimateEncoding(const QString &model)
{
    if (!m_tokenizers || (m_estimateEncodingQueued[0] && m_estimateEncodingQueued[1]) || m_estimateModelsSeen.contains(model))
        return;
    if (m_estimateModelsSeen.size() < 256 && model.size() <= 256)
        m_estimateModelsSeen.insert(model); // bounded: 256 names of at most 256 characters
    queueEstimateEncoding(tokenizer::encodingForModel(model).encoding);
}

void ProxyServer::queueEstimateEncoding(tokenizer::EncodingId id)
{
    bool &queued = m_estimateEncodingQueued[size_t(id)];
    if (!m_tokenizers || queued)
        return;
    queued = true;
    QThreadPool::globalInstance()->start([tokenizers = m_tokenizers, id] {
        (void)tokenizers->encoding(id); // loaded once; a failure is retried at first use
    });
}

Result<void> ProxyServer::markSemanticWrong(qint64 recordId)
{
    if (!m_semantic)
        return fail(ErrorCode::NotFound, u"The semantic cache is not open in this proxy run."_s);
    const auto it = m_semanticHits.constFind(recordId);
    if (it == m_semanticHits.constEnd()) // a hit of an earlier run: the cache file knows its entry
        return m_semantic->markRecordWrong(recordId);
    return m_semantic->markWrong(*it);
}

} // namespace tl
