#pragma once

#include <QByteArray>
#include <QHashFunctions>
#include <QString>

#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

namespace tl::semantic {

// The semantic-cache matcher: one in-memory index of embedding vectors, shared by the live cache
// (SemanticCache) and the what-if simulator (core/simulate), so simulated and live hits agree by
// construction.
//
// Entries are grouped by (scope, guard signature): best() only ever compares a query with the entries
// of its own group, so a different caller, model, system prompt, parameter set, earlier conversation or
// guard list can never match. Inside a group the search is exact (a scan of contiguous float32
// vectors) while the group has fewer than Options::hnswMinEntries entries, and an HNSW graph, built
// on the group's first best() at or above that size (so inserts, and loading a cache file, only copy
// vectors; that first search pays for the graph: seconds for ten thousand 512-dim entries),
// (hnswlib 0.6.2, inner-product space on L2-normalised vectors, one graph per group) from that size on.
// The switch point: see Options::hnswMinEntries (measured by tests/bench/bench_semantic). hnswlib 0.6.2
// never reuses the slot of a removed entry, so when a group's removed slots outnumber its live entries
// (and are at least 256) the group is rebuilt: as a new graph, or as an exact group if it has shrunk
// below hnswMinEntries / 2.
// hnswlib 0.6.2 (Debian 12) has no search filter, so expired entries are skipped by asking for a few
// more neighbours and, if all of those are expired, purging the group's expired entries and searching
// again.
//
// Focus vectors (optional, recommended): the embedding of the final user message alone. The main
// vector embeds the request as a whole, and within one scope everything but the final user message is
// identical, so a long system prompt or earlier conversation dilutes the difference between two final
// questions: measured with LocalEmbedder, "What about Paris?" against "What about London?" after one
// identical earlier exchange have cosine 0.978, above the 0.95 default. So when both the query and an
// entry carry a focus vector, the entry must ALSO reach the threshold on the focus vectors; the reported
// similarity is then the lower of the two, and ranking uses it. Entries or queries without a focus
// vector are compared on the main vector only. Focus vectors have dims() floats too.
//
// Vectors: `dims` float32 values with L2 norm 1 (LocalEmbedder and parseEmbeddingResponse give such
// vectors); similarity = dot product = cosine, in [-1, 1]. A similarity is always recomputed with
// tl::semantic::dot() on the stored vector, so exact and HNSW modes report the same value for the same
// entry. Times are microseconds since the Unix epoch (UTC), as in CallRecord.
// Memory: about dims*4 bytes per entry in exact groups (twice that with a focus vector) (2 KiB at 512 dims), plus about
// M*2*4 bytes of links per entry in HNSW groups (whose graph holds the vectors instead). Thread affinity: none, and no
// locking: use one instance from one thread at a time (the cache's thread, or the simulator's worker, which creates its
// own instance). Errors: insert() returns false for a vector of the wrong size or a negative id; an allocation failure
// inside hnswlib is caught and reported as false (the entry is not indexed).
class SemanticIndex
{
public:
    struct Options
    {
        int hnswMinEntries = 4096; // a group switches to HNSW when it reaches this size (see bench_semantic)
        int m = 16; // HNSW links per node (hnswlib M)
        int efConstruction = 100; // HNSW build-time candidate list
        int efSearch = 64; // HNSW query-time candidate list (at least the k asked for)
    };

    struct Match
    {
        qint64 entryId = -1;
        float similarity = 0; // min(requestSimilarity, focusSimilarity if compared), in [threshold, 1]
        float requestSimilarity = 0; // cosine of the main (whole-request) vectors
        float focusSimilarity = -2; // cosine of the focus vectors; -2 when not compared
    };

    explicit SemanticIndex(int dims, Options options);
    explicit SemanticIndex(int dims);
    ~SemanticIndex();
    SemanticIndex(const SemanticIndex &) = delete;
    SemanticIndex &operator=(const SemanticIndex &) = delete;

    int dims() const { return m_dims; }
    const Options &options() const { return m_options; }

    // Adds an entry (an existing entryId is replaced). vector, focus: dims() floats (focus may be null).
    // createdUs/expiresUs: the entry lives while nowUs < expiresUs. Returns false (nothing changed) for
    // a bad id or vector.
    bool insert(qint64 entryId, const QString &scope, const float *vector, const QString &guardSignature,
                qint64 createdUs, qint64 expiresUs, const float *focus = nullptr);

    // The most similar live entry of the same scope and guard signature whose similarity (see Match and
    // "Focus vectors" above) is at least `threshold`, or nothing. Ties go to the newest entry.
    // HNSW groups rank the 16 nearest neighbours by the main vector, then apply the focus check.
    std::optional<Match> best(const QString &scope, const float *vector, const QString &guardSignature, float threshold,
                              qint64 nowUs, const float *focus = nullptr);

    // Removes an entry; false if it was not there.
    bool remove(qint64 entryId);
    // Removes every entry with expiresUs <= nowUs; returns how many.
    qsizetype purgeExpired(qint64 nowUs);
    bool contains(qint64 entryId) const;

    qsizetype size() const { return qsizetype(m_entries.size()); }
    qsizetype groupCount() const { return qsizetype(m_groups.size()); }
    qsizetype hnswGroupCount() const;

private:
    struct Group;
    struct Entry
    {
        Group *group = nullptr;
        std::size_t slot = 0; // exact groups: position in Group::ids; HNSW groups: unused
        qint64 createdUs = 0;
        qint64 expiresUs = 0;
        std::unique_ptr<float[]> focus; // null: no focus vector
    };

    static QByteArray groupKey(const QString &scope, const QString &guardSignature);
    void removeFromGroup(qint64 entryId, const Entry &e);
    bool convertToHnsw(Group &g);
    void compact(Group &g);
    std::optional<Match> score(qint64 entryId, const Entry &e, const float *stored, const float *vector,
                               const float *focus, float threshold) const;
    std::optional<Match> bestExact(const Group &g, const float *vector, const float *focus, float threshold,
                                   qint64 nowUs) const;
    std::optional<Match> bestHnsw(Group &g, const float *vector, const float *focus, float threshold, qint64 nowUs);
    const float *vectorOf(qint64 entryId, const Entry &e) const;

    struct KeyHash
    {
        std::size_t operator()(const QByteArray &k) const noexcept { return qHash(k); }
    };

    int m_dims;
    Options m_options;
    std::unordered_map<QByteArray, std::unique_ptr<Group>, KeyHash> m_groups;
    std::unordered_map<qint64, Entry> m_entries;
};

} // namespace tl::semantic
