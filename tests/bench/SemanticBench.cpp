// Semantic-cache benchmark (not a test): LocalEmbedder throughput; SemanticIndex insert throughput and
// lookup p50/p99 at 1k/10k/100k entries in one scope, exact scan against HNSW in the same run (with
// HNSW's agreement with exact search); the exact/HNSW crossover that sets
// SemanticIndex::Options::hnswMinEntries; SemanticCache store rate and reopen (index rebuild) time.
// Usage: bench_semantic [--max N] (largest index size, default 100000) [--only SECTION]
#include "semantic/LocalEmbedder.h"
#include "semantic/SemanticCache.h"
#include "semantic/SemanticIndex.h"
#include "semantic/SemanticKey.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>

using namespace Qt::StringLiterals;
using namespace tl::semantic;

namespace {

constexpr int kDims = LocalEmbedder::kDefaultDims;
constexpr qint64 kNever = std::numeric_limits<qint64>::max();

std::vector<float> randomUnit(QRandomGenerator &rng, int dims = kDims)
{
    std::vector<float> v(static_cast<std::size_t>(dims));
    double sq = 0;
    for (float &x : v) {
        const double u1 = std::max(rng.generateDouble(), 1e-12), u2 = rng.generateDouble();
        x = float(std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2));
        sq += double(x) * x;
    }
    for (float &x : v)
        x = float(x / std::sqrt(sq));
    return v;
}

std::vector<float> near(const std::vector<float> &base, QRandomGenerator &rng, float noise)
{
    const auto n = randomUnit(rng, int(base.size()));
    std::vector<float> v(base.size());
    double sq = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        v[i] = base[i] + noise * n[i];
        sq += double(v[i]) * v[i];
    }
    for (float &x : v)
        x = float(x / std::sqrt(sq));
    return v;
}

double percentile(std::vector<double> v, double p)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

QString sentence(QRandomGenerator &rng, int words)
{
    static const char *vocab[]
        = {"how",     "do",      "i",       "reset",  "my",   "password", "refund", "order", "account",
           "invoice", "delete",  "export",  "report", "the",  "a",        "for",    "with",  "billing",
           "monthly", "plan",    "upgrade", "cancel", "team", "members",  "api",    "key",   "limit",
           "error",   "timeout", "please",  "why",    "is",   "what",     "when",   "where"};
    QStringList out;
    for (int i = 0; i < words; ++i)
        out << QString::fromLatin1(vocab[rng.bounded(int(std::size(vocab)))]);
    return out.join(u' ');
}

struct LookupFigures
{
    double p50Us = 0, p99Us = 0, hitRate = 0;
};

LookupFigures lookups(SemanticIndex &index, const std::vector<std::vector<float>> &queries, float threshold,
                      std::vector<qint64> *bestIds)
{
    std::vector<double> us;
    us.reserve(queries.size());
    int hits = 0;
    QElapsedTimer t;
    for (const auto &q : queries) {
        t.start();
        const auto m = index.best(u"scope"_s, q.data(), u"guard"_s, threshold, 0);
        us.push_back(double(t.nsecsElapsed()) / 1000.0);
        hits += m ? 1 : 0;
        if (bestIds)
            bestIds->push_back(m ? m->entryId : -1);
    }
    return {percentile(us, 0.5), percentile(us, 0.99), double(hits) / double(queries.size())};
}

void benchEmbedder()
{
    std::printf("\n-- LocalEmbedder (%s, %d dims), single thread --\n", qPrintable(LocalEmbedder::modelId()), kDims);
    LocalEmbedder embedder;
    QRandomGenerator rng(1);
    struct Case
    {
        const char *name;
        QStringList texts;
    };
    QStringList shortEn, longEn, zh;
    for (int i = 0; i < 2000; ++i) {
        shortEn << sentence(rng, 12);
        longEn << sentence(rng, 400);
        zh << u"请问我的订单什么时候发货，退款需要多长时间，账户密码怎么重置，发票在哪里下载？"_s.repeated(1 + i % 3);
    }
    for (const Case &c : {Case {"English, ~70 chars", shortEn}, Case {"English, ~2,500 chars", longEn},
                          Case {"Chinese, ~40-120 chars", zh}}) {
        qint64 chars = 0;
        for (const QString &s : c.texts)
            chars += s.size();
        QElapsedTimer t;
        t.start();
        float sink = 0;
        for (const QString &s : c.texts)
            sink += embedder.embed(s)[0];
        const double sec = double(t.nsecsElapsed()) / 1e9;
        std::printf("  %-24s %8.1f us/text  %6.2f us/char  (%lld texts)%s\n", c.name,
                    sec * 1e6 / double(c.texts.size()), sec * 1e6 / double(chars), qint64(c.texts.size()),
                    sink > 1e9f ? "!" : "");
    }
}

