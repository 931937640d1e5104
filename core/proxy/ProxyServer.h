#pragma once

#include "common/Result.h"
#include "ledger/CallRecord.h"
#include "proxy/ProviderProtocol.h"
#include "proxy/ProxyConfig.h"
#include "proxy/ProxyStats.h"
#include "tokenizer/EncodingSpec.h"

#include <QHash>
#include <QJsonObject>
#include <QJsonParseError>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <memory>

class QTcpServer;

namespace tl {

class Ledger;
class UpstreamClient;
class ClientConnection;
namespace cache {
class ExactCache;
}
namespace tokenizer {
class Tokenizers;
}
namespace routing {
class Router;
}
namespace semantic {
class LocalEmbedder;
class SemanticCache;
}
namespace compress {
class SummaryCache;
class FewShotStore;
class FewShotIndex;
}

// The proxy's worker: listening socket, client connections, upstream client and exact cache, all
// created in and used from the proxy thread (see Proxy, which owns the thread). Each answered request
// becomes one CallRecord, priced with Ledger::pricer() and handed to Ledger::writer().submit()
// (non-blocking); records are also announced in batches (recordsFinished, at most every 100 ms).
// Thread affinity: the proxy thread only (Ledger's pricer() and writer().submit() are thread-safe).
class ProxyServer final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProxyServer)

public:
    ProxyServer(ProxyConfig config, Ledger &ledger, std::shared_ptr<ProxyStats> stats,
                std::shared_ptr<const tokenizer::Tokenizers> tokenizers = {}, QObject *parent = nullptr);
    ~ProxyServer() override;

    // Opens the cache and starts listening; returns the bound port.
    Result<quint16> start();
    // Stops accepting, lets in-flight requests finish (at most drainTimeoutMs; then each still in flight
    // is answered with a 503 or, once streaming, an error event, and recorded with what was known:
    // ClientConnection::answerAtDrainDeadline), waits at most kDrainFlushMs more for those answers to
    // leave, flushes the announced records and calls `done`.
    void drain(std::function<void()> done);
    // During a drain: the drain deadline now (a second SIGINT/SIGTERM of `tokenledger proxy`). Every
    // request in flight is answered and recorded as at the deadline. Nothing when not draining.
    void drainNow();
    // Aborts every in-flight request (recorded as "shutdown"), marks every recorded answer still held for a
    // client "shutdown" (ClientConnection::markHeldAnswersShutdown) and closes all connections.
    void abortAll();
    Result<void> clearCache();
    void setCacheConfig(const CacheConfig &cache);
    // Replaces the savings policy for new requests (opens the semantic cache if it becomes needed).
    Result<void> setSavingsPolicy(const SavingsPolicy &policy);
    // "This semantic hit was wrong": removes the cache entry that answered record `recordId` (a record
    // of this proxy run). NotFound when the record was not a semantic hit of this run or the entry is gone.
    Result<void> markSemanticWrong(qint64 recordId);

    // Used by the connections.
    const ProxyConfig &config() const { return m_config; }
    Ledger &ledger() { return m_ledger; }
    UpstreamClient &upstream() { return *m_upstream; }
    cache::ExactCache *exactCache() { return m_cache.get(); }
    ProxyStats &stats() { return *m_stats; }
    const tokenizer::Tokenizers *tokenizers() const { return m_tokenizers.get(); }
    // Called with each parsed request's model: the first time a model of an encoding this server has not
    // asked for yet arrives (cl100k_base for gpt-4, gpt-3.5 and the older embeddings; Proxy::start loads
    // o200k_base), that encoding loads on QThreadPool, so a later token estimate (a cut stream) does not
    // load a rank file on the proxy thread (30-160 ms, every client held meanwhile). Cost per request: one
    // hash lookup of the model name (at most 256 names of at most 256 characters are remembered; any
    // other name goes through encodingForModel() each time).
    void prepareEstimateEncoding(const QString &model);
    // Loads `id` on QThreadPool unless this server asked for it already (start() asks for o200k_base).
    void queueEstimateEncoding(tokenizer::EncodingId id);
    bool draining() const { return m_draining; }
    // Savings (issue #5); all on the proxy thread.
    const SavingsPolicy &savings() const { return m_config.savings; }
    // The policy of one endpoint, sharing the current policy (kept alive by the pointer).
    std::shared_ptr<const EndpointSavings> savingsFor(const QString &endpoint) const
    {
        return {m_savingsShared, &m_savingsShared->forEndpoint(endpoint)};
    }
    const routing::Router &routerFor(const QString &endpoint);
    // The same router, for work handed to another thread (Router is thread-safe; the pointer keeps it
    // alive after a policy change replaced it).
    std::shared_ptr<const routing::Router> sharedRouterFor(const QString &endpoint);
    const semantic::LocalEmbedder &localEmbedder() const { return *m_embedder; }
    // The same embedder, for work handed to another thread (it is immutable; the pointer keeps it
    // alive after this server is gone).
    std::shared_ptr<const semantic::LocalEmbedder> sharedLocalEmbedder() const { return m_embedder; }
    semantic::SemanticCache *semanticCache() { return m_semantic.get(); }
    compress::SummaryCache &summaryCache() { return *m_summaries; }
    // The example set `name` indexed for `model`; nullptr with `error` set when there is none.
    const compress::FewShotIndex *fewShotIndex(const QString &name, const QString &endpoint, const QString &model,
                                               QString *error);
    void rememberSemanticHit(qint64 recordId, qint64 entryId);
    // CallRecord::requestHash (cache::requestHash) and the exact-cache key (cache::cacheKey) of a
    // request, remembered by the exact bytes the client sent with the upstream id and API: a client
    // repeating a request (an exact-cache hit, a retry) sends the same bytes, and the canonical form
    // plus two SHA-256 were about a tenth of a hit's CPU. Bodies up to 16 KiB, at most 4 MiB of them
    // (then all forgotten at once). `body` is `rawBody` parsed.
    struct RequestKeys
    {
        QString requestHash;
        QString cacheKey;
    };
    RequestKeys requestKeys(const QString &upstreamId, const QString &api, const QString &callerId,
                            const QByteArray &rawBody, const QJsonObject &body);
    // A priced request's JSON body parsed (QJsonDocument::fromJson) and inspected (proxy::inspectRequest),
    // remembered by the API and the exact bytes the client sent (bodies up to 16 KiB; at most about 4 MiB in
    // all, an entry counted as three times its bytes plus 512, then all forgotten at once), so a repeated request (an exact-cache hit, a retry) parses nothing: the
    // parse and the inspection were about a twelfth of a hit's proxy-thread CPU (perf, session 9). The
    // QJsonObject is implicitly shared: a caller that changes its copy detaches it. nullptr with `error`
    // set when the body is not valid JSON (QJsonParseError; error.error == NoError for valid JSON that is
    // not an object); failures are not remembered. The pointer is valid until the next call.
    struct ParsedRequest
    {
        QJsonObject body;
        proxy::RequestInfo info;
    };
    const ParsedRequest *parsedRequest(proxy::ApiKind kind, const QByteArray &rawBody, QJsonParseError *error);
    // callerIdentity(config().callerSalt, apiKey), remembered for the keys seen last (at most 1,024, in
    // memory only): one lookup per request instead of an HMAC, also for a client that opens a connection
    // per request.
    QString callerIdentityFor(const QByteArray &apiKey);
    void recordFinished(const CallRecord &record);
    void connectionClosed(ClientConnection *connection);
    void exchangeFinished();

