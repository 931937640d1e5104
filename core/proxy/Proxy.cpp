#include "Proxy.h"

#include "cache/ExactCache.h"
#include "common/Logging.h"
#include "ledger/Ledger.h"
#include "proxy/EpollEventDispatcher.h"
#include "proxy/ProxyServer.h"
#include "tokenizer/Tokenizers.h"

#include <QPromise>

using namespace Qt::StringLiterals;

namespace tl {

void ThreadDeleter::operator()(QThread *thread) const
{
    thread->quit();
    thread->wait();
    delete thread;
}

Proxy::Proxy(Ledger &ledger, std::shared_ptr<const tokenizer::Tokenizers> tokenizers, QObject *parent)
    : QObject(parent)
    , m_ledger(ledger)
    , m_tokenizers(std::move(tokenizers))
    , m_stats(std::make_shared<ProxyStats>())
{
    qRegisterMetaType<QList<tl::CallRecord>>();
    // A record this proxy announced (recordsFinished) may be settled later (background responses).
    connect(&ledger, &Ledger::recordSettled, this, &Proxy::recordSettled);
    // ... or amended once its client did not take the whole answer (ClientConnection::markAnswersCut).
    connect(&ledger, &Ledger::recordMarkedCut, this, &Proxy::recordMarkedCut);
}

Proxy::~Proxy()
{
    if (m_thread && m_anchor) {
        QMetaObject::invokeMethod(
            m_anchor,
            [this]() {
                delete m_server; // aborts and records in-flight requests, closes the cache
                m_server = nullptr;
            },
            Qt::BlockingQueuedConnection);
    }
    m_thread.reset();
}

QFuture<Result<quint16>> Proxy::start(ProxyConfig config)
{
    auto promise = std::make_shared<QPromise<Result<quint16>>>();
    QFuture<Result<quint16>> future = promise->future();
    promise->start();
    if (m_thread) {
        promise->addResult(fail(ErrorCode::InvalidArgument, u"The proxy is already running."_s));
        promise->finish();
        return future;
    }
    if (auto v = config.validate(); !v) {
        promise->addResult(std::unexpected(v.error()));
        promise->finish();
        return future;
    }
    m_config = config;
    m_stats = std::make_shared<ProxyStats>();
    m_thread.reset(new QThread);
    m_thread->setObjectName(u"tokenledger-proxy"_s);
#ifdef Q_OS_LINUX
    // An epoll dispatcher on this thread (EpollEventDispatcher.h says why); TOKENLEDGER_PROXY_DISPATCHER=qt
    // keeps Qt's own, for comparison.
    if (qEnvironmentVariable("TOKENLEDGER_PROXY_DISPATCHER") != "qt"_L1) {
        auto dispatcher = std::make_unique<EpollEventDispatcher>();
        if (dispatcher->isValid()) {
            dispatcher->setBusyPollNs(qint64(config.busyPollUs) * 1000); // ProxyConfig::busyPollUs
            m_thread->setEventDispatcher(dispatcher.release());
        }
    }
#endif
    m_anchor = new QObject;
    m_anchor->moveToThread(m_thread.get()); // a plain QObject; everything with sockets is built inside
    connect(m_thread.get(), &QThread::finished, m_anchor, &QObject::deleteLater);
    m_thread->start();
    QMetaObject::invokeMethod(m_anchor, [this, config = std::move(config), promise]() mutable {
        auto *server = new ProxyServer(std::move(config), m_ledger, m_stats, m_tokenizers);
        connect(server, &ProxyServer::recordsFinished, this, &Proxy::recordsFinished);
        auto port = server->start();
        if (!port) {
            delete server;
            QThread::currentThread()->quit();
        } else {
            m_server = server;
        }
        promise->addResult(port);
        promise->finish();
    });
    return future.then(this, [this](Result<quint16> port) {
        if (!port) {
            m_thread.reset();
            m_anchor = nullptr;
            return port;
        }
        m_running = true;
        m_port = *port;
        Q_EMIT runningChanged(true);
        return port;
    });
}

void Proxy::hurryStop()
{
    if (!m_thread || !m_anchor)
        return;
    QMetaObject::invokeMethod(m_anchor, [this]() {
        if (m_server)
            m_server->drainNow();
    });
}

QFuture<void> Proxy::stop()
{
    if (!m_thread || !m_anchor) {
        QPromise<void> done;
        done.start();
        done.finish();
        return done.future();
    }
    auto promise = std::make_shared<QPromise<void>>();
    promise->start();
    QFuture<void> future = promise->future();
    QMetaObject::invokeMethod(m_anchor, [this, promise]() {
        if (!m_server) {
            promise->finish();
            return;
        }
        m_server->drain([this, promise]() {
            // Deleting from inside its own callback would pull the rug: defer one turn.
            QMetaObject::invokeMethod(m_anchor, [this, promise]() {
                delete m_server;
                m_server = nullptr;
                promise->finish();
            }, Qt::QueuedConnection);
        });
    });
    return future.then(this, [this]() {
        m_thread.reset();
        m_anchor = nullptr;
        m_running = false;
        m_port = 0;
        Q_EMIT runningChanged(false);
    });
}

QFuture<Result<void>> Proxy::clearCache()
{
    auto promise = std::make_shared<QPromise<Result<void>>>();
    promise->start();
    QFuture<Result<void>> future = promise->future();
    if (m_thread && m_anchor) {
        QMetaObject::invokeMethod(m_anchor, [this, promise]() {
            promise->addResult(m_server ? m_server->clearCache() : Result<void>{});
            promise->finish();
        });
        return future;
    }
    const QString path = m_config.cache.path.isEmpty() ? cache::ExactCache::pathForLedger(m_ledger.path())
                                                       : m_config.cache.path;
    auto c = cache::ExactCache::open(path, m_config.cache.maxBytes);
    promise->addResult(c ? (*c)->clear() : Result<void>(std::unexpected(c.error())));
    promise->finish();
    return future;
}

void Proxy::setCacheConfig(const CacheConfig &cache)
{
    m_config.cache.enabled = cache.enabled;
    m_config.cache.ttlSeconds = cache.ttlSeconds;
    m_config.cache.ttlPerEndpoint = cache.ttlPerEndpoint;
    m_config.cache.maxBytes = cache.maxBytes;
    m_config.cache.storeTruncated = cache.storeTruncated;
    if (m_thread && m_anchor) {
        QMetaObject::invokeMethod(m_anchor, [this, cache]() {
            if (m_server)
                m_server->setCacheConfig(cache);
        });
    }
}

QFuture<Result<void>> Proxy::setSavingsPolicy(const SavingsPolicy &policy)
{
    auto promise = std::make_shared<QPromise<Result<void>>>();
    promise->start();
    QFuture<Result<void>> future = promise->future();
    m_config.savings = policy;
    if (m_thread && m_anchor) {
        QMetaObject::invokeMethod(m_anchor, [this, promise, policy]() {
            promise->addResult(m_server ? m_server->setSavingsPolicy(policy) : Result<void>{});
            promise->finish();
        });
        return future;
    }
    promise->addResult(Result<void>{});
    promise->finish();
    return future;
}

QFuture<Result<void>> Proxy::markSemanticHitWrong(qint64 recordId)
{
    auto promise = std::make_shared<QPromise<Result<void>>>();
    promise->start();
    QFuture<Result<void>> future = promise->future();
    if (m_thread && m_anchor) {
        QMetaObject::invokeMethod(m_anchor, [this, promise, recordId]() {
            promise->addResult(m_server ? m_server->markSemanticWrong(recordId)
                                        : Result<void>(fail(ErrorCode::NotFound, u"The proxy is not running."_s)));
            promise->finish();
        });
        return future;
    }
    promise->addResult(fail(ErrorCode::NotFound, u"The proxy is not running."_s));
    promise->finish();
    return future;
}

} // namespace tl
