// The exact cache's size limit: least-recently-used eviction when storing, when shrinking the limit
// and when loading a file written under a larger limit (a real SQLite file in a temporary folder).
#include "cache/ExactCache.h"

#include <QDateTime>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::cache;

namespace {

// Now: loading drops entries that expired by the wall clock.
const qint64 kNowUs = QDateTime::currentMSecsSinceEpoch() * 1000;

CachedAnswer answer(int n, int bytes)
{
    CachedAnswer a;
    a.api = u"chat.completions"_s;
    QByteArray body = "{\"id\":\"" + QByteArray::number(n) + "\",\"pad\":\"";
    body += QByteArray(bytes - body.size() - 2, 'x');
    body += "\"}";
    a.body = body;
    a.servedModel = u"gpt-4o-2024-08-06"_s;
    a.createdAtUs = kNowUs + n;
    a.expiresAtUs = kNowUs + 3'600'000'000;
    return a;
}

QString key(int n)
{
    return u"caller-a/"_s + QString::number(n);
}

} // namespace

class ExactCacheTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void storingPastTheLimitEvictsTheLeastRecentlyUsed()
    {
        QTemporaryDir dir;
        auto cache = ExactCache::open(dir.filePath(u"c.sqlite"_s), 3000);
        QVERIFY2(cache, qPrintable(cache ? QString() : cache.error().message));
        for (int n = 1; n <= 3; ++n)
            QVERIFY((*cache)->store(key(n), u"caller-a"_s, answer(n, 900)).has_value());
        QVERIFY((*cache)->lookup(key(1), kNowUs + 10)); // 1 is now more recent than 2
        QVERIFY((*cache)->store(key(4), u"caller-a"_s, answer(4, 900)).has_value()); // 3,600 bytes: one goes
        QCOMPARE((*cache)->stats().entries, 3);
        QCOMPARE((*cache)->stats().bytes, 2700);
        QVERIFY(!(*cache)->lookup(key(2), kNowUs + 20));
        for (int n : {1, 3, 4})
            QVERIFY2((*cache)->lookup(key(n), kNowUs + 20), qPrintable(key(n)));
        // Several evictions for one store.
        QVERIFY((*cache)->store(key(5), u"caller-a"_s, answer(5, 2900)).has_value());
        QCOMPARE((*cache)->stats().entries, 1);
        QVERIFY((*cache)->lookup(key(5), kNowUs + 30));
    }

    void shrinkingTheLimitEvicts()
    {
        QTemporaryDir dir;
        auto cache = ExactCache::open(dir.filePath(u"c.sqlite"_s), 100'000);
        QVERIFY(cache);
        for (int n = 1; n <= 50; ++n)
            QVERIFY((*cache)->store(key(n), u"caller-a"_s, answer(n, 1000)).has_value());
        (*cache)->setMaxBytes(10'000);
        QCOMPARE((*cache)->stats().entries, 10);
        QCOMPARE((*cache)->stats().bytes, 10'000);
        QVERIFY(!(*cache)->lookup(key(40), kNowUs + 100));
        QVERIFY((*cache)->lookup(key(41), kNowUs + 100));
        QVERIFY((*cache)->lookup(key(50), kNowUs + 100));
    }

    void reopeningUnderASmallerLimitEvictsWhileLoading()
    {
        // A file written under a larger limit, opened with a smaller one: loading evicts (a session-7
        // trial found the proxy crashing here on every start once the cache had been full).
        QTemporaryDir dir;
        const QString path = dir.filePath(u"c.sqlite"_s);
        {
            auto cache = ExactCache::open(path, 1'000'000);
            QVERIFY(cache);
            for (int n = 1; n <= 200; ++n)
                QVERIFY((*cache)->store(key(n), u"caller-a"_s, answer(n, 1000)).has_value());
            QCOMPARE((*cache)->stats().entries, 200);
        }
        {
            auto cache = ExactCache::open(path, 20'000);
            QVERIFY2(cache, qPrintable(cache ? QString() : cache.error().message));
            QCOMPARE((*cache)->stats().entries, 20);
            QVERIFY((*cache)->stats().bytes <= 20'000);
            QVERIFY((*cache)->lookup(key(200), kNowUs + 1000));
            QVERIFY(!(*cache)->lookup(key(180), kNowUs + 1000));
        }
        {
            // What was evicted while loading is gone from the file too.
            auto cache = ExactCache::open(path, 1'000'000);
            QVERIFY(cache);
            QCOMPARE((*cache)->stats().entries, 20);
        }
    }
};

QTEST_GUILESS_MAIN(ExactCacheTest)
#include "ExactCacheTest.moc"
