#pragma once

#include "common/Money.h"
#include "common/Result.h"
#include "semantic/LocalEmbedder.h"
#include "semantic/SemanticIndex.h"
#include "semantic/SemanticKey.h"

#include <QByteArray>
#include <QString>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

namespace tl::semantic {

// A stored answer, as the proxy replays it.
struct StoredResponse
{
    QByteArray body; // the complete non-streaming JSON body (streams assembled, as in the exact cache)
    QByteArray headers; // response headers worth replaying, as the proxy serialises them (opaque here)
    QString contentType; // e.g. "application/json"
    QString servedModel; // the model that produced the answer
    NanoUsd originalCost = 0; // cost of the original call in nano-USD (the saving per hit); 0 if unpriced
    bool originalCostKnown = false;
};

struct SemanticHit
{
    qint64 entryId = -1;
    float similarity = 0; // cosine, >= the threshold asked for
    StoredResponse response;
    qint64 createdUs = 0;
    qint64 expiresUs = 0;
    qint64 hits = 0; // hits including this one
};

struct SemanticCacheStats
{
    qint64 entries = 0;
    qint64 bytes = 0; // sum of entryBytes() of live entries
    qint64 hits = 0; // this session
    qint64 misses = 0;
};

// The proxy's semantic cache: answers found by embedding similarity within an exact scope (see
// SemanticKey), persisted in its own SQLite file beside the ledger, "<ledger>.semantic.sqlite"
// (pathForLedger()), WAL, one named connection per instance, every value a bound parameter.
//
// Storage per entry: id, scope, guard signature, embedding model key, the vector and the focus vector
// (float32 little-endian blobs; focus may be NULL), response body/headers/content type, served model, created/expires
// (us since the epoch, UTC), hits, last hit, original cost (nano-USD, NULL when unpriced). Memory: only vectors and
// bookkeeping are in memory (in one SemanticIndex per embedding model key, so vectors of different embedders are never
// compared); a hit reads its body from the file. Open: deletes expired rows and loads the live entries' vectors
// into the indexes (1.4 s for 100k 512-dim entries, docs/savings.md); no HNSW graph is persisted, so the first
// lookup in a scope of 4,096+ entries builds its graph (1.7 s for 5,000 entries on the development machine).
// Limits: maxEntries and maxBytes (entryBytes() summed); store() evicts the OLDEST entries (by created
// time) until both hold. TTL per entry, given to store().
// Thread affinity: open, use and destroy on one thread (the proxy worker thread); the connection is
// created there. Errors: open() fails with Database (corrupt file, not a database, schema from a newer
// version) or Io (directory missing, unwritable); lookup/store/markWrong return Database errors (disk
// full, ...) and leave the in-memory state consistent with the file. Never throws, never crashes.
class SemanticCache
{
public:
    struct Limits
    {
        qint64 maxEntries = 100'000;
        qint64 maxBytes = 512LL * 1024 * 1024;
    };

    static Result<std::unique_ptr<SemanticCache>> open(const QString &path, Limits limits, qint64 nowUs,
                                                       SemanticIndex::Options indexOptions = {});
    // The local embedder lookup() and store() use for a missing focus vector (default: unkeyed, 512 dims);
    // the proxy sets its keyed one, so its modelKey() is the one its entries carry.
    void setLocalEmbedder(const LocalEmbedder &embedder) { m_local = embedder; }
    ~SemanticCache();
    SemanticCache(const SemanticCache &) = delete;
    SemanticCache &operator=(const SemanticCache &) = delete;

    // "<ledger>.semantic.sqlite".
    static QString pathForLedger(const QString &ledgerPath);