void benchCrossover()
{
    std::printf("\n-- exact scan vs HNSW by group size (512 dims, near-duplicate queries, threshold 0.9) --\n");
    std::printf("  %8s  %12s  %12s  %8s\n", "entries", "exact p50 us", "HNSW p50 us", "ratio");
    QRandomGenerator rng(3);
    for (int n : {256, 512, 1024, 2048, 4096, 8192}) {
        SemanticIndex exact(kDims, SemanticIndex::Options {std::numeric_limits<int>::max(), 16, 100, 64});
        SemanticIndex hnsw(kDims, SemanticIndex::Options {1, 16, 100, 64});
        std::vector<std::vector<float>> stored;
        for (int i = 0; i < n; ++i) {
            stored.push_back(randomUnit(rng));
            exact.insert(i, u"scope"_s, stored.back().data(), u"guard"_s, i, kNever);
            hnsw.insert(i, u"scope"_s, stored.back().data(), u"guard"_s, i, kNever);
        }
        (void)hnsw.best(u"scope"_s, stored[0].data(), u"guard"_s, 0.9f, 0); // builds the graph, not timed
        std::vector<std::vector<float>> queries;
        for (int q = 0; q < 2000; ++q)
            queries.push_back(near(stored[std::size_t(rng.bounded(n))], rng, 0.3f));
        const auto e = lookups(exact, queries, 0.9f, nullptr);
        const auto h = lookups(hnsw, queries, 0.9f, nullptr);
        std::printf("  %8d  %12.1f  %12.1f  %7.2fx\n", n, e.p50Us, h.p50Us, e.p50Us / h.p50Us);
    }
}

void benchSizes(int maxEntries)
{
    std::printf("\n-- SemanticIndex, one scope, 512 dims: insert and lookup (2000 queries: half near-duplicates of "
                "stored vectors, half random), threshold 0.9 --\n");
    std::printf("  %8s  %-6s  %14s  %10s  %10s  %9s  %s\n", "entries", "mode", "insert/s", "p50 us", "p99 us",
                "hit rate", "same best as exact");
    QRandomGenerator rng(5);
    for (int n : {1000, 10000, 100000}) {
        if (n > maxEntries)
            break;
        std::vector<std::vector<float>> stored;
        stored.reserve(std::size_t(n));
        for (int i = 0; i < n; ++i)
            stored.push_back(randomUnit(rng));
        std::vector<std::vector<float>> queries;
        for (int q = 0; q < 2000; ++q)
            queries.push_back(q % 2 ? randomUnit(rng) : near(stored[std::size_t(rng.bounded(n))], rng, 0.3f));
        std::vector<qint64> exactIds;
        for (int mode = 0; mode < 2; ++mode) {
            SemanticIndex index(kDims,
                                mode == 0 ? SemanticIndex::Options {std::numeric_limits<int>::max(), 16, 100, 64}
                                          : SemanticIndex::Options {1, 16, 100, 64});
            QElapsedTimer t;
            t.start();
            for (int i = 0; i < n; ++i)
                index.insert(i, u"scope"_s, stored[std::size_t(i)].data(), u"guard"_s, i, kNever);
            (void)index.best(u"scope"_s, stored[0].data(), u"guard"_s, 0.9f, 0); // HNSW: builds the graph
            const double insertPerSec = double(n) / (double(t.nsecsElapsed()) / 1e9);
            std::vector<qint64> ids;
            const auto f = lookups(index, queries, 0.9f, &ids);
            QString agreement = u"-"_s;
            if (mode == 0) {
                exactIds = ids;
            } else {
                int same = 0;
                for (std::size_t i = 0; i < ids.size(); ++i)
                    same += ids[i] == exactIds[i] ? 1 : 0;
                agreement = u"%1 of %2"_s.arg(same).arg(ids.size());
            }
            std::printf("  %8d  %-6s  %14.0f  %10.1f  %10.1f  %8.0f%%  %s\n", n, mode == 0 ? "exact" : "HNSW",
                        insertPerSec, f.p50Us, f.p99Us, f.hitRate * 100, qPrintable(agreement));
        }
    }
}

void benchManyScopes()
{
    std::printf("\n-- SemanticIndex, 100,000 entries over 1,000 scopes (default options): lookup --\n");
    QRandomGenerator rng(9);
    SemanticIndex index(kDims);
    std::vector<std::vector<float>> stored;
    for (int i = 0; i < 100000; ++i) {
        stored.push_back(randomUnit(rng));
        index.insert(i, u"scope-%1"_s.arg(i % 1000), stored.back().data(), u"guard"_s, i, kNever);
    }
    std::vector<double> us;
    QElapsedTimer t;
    for (int q = 0; q < 2000; ++q) {
        const int target = int(rng.bounded(100000));
        const auto v = near(stored[std::size_t(target)], rng, 0.3f);
        const QString scope = u"scope-%1"_s.arg(target % 1000);
        t.start();
        (void)index.best(scope, v.data(), u"guard"_s, 0.9f, 0);
        us.push_back(double(t.nsecsElapsed()) / 1000.0);
    }
    std::printf("  p50 %.1f us, p99 %.1f us (groups: %lld, HNSW groups: %lld)\n", percentile(us, 0.5),
                percentile(us, 0.99), qint64(index.groupCount()), qint64(index.hnswGroupCount()));
}

