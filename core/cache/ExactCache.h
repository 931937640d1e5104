#pragma once

#include "common/Result.h"
#include "ledger/CallRecord.h"

#include <QByteArray>
#include <QHash>
#include <QSet>
#include <QString>

#include <atomic>
#include <list>
#include <memory>
#include <optional>

namespace tl::cache {

// The semantic fields of a savings trace, filled once, possibly on another thread than the one that
// made the slot (the proxy computes them on the ledger writer's thread, after the response): `trace`
// is written before `ready` is set (release) and read only after `ready` was seen true (acquire);
// never changed afterwards.
struct SemanticTraceSlot
{
    std::atomic<bool> ready{false};
    SavingsTrace trace;
};

// A stored answer: the complete JSON body a non-streaming call returns (streams are assembled into
// this form), so it can be replayed as JSON or as SSE.
struct CachedAnswer
{
    QString api;         // "chat.completions", "messages", ... (proxy::apiName)
    QByteArray body;     // compact JSON
    QString servedModel;
    qint64 createdAtUs = 0;
    qint64 expiresAtUs = 0;
    // Memory only, never persisted: the answer's usage as the proxy reads it from `body`
    // (proxy::usageFromAnswer), kept so a JSON hit needs no parse of the body. The proxy fills it when
    // it stores the answer, or on the first hit of an entry loaded from the file.
    std::optional<Usage> usage;
    // Memory only: the semantic fields of the savings trace (semanticScope, guardSignature,
    // embeddingModel, embedding) recorded for the request this answer belongs to. They are functions
    // of the canonical request and the caller, as the key is, so every hit on the key records the
    // same values without embedding the request again. Made by the proxy, which may fill it later on
    // the ledger writer's thread (SemanticTraceSlot).
    std::shared_ptr<SemanticTraceSlot> semanticTrace;
};

struct CacheStats
{
    qint64 entries = 0;
    qint64 bytes = 0;
    qint64 hits = 0;
    qint64 misses = 0;
};

// The proxy's exact cache: answers by cacheKey() (caller identity + canonical request hash), with a
// TTL per entry (seconds, set by the caller; default 3600 s in ProxyConfig) and a size limit in bytes
// (sum of stored bodies) enforced by evicting the least recently used entries.
// Persisted in its own SQLite file (WAL) beside the ledger, "<ledger>.cache.sqlite", so it survives
// restarts; the working set is also held in memory, so a hit costs a hash lookup. Last-use times
// reach the file in batches (flushTouches()).
// Thread affinity: open, use and destroy on one thread (the proxy worker thread); the SQLite
// connection is created there. Errors: open() fails with Database/Io; store/clear return Database
// errors and keep the in-memory state consistent.
class ExactCache
{
public:
    static Result<std::unique_ptr<ExactCache>> open(const QString &path, qint64 maxBytes);
    ~ExactCache();
    ExactCache(const ExactCache &) = delete;
    ExactCache &operator=(const ExactCache &) = delete;

    // Path of the cache file for a ledger file.
    static QString pathForLedger(const QString &ledgerPath);

    // A live (not expired) answer, marked as most recently used; counts a hit or a miss. The pointer
    // stays valid until the next call of a non-const member; the caller may fill its `usage`. A hit is
    // answered from memory (no SQLite read); the new last-use time reaches the file with flushTouches().
    CachedAnswer *lookup(const QString &key, qint64 nowUs);
    // Stores or replaces an answer, then evicts LRU entries until within maxBytes. An answer larger
    // than maxBytes is not stored.
    Result<void> store(const QString &key, const QString &callerId, CachedAnswer answer);
    Result<void> clear();
    Result<void> flushTouches();
    void setMaxBytes(qint64 maxBytes);
    CacheStats stats() const;

private:
    ExactCache(QString connectionName, qint64 maxBytes);
    Result<void> load(qint64 nowUs);
    void removeEntry(QString key); // by value: callers pass m_lru.front(), which the removal frees

    struct Node
    {
        CachedAnswer answer;
        qint64 lastUsedUs = 0;
        std::list<QString>::iterator lru;
    };
    QString m_connection;
    qint64 m_maxBytes;
    qint64 m_bytes = 0;
    qint64 m_hits = 0;
    qint64 m_misses = 0;
    QHash<QString, Node> m_entries;
    std::list<QString> m_lru; // front = least recently used
    QSet<QString> m_touched;
};

} // namespace tl::cache