    // The best live entry for `key` whose vector (same embeddingModel, same dims) is at least `threshold`
    // similar (SemanticIndex::best); counts a hit (also in the file) or a miss. Ok(nullopt) is a miss.
    // vector: the embedding of key.text. focusVector: the embedding of key.lastUserText by the SAME
    // model (see SemanticIndex, "Focus vectors"); when it is empty and embeddingModel is the local
    // embedder's modelKey() with its dims, the cache computes it itself with LocalEmbedder, so local
    // callers are always protected. A remote model without a focus vector gets no focus check: pass
    // both inputs in one embeddings call (embeddingRequest with two inputs) to keep it.
    Result<std::optional<SemanticHit>> lookup(const SemanticKey &key, const QString &embeddingModel,
                                              const std::vector<float> &vector, float threshold, qint64 nowUs,
                                              const std::vector<float> &focusVector = {});

    // Stores an answer for `key` that lives ttlSeconds from nowUs; returns the new entry id. Then evicts
    // the oldest entries until the limits hold. An entry larger than maxBytes is not stored
    // (InvalidArgument). vector, focusVector: as for lookup(), L2-normalised float32.
    Result<qint64> store(const SemanticKey &key, const QString &embeddingModel, const std::vector<float> &vector,
                         const StoredResponse &response, qint64 ttlSeconds, qint64 nowUs,
                         const std::vector<float> &focusVector = {});

    // "This hit was wrong" from the request log: removes the entry from the file and the index.
    // NotFound if there is no such entry (already evicted, expired or removed).
    Result<void> markWrong(qint64 entryId);
    // The ledger record `recordId` (CallRecord::id) was answered by entry `entryId`: kept in the cache
    // file (table semantic_hits) until the entry goes, so markRecordWrong() works in later proxy runs.
    // InvalidArgument for a record id <= 0 or an entry that is not in the cache; Database on a write error.
    Result<void> rememberHit(qint64 recordId, qint64 entryId);
    // The live entry that answered `recordId` (nullopt: none remembered, or the entry is gone).
    Result<std::optional<qint64>> entryForRecord(qint64 recordId) const;
    // "This hit was wrong" for a request-log record of this or an earlier run: markWrong() on the entry
    // that answered it. NotFound when there is none (not a semantic hit, or the entry expired, was
    // evicted or was already removed).
    Result<void> markRecordWrong(qint64 recordId);
    // Deletes expired entries; returns how many.
    Result<qint64> purgeExpired(qint64 nowUs);
    Result<void> clear();

    void setLimits(Limits limits); // applied at the next store()
    Limits limits() const { return m_limits; }
    SemanticCacheStats stats() const;
    bool contains(qint64 entryId) const;

    // Bytes an entry counts against maxBytes: body + headers + 4 per stored float (vector and focus
    // vector: `floats` in all) + 256 of row overhead.
    static qint64 entryBytes(const StoredResponse &response, qsizetype floats);

private:
    SemanticCache(QString connectionName, Limits limits, SemanticIndex::Options indexOptions);
    Result<void> init(const QString &path, qint64 nowUs);
    SemanticIndex &indexFor(const QString &embeddingModel, int dims);
    std::vector<float> focusFor(const SemanticKey &key, const QString &embeddingModel, const std::vector<float> &vector,
                                const std::vector<float> &given) const;
    Result<void> deleteRows(const std::vector<qint64> &ids);
    void forget(qint64 entryId);
    Result<void> enforceLimits();

    struct Meta
    {
        QString indexKey; // embedding model + "#" + dims
        qint64 createdUs = 0;
        qint64 expiresUs = 0;
        qint64 bytes = 0;
    };

    QString m_connection;
    LocalEmbedder m_local;
    Limits m_limits;
    SemanticIndex::Options m_indexOptions;
    std::map<QString, std::unique_ptr<SemanticIndex>> m_indexes;
    std::map<qint64, Meta> m_meta;
    std::set<std::pair<qint64, qint64>> m_byAge; // (createdUs, id): eviction order
    qint64 m_bytes = 0;
    qint64 m_hits = 0;
    qint64 m_misses = 0;
};

} // namespace tl::semantic