void benchCache(int entries)
{
    std::printf("\n-- SemanticCache on SQLite (WAL): %d entries, local embedder, 1 KiB answers --\n", entries);
    QTemporaryDir dir;
    const QString path = dir.filePath(u"bench.semantic.sqlite"_s);
    LocalEmbedder embedder;
    QRandomGenerator rng(11);
    const qint64 t0 = 1'780'000'000'000'000;
    std::vector<SemanticKey> keys;
    {
        auto cache = SemanticCache::open(path, SemanticCache::Limits {10'000'000, 1LL << 40}, t0);
        if (!cache) {
            std::printf("  open failed: %s\n", qPrintable(cache.error().message));
            return;
        }
        StoredResponse r;
        r.body = QByteArray(1024, 'x');
        r.contentType = u"application/json"_s;
        QElapsedTimer embedTimer, storeTimer;
        qint64 embedNs = 0, storeNs = 0;
        for (int i = 0; i < entries; ++i) {
            const QJsonObject body {
                {u"model"_s, u"gpt-4o-mini"_s},
                {u"messages"_s, QJsonArray {QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, sentence(rng, 15)}}}}};
            auto k = semanticKey(body, RequestFormat::OpenAiChat, "caller-"_ba + QByteArray::number(i % 20));
            if (!k) {
                std::printf("  key failed: %s\n", qPrintable(k.error().message));
                return;
            }
            embedTimer.start();
            const auto v = embedder.embed(k->text);
            embedNs += embedTimer.nsecsElapsed();
            storeTimer.start();
            if (auto id = (*cache)->store(*k, embedder.modelKey(), v, r, 86400, t0 + i); !id) {
                std::printf("  store failed: %s\n", qPrintable(id.error().message));
                return;
            }
            storeNs += storeTimer.nsecsElapsed();
            if (i % 97 == 0)
                keys.push_back(*k);
        }
        std::printf("  store: %.1f us/entry (SQLite insert + index), embedding %.1f us/request\n",
                    double(storeNs) / 1000.0 / entries, double(embedNs) / 1000.0 / entries);
    }
    QElapsedTimer t;
    t.start();
    auto cache = SemanticCache::open(path, SemanticCache::Limits {10'000'000, 1LL << 40}, t0 + entries);
    const double openMs = double(t.nsecsElapsed()) / 1e6;
    if (!cache) {
        std::printf("  reopen failed: %s\n", qPrintable(cache.error().message));
        return;
    }
    std::printf("  reopen (read rows, rebuild indexes): %.0f ms for %lld entries\n", openMs,
                qint64((*cache)->stats().entries));
    if (!keys.empty()) {
        const auto v = embedder.embed(keys.front().text);
        t.start();
        (void)(*cache)->lookup(keys.front(), embedder.modelKey(), v, 0.95f, t0 + entries);
        std::printf("  first lookup in a scope after reopen (builds its HNSW graph when the scope has 4,096+ "
                    "entries): %.0f ms\n",
                    double(t.nsecsElapsed()) / 1e6);
    }
    std::vector<double> us;
    int hits = 0;
    for (const SemanticKey &k : keys) {
        const auto v = embedder.embed(k.text);
        t.start();
        const auto hit = (*cache)->lookup(k, embedder.modelKey(), v, 0.95f, t0 + entries);
        us.push_back(double(t.nsecsElapsed()) / 1000.0);
        hits += (hit && hit->has_value()) ? 1 : 0;
    }
    std::printf("  lookup of stored requests (hit, reads the body from SQLite): p50 %.1f us, p99 %.1f us, "
                "%d of %lld hit\n",
                percentile(us, 0.5), percentile(us, 0.99), hits, qint64(keys.size()));
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // figures appear as they are measured
    int maxEntries = 100000;
    const QStringList args = app.arguments();
    const qsizetype at = args.indexOf(u"--max"_s);
    if (at >= 0 && at + 1 < args.size())
        maxEntries = args.at(at + 1).toInt();
    // --only embedder|crossover|sizes|scopes|cache runs one section.
    const qsizetype onlyAt = args.indexOf(u"--only"_s);
    const QString only = onlyAt >= 0 && onlyAt + 1 < args.size() ? args.at(onlyAt + 1) : QString();
    auto want = [&only](const QString &name) { return only.isEmpty() || only == name; };
    if (want(u"embedder"_s))
        benchEmbedder();
    if (want(u"crossover"_s))
        benchCrossover();
    if (want(u"sizes"_s))
        benchSizes(maxEntries);
    if (want(u"scopes"_s))
        benchManyScopes();
    if (want(u"cache"_s))
        benchCache(std::min(maxEntries, 100000));
    return 0;
}