Q_SIGNALS:
    void recordsFinished(const QList<CallRecord> &records);

private:
    void onNewConnection();
    void flushRecords();
    void checkDrained();
    void finishDrain();

    ProxyConfig m_config;
    Ledger &m_ledger;
    std::shared_ptr<ProxyStats> m_stats;
    std::shared_ptr<const tokenizer::Tokenizers> m_tokenizers;
    QSet<QString> m_estimateModelsSeen;  // prepareEstimateEncoding()
    std::array<bool, 2> m_estimateEncodingQueued{};
    QTcpServer *m_server = nullptr;
    std::unique_ptr<UpstreamClient> m_upstream;
    std::unique_ptr<cache::ExactCache> m_cache;
    Result<void> openSavings();
    std::shared_ptr<const semantic::LocalEmbedder> m_embedder;
    std::unique_ptr<semantic::SemanticCache> m_semantic;
    std::unique_ptr<compress::SummaryCache> m_summaries;
    std::unique_ptr<compress::FewShotStore> m_fewShot;
    std::map<QString, std::unique_ptr<compress::FewShotIndex>> m_fewShotIndexes; // set + '\x1f' + model
    std::map<QString, std::shared_ptr<routing::Router>> m_routers;               // endpoint ("" = default)
    std::shared_ptr<const SavingsPolicy> m_savingsShared; // a copy of m_config.savings for savingsFor()
    struct RememberedKeys
    {
        QString requestHash;
        QString callerId; // the last caller's cache key
        QString cacheKey;
    };
    QHash<QByteArray, RememberedKeys> m_requestKeys; // upstream id \x1f API \x1f body bytes
    qint64 m_requestKeyBytes = 0;
    QHash<QByteArray, ParsedRequest> m_parsedRequests; // ApiKind as one byte + body bytes
    qint64 m_parsedRequestBytes = 0;
    ParsedRequest m_parsedScratch; // a body too large to remember
    QHash<QByteArray, QString> m_callerIds; // API key -> caller identity (callerIdentityFor)
    QHash<qint64, qint64> m_semanticHits; // record id -> semantic entry id (this run, bounded)
    QList<qint64> m_semanticHitOrder;
    QSet<ClientConnection *> m_connections;
    QList<CallRecord> m_pendingRecords;
    QTimer m_recordTimer;
    QTimer m_cacheFlushTimer;
    bool m_draining = false;
    std::function<void()> m_drainDone;
    QTimer m_drainTimer;
    // Memory after bursts (common/FreedMemory.h): when the open connections fall to a quarter of their peak
    // since the last release (a peak of 64 or more), and 250 ms later they are still that low and the
    // allocator holds 16 MiB or more freed, a pool thread returns the freed pages to the system.
    void maybeReleaseFreedMemory();
    qsizetype m_connectionPeak = 0;
    QTimer m_releaseTimer;
    std::shared_ptr<std::atomic<bool>> m_releasing = std::make_shared<std::atomic<bool>>(false);
    bool m_drainAnswered = false; // the drain deadline passed: in-flight requests were answered
    // After the drain deadline: how long the answered connections get to take their last bytes.
    static constexpr int kDrainFlushMs = 2000;
    static constexpr qsizetype kReleaseAfterPeak = 64;            // connections
    static constexpr qint64 kReleaseAboveBytes = 16 * 1024 * 1024; // freed bytes the allocator holds
};

} // namespace tl
