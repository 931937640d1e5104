// SemanticIndex: threshold boundary, TTL, scope and guard separation, removal, and HNSW against exact
// search on a few thousand random vectors.
#include "semantic/SemanticIndex.h"
#include "semantic/LocalEmbedder.h"

#include <QRandomGenerator>
#include <QtTest>

#include <cmath>

using namespace Qt::StringLiterals;
using namespace tl::semantic;

namespace {

constexpr int kDims = 64;
const QString kScope = u"scope-1"_s;
const QString kGuard = u"guard-1"_s;
constexpr qint64 kNever = std::numeric_limits<qint64>::max();

std::vector<float> randomUnit(QRandomGenerator &rng, int dims = kDims)
{
    std::vector<float> v(static_cast<std::size_t>(dims));
    double sq = 0;
    for (float &x : v) {
        // Box-Muller: Gaussian components give directions uniform on the sphere.
        const double u1 = std::max(rng.generateDouble(), 1e-12), u2 = rng.generateDouble();
        x = float(std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2));
        sq += double(x) * x;
    }
    for (float &x : v)
        x = float(x / std::sqrt(sq));
    return v;
}

// cos(angle) * a + sin(angle) * b for orthonormal a, b: a vector at a known cosine from a.
std::vector<float> atCosine(const std::vector<float> &a, const std::vector<float> &b, double cosine)
{
    const double s = std::sqrt(1 - cosine * cosine);
    std::vector<float> v(a.size());
    for (std::size_t i = 0; i < a.size(); ++i)
        v[i] = float(cosine * a[i] + s * b[i]);
    return v;
}

std::vector<float> axis(int i, int dims = kDims)
{
    std::vector<float> v(std::size_t(dims), 0.0f);
    v[std::size_t(i)] = 1.0f;
    return v;
}

} // namespace

class SemanticIndexTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void emptyIndexMisses()
    {
        SemanticIndex index(kDims);
        QVERIFY(!index.best(kScope, axis(0).data(), kGuard, 0.5f, 0));
        QCOMPARE(index.size(), 0);
    }

    void thresholdBoundary()
    {
        SemanticIndex index(kDims);
        const auto stored = axis(0);
        QVERIFY(index.insert(7, kScope, stored.data(), kGuard, 0, kNever));
        const auto query = atCosine(axis(0), axis(1), 0.95);
        const auto hit = index.best(kScope, query.data(), kGuard, 0.9f, 0);
        QVERIFY(hit);
        QCOMPARE(hit->entryId, 7);
        QVERIFY(std::abs(hit->similarity - 0.95f) < 1e-6f);
        // At exactly the reported similarity it hits; one float step above it misses.
        QVERIFY(index.best(kScope, query.data(), kGuard, hit->similarity, 0));
        QVERIFY(!index.best(kScope, query.data(), kGuard, std::nextafter(hit->similarity, 2.0f), 0));
        // The default threshold of the seed design, 0.95, on both sides.
        const auto justAbove = atCosine(axis(0), axis(1), 0.951);
        const auto justBelow = atCosine(axis(0), axis(1), 0.949);
        QVERIFY(index.best(kScope, justAbove.data(), kGuard, 0.95f, 0));
        QVERIFY(!index.best(kScope, justBelow.data(), kGuard, 0.95f, 0));
    }

    void bestOfSeveralAndNewestOnTies()
    {
        SemanticIndex index(kDims);
        const auto q = axis(0);
        const auto near = atCosine(axis(0), axis(1), 0.99);
        const auto nearer = atCosine(axis(0), axis(2), 0.995);
        QVERIFY(index.insert(1, kScope, near.data(), kGuard, 100, kNever));
        QVERIFY(index.insert(2, kScope, nearer.data(), kGuard, 50, kNever));
        QCOMPARE(index.best(kScope, q.data(), kGuard, 0.9f, 200)->entryId, 2);
        QVERIFY(index.insert(3, kScope, nearer.data(), kGuard, 150, kNever)); // same vector, newer
        QCOMPARE(index.best(kScope, q.data(), kGuard, 0.9f, 200)->entryId, 3);
    }

    void scopeAndGuardSeparate()
    {
        SemanticIndex index(kDims);
        const auto v = axis(3);
        QVERIFY(index.insert(1, kScope, v.data(), kGuard, 0, kNever));
        QVERIFY(!index.best(u"scope-2"_s, v.data(), kGuard, 0.5f, 0));
        QVERIFY(!index.best(kScope, v.data(), u"guard-2"_s, 0.5f, 0));
        QVERIFY(index.best(kScope, v.data(), kGuard, 0.5f, 0));
        QCOMPARE(index.groupCount(), 1);
    }

    void ttlExpiry()
    {
        SemanticIndex index(kDims);
        const auto v = axis(0);
        QVERIFY(index.insert(1, kScope, v.data(), kGuard, 0, 1000));
        QVERIFY(index.best(kScope, v.data(), kGuard, 0.9f, 999));
        QVERIFY(!index.best(kScope, v.data(), kGuard, 0.9f, 1000)); // expiresUs is exclusive
        QCOMPARE(index.purgeExpired(1000), 1);
        QCOMPARE(index.size(), 0);
        QCOMPARE(index.groupCount(), 0);
    }

    void removeAndReplace()
    {
        SemanticIndex index(kDims);
        const auto a = axis(0), b = axis(1), c = axis(2);
        QVERIFY(index.insert(1, kScope, a.data(), kGuard, 0, kNever));
        QVERIFY(index.insert(2, kScope, b.data(), kGuard, 0, kNever));
        QVERIFY(index.insert(3, kScope, c.data(), kGuard, 0, kNever));
        QVERIFY(index.remove(1)); // swap-remove moves entry 3 into slot 0
        QVERIFY(!index.remove(1));
        QVERIFY(!index.best(kScope, a.data(), kGuard, 0.9f, 0));
        QCOMPARE(index.best(kScope, c.data(), kGuard, 0.9f, 0)->entryId, 3);
        QCOMPARE(index.best(kScope, b.data(), kGuard, 0.9f, 0)->entryId, 2);
        QVERIFY(index.insert(2, kScope, a.data(), kGuard, 0, kNever)); // same id: replaced
        QCOMPARE(index.size(), 2);
        QCOMPARE(index.best(kScope, a.data(), kGuard, 0.9f, 0)->entryId, 2);
        QVERIFY(!index.best(kScope, b.data(), kGuard, 0.9f, 0));
        QVERIFY(!index.insert(-1, kScope, a.data(), kGuard, 0, kNever));
    }

    // An exact group keeps each entry's expiry beside its vector (checked before the dot product) and
    // stores vectors in blocks of 32: after swap-removes across block boundaries every entry still
    // carries its own vector and its own expiry.
    void expiryFollowsEntriesThroughRemovals()
    {
        SemanticIndex index(kDims);
        // Entry i: axis i % kDims, scaled copies are not needed; expires at 1000 + i.
        constexpr int kCount = 100;
        for (int i = 0; i < kCount; ++i) {
            const auto v = axis(i % kDims);
            QVERIFY(index.insert(i, kScope, v.data(), kGuard, i, 1000 + i));
        }
        // Remove every third entry, lowest first: the last entries move into the freed slots.
        for (int i = 0; i < kCount; i += 3)
            QVERIFY(index.remove(i));
        for (int i = 0; i < kCount; ++i) {
            const auto v = axis(i % kDims);
            // At 1000 + i - 1 entry i is live; entries with the same axis and a later expiry are too,
            // and the newest of equal similarity wins.
            const auto m = index.best(kScope, v.data(), kGuard, 0.99f, 1000 + i - 1);
            int expected = -1;
            for (int j = i % kDims; j < kCount; j += kDims) {
                if (j % 3 != 0 && 1000 + j > 1000 + i - 1)
                    expected = j; // the later j is newer (created at j)
            }
            if (expected < 0) {
                QVERIFY2(!m, qPrintable(u"entry %1"_s.arg(i)));
            } else {
                QVERIFY2(m, qPrintable(u"entry %1"_s.arg(i)));
                QCOMPARE(m->entryId, expected);
            }
            // At 1000 + i entry i has expired.
            const auto after = index.best(kScope, v.data(), kGuard, 0.99f, 1000 + i);
            QVERIFY(!after || after->entryId != i);
        }
        QCOMPARE(index.purgeExpired(1000 + kCount), kCount - (kCount + 2) / 3);
        QCOMPARE(index.size(), 0);
    }

    // A focus vector (the final user message's own embedding) must also reach the threshold when both
    // sides have one; the reported similarity is the lower of the two.
    void focusVectorMustAlsoMatch()
    {
        for (int mode = 0; mode < 2; ++mode) {
            SemanticIndex index(kDims, SemanticIndex::Options {mode == 0 ? 1000 : 1, 16, 100, 64});
            const auto whole = axis(0);
            const auto focus = axis(5);
            QVERIFY(index.insert(1, kScope, whole.data(), kGuard, 0, kNever, focus.data()));
            const auto otherFocus = atCosine(axis(5), axis(6), 0.8); // a different final question
            const auto sameFocus = atCosine(axis(5), axis(6), 0.97);
            QVERIFY(!index.best(kScope, whole.data(), kGuard, 0.95f, 0, otherFocus.data()));
            const auto hit = index.best(kScope, whole.data(), kGuard, 0.95f, 0, sameFocus.data());
            QVERIFY(hit);
            QVERIFY(std::abs(hit->focusSimilarity - 0.97f) < 1e-6f);
            QCOMPARE(hit->similarity, hit->focusSimilarity);
            QVERIFY(std::abs(hit->requestSimilarity - 1.0f) < 1e-6f);
            // A query without a focus vector is compared on the main vector only.
            const auto plain = index.best(kScope, whole.data(), kGuard, 0.95f, 0);
            QVERIFY(plain);
            QCOMPARE(plain->focusSimilarity, -2.0f);
        }
    }

    // HNSW and exact search agree on the best match (same entry, same similarity) for a few thousand
    // random vectors in one group, with queries near stored vectors and expired entries mixed in.
    void hnswAgreesWithExact()
    {
        QRandomGenerator rng(42);
        const int n = 4000;
        SemanticIndex exact(kDims, SemanticIndex::Options {std::numeric_limits<int>::max(), 16, 100, 64});
        SemanticIndex hnsw(kDims, SemanticIndex::Options {1, 16, 100, 64});
        std::vector<std::vector<float>> stored;
        for (int i = 0; i < n; ++i) {
            stored.push_back(randomUnit(rng));
            const qint64 expires = (i % 10 == 0) ? 500 : kNever; // one in ten expires at t=500
            QVERIFY(exact.insert(i, kScope, stored.back().data(), kGuard, i, expires));
            QVERIFY(hnsw.insert(i, kScope, stored.back().data(), kGuard, i, expires));
        }
        QCOMPARE(hnsw.hnswGroupCount(), 0); // the graph is built by the first search
        (void)hnsw.best(kScope, stored[0].data(), kGuard, 0.99f, 0);
        QCOMPARE(hnsw.hnswGroupCount(), 1);
        QCOMPARE(exact.hnswGroupCount(), 0);
        int agree = 0, queries = 0, expiredTargets = 0;
        for (int q = 0; q < 500; ++q) {
            // A query at cosine ~0.97 from a random stored vector.
            const int target = int(rng.bounded(n));
            const auto noise = randomUnit(rng);
            std::vector<float> query(kDims);
            for (int d = 0; d < kDims; ++d)
                query[std::size_t(d)] = stored[std::size_t(target)][std::size_t(d)] + 0.25f * noise[std::size_t(d)];
            float norm = 0;
            for (float x : query)
                norm += x * x;
            for (float &x : query)
                x /= std::sqrt(norm);
            const auto e = exact.best(kScope, query.data(), kGuard, 0.8f, 1000);
            const auto h = hnsw.best(kScope, query.data(), kGuard, 0.8f, 1000);
            ++queries;
            expiredTargets += target % 10 == 0 ? 1 : 0;
            QCOMPARE(bool(e), bool(h));
            if ((!e && !h) || (e && h && e->entryId == h->entryId && e->similarity == h->similarity))
                ++agree;
            else if (e && h)
                qWarning() << "disagree" << e->entryId << e->similarity << h->entryId << h->similarity;
        }
        qInfo() << "HNSW agreed with exact search on" << agree << "of" << queries << "queries;" << expiredTargets
                << "targets were expired";
        QCOMPARE(agree, queries);
    }

    // Removing most of an HNSW group rebuilds it (as exact search once small), keeping the survivors findable.
    void hnswCompaction()
    {
        QRandomGenerator rng(7);
        SemanticIndex index(kDims, SemanticIndex::Options {600, 16, 100, 64});
        std::vector<std::vector<float>> stored;
        for (int i = 0; i < 1000; ++i) {
            stored.push_back(randomUnit(rng));
            QVERIFY(index.insert(i, kScope, stored.back().data(), kGuard, i, kNever));
        }
        QVERIFY(index.best(kScope, stored[0].data(), kGuard, 0.99f, 0)); // builds the graph
        QCOMPARE(index.hnswGroupCount(), 1);
        for (int i = 0; i < 900; ++i)
            QVERIFY(index.remove(i));
        QCOMPARE(index.size(), 100);
        QCOMPARE(index.hnswGroupCount(), 0); // rebuilt as an exact group
        for (int i = 900; i < 1000; ++i) {
            const auto m = index.best(kScope, stored[std::size_t(i)].data(), kGuard, 0.99f, 0);
            QVERIFY(m);
            QCOMPARE(m->entryId, qint64(i));
        }
        QVERIFY(!index.best(kScope, stored[5].data(), kGuard, 0.99f, 0));
    }

    // In an HNSW group whose nearest neighbours have all expired, best() purges the expired entries
    // (here enough to compact the group into an exact one) and still finds the live match.
    void expiredNeighboursArePurged()
    {
        QRandomGenerator rng(11);
        SemanticIndex index(kDims, SemanticIndex::Options {600, 16, 100, 64});
        const auto target = randomUnit(rng);
        for (int i = 0; i < 900; ++i) {
            const auto v = atCosine(target, randomUnit(rng), 0.99); // close to the target, but expiring
            QVERIFY(index.insert(i, kScope, v.data(), kGuard, i, 10));
        }
        const auto live = atCosine(target, axis(0), 0.9); // farther, but live
        QVERIFY(index.insert(5000, kScope, live.data(), kGuard, 0, kNever));
        for (int i = 0; i < 100; ++i) {
            const auto v = randomUnit(rng);
            QVERIFY(index.insert(6000 + i, kScope, v.data(), kGuard, 0, kNever));
        }
        QVERIFY(index.best(kScope, target.data(), kGuard, 0.5f, 0)); // builds the graph (nothing expired yet)
        QCOMPARE(index.hnswGroupCount(), 1);
        const auto m = index.best(kScope, target.data(), kGuard, 0.5f, 20);
        QVERIFY(m);
        QCOMPARE(m->entryId, 5000);
        QCOMPARE(index.size(), 101);
        QCOMPARE(index.hnswGroupCount(), 0);
    }

    // The index with the local embedder's 512-dim vectors (the simulator's and the cache's use).
    void withLocalEmbedder()
    {
        LocalEmbedder embedder;
        SemanticIndex index(embedder.dims());
        const auto stored = embedder.embed(u"How do I reset my password?"_s);
        QVERIFY(index.insert(1, kScope, stored.data(), kGuard, 0, kNever));
        const auto same = embedder.embed(u"how do i reset my password"_s);
        const auto other = embedder.embed(u"What is the capital of France?"_s);
        QVERIFY(index.best(kScope, same.data(), kGuard, 0.95f, 0));
        QVERIFY(!index.best(kScope, other.data(), kGuard, 0.5f, 0));
    }
};

QTEST_GUILESS_MAIN(SemanticIndexTest)
#include "SemanticIndexTest.moc"
