#include "semantic/SemanticIndex.h"

#include "semantic/LocalEmbedder.h"

#include <QLoggingCategory>

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <memory>

Q_LOGGING_CATEGORY(lcSemantic, "tokenledger.semantic", QtInfoMsg)

namespace tl::semantic {

namespace {

// The vectors of an exact group: blocks of kPerBlock vectors of `dims` floats, vector i at
// at(i). Blocks (64 KiB at 512 dims) instead of one growing array: an insert never moves the vectors
// already stored, and the allocations stay below malloc's mmap threshold so freed blocks are reused.
struct VectorBlocks
{
    static constexpr std::size_t kPerBlock = 32;
    std::size_t dims = 0;
    std::size_t count = 0;
    std::vector<std::unique_ptr<float[]>> blocks;

    float *at(std::size_t i) { return blocks[i / kPerBlock].get() + (i % kPerBlock) * dims; }
    const float *at(std::size_t i) const { return blocks[i / kPerBlock].get() + (i % kPerBlock) * dims; }
    void push(const float *v)
    {
        if (count == blocks.size() * kPerBlock)
            blocks.push_back(std::make_unique_for_overwrite<float[]>(kPerBlock * dims));
        std::memcpy(at(count), v, sizeof(float) * dims);
        ++count;
    }
    void pop()
    {
        --count;
        if (count % kPerBlock == 0)
            blocks.pop_back();
    }
    void clear()
    {
        blocks.clear();
        blocks.shrink_to_fit();
        count = 0;
    }
};

} // namespace

struct SemanticIndex::Group
{
    // Exact mode: ids[i] owns vectors.at(i) (dims floats).
    VectorBlocks vectors;
    std::vector<qint64> ids;
    // expires[i]: the expiry time of ids[i] (a copy of Entry::expiresUs), so that an exact search skips
    // expired entries before computing their dot product (and without looking the entry up).
    std::vector<qint64> expires;
    // HNSW mode (hnsw != nullptr): the graph holds the vectors; labels are entry ids.
    std::unique_ptr<hnswlib::InnerProductSpace> space;
    std::unique_ptr<hnswlib::HierarchicalNSW<float>> hnsw;
    std::size_t live = 0; // entries of this group in the index
    std::size_t deleted = 0; // HNSW slots marked deleted (0.6.2 never reuses them)
};

SemanticIndex::SemanticIndex(int dims, Options options)
    : m_dims(std::max(1, dims))
    , m_options(options)
{
}

SemanticIndex::SemanticIndex(int dims)
    : SemanticIndex(dims, Options {})
{
}

SemanticIndex::~SemanticIndex() = default;

QByteArray SemanticIndex::groupKey(const QString &scope, const QString &guardSignature)
{
    return scope.toUtf8() + '\n' + guardSignature.toUtf8();
}

qsizetype SemanticIndex::hnswGroupCount() const
{
    qsizetype n = 0;
    for (const auto &[key, g] : m_groups)
        n += g->hnsw ? 1 : 0;
    return n;
}

bool SemanticIndex::contains(qint64 entryId) const
{
    return m_entries.find(entryId) != m_entries.end();
}

const float *SemanticIndex::vectorOf(qint64 entryId, const Entry &e) const
{
    const Group &g = *e.group;
    if (!g.hnsw)
        return g.vectors.at(e.slot);
    // hnswlib 0.6.2: label -> internal id is a public map; the data pointer stays valid until the next
    // resize of the graph.
    const auto it = g.hnsw->label_lookup_.find(hnswlib::labeltype(entryId));
    if (it == g.hnsw->label_lookup_.end())
        return nullptr;
    return reinterpret_cast<const float *>(g.hnsw->getDataByInternalId(it->second));
}

bool SemanticIndex::insert(qint64 entryId, const QString &scope, const float *vector, const QString &guardSignature,
                           qint64 createdUs, qint64 expiresUs, const float *focus)
{
    if (entryId < 0 || !vector)
        return false;
    if (contains(entryId))
        remove(entryId);
    auto &slot = m_groups[groupKey(scope, guardSignature)];
    if (!slot) {
        slot = std::make_unique<Group>();
        slot->vectors.dims = std::size_t(m_dims);
    }
    Group &g = *slot;
    Entry e {&g, 0, createdUs, expiresUs, nullptr};
    if (focus) {
        e.focus = std::make_unique<float[]>(std::size_t(m_dims));
        std::copy(focus, focus + m_dims, e.focus.get());
    }
    if (!g.hnsw) {
        e.slot = g.ids.size();
        g.ids.push_back(entryId);
        g.expires.push_back(expiresUs);
        g.vectors.push(vector);
    } else {
        try {
            if (g.hnsw->cur_element_count >= g.hnsw->max_elements_)
                g.hnsw->resizeIndex(std::max<std::size_t>(g.hnsw->max_elements_ * 2, 16));
            g.hnsw->addPoint(vector, hnswlib::labeltype(entryId));
        } catch (const std::exception &ex) {
            qCWarning(lcSemantic) << "HNSW insert failed:" << ex.what();
            if (g.live == 0)
                m_groups.erase(groupKey(scope, guardSignature));
            return false;
        }
    }
    ++g.live;
    m_entries.emplace(entryId, std::move(e));
    // No graph is built here: best() builds it on the group's first search at or above the switch size,
    // so loading a cache file is a copy of vectors and only searched groups pay for a graph.
    return true;
}

bool SemanticIndex::convertToHnsw(Group &g)
{
    try {
        auto space = std::make_unique<hnswlib::InnerProductSpace>(std::size_t(m_dims));
        auto hnsw = std::make_unique<hnswlib::HierarchicalNSW<float>>(
            space.get(), std::max<std::size_t>(g.ids.size() * 2, 16), std::size_t(std::max(2, m_options.m)),
            std::size_t(std::max(8, m_options.efConstruction)), 100);
        hnsw->setEf(std::size_t(std::max(1, m_options.efSearch)));
        for (std::size_t i = 0; i < g.ids.size(); ++i)
            hnsw->addPoint(g.vectors.at(i), hnswlib::labeltype(g.ids[i]));
        g.space = std::move(space);
        g.hnsw = std::move(hnsw);
    } catch (const std::exception &ex) {
        qCWarning(lcSemantic) << "HNSW build failed, the group stays on exact search:" << ex.what();
        return false;
    }
    g.vectors.clear();
    g.ids.clear();
    g.ids.shrink_to_fit();
    g.expires.clear();
    g.expires.shrink_to_fit();
    g.deleted = 0;
    return true;
}

void SemanticIndex::compact(Group &g)
{
    // Collect the live vectors of the graph, then rebuild as exact (small) or as a fresh graph.
    std::vector<qint64> ids;
    VectorBlocks vectors;
    vectors.dims = std::size_t(m_dims);
    ids.reserve(g.live);
    for (const auto &[label, internal] : g.hnsw->label_lookup_) {
        if (g.hnsw->isMarkedDeleted(internal))
            continue;
        const auto *v = reinterpret_cast<const float *>(g.hnsw->getDataByInternalId(internal));
        ids.push_back(qint64(label));
        vectors.push(v);
    }
    g.hnsw.reset();
    g.space.reset();
    g.deleted = 0;
    g.ids = std::move(ids);
    g.vectors = std::move(vectors);
    g.expires.resize(g.ids.size());
    for (std::size_t i = 0; i < g.ids.size(); ++i) {
        Entry &e = m_entries[g.ids[i]];
        e.slot = i;
        g.expires[i] = e.expiresUs;
    }
    if (g.ids.size() * 2 >= std::size_t(std::max(1, m_options.hnswMinEntries)))
        convertToHnsw(g);
}

void SemanticIndex::removeFromGroup(qint64 entryId, const Entry &e)
{
    Group &g = *e.group;
    if (!g.hnsw) {
        // Swap-remove: the last entry takes the freed slot.
        const std::size_t last = g.ids.size() - 1;
        if (e.slot != last) {
            const qint64 moved = g.ids[last];
            g.ids[e.slot] = moved;
            g.expires[e.slot] = g.expires[last];
            std::memcpy(g.vectors.at(e.slot), g.vectors.at(last), sizeof(float) * std::size_t(m_dims));
            m_entries[moved].slot = e.slot;
        }
        g.ids.pop_back();
        g.expires.pop_back();
        g.vectors.pop();
    } else {
        try {
            g.hnsw->markDelete(hnswlib::labeltype(entryId));
            ++g.deleted;
        } catch (const std::exception &ex) {
            qCWarning(lcSemantic) << "HNSW delete failed:" << ex.what();
        }
    }
    --g.live;
}

bool SemanticIndex::remove(qint64 entryId)
{
    const auto it = m_entries.find(entryId);
    if (it == m_entries.end())
        return false;
    Group *group = it->second.group;
    removeFromGroup(entryId, it->second);
    m_entries.erase(it);
    if (group->hnsw && group->live > 0 && group->deleted >= 256 && group->deleted > group->live)
        compact(*group);
    if (group->live == 0) {
        for (auto g = m_groups.begin(); g != m_groups.end(); ++g) {
            if (g->second.get() == group) {
                m_groups.erase(g);
                break;
            }
        }
    }
    return true;
}

qsizetype SemanticIndex::purgeExpired(qint64 nowUs)
{
    std::vector<qint64> expired;
    for (const auto &[id, e] : m_entries) {
        if (e.expiresUs <= nowUs)
            expired.push_back(id);
    }
    for (qint64 id : expired)
        remove(id);
    return qsizetype(expired.size());
}

std::optional<SemanticIndex::Match> SemanticIndex::score(qint64 entryId, const Entry &e, const float *stored,
                                                         const float *vector, const float *focus, float threshold) const
{
    Match m {entryId, 0, dot(vector, stored, m_dims), -2};
    m.similarity = m.requestSimilarity;
    if (m.similarity < threshold)
        return std::nullopt;
    if (focus && e.focus) {
        m.focusSimilarity = dot(focus, e.focus.get(), m_dims);
        m.similarity = std::min(m.similarity, m.focusSimilarity);
        if (m.similarity < threshold)
            return std::nullopt;
    }
    return m;
}

std::optional<SemanticIndex::Match> SemanticIndex::bestExact(const Group &g, const float *vector, const float *focus,
                                                             float threshold, qint64 nowUs) const
{
    std::optional<Match> best;
    qint64 bestCreated = 0;
    for (std::size_t i = 0; i < g.ids.size(); ++i) {
        // Expired entries first: a comparison instead of a dims-long dot product (in a replay most
        // entries of a group are expired).
        if (g.expires[i] <= nowUs)
            continue;
        const float *v = g.vectors.at(i);
        if (dot(vector, v, m_dims) < threshold)
            continue;
        const Entry &e = m_entries.find(g.ids[i])->second;
        const auto m = score(g.ids[i], e, v, vector, focus, threshold);
        if (!m)
            continue;
        if (!best || m->similarity > best->similarity
            || (m->similarity == best->similarity && e.createdUs > bestCreated)) {
            best = m;
            bestCreated = e.createdUs;
        }
    }
    return best;
}

std::optional<SemanticIndex::Match> SemanticIndex::bestHnsw(Group &g, const float *vector, const float *focus,
                                                            float threshold, qint64 nowUs)
{
    // Ask for a few neighbours so an expired nearest one does not hide a live one; if all of them are
    // expired, purge the group's expired entries (the caller's index shrinks) and search once more.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!g.hnsw) // the purge below compacted the group into an exact one
            return bestExact(g, vector, focus, threshold, nowUs);
        const std::size_t k = std::min<std::size_t>(16, g.live);
        if (k == 0)
            return std::nullopt;
        std::priority_queue<std::pair<float, hnswlib::labeltype>> found;
        try {
            found = g.hnsw->searchKnn(vector, k);
        } catch (const std::exception &ex) {
            qCWarning(lcSemantic) << "HNSW search failed:" << ex.what();
            return std::nullopt;
        }
        std::optional<Match> best;
        qint64 bestCreated = 0;
        bool anyExpired = false;
        while (!found.empty()) {
            const qint64 id = qint64(found.top().second);
            found.pop();
            const auto it = m_entries.find(id);
            if (it == m_entries.end())
                continue;
            if (it->second.expiresUs <= nowUs) {
                anyExpired = true;
                continue;
            }
            const float *stored = vectorOf(id, it->second);
            if (!stored)
                continue;
            const auto m = score(id, it->second, stored, vector, focus, threshold); // same arithmetic as exact
            if (!m)
                continue;
            if (!best || m->similarity > best->similarity
                || (m->similarity == best->similarity && it->second.createdUs > bestCreated)) {
                best = m;
                bestCreated = it->second.createdUs;
            }
        }
        if (best || !anyExpired || attempt == 1)
            return best;
        std::vector<qint64> expired;
        for (const auto &[id, e] : m_entries) {
            if (e.group == &g && e.expiresUs <= nowUs)
                expired.push_back(id);
        }
        const std::size_t live = g.live;
        for (qint64 id : expired) {
            if (live == expired.size() && id == expired.back())
                break; // keep the group alive; its last entry is expired and filtered above anyway
            remove(id);
        }
    }
    return std::nullopt;
}

std::optional<SemanticIndex::Match> SemanticIndex::best(const QString &scope, const float *vector,
                                                        const QString &guardSignature, float threshold, qint64 nowUs,
                                                        const float *focus)
{
    if (!vector)
        return std::nullopt;
    const auto it = m_groups.find(groupKey(scope, guardSignature));
    if (it == m_groups.end())
        return std::nullopt;
    Group &g = *it->second;
    if (!g.hnsw && g.live >= std::size_t(std::max(1, m_options.hnswMinEntries)))
        convertToHnsw(g); // on failure the group stays exact
    return g.hnsw ? bestHnsw(g, vector, focus, threshold, nowUs) : bestExact(g, vector, focus, threshold, nowUs);
}

} // namespace tl::semantic
