#pragma once

#include "common/Result.h"
#include "ledger/CallRecord.h"
#include "ledger/PendingUsage.h"
#include "proxy/ProxyConfig.h"
#include "proxy/ProxyStats.h"

#include <QFuture>
#include <QList>
#include <QObject>
#include <QThread>

#include <memory>

namespace tl {

class Ledger;
class ProxyServer;
namespace tokenizer {
class Tokenizers;
}

// Owns a QThread; deleting it quits the thread's event loop and waits for it (qBittorrent's
// utils/thread.h pattern).
struct ThreadDeleter
{
    void operator()(QThread *thread) const;
};
using ThreadPtr = std::unique_ptr<QThread, ThreadDeleter>;

// The embedded local OpenAI/Anthropic-compatible proxy (issue 3): a facade that runs a ProxyServer on
// its own worker thread. The server, its sockets, the upstream client (libcurl multi) and the exact
// cache's SQLite connection are all created inside that thread.
//
// On Linux the worker thread runs an epoll event dispatcher (EpollEventDispatcher; environment
// TOKENLEDGER_PROXY_DISPATCHER=qt keeps Qt's default one), busy polling for ProxyConfig::busyPollUs after
// traffic (other systems: no busy polling).
// Every answered request is recorded in `ledger` (Ledger::writer().submit(), non-blocking) and
// announced in batches by recordsFinished() on this object's thread; a pending record settled later is
// announced by recordSettled(), a record amended later because its client did not take the whole answer
// by recordMarkedCut().
// Thread affinity: create, call and destroy on one thread (the GUI thread or the headless command's
// main thread). `ledger` must outlive the proxy.
// Errors: start() fails with InvalidArgument (bad config, non-loopback bind without access token),
// Io (port in use) or Database (cache file).
class Proxy final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Proxy)

public:
    // `tokenizers` (optional) estimates the usage of streams that end without the provider's usage;
    // without it such records keep UsageStatus::Unknown. A successful start() loads its o200k_base
    // encoding (the one of GPT-4o and later, and of every estimate for Claude, Gemini and unknown models)
    // on a thread of QThreadPool::globalInstance(), so the first estimate does not hold the proxy thread,
    // and every stream on it, for the load (30-160 ms); it costs about 9 MiB of RSS. cl100k_base (GPT-4,
    // GPT-3.5) still loads on its first use.
    explicit Proxy(Ledger &ledger, std::shared_ptr<const tokenizer::Tokenizers> tokenizers = {},
                   QObject *parent = nullptr);
    ~Proxy() override; // aborts in-flight requests (each recorded) and stops the thread

    // Starts the worker thread and listens; the future gives the bound port.
    QFuture<Result<quint16>> start(ProxyConfig config);
    // Graceful stop: no new connections, in-flight requests finish (up to drainTimeoutMs), every
    // record is handed to the ledger writer, then the thread ends. Finishes at once when not running.
    QFuture<void> stop();
    // During stop(): ends the drain now, as at drainTimeoutMs (requests in flight get a 503 or a stream's
    // error event, and their records), so stop() finishes within a short grace. Nothing when no stop
    // runs. Thread affinity: the Proxy's thread.
    void hurryStop();
    bool isRunning() const { return m_running; }
    quint16 port() const { return m_port; }
    const ProxyConfig &config() const { return m_config; }
    const ProxyStats &stats() const { return *m_stats; }

    // Empties the exact cache (of the running proxy, or the file of `config().cache.path` / the
    // ledger's cache file when stopped).
    QFuture<Result<void>> clearCache();
    // Applies new cache settings (TTL, size limit) to a running proxy.
    void setCacheConfig(const CacheConfig &cache);
    // Replaces the savings policy (routing, semantic cache, compression, few-shot) for new requests of
    // a running proxy, and for the next start. Errors: the semantic cache or few-shot file cannot be
    // opened (the previous policy stays in force).
    QFuture<Result<void>> setSavingsPolicy(const SavingsPolicy &policy);
    // The request log's "Mark semantic hit wrong": removes the semantic-cache entry that answered the
    // record `recordId` (a semantic hit of the running proxy), on the proxy thread, so the next similar
    // request misses. Errors: NotFound (not a semantic hit of this run, entry already gone, proxy
    // stopped), Database.
    QFuture<Result<void>> markSemanticHitWrong(qint64 recordId);

Q_SIGNALS:
    void recordsFinished(const QList<tl::CallRecord> &records);
    // A pending record (an OpenAI background response, announced by recordsFinished() with
    // UsageStatus::Pending) got its usage and cost from a later retrieve: Ledger::recordSettled, relayed.
    void recordSettled(const tl::PendingUsage::Settled &settled);
    // A record announced by recordsFinished() whose client then did not take the whole answer (cut off at the
    // write timeout, gone, or the proxy stopped first) was amended: it now has error_kind `errorKind`
    // ("client_stalled", "client_closed", "shutdown"; status, usage and cost unchanged). Ledger::recordMarkedCut,
    // relayed; it may come before the recordsFinished() that announces the record (records go in batches).
    void recordMarkedCut(qint64 recordId, const QString &errorKind);
    void runningChanged(bool running);

private:
    Ledger &m_ledger;
    std::shared_ptr<const tokenizer::Tokenizers> m_tokenizers;
    ProxyConfig m_config;
    std::shared_ptr<ProxyStats> m_stats;
    ThreadPtr m_thread;
    QObject *m_anchor = nullptr;    // lives in the worker thread; runs work there
    ProxyServer *m_server = nullptr; // touched only in the worker thread
    bool m_running = false;
    quint16 m_port = 0;
};

} // namespace tl
