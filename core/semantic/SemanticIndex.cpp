#include "semantic/SemanticIndex.h"

#include "semantic/LocalEmbedder.h"

#include <QLoggingCategory>

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>

Q_LOGGING_CATEGORY(lcSemantic, "tokenledger.semantic")

namespace tl::semantic {

struct SemanticIndex::Group
{
    // Exact mode: contiguous vectors, ids[i] owns vectors[i*dims .. (i+1)*dims).
    std::vector<float> vectors;
    std::vector<qint64> ids;
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
        return g.vectors.data() + e.slot * std::size_t(m_dims);
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
    if (!slot)
        slot = std::make_unique<Group>();
    Group &g = *slot;
    Entry e {&g, 0, createdUs, expiresUs, nullptr};
    if (focus) {
        e.focus = std::make_unique<float[]>(std::size_t(m_dims));
        std::copy(focus, focus + m_dims, e.focus.get());
    }
    if (!g.hnsw) {
        e.slot = g.ids.size();
        g.ids.push_back(entryId);
        g.vectors.insert(g.vectors.end(), vector, vector + m_dims);
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
            hnsw->addPoint(g.vectors.data() + i * std::size_t(m_dims), hnswlib::labeltype(g.ids[i]));
        g.space = std::move(space);
        g.hnsw = std::move(hnsw);
    } catch (const std::exception &ex) {
        qCWarning(lcSemantic) << "HNSW build failed, the group stays on exact search:" << ex.what();
        return false;
    }
    g.vectors.clear();
    g.vectors.shrink_to_fit();
    g.ids.clear();
    g.ids.shrink_to_fit();
    g.deleted = 0;
    return true;
}

void SemanticIndex::compact(Group &g)
{
    // Collect the live vectors of the graph, then rebuild as exact (small) or as a fresh graph.
    std::vector<qint64> ids;
    std::vector<float> vectors;
    ids.reserve(g.live);
    vectors.reserve(g.live * std::size_t(m_dims));
    for (const auto &[label, internal] : g.hnsw->label_lookup_) {
        if (g.hnsw->isMarkedDeleted(internal))
            continue;
        const auto *v = reinterpret_cast<const float *>(g.hnsw->getDataByInternalId(internal));
        ids.push_back(qint64(label));
        vectors.insert(vectors.end(), v, v + m_dims);
    }
    g.hnsw.reset();
    g.space.reset();
    g.deleted = 0;
    g.ids = std::move(ids);
    g.vectors = std::move(vectors);
    for (std::size_t i = 0; i < g.ids.size(); ++i)
        m_entries[g.ids[i]].slot = i;
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
            std::memcpy(g.vectors.data() + e.slot * std::size_t(m_dims), g.vectors.data() + last * std::size_t(m_dims),
                        sizeof(float) * std::size_t(m_dims));
            m_entries[moved].slot = e.slot;
        }
        g.ids.pop_back();
        g.vectors.resize(g.ids.size() * std::size_t(m_dims));
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
    const float *v = g.vectors.data();
    for (std::size_t i = 0; i < g.ids.size(); ++i, v += m_dims) {
        if (dot(vector, v, m_dims) < threshold)
            continue;
        const Entry &e = m_entries.find(g.ids[i])->second;
        if (e.expiresUs <= nowUs)
            continue;
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
