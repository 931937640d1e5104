#include "ProxyServer.h"

#include "cache/ExactCache.h"
#include "common/Logging.h"
#include "ledger/Ledger.h"
#include "proxy/ClientConnection.h"
#include "proxy/UpstreamClient.h"

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
{
    m_server->setMaxPendingConnections(1024);
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
    m_drainTimer.setSingleShot(true);
    connect(&m_drainTimer, &QTimer::timeout, this, [this]() {
        qCWarning(lcProxy) << "drain timeout: aborting" << m_connections.size() << "connections";
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
    if (m_config.cache.enabled || !m_config.cache.path.isEmpty()) {
        const QString path = m_config.cache.path.isEmpty() ? cache::ExactCache::pathForLedger(m_ledger.path())
                                                           : m_config.cache.path;
        auto c = cache::ExactCache::open(path, m_config.cache.maxBytes);
        if (!c)
            return std::unexpected(c.error());
        m_cache = std::move(*c);
        m_cacheFlushTimer.start();
    }
    if (!m_server->listen(m_config.bindAddress, m_config.port))
        return fail(ErrorCode::Io, u"Cannot listen on %1:%2: %3"_s.arg(m_config.bindAddress.toString())
                                       .arg(m_config.port)
                                       .arg(m_server->errorString()));
    qCInfo(lcProxy) << "listening on" << m_config.bindAddress.toString() << m_server->serverPort();
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
    }
}

void ProxyServer::connectionClosed(ClientConnection *connection)
{
    if (m_connections.remove(connection)) {
        connection->deleteLater();
        m_stats->openConnections.store(int(m_connections.size()));
    }
    checkDrained();
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

} // namespace tl
