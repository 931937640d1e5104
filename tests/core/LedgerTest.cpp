#include "TestSupport.h"

#include "ledger/KeyLabels.h"
#include "ledger/LatencyHistogram.h"
#include "ledger/Ledger.h"
#include "ledger/RecordCodec.h"
#include "query/LedgerQueries.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QProcess>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QThread>
#include <QtTest>

#include <algorithm>
#include <cstdio>
#include <map>

#ifdef Q_OS_UNIX
#include <sys/resource.h>

#include <csignal>
#endif

using namespace Qt::StringLiterals;
using namespace tl;

namespace {
constexpr qint64 kHour = 3'600'000'000LL;

using test::openLedger;

// A deterministic mix of endpoints, models, keys, latencies, unpriced models and cache hits.
QList<CallRecord> sampleRecords(int n, qint64 startUs, qint64 spanUs, quint32 seed)
{
    QRandomGenerator rng(seed);
    const QStringList endpoints{u"chat"_s, u"search"_s, u"summarise"_s, u"code-assist"_s};
    const QStringList models{u"gpt-4o-2024-08-06"_s, u"gpt-4o-mini-2024-07-18"_s, u"claude-sonnet-4-5"_s,
                             u"in-house-llm"_s};
    QList<CallRecord> records;
    for (int i = 0; i < n; ++i) {
        const QString model = models[int(rng.bounded(models.size()))];
        CallRecord r = test::makeRecord(startUs + qint64(rng.bounded(quint64(spanUs))), endpoints[int(rng.bounded(4))],
                                        model.startsWith(u"claude"_s) ? u"anthropic"_s : u"openai"_s, model,
                                        rng.bounded(5000), rng.bounded(800));
        r.keyId = rng.bounded(2) ? u"key-a"_s : u"key-b"_s;
        r.latencyUs = 50'000 + qint64(rng.bounded(3'000'000));
        r.usage.cachedTokens = r.usage.promptTokens / 4;
        if (rng.bounded(10) == 0)
            r.cacheOutcome = CacheOutcome::ExactHit;
        r.sourceKey = u"sample:%1:%2"_s.arg(seed).arg(i);
        records.append(r);
    }
    return records;
}

// Brute-force sums per group (by the names a breakdown reports) and in total, from the records.
struct Expected
{
    std::map<QStringList, Aggregate> groups;
    Aggregate total;
};
Expected bruteForce(const QList<CallRecord> &records, qint64 fromUs, qint64 toUs, const QList<Dimension> &dims)
{
    Expected e;
    for (const CallRecord &r : records) {
        if (r.startedAtUs < fromUs || r.startedAtUs >= toUs)
            continue;
        QStringList names;
        for (Dimension d : dims)
            names << (d == Dimension::Endpoint ? r.endpoint : d == Dimension::Model ? r.servedModel : r.keyId);
        Aggregate &a = e.groups[names];
        for (Aggregate *x : {&a, &e.total}) {
            if (x->latencyBuckets.empty())
                x->latencyBuckets.assign(LatencyHistogram::kBuckets, 0);
            x->latencyBuckets[size_t(LatencyHistogram::bucketOf(r.latencyUs))] += 1;
            x->calls += 1;
            x->promptTokens += r.usage.promptTokens;
            x->cachedTokens += r.usage.cachedTokens;
            x->completionTokens += r.usage.completionTokens;
            x->cost += r.cost.value_or(0);
            x->unpricedCalls += r.cost ? 0 : 1;
            x->saved += r.savedCost;
            x->cacheHits += r.cacheOutcome == CacheOutcome::ExactHit ? 1 : 0;
            x->latencyCalls += 1;
            x->latencySumUs += r.latencyUs;
        }
    }
    return e;
}

// Every sum of every row and of the totals equals the brute force, to the nano-USD and the bucket.
void compareWithBruteForce(const Breakdown &b, const Expected &e)
{
    QCOMPARE(qsizetype(b.rows.size()), qsizetype(e.groups.size()));
    NanoUsd sumOfRows = 0;
    for (const BreakdownRow &row : b.rows) {
        QVERIFY2(e.groups.count(row.keys), qPrintable(row.keys.join(u" · "_s)));
        const Aggregate &x = e.groups.at(row.keys);
        QCOMPARE(row.agg.calls, x.calls);
        QCOMPARE(row.agg.promptTokens, x.promptTokens);
        QCOMPARE(row.agg.cachedTokens, x.cachedTokens);
        QCOMPARE(row.agg.completionTokens, x.completionTokens);
        QCOMPARE(row.agg.cost, x.cost);
        QCOMPARE(row.agg.unpricedCalls, x.unpricedCalls);
        QCOMPARE(row.agg.saved, x.saved);
        QCOMPARE(row.agg.cacheHits, x.cacheHits);
        QCOMPARE(row.agg.latencyCalls, x.latencyCalls);
        QCOMPARE(row.agg.latencySumUs, x.latencySumUs);
        QCOMPARE(row.agg.latencyBuckets, x.latencyBuckets);
        sumOfRows += row.agg.cost;
    }
    QCOMPARE(b.totals.calls, e.total.calls);
    QCOMPARE(b.totals.cost, e.total.cost);
    QCOMPARE(b.totals.promptTokens, e.total.promptTokens);
    QCOMPARE(b.totals.saved, e.total.saved);
    QCOMPARE(b.totals.unpricedCalls, e.total.unpricedCalls);
    QCOMPARE(b.totals.latencySumUs, e.total.latencySumUs);
    if (e.total.calls > 0)
        QCOMPARE(b.totals.latencyBuckets, e.total.latencyBuckets);
    QCOMPARE(sumOfRows, e.total.cost);
}

// Microseconds of local midnight on `date` in `zone`.
qint64 localMidnightUs(const char *zone, QDate date)
{
    return QDateTime(date, QTime(0, 0), QTimeZone(zone)).toMSecsSinceEpoch() * 1000;
}
// Every row of one rollup level ("hour", "day" or "week": rollup_<level> and rollup_latency_hist_<level>) as
// text lines starting with `prefix`, in key order, for comparing two ways of filling the rollups.
QStringList dumpRollupLevel(QSqlDatabase &db, const QString &level, const QString &prefix)
{
    QStringList rows;
    QSqlQuery q(db);
    q.exec(u"SELECT * FROM rollup_%1 ORDER BY 1, 2, 3, 4, 5, 6"_s.arg(level));
    while (q.next()) {
        QStringList cols;
        for (int i = 0; i < 20; ++i)
            cols << q.value(i).toString();
        rows << prefix + cols.join(u',');
    }
    q.exec(u"SELECT * FROM rollup_latency_hist_%1 ORDER BY 1, 2, 3, 4"_s.arg(level));
    while (q.next())
        rows << prefix + u"L"_s + q.value(0).toString() + u',' + q.value(3).toString() + u',' + q.value(4).toString();
    return rows;
}

// The ledger at `path` holding sampleRecords(n, startUs, spanUs, seed), priced; written only when the file
// is new, so a data-driven test's rows share one ledger. Returns the priced records too.
std::pair<std::unique_ptr<Ledger>, QList<CallRecord>> sampledLedger(const QString &path, int n, qint64 startUs,
                                                                    qint64 spanUs, quint32 seed)
{
    const bool fresh = !QFile::exists(path);
    auto ledger = openLedger(path);
    QList<CallRecord> records = sampleRecords(n, startUs, spanUs, seed);
    for (CallRecord &r : records)
        ledger->pricer()->apply(r);
    if (fresh && ledger->writer().submitBatch(records).result().inserted != n)
        qFatal("sampledLedger: not every record was written to %s", qPrintable(path));
    return {std::move(ledger), std::move(records)};
}

// One call of 772 us on endpoint "one" (no tag), 772 us and 40 ms on "two" (tag "a"), from
// 2026-11-03T10:20:00Z, one second apart.
std::unique_ptr<Ledger> p95Ledger(const QString &path)
{
    auto ledger = openLedger(path);
    const qint64 base = test::usFromIso(u"2026-11-03T10:20:00Z"_s);
    auto call = [&](const QString &endpoint, qint64 latencyUs, const QStringList &tags, int i) {
        CallRecord r = test::makeRecord(base + i * 1'000'000, endpoint, u"openai"_s, u"gpt-4o"_s, 100, 10);
        r.latencyUs = latencyUs;
        r.tags = tags;
        ledger->pricer()->apply(r);
        return r;
    };
    const QList<CallRecord> records{call(u"one"_s, 772, {}, 0), call(u"two"_s, 772, {u"a"_s}, 1),
                                    call(u"two"_s, 40'000, {u"a"_s}, 2)};
    if (ledger->writer().submitBatch(records).result().inserted != 3)
        qFatal("p95Ledger: not every record was written to %s", qPrintable(path));
    return ledger;
}

} // namespace

class LedgerTest : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    // Breakdowns over ranges that start and end mid-hour combine rollups and raw rows; they must equal
    // a brute-force sum over the records, to the nano-USD, for every group and the totals.
    void breakdownEqualsBruteForce_data()
    {
        QTest::addColumn<qint64>("fromOffset");
        QTest::addColumn<qint64>("toOffset");
        QTest::newRow("everything") << qint64(0) << qint64(48 * kHour);
        QTest::newRow("mid-hour to mid-hour") << qint64(kHour / 3) << qint64(30 * kHour + 7 * 60'000'000LL);
        QTest::newRow("inside one hour") << qint64(5 * kHour + 1) << qint64(5 * kHour + kHour / 2);
        QTest::newRow("whole hours only") << qint64(2 * kHour) << qint64(20 * kHour);
        QTest::newRow("a partial hour, an hour and a whole day") << qint64(22 * kHour + 17 * 60'000'000LL) << qint64(48 * kHour);
        // Edges longer than half an hour are read as their hour minus the rest of it.
        QTest::newRow("long edges at both ends") << qint64(3 * kHour + 5 * 60'000'000LL) << qint64(40 * kHour + 55 * 60'000'000LL);
        QTest::newRow("two partial hours, no whole one") << qint64(6 * kHour + 10 * 60'000'000LL) << qint64(7 * kHour + 50 * 60'000'000LL);
        QTest::newRow("a long edge, then whole days") << qint64(kHour / 4) << qint64(47 * kHour + 1);
    }
    void breakdownEqualsBruteForce()
    {
        QFETCH(qint64, fromOffset);
        QFETCH(qint64, toOffset);
        const qint64 base = test::usFromIso(u"2026-11-01T00:00:00Z"_s);
        auto ledger = openLedger(m_dir.filePath(u"brute-%1.sqlite"_s.arg(QString::fromLatin1(QTest::currentDataTag())).replace(u' ', u'_')));
        QList<CallRecord> records = sampleRecords(3000, base, 48 * kHour, 7);
        for (CallRecord &r : records)
            ledger->pricer()->apply(r);
        const WriteReport written = ledger->writer().submitBatch(records).result();
        QCOMPARE(written.inserted, 3000);

        BreakdownQuery q;
        q.fromUs = base + fromOffset;
        q.toUs = base + toOffset;
        const Result<Breakdown> b = ledger->breakdown(q).result();
        QVERIFY(b.has_value());

        std::map<QStringList, Aggregate> expected;
        Aggregate total;
        for (const CallRecord &r : std::as_const(records)) {
            if (r.startedAtUs < q.fromUs || r.startedAtUs >= q.toUs)
                continue;
            Aggregate &a = expected[{r.endpoint, r.servedModel}];
            for (Aggregate *x : {&a, &total}) {
                if (x->latencyBuckets.empty())
                    x->latencyBuckets.assign(LatencyHistogram::kBuckets, 0);
                x->latencyBuckets[size_t(LatencyHistogram::bucketOf(r.latencyUs))] += 1;
                x->calls += 1;
                x->promptTokens += r.usage.promptTokens;
                x->cachedTokens += r.usage.cachedTokens;
                x->completionTokens += r.usage.completionTokens;
                x->cost += r.cost.value_or(0);
                x->unpricedCalls += r.cost ? 0 : 1;
                x->saved += r.savedCost;
                x->latencySumUs += r.latencyUs;
                x->latencyCalls += 1;
            }
        }
        QCOMPARE(qsizetype(b->rows.size()), qsizetype(expected.size()));
        NanoUsd sumOfRows = 0;
        for (const BreakdownRow &row : b->rows) {
            const Aggregate &e = expected.at(row.keys);
            QCOMPARE(row.agg.calls, e.calls);
            QCOMPARE(row.agg.promptTokens, e.promptTokens);
            QCOMPARE(row.agg.cachedTokens, e.cachedTokens);
            QCOMPARE(row.agg.completionTokens, e.completionTokens);
            QCOMPARE(row.agg.cost, e.cost);
            QCOMPARE(row.agg.unpricedCalls, e.unpricedCalls);
            QCOMPARE(row.agg.saved, e.saved);
            QCOMPARE(row.agg.latencySumUs, e.latencySumUs);
            QCOMPARE(row.agg.latencyBuckets, e.latencyBuckets); // hourly/daily histograms + raw edges
            QCOMPARE(row.agg.p95LatencyUs(), e.p95LatencyUs());
            sumOfRows += row.agg.cost;
        }
        QCOMPARE(b->totals.cost, total.cost);
        QCOMPARE(b->totals.calls, total.calls);
        QCOMPARE(b->totals.latencyBuckets, total.latencyBuckets);
        QCOMPARE(sumOfRows, total.cost);
        QCOMPARE(b->totals.calls, total.calls);
        // Ordered by cost, highest first; the cumulative share ends at 100%.
        for (qsizetype i = 1; i < b->rows.size(); ++i)
            QVERIFY(b->rows[i - 1].agg.cost >= b->rows[i].agg.cost);
        if (!b->rows.isEmpty() && total.cost > 0)
            QCOMPARE(b->rows.back().cumulativeShare, 1.0);
    }

    // Ranges of weeks (schema v8 weekly rollups, UTC weeks from Monday) combined with days, hours and raw
    // rows, and edges read as a whole period minus its rest: every group, grouped by endpoint and model
    // and by key, equals a brute-force sum over 12,000 records spread over ten weeks that cross both 2026
    // DST changes. Edges at week boundaries, a microsecond either side of them, mid-hour, and at local
    // midnights in zones with DST and with a half-hour offset (what the dashboard's date picker asks for).
    void breakdownOverWeeksEqualsBruteForce_data()
    {
        QTest::addColumn<qint64>("fromUs");
        QTest::addColumn<qint64>("toUs");
        const auto iso = [](const char *text) { return test::usFromIso(QString::fromLatin1(text)); };
        QTest::newRow("whole UTC weeks, Monday to Monday") << iso("2026-03-02T00:00:00Z") << iso("2026-03-30T00:00:00Z");
        QTest::newRow("a microsecond inside each week boundary")
            << iso("2026-03-02T00:00:00Z") + 1 << iso("2026-03-30T00:00:00Z") - 1;
        QTest::newRow("a microsecond outside each week boundary")
            << iso("2026-03-02T00:00:00Z") - 1 << iso("2026-03-30T00:00:00Z") + 1;
        QTest::newRow("long edges: Thursday evening to Tuesday early, five weeks")
            << iso("2026-02-26T20:45:10Z") << iso("2026-04-07T03:10:00Z");
        QTest::newRow("short edges: Sunday evening to Monday early")
            << iso("2026-03-01T22:15:00Z") << iso("2026-04-06T01:40:00Z");
        QTest::newRow("90 days from mid-hour to mid-hour, wider than the data")
            << iso("2026-02-10T13:37:00Z") << iso("2026-05-11T13:37:00Z");
        QTest::newRow("inside one week, across three days") << iso("2026-03-10T05:20:00Z") << iso("2026-03-13T19:05:00Z");
        QTest::newRow("across one week boundary, no whole week") << iso("2026-03-12T05:20:00Z") << iso("2026-03-18T19:05:00Z");
        QTest::newRow("two microseconds around Monday midnight")
            << iso("2026-03-16T00:00:00Z") - 1 << iso("2026-03-16T00:00:00Z") + 1;
        QTest::newRow("30 local days, Europe/Berlin, across the EU DST change")
            << localMidnightUs("Europe/Berlin", QDate(2026, 3, 10)) << localMidnightUs("Europe/Berlin", QDate(2026, 4, 9));
        QTest::newRow("7 local days, Asia/Kolkata (UTC+5:30)")
            << localMidnightUs("Asia/Kolkata", QDate(2026, 3, 19)) << localMidnightUs("Asia/Kolkata", QDate(2026, 3, 26));
        QTest::newRow("60 local days, America/New_York, across the US DST change")
            << localMidnightUs("America/New_York", QDate(2026, 2, 25)) << localMidnightUs("America/New_York", QDate(2026, 4, 26));
        QTest::newRow("no start and no end (INT64_MIN to INT64_MAX, as the Simulator page asks)")
            << std::numeric_limits<qint64>::min() << std::numeric_limits<qint64>::max();
        QTest::newRow("24 local hours, Pacific/Chatham (UTC+13:45)")
            << localMidnightUs("Pacific/Chatham", QDate(2026, 3, 22)) << localMidnightUs("Pacific/Chatham", QDate(2026, 3, 23));
    }
    void breakdownOverWeeksEqualsBruteForce()
    {
        QFETCH(qint64, fromUs);
        QFETCH(qint64, toUs);
        const qint64 base = test::usFromIso(u"2026-02-23T07:00:00Z"_s);
        auto [ledger, records] = sampledLedger(m_dir.filePath(u"weeks.sqlite"_s), 12000, base, 70 * 24 * kHour, 29);
        const qint64 weeks = ledger->read<qint64>([](QSqlDatabase &db) {
            QSqlQuery c(db);
            c.exec(u"SELECT COUNT(DISTINCT week_us) FROM rollup_week"_s);
            return c.next() ? c.value(0).toLongLong() : -1;
        }).result();
        QCOMPARE(weeks, 11); // 2026-02-23 (a Monday) 07:00 + 70 days touches eleven UTC weeks

        for (const QList<Dimension> &dims : {QList<Dimension>{Dimension::Endpoint, Dimension::Model},
                                            QList<Dimension>{Dimension::Key}}) {
            BreakdownQuery q;
            q.fromUs = fromUs;
            q.toUs = toUs;
            q.groupBy = dims;
            const Result<Breakdown> b = ledger->breakdown(q).result();
            QVERIFY2(b.has_value(), qPrintable(b ? QString() : b.error().message));
            compareWithBruteForce(*b, bruteForce(records, fromUs, toUs, dims));
            if (QTest::currentTestFailed())
                return;
        }
    }

    // A provider filter (the dashboard can set one) over a range the rollups serve: the latency histogram
    // rollups have no provider column, so latencies come from the raw rows; every sum still equals a
    // brute-force sum over that provider's records.
    void providerFilterOverRollupsEqualsBruteForce()
    {
        const qint64 base = test::usFromIso(u"2026-11-01T00:00:00Z"_s);
        auto ledger = openLedger(m_dir.filePath(u"provider-filter.sqlite"_s));
        QList<CallRecord> records = sampleRecords(3000, base, 48 * kHour, 13);
        for (CallRecord &r : records)
            ledger->pricer()->apply(r);
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 3000);
        for (const QString &provider : {u"anthropic"_s, u"openai"_s}) {
            BreakdownQuery q;
            q.fromUs = base + kHour / 3;
            q.toUs = base + 47 * kHour;
            q.filter.provider = provider;
            const Result<Breakdown> b = ledger->breakdown(q).result();
            QVERIFY2(b.has_value(), qPrintable(b ? QString() : b.error().message));
            Aggregate expected;
            expected.latencyBuckets.assign(LatencyHistogram::kBuckets, 0);
            for (const CallRecord &r : std::as_const(records)) {
                if (r.provider != provider || r.startedAtUs < q.fromUs || r.startedAtUs >= q.toUs)
                    continue;
                expected.calls += 1;
                expected.cost += r.cost.value_or(0);
                expected.latencyBuckets[size_t(LatencyHistogram::bucketOf(r.latencyUs))] += 1;
            }
            QVERIFY(expected.calls > 0);
            QCOMPARE(b->totals.calls, expected.calls);
            QCOMPARE(b->totals.cost, expected.cost);
            QCOMPARE(b->totals.latencyBuckets, expected.latencyBuckets);
        }
    }

    // The rollups the writer maintains incrementally equal the rollups rebuilt from the raw rows.
    void incrementalRollupsMatchARebuild()
    {
        const QString path = m_dir.filePath(u"rollups.sqlite"_s);
        auto ledger = openLedger(path);
        const qint64 base = test::usFromIso(u"2026-11-01T00:00:00Z"_s);
        QList<CallRecord> records = sampleRecords(2000, base - 5 * kHour, 30 * kHour, 11); // spans three UTC days
        for (CallRecord &r : records) {
            ledger->pricer()->apply(r);
            ledger->writer().submit(r); // one by one, as the proxy does
        }
        ledger->writer().flush().waitForFinished();
        auto dumpRollups = [](QSqlDatabase &db) {
            return dumpRollupLevel(db, u"hour"_s, QString()) + dumpRollupLevel(db, u"day"_s, u"D"_s)
                   + dumpRollupLevel(db, u"week"_s, u"W"_s);
        };
        const QStringList incremental = ledger->read<QStringList>(dumpRollups).result();
        QVERIFY(incremental.size() > 50);
        // 2026-11-01 is a Sunday: the records fall in two UTC weeks.
        QCOMPARE(incremental.filter(QRegularExpression(u"^W\\d"_s)).size() > 0, true);
        QCOMPARE(ledger->read<qint64>([](QSqlDatabase &db) {
            QSqlQuery c(db);
            c.exec(u"SELECT COUNT(DISTINCT week_us) FROM rollup_latency_hist_week"_s);
            return c.next() ? c.value(0).toLongLong() : -1;
        }).result(), 2);
        ledger->writer()
            .runExclusive([](QSqlDatabase &db) {
                db.transaction();
                QVERIFY(LedgerQueries::rebuildRollups(db).has_value());
                db.commit();
            })
            .waitForFinished();
        QCOMPARE(ledger->read<QStringList>(dumpRollups).result(), incremental);
    }

    // A version-7 ledger has no weekly rollups: the version-8 migration fills them from the daily ones
    // (the histograms merged into the canonical text) and they equal what the writer maintains itself.
    void weeklyRollupsFilledOnUpgradeEqualTheWritersOwn()
    {
        const QString path = m_dir.filePath(u"upgrade-v7.sqlite"_s);
        const auto dumpWeeks = [](QSqlDatabase &db) { return dumpRollupLevel(db, u"week"_s, u"W"_s); };
        QStringList written;
        {
            auto ledger = openLedger(path);
            QList<CallRecord> records = sampleRecords(3000, test::usFromIso(u"2026-10-20T09:00:00Z"_s), 25 * 24 * kHour, 5);
            for (CallRecord &r : records)
                ledger->pricer()->apply(r);
            QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 3000);
            written = ledger->read<QStringList>(dumpWeeks).result();
            QVERIFY(written.size() > 40);
            // Back to version 7: without the weekly tables (v8), the call text table (v9), the
            // simulator's call_replay table with its triggers (v10), call_savings.embedding_of (v11) and
            // calls.truncated with the index of report rows (v12).
            ledger->writer()
                .runExclusive([](QSqlDatabase &db) {
                    QSqlQuery q(db);
                    for (const char16_t *trigger : {u"call_replay_cost", u"call_replay_stale", u"call_replay_delete"})
                        QVERIFY(q.exec(u"DROP TRIGGER "_s + QString::fromUtf16(trigger)));
                    QVERIFY(q.exec(u"DROP TABLE call_replay"_s));
                    QVERIFY(q.exec(u"DROP TABLE call_text"_s));
                    QVERIFY(q.exec(u"DROP TABLE rollup_week"_s));
                    QVERIFY(q.exec(u"DROP TABLE rollup_latency_hist_week"_s));
                    QVERIFY(q.exec(u"ALTER TABLE call_savings DROP COLUMN embedding_of"_s));
                    // ... and calls.truncated with the report index (v12) ...
                    QVERIFY(q.exec(u"DROP INDEX calls_reports"_s));
                    QVERIFY(q.exec(u"ALTER TABLE calls DROP COLUMN truncated"_s));
                    // ... and the web searches and context window (v13) ...
                    QVERIFY(q.exec(u"ALTER TABLE calls DROP COLUMN web_search_requests"_s));
                    QVERIFY(q.exec(u"ALTER TABLE calls DROP COLUMN context_window"_s));
                    // ... and the usage parts (v15, v16).
                    for (const char16_t *column : {u"cached_audio_tokens", u"cached_image_tokens",
                                                   u"output_image_tokens", u"citation_tokens", u"file_search_calls"})
                        QVERIFY(q.exec(u"ALTER TABLE calls DROP COLUMN "_s + QString::fromUtf16(column)));
                    QVERIFY(q.exec(u"PRAGMA user_version = 7"_s));
                })
                .waitForFinished();
        }
        auto upgraded = openLedger(path);
        QCOMPARE(upgraded->read<QStringList>(dumpWeeks).result(), written);
    }

    // Key labels: set from the ledger (writer thread), shown by a breakdown grouped by key, replaced,
    // removed with an empty label; a label that looks like an API key, an unknown identity, control
    // characters or an over-long label are refused with a message and change nothing.
    // A p95 read from histogram buckets stays within the group's samples (one call of 772 us once read
    // 500 us, the middle of the [0, 1 ms) bucket), from raw rows (mid-hour range) and from rollups (whole
    // days).
    void p95StaysWithinTheSamples_data()
    {
        QTest::addColumn<bool>("wholeDays");
        QTest::newRow("raw rows") << false;
        QTest::newRow("rollups") << true;
    }
    void p95StaysWithinTheSamples()
    {
        QFETCH(bool, wholeDays);
        auto ledger = p95Ledger(m_dir.filePath(u"p95-%1.sqlite"_s.arg(wholeDays)));
        const qint64 base = test::usFromIso(u"2026-11-03T10:20:00Z"_s);
        BreakdownQuery q;
        q.fromUs = wholeDays ? test::usFromIso(u"2026-11-01T00:00:00Z"_s) : base - 60'000'000;
        q.toUs = wholeDays ? test::usFromIso(u"2026-11-05T00:00:00Z"_s) : base + 60'000'000;
        q.groupBy = {Dimension::Endpoint};
        const auto b = ledger->breakdown(q).result();
        QVERIFY(b.has_value());
        QCOMPARE(b->rows.size(), 2);
        for (const BreakdownRow &row : b->rows) {
            const qint64 p95 = row.agg.p95LatencyUs();
            if (row.keys.first() == u"one"_s) {
                QCOMPARE(p95, 772); // the only sample
            } else {
                QVERIFY2(p95 >= 772 && p95 <= 40'000, qPrintable(QString::number(p95)));
            }
        }
        QVERIFY(b->totals.p95LatencyUs() >= 772 && b->totals.p95LatencyUs() <= 40'000);
    }

    // By tag, the p95 is computed too (from raw rows, as the tag sums are) and calls without a tag are
    // the "untagged" group, as calls without an endpoint are.
    void breakdownByTagHasP95AndNamesUntagged()
    {
        auto ledger = p95Ledger(m_dir.filePath(u"p95-tags.sqlite"_s));
        const qint64 base = test::usFromIso(u"2026-11-03T10:20:00Z"_s);
        BreakdownQuery q;
        q.fromUs = base - 60'000'000;
        q.toUs = base + 60'000'000;
        q.groupBy = {Dimension::Tag};
        const auto byTag = ledger->breakdown(q).result();
        QVERIFY(byTag.has_value());
        QCOMPARE(byTag->rows.size(), 2);
        QMap<QString, qint64> p95;
        for (const BreakdownRow &row : byTag->rows)
            p95.insert(row.keys.first(), row.agg.p95LatencyUs());
        QCOMPARE(p95.keys(), (QStringList{u"a"_s, u"untagged"_s}));
        QCOMPARE(p95.value(u"untagged"_s), 772);
        QVERIFY2(p95.value(u"a"_s) >= 772 && p95.value(u"a"_s) <= 40'000, qPrintable(QString::number(p95.value(u"a"_s))));
        QVERIFY(byTag->totals.p95LatencyUs() >= 772);
    }

    void keyLabelsShowInBreakdownsByKey()
    {
        auto ledger = openLedger(m_dir.filePath(u"key-labels.sqlite"_s));
        QSignalSpy changed(ledger.get(), &Ledger::keyLabelsChanged);
        const qint64 base = test::usFromIso(u"2026-11-03T10:00:00Z"_s);
        QList<CallRecord> records = sampleRecords(200, base, kHour, 17);
        for (CallRecord &r : records) {
            r.keyId = r.keyId == u"key-a"_s ? u"k_0123456789abcdef"_s : u"k_fedcba9876543210"_s;
            ledger->pricer()->apply(r);
        }
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 200);
        BreakdownQuery q;
        q.fromUs = base;
        q.toUs = base + kHour;
        q.groupBy = {Dimension::Key};
        QVERIFY(ledger->breakdown(q).result()->keyLabels.isEmpty());

        QVERIFY(ledger->setKeyLabel(u"k_0123456789abcdef"_s, u"  billing service "_s).result().has_value());
        QTRY_COMPARE(changed.count(), 1);
        auto b = ledger->breakdown(q).result();
        QCOMPARE(b->keyLabels, (QHash<QString, QString>{{u"k_0123456789abcdef"_s, u"billing service"_s}}));
        QCOMPARE(b->rows.size(), 2);
        // Grouped by anything else, no labels are read.
        BreakdownQuery byEndpoint = q;
        byEndpoint.groupBy = {Dimension::Endpoint};
        QVERIFY(ledger->breakdown(byEndpoint).result()->keyLabels.isEmpty());

        QVERIFY(ledger->setKeyLabel(u"k_0123456789abcdef"_s, u"计费服务"_s).result().has_value());
        QCOMPARE(ledger->breakdown(q).result()->keyLabels.value(u"k_0123456789abcdef"_s), u"计费服务"_s);

        struct Refused
        {
            QString key;
            QString label;
            ErrorCode code;
        };
        for (const Refused &r : {Refused{u"k_0123456789abcdef"_s, u"sk-proj-abc"_s, ErrorCode::InvalidArgument},
                                 Refused{u"k_0123456789abcdef"_s, u"prod key sk-ant-api03-xyz"_s, ErrorCode::InvalidArgument},
                                 Refused{u"k_0123456789abcdef"_s, u"AIzaSyA1b2C3d4E5f6G7h8I9"_s, ErrorCode::InvalidArgument},
                                 Refused{u"k_0123456789abcdef"_s, u"tab\there"_s, ErrorCode::InvalidArgument},
                                 Refused{u"k_0123456789abcdef"_s, QString(65, u'x'), ErrorCode::InvalidArgument},
                                 Refused{u"k_0000000000000000"_s, u"nobody"_s, ErrorCode::NotFound}}) {
            const Result<void> result = ledger->setKeyLabel(r.key, r.label).result();
            QVERIFY2(!result.has_value(), qPrintable(r.label));
            QCOMPARE(result.error().code, r.code);
            QVERIFY(!result.error().message.isEmpty());
        }
        QCOMPARE(ledger->breakdown(q).result()->keyLabels.value(u"k_0123456789abcdef"_s), u"计费服务"_s);
        // Words that only look long, or digits alone, are fine.
        QVERIFY(KeyLabels::validate(u"internationalisation-team"_s).has_value());
        QVERIFY(KeyLabels::validate(u"cost centre 4711-2026-11"_s).has_value());

        QVERIFY(ledger->setKeyLabel(u"k_0123456789abcdef"_s, u" "_s).result().has_value());
        QVERIFY(ledger->breakdown(q).result()->keyLabels.isEmpty());
        QTRY_COMPARE(changed.count(), 3);
    }

    void sameSourceKeyTwiceAddsNothing()
    {
        auto ledger = openLedger(m_dir.filePath(u"idempotent.sqlite"_s));
        const qint64 base = test::usFromIso(u"2026-11-02T00:00:00Z"_s);
        QList<CallRecord> records = sampleRecords(500, base, kHour, 3);
        for (CallRecord &r : records)
            ledger->pricer()->apply(r);
        const WriteReport first = ledger->writer().submitBatch(records).result();
        const WriteReport second = ledger->writer().submitBatch(records).result();
        QCOMPARE(first.inserted, 500);
        QCOMPARE(second.inserted, 0);
        QCOMPARE(second.duplicates, 500);
        BreakdownQuery q;
        q.fromUs = base;
        q.toUs = base + kHour;
        const qint64 raw = ledger->read<qint64>([](QSqlDatabase &db) {
            QSqlQuery c(db);
            c.exec(u"SELECT COUNT(*) FROM calls"_s);
            return c.next() ? c.value(0).toLongLong() : -1;
        }).result();
        const qint64 rolled = ledger->read<qint64>([](QSqlDatabase &db) {
            QSqlQuery c(db);
            c.exec(u"SELECT SUM(calls) FROM rollup_hour"_s);
            return c.next() ? c.value(0).toLongLong() : -1;
        }).result();
        QCOMPARE(raw, 500);
        QCOMPARE(rolled, 500);
        QCOMPARE(ledger->breakdown(q).result()->totals.calls, 500);
    }

    // Cost over time in day, week and hour buckets, in zones with and without DST, over six weeks that
    // cross the 2026 US (03-08) and EU (03-29) changes, from mid-hour to mid-hour: every bucket and every
    // series equals a brute-force sum over the records. Day and week buckets read whole UTC days from
    // the daily rollups and move the hours that belong to a neighbouring local day.
    void timeSeriesEqualsBruteForce_data()
    {
        QTest::addColumn<QString>("zone");
        QTest::addColumn<int>("granularity");
        for (const char *zone : {"UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"}) {
            for (const auto &[name, g] : {std::pair{"day", Granularity::Day}, std::pair{"week", Granularity::Week},
                                          std::pair{"hour", Granularity::Hour}}) {
                QTest::addRow("%s, %s buckets", zone, name) << QString::fromLatin1(zone) << int(g);
            }
        }
    }
    void timeSeriesEqualsBruteForce()
    {
        QFETCH(QString, zone);
        QFETCH(int, granularity);
        const qint64 base = test::usFromIso(u"2026-02-27T00:00:00Z"_s);
        auto [ledger, records] = sampledLedger(m_dir.filePath(u"series.sqlite"_s), 4000, base, 42 * 24 * kHour, 21);

        TimeSeriesQuery q;
        q.fromUs = base + 3 * 24 * kHour + 17 * 60'000'000LL;
        q.toUs = base + 40 * 24 * kHour + 5 * kHour + 23 * 60'000'000LL;
        q.granularity = Granularity(granularity);
        q.zone = QTimeZone(zone.toLatin1());
        q.stackBy = Dimension::Model;
        q.maxSeries = 0;
        const auto ts = ledger->timeSeries(q).result();
        QVERIFY(ts.has_value());
        const qsizetype n = ts->bucketStartsUs.size();
        QVERIFY(n > 0);
        QList<qint64> calls(n, 0);
        QList<NanoUsd> cost(n, 0);
        std::map<QString, QList<NanoUsd>> perModel;
        for (const CallRecord &r : std::as_const(records)) {
            if (r.startedAtUs < q.fromUs || r.startedAtUs >= q.toUs)
                continue;
            const auto it = std::upper_bound(ts->bucketStartsUs.begin(), ts->bucketStartsUs.end(), r.startedAtUs);
            const qsizetype b = qsizetype(it - ts->bucketStartsUs.begin()) - 1;
            QVERIFY(b >= 0);
            calls[b] += 1;
            cost[b] += r.cost.value_or(0);
            auto &series = perModel[r.servedModel];
            if (series.isEmpty())
                series.fill(0, n);
            series[b] += r.cost.value_or(0);
        }
        QCOMPARE(ts->callsPerBucket, calls);
        QCOMPARE(ts->costPerBucket, cost);
        for (qsizetype i = 0; i < ts->seriesNames.size(); ++i) {
            QVERIFY2(perModel.count(ts->seriesNames[i]), qPrintable(ts->seriesNames[i]));
            QCOMPARE(ts->cost[i], perModel.at(ts->seriesNames[i]));
        }
        QCOMPARE(qsizetype(perModel.size()), ts->seriesNames.size());
    }

    // Session-16 audit: a one-series query (stackBy nullopt, as TimeSeriesQuery documents it) failed with SQLite's
    // "2nd GROUP BY term out of range" (the placeholder column was the literal 0, a result column number).
    void oneSeriesTimeSeriesEqualsTheStackedTotals()
    {
        const qint64 base = test::usFromIso(u"2026-02-27T00:00:00Z"_s);
        auto [ledger, records] = sampledLedger(m_dir.filePath(u"one-series.sqlite"_s), 500, base, 10 * 24 * kHour, 7);
        TimeSeriesQuery q;
        q.fromUs = base;
        q.toUs = base + 10 * 24 * kHour;
        q.granularity = Granularity::Day;
        q.zone = QTimeZone("Europe/Berlin");
        q.stackBy = std::nullopt;
        const auto one = ledger->timeSeries(q).result();
        QVERIFY2(one.has_value(), one ? "" : qPrintable(one.error().message));
        QCOMPARE(one->seriesNames.size(), 1);
        q.stackBy = Dimension::Model;
        q.maxSeries = 0;
        const auto stacked = ledger->timeSeries(q).result();
        QVERIFY(stacked.has_value());
        QCOMPARE(one->costPerBucket, stacked->costPerBucket);
        QCOMPARE(one->callsPerBucket, stacked->callsPerBucket);
        QCOMPARE(one->cost[0], stacked->costPerBucket);
    }

    // Day buckets in Europe/Berlin around the 2026-03-29 spring-forward: 00:30 local on the 29th is
    // 2026-03-28T23:30Z (UTC day 28) but belongs to the local 29th.
    void costOverTimeInALocalZoneAcrossDst()
    {
        auto ledger = openLedger(m_dir.filePath(u"dst.sqlite"_s));
        QList<CallRecord> records;
        for (const char *iso : {"2026-03-28T22:30:00Z", "2026-03-28T23:30:00Z", "2026-03-29T00:30:00Z",
                                "2026-03-29T21:59:00Z", "2026-03-29T22:00:00Z"}) {
            CallRecord r = test::makeRecord(test::usFromIso(QString::fromLatin1(iso)), u"chat"_s, u"openai"_s,
                                            u"gpt-4o"_s, 1000, 0); // 2,500,000 nano-USD each
            ledger->pricer()->apply(r);
            records << r;
        }
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 5);
        TimeSeriesQuery q;
        q.fromUs = test::usFromIso(u"2026-03-28T12:00:00Z"_s);
        q.toUs = test::usFromIso(u"2026-03-31T00:00:00Z"_s);
        q.granularity = Granularity::Day;
        q.zone = QTimeZone("Europe/Berlin");
        auto ts = ledger->timeSeries(q).result();
        QVERIFY(ts.has_value());
        QCOMPARE(ts->bucketLabels, (QStringList{u"2026-03-28"_s, u"2026-03-29"_s, u"2026-03-30"_s, u"2026-03-31"_s}));
        QCOMPARE(ts->callsPerBucket, (QList<qint64>{1, 3, 1, 0}));
        QCOMPARE(ts->costPerBucket, (QList<NanoUsd>{2'500'000, 7'500'000, 2'500'000, 0}));
        QCOMPARE(ts->seriesNames, QStringList{u"gpt-4o"_s});

        q.zone = QTimeZone::utc();
        auto utc = ledger->timeSeries(q).result();
        QCOMPARE(utc->callsPerBucket, (QList<qint64>{2, 3, 0}));
    }

    // A half-hour zone cannot use hourly rollups; the raw path must put each call in its local day.
    void halfHourZoneUsesRawRows()
    {
        auto ledger = openLedger(m_dir.filePath(u"kolkata.sqlite"_s));
        QList<CallRecord> records;
        for (const char *iso : {"2026-01-01T18:29:00Z", "2026-01-01T18:31:00Z"}) {
            CallRecord r = test::makeRecord(test::usFromIso(QString::fromLatin1(iso)), u"chat"_s, u"openai"_s,
                                            u"gpt-4o"_s, 1000, 0);
            ledger->pricer()->apply(r);
            records << r;
        }
        ledger->writer().submitBatch(records).waitForFinished();
        TimeSeriesQuery q;
        q.fromUs = test::usFromIso(u"2026-01-01T00:00:00Z"_s);
        q.toUs = test::usFromIso(u"2026-01-02T12:00:00Z"_s);
        q.zone = QTimeZone("Asia/Kolkata");
        auto ts = ledger->timeSeries(q).result();
        QVERIFY(ts->fromRawRows);
        QCOMPARE(ts->bucketLabels, (QStringList{u"2026-01-01"_s, u"2026-01-02"_s}));
        QCOMPARE(ts->callsPerBucket, (QList<qint64>{1, 1}));
    }

    void paretoCountsTheEndpointsCarrying80Percent()
    {
        Breakdown b;
        for (const auto &[name, cost] : {std::pair{u"a"_s, 600}, {u"b"_s, 200}, {u"c"_s, 100}, {u"d"_s, 100}}) {
            BreakdownRow row;
            row.keys = {name};
            row.agg.cost = cost;
            b.rows << row;
        }
        const Pareto p = LedgerQueries::pareto(b);
        QCOMPARE(p.total, 1000);
        QCOMPARE(p.countFor80, 2); // 600 + 200 = exactly 80%
        QCOMPARE(p.points[1].cumulativeShare, 0.8);
    }

    void overridesAndRepricingRewriteHistory()
    {
        auto ledger = openLedger(m_dir.filePath(u"reprice.sqlite"_s));
        QSignalSpy priced(ledger.get(), &Ledger::pricingChanged);
        CallRecord known = test::makeRecord(test::usFromIso(u"2026-11-03T10:00:00Z"_s), u"chat"_s, u"openai"_s,
                                            u"gpt-4o"_s, 1000, 1000);
        CallRecord unknown = test::makeRecord(known.startedAtUs, u"chat"_s, u""_s, u"in-house-llm"_s, 1000, 1000);
        ledger->pricer()->apply(known);
        ledger->pricer()->apply(unknown);
        QCOMPARE(known.cost, std::optional<NanoUsd>(12'500'000));
        QVERIFY(!unknown.cost);
        ledger->writer().submitBatch({known, unknown}).waitForFinished();

        PriceOverride o;
        o.model = u"in-house-llm"_s;
        o.prices.input = TieredPrice{1'000'000'000, {}};  // $1 / MTok
        o.prices.output = TieredPrice{2'000'000'000, {}}; // $2 / MTok
        QVERIFY(ledger->setOverride(o).result().has_value());
        QTRY_COMPARE(priced.count(), 1);
        const auto report = ledger->reprice().result();
        QVERIFY(report.has_value());
        QCOMPARE(report->calls, 2);
        QCOMPARE(report->changed, 1);
        QCOMPARE(report->costBefore, 12'500'000);
        QCOMPARE(report->costAfter, 12'500'000 + 3'000'000);

        RecordQuery rq;
        rq.fromUs = 0;
        rq.toUs = std::numeric_limits<qint64>::max() / 2;
        const auto rows = ledger->records(rq).result();
        QCOMPARE(rows->size(), 2);
        for (const CallRecord &r : *rows) {
            if (r.servedModel == u"in-house-llm"_s) {
                QCOMPARE(r.cost, std::optional<NanoUsd>(3'000'000));
                QCOMPARE(r.priceEntry, u"override/in-house-llm"_s);
                QVERIFY(r.priceVersion.startsWith(u"override-r"_s));
            }
        }
        const auto last = ledger->lastReprice().result();
        QVERIFY(last.has_value() && last->has_value());
        QCOMPARE((*last)->costAfter, 15'500'000);
        // Rollups follow the re-pricing.
        BreakdownQuery bq;
        bq.fromUs = rq.fromUs;
        bq.toUs = rq.toUs;
        QCOMPARE(ledger->breakdown(bq).result()->totals.cost, 15'500'000);
        QCOMPARE(ledger->breakdown(bq).result()->totals.unpricedCalls, 0);
    }

    // A commit that cannot write (here: the process's file-size limit, so writes fail as on a full
    // disk) keeps the batch in memory, emits writeFailed and retries every second; once writes work
    // again every record is committed, once, with its rollups.
    void aFailedWriteKeepsTheBatchAndRetries()
    {
#ifdef Q_OS_UNIX
        const QString path = m_dir.filePath(u"full.sqlite"_s);
        auto ledger = openLedger(path);
        QSignalSpy failed(&ledger->writer(), &LedgerWriter::writeFailed);
        const qint64 base = test::usFromIso(u"2026-11-06T00:00:00Z"_s);
        QList<CallRecord> records = sampleRecords(5100, base, 3 * kHour, 13);
        for (CallRecord &r : records)
            ledger->pricer()->apply(r);
        QCOMPARE(ledger->writer().submitBatch(records.mid(0, 100)).result().inserted, 100);

        test::LedgerGrowthLimit limit(path, 8192); // 5,000 records need ~700 KB more
        QVERIFY(limit.ok());
        QFuture<WriteReport> rest = ledger->writer().submitBatch(records.mid(100));
        QTRY_VERIFY(failed.count() >= 1);
        QCOMPARE(ledger->writer().pending(), 5000);
        QVERIFY(!rest.isFinished());
        QVERIFY(!failed.constFirst().constFirst().toString().isEmpty());
        QVERIFY(limit.lift());

        QTRY_VERIFY_WITH_TIMEOUT(rest.isFinished(), 10'000); // the next retry, at most a second later
        const WriteReport report = rest.result();
        QCOMPARE(report.inserted, 5000);
        QCOMPARE(report.failed, 0);
        QCOMPARE(ledger->writer().pending(), 0);
        BreakdownQuery q;
        q.fromUs = base;
        q.toUs = base + 3 * kHour;
        const auto b = ledger->breakdown(q).result();
        QCOMPARE(b->totals.calls, 5100);
        NanoUsd cost = 0;
        for (const CallRecord &r : std::as_const(records))
            cost += r.cost.value_or(0);
        QCOMPARE(b->totals.cost, cost);
        const qint64 rows = ledger->read<qint64>([](QSqlDatabase &db) {
            QSqlQuery c(db);
            c.exec(u"SELECT COUNT(*) FROM calls"_s);
            return c.next() ? c.value(0).toLongLong() : -1;
        }).result();
        QCOMPARE(rows, 5100);
#else
        QSKIP("needs RLIMIT_FSIZE (Linux, macOS)");
#endif
    }

    // While commits fail, the proxy's records (submit()) are kept and retried once a second, not from every
    // 100 ms tick and hand-over: the old code retried from those too and queued one more retry timer per
    // failed attempt, so the attempts multiplied and a full disk kept a CPU busy (session-12 trial: 83% after
    // 10 minutes). Every failed attempt emits writeFailed, so the spy counts the attempts.
    void failingCommitsAreRetriedOnceASecond()
    {
#ifdef Q_OS_UNIX
        const QString path = m_dir.filePath(u"retry-rate.sqlite"_s);
        auto ledger = openLedger(path);
        QSignalSpy failed(&ledger->writer(), &LedgerWriter::writeFailed);
        const qint64 base = test::usFromIso(u"2026-11-07T00:00:00Z"_s);
        QList<CallRecord> records = sampleRecords(4100, base, 3 * kHour, 17);
        for (CallRecord &r : records)
            ledger->pricer()->apply(r);
        QCOMPARE(ledger->writer().submitBatch(records.mid(0, 100)).result().inserted, 100);

        test::LedgerGrowthLimit limit(path, 8192);
        QVERIFY(limit.ok());
        for (int i = 100; i < 1100; ++i)
            ledger->writer().submit(records.at(i));
        const bool failedOnce = QTest::qWaitFor([&] { return failed.count() >= 1; }, 10'000);
        // Hand-overs go on (each 300 records past the wake-up threshold kick the writer) for 3.5 s.
        const int firstFailures = int(failed.count());
        QElapsedTimer window;
        window.start();
        int next = 1100;
        while (window.elapsed() < 3500) {
            for (int k = 0; k < 300 && next < records.size(); ++k)
                ledger->writer().submit(records.at(next++));
            QTest::qWait(100);
        }
        const int attempts = int(failed.count()) - firstFailures;
        QVERIFY(limit.lift());
        QVERIFY(failedOnce);
        qInfo() << "failed attempts in 3.5 s:" << attempts;
        QVERIFY2(attempts >= 2 && attempts <= 5, qPrintable(u"%1 failed attempts in 3.5 s"_s.arg(attempts)));

        // Nothing was dropped: once writes work, every record is committed once.
        QTRY_COMPARE_WITH_TIMEOUT(ledger->writer().pending(), 0, 10'000);
        const qint64 rows = ledger->read<qint64>([](QSqlDatabase &db) {
            QSqlQuery c(db);
            c.exec(u"SELECT COUNT(*) FROM calls"_s);
            return c.next() ? c.value(0).toLongLong() : -1;
        }).result();
        QCOMPARE(rows, qint64(next));
#else
        QSKIP("needs RLIMIT_FSIZE (Linux, macOS)");
#endif
    }

    // committed() reaches a receiver in another thread before that thread learns that a flush() is done: the
    // headless proxy quits when its last flush is done and says "the ledger takes records again" from
    // committed() (stop 25's CI: the records waiting for a full disk were written after the stop, but the
    // flush's continuation was queued first and the process exited without saying so). Here the records and
    // the flush marker wait behind a failing commit, so the retry commits them in one transaction.
    void committedIsSaidBeforeTheFlushIsDone()
    {
#ifdef Q_OS_UNIX
        const QString path = m_dir.filePath(u"flush-order.sqlite"_s);
        auto ledger = openLedger(path);
        QSignalSpy failed(&ledger->writer(), &LedgerWriter::writeFailed);
        const qint64 base = test::usFromIso(u"2026-11-08T00:00:00Z"_s);
        QList<CallRecord> records = sampleRecords(2010, base, kHour, 19);
        for (CallRecord &r : records)
            ledger->pricer()->apply(r);
        QCOMPARE(ledger->writer().submitBatch(records.mid(0, 10)).result().inserted, 10);

        test::LedgerGrowthLimit limit(path, 0); // 2,000 more records need far more than the WAL holds
        QVERIFY(limit.ok());
        for (int i = 10; i < 2010; ++i)
            ledger->writer().submit(records.at(i));
        QTRY_VERIFY(failed.count() >= 1);
        QObject receiver; // this thread, so both arrive as queued calls, as in the proxy command
        qint64 committedRecords = 0;
        qint64 committedWhenFlushed = -1;
        QObject::connect(&ledger->writer(), &LedgerWriter::committed, &receiver,
                         [&](qint64 inserted) { committedRecords += inserted; });
        QFuture<void> flushed = ledger->writer().flush().then(&receiver, [&]() { committedWhenFlushed = committedRecords; });
        QVERIFY(limit.lift());
        QTRY_VERIFY_WITH_TIMEOUT(flushed.isFinished(), 10'000);
        QCOMPARE(committedWhenFlushed, 2000);
        QCOMPARE(ledger->writer().pending(), 0);
#else
        QSKIP("needs RLIMIT_FSIZE (Linux, macOS)");
#endif
    }

    // An import's batch (OnWriteFailure::GiveUp) is given up at the first failed commit: its future finishes
    // at once with every record counted as not stored and SQLite's cause, while records handed over by
    // submit() in the meantime (the proxy's) stay in memory and are committed once writes work again. The
    // given-up records can be handed over again afterwards. (A new API: not built on the old code.)
    void aGiveUpBatchEndsAtItsFirstFailedCommitWhileSubmittedRecordsWait()
    {
#ifdef Q_OS_UNIX
        const QString path = m_dir.filePath(u"give-up.sqlite"_s);
        auto ledger = openLedger(path);
        const qint64 base = test::usFromIso(u"2026-11-08T00:00:00Z"_s);
        QList<CallRecord> records = sampleRecords(2600, base, 3 * kHour, 19);
        for (CallRecord &r : records)
            ledger->pricer()->apply(r);
        QCOMPARE(ledger->writer().submitBatch(records.mid(0, 100)).result().inserted, 100);

        test::LedgerGrowthLimit limit(path, 8192);
        QVERIFY(limit.ok());
        for (int i = 100; i < 600; ++i)
            ledger->writer().submit(records.at(i));
        QFuture<WriteReport> imported = ledger->writer().submitBatch(records.mid(600, 2000), OnWriteFailure::GiveUp);
        const bool finished = QTest::qWaitFor([&] { return imported.isFinished(); }, 10'000);
        const qint64 waiting = ledger->writer().pending();
        QVERIFY(limit.lift());
        QVERIFY2(finished, "a GiveUp batch still waits after its commit failed");
        const WriteReport report = imported.result();
        QCOMPARE(report.inserted, 0);
        QCOMPARE(report.notStored, 2000);
        QVERIFY(!report.failure.isEmpty());
        qInfo().noquote() << "cause:" << report.failure;
        QCOMPARE(waiting, 500); // the submitted records are kept

        QTRY_COMPARE_WITH_TIMEOUT(ledger->writer().pending(), 0, 10'000);
        const auto rows = [&] {
            return ledger->read<qint64>([](QSqlDatabase &db) {
                QSqlQuery c(db);
                c.exec(u"SELECT COUNT(*) FROM calls"_s);
                return c.next() ? c.value(0).toLongLong() : -1;
            }).result();
        };
        QCOMPARE(rows(), 600);
        const WriteReport again = ledger->writer().submitBatch(records.mid(600, 2000), OnWriteFailure::GiveUp).result();
        QCOMPARE(again.inserted, 2000);
        QCOMPARE(again.notStored, 0);
        QVERIFY(again.failure.isEmpty());
        QCOMPARE(rows(), 2600);
#else
        QSKIP("needs RLIMIT_FSIZE (Linux, macOS)");
#endif
    }

    // Destroying the ledger drains the writer: every handed-over record is on disk afterwards.
    void closingDrainsEveryRecord()
    {
        const QString path = m_dir.filePath(u"drain.sqlite"_s);
        const qint64 base = test::usFromIso(u"2026-11-04T00:00:00Z"_s);
        {
            auto ledger = openLedger(path);
            QSignalSpy added(ledger.get(), &Ledger::recordsAdded);
            for (CallRecord r : sampleRecords(10'000, base, kHour, 5)) {
                ledger->pricer()->apply(r);
                ledger->writer().submit(std::move(r));
            }
            QTRY_VERIFY(added.count() >= 1);
        }
        auto reopened = openLedger(path);
        BreakdownQuery q;
        q.fromUs = base;
        q.toUs = base + kHour;
        QCOMPARE(reopened->breakdown(q).result()->totals.calls, 10'000);
    }

    void recordIdsAreKnownAtHandOver()
    {
        auto ledger = openLedger(m_dir.filePath(u"ids.sqlite"_s));
        CallRecord r = test::makeRecord(test::usFromIso(u"2026-11-05T00:00:00Z"_s), u"chat"_s, u"openai"_s,
                                        u"gpt-4o"_s, 10, 10);
        const qint64 id1 = ledger->writer().submit(r);
        const qint64 id2 = ledger->writer().submit(r);
        QCOMPARE(id2, id1 + 1);
        ledger->writer().flush().waitForFinished();
        RecordQuery q;
        q.fromUs = 0;
        q.toUs = std::numeric_limits<qint64>::max() / 2;
        const auto rows = ledger->records(q).result();
        QCOMPARE(rows->size(), 2);
        QCOMPARE(rows->front().id, id2); // newest first, same time: higher id first
    }

    // Record ids are never reused after a crash (session-7 trial): a writer in a child process hands out
    // ids (three submitted records, two reserved ones, as the proxy names a stream's record) that it cannot
    // commit (this test holds the file's write lock), then gets SIGKILL. The ledger reopened: the lost ids
    // are not in it, and every id handed out afterwards is above all of them.
    void recordIdsLostToACrashAreNeverReused()
    {
#ifdef Q_OS_UNIX
        const QString path = m_dir.filePath(u"crash-ids.sqlite"_s);
        const qint64 at = test::usFromIso(u"2026-11-05T00:00:00Z"_s);
        qint64 committedId = 0;
        {
            auto ledger = openLedger(path);
            committedId = ledger->writer().submit(test::makeRecord(at, u"chat"_s, u"openai"_s, u"gpt-4o"_s, 10, 10));
        }
        QProcess child;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(u"LEDGERTEST_CRASH_CHILD_DB"_s, path);
        child.setProcessEnvironment(env);
        child.setProgram(QCoreApplication::applicationFilePath());
        child.start();
        QVERIFY(child.waitForStarted(10'000));
        QByteArray out;
        QTRY_VERIFY_WITH_TIMEOUT((out += child.readAllStandardOutput(), out.contains("ready\n")), 15'000);

        // Hold the write lock: the child's writer cannot commit what it is handed from now on.
        QSqlDatabase lock = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"crash-ids-lock"_s);
        lock.setDatabaseName(path);
        QVERIFY(lock.open());
        QSqlQuery begin(lock);
        QVERIFY(begin.exec(u"BEGIN IMMEDIATE"_s));
        child.write("go\n");
        QTRY_VERIFY_WITH_TIMEOUT((out += child.readAllStandardOutput(), out.contains("end\n")), 15'000);
        child.kill(); // SIGKILL
        QVERIFY(child.waitForFinished(10'000));
        QCOMPARE(child.exitStatus(), QProcess::CrashExit);
        QVERIFY(begin.exec(u"ROLLBACK"_s));
        begin = QSqlQuery();
        lock.close();
        lock = QSqlDatabase();
        QSqlDatabase::removeDatabase(u"crash-ids-lock"_s);

        QList<qint64> lost;
        for (const QByteArray &line : out.split('\n')) {
            if (line.startsWith("id "))
                lost << line.mid(3).toLongLong();
        }
        QCOMPARE(lost.size(), 5);
        const qint64 highestLost = *std::max_element(lost.begin(), lost.end());
        QVERIFY(*std::min_element(lost.begin(), lost.end()) > committedId);

        auto ledger = openLedger(path);
        QList<qint64> fresh;
        for (int i = 0; i < 3; ++i)
            fresh << ledger->writer().submit(test::makeRecord(at, u"after-crash"_s, u"openai"_s, u"gpt-4o"_s, 5, 5));
        fresh << ledger->writer().reserveId();
        ledger->writer().flush().waitForFinished();
        for (qint64 id : fresh)
            QVERIFY2(id > highestLost, qPrintable(u"id %1 handed out after the crash; the crash lost ids up to %2"_s
                                                      .arg(id).arg(highestLost)));
        // The gap a crash leaves is bounded by the margin.
        QVERIFY(fresh.front() - highestLost <= LedgerWriter::kIdMargin);
        RecordQuery q;
        q.fromUs = 0;
        q.toUs = std::numeric_limits<qint64>::max() / 2;
        const auto rows = ledger->records(q).result();
        QCOMPARE(rows->size(), 4); // the first record and the three after the crash
        for (const CallRecord &r : *rows)
            QVERIFY(!lost.contains(r.id));
#else
        QSKIP("needs SIGKILL of a child process");
#endif
    }

    // A graceful close stores the exact next id: the next start continues without a gap; and a writer
    // handing out more than half of the margin without records moves the stored mark up by itself.
    void gracefulCloseLeavesNoIdGapAndTheMarkFollowsReservations()
    {
        const QString path = m_dir.filePath(u"id-mark.sqlite"_s);
        const qint64 at = test::usFromIso(u"2026-11-05T00:00:00Z"_s);
        qint64 last = 0;
        {
            auto ledger = openLedger(path);
            for (int i = 0; i < 3; ++i)
                last = ledger->writer().submit(test::makeRecord(at, u"chat"_s, u"openai"_s, u"gpt-4o"_s, 1, 1));
        }
        qint64 reserved = 0;
        {
            auto ledger = openLedger(path);
            QCOMPARE(ledger->writer().reserveId(), last + 1);
            for (qint64 i = 0; i < LedgerWriter::kIdMargin / 2 + 10; ++i)
                reserved = ledger->writer().reserveId();
            const auto storedMark = [&] {
                QSqlDatabase c = QSqlDatabase::addDatabase(u"QSQLITE"_s, u"id-mark-read"_s);
                c.setDatabaseName(path);
                qint64 v = 0;
                if (c.open()) {
                    QSqlQuery q(c);
                    if (q.exec(u"SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_call_id'"_s) && q.next())
                        v = q.value(0).toLongLong();
                }
                c = QSqlDatabase();
                QSqlDatabase::removeDatabase(u"id-mark-read"_s);
                return v;
            };
            QTRY_VERIFY(storedMark() > reserved + LedgerWriter::kIdMargin / 2);
        }
        auto ledger = openLedger(path);
        QCOMPARE(ledger->writer().reserveId(), reserved + 1);
    }

    // A proxy record's savings trace (schema v5, call_savings) is stored with the call, read back by
    // the record queries, and survives the JSONL export/import form; a record without one reads empty.
    void savingsTraceRoundTrips()
    {
        auto ledger = openLedger(m_dir.filePath(u"savings.sqlite"_s));
        CallRecord r = test::makeRecord(test::usFromIso(u"2026-11-05T00:00:00Z"_s), u"chat"_s, u"openai"_s,
                                        u"gpt-4o"_s, 1200, 80);
        r.savings.complexity = u"low"_s;
        r.savings.routeMode = u"shadow"_s;
        r.savings.routedModel = u"gpt-4.1-nano"_s;
        r.savings.tokensBeforeCompression = 5000;
        r.savings.tokensAfterCompression = 1200;
        r.savings.fewShotSet = u"faq"_s;
        r.savings.fewShotExamples = 2;
        r.savings.fewShotTokens = 90;
        r.savings.fewShotSetTokens = 900;
        r.savings.semanticScope = u"abc123"_s;
        r.savings.guardSignature = u"n:2,3"_s;
        r.savings.embeddingModel = u"tokenledger-local-ngram-v1"_s;
        const float vec[3] = {0.6f, 0.8f, 0.0f};
        r.savings.embedding = QByteArray(reinterpret_cast<const char *>(vec), sizeof vec);
        const qint64 withTrace = ledger->writer().submit(r);
        CallRecord plain = test::makeRecord(r.startedAtUs + 1, u"chat"_s, u"openai"_s, u"gpt-4o"_s, 10, 10);
        const qint64 withoutTrace = ledger->writer().submit(plain);
        ledger->writer().flush().waitForFinished();

        RecordQuery q;
        q.fromUs = 0;
        q.toUs = std::numeric_limits<qint64>::max() / 2;
        const auto rows = ledger->records(q).result();
        QVERIFY(rows);
        QCOMPARE(rows->size(), 2);
        for (const CallRecord &row : *rows) {
            if (row.id == withTrace) {
                QVERIFY(row.savings == r.savings);
            } else {
                QCOMPARE(row.id, withoutTrace);
                QVERIFY(row.savings.isEmpty());
            }
        }
        const CallRecord stored = rows->at(0).id == withTrace ? rows->at(0) : rows->at(1);
        const auto decoded = RecordCodec::fromJson(RecordCodec::toJson(stored));
        QVERIFY(decoded);
        QVERIFY(decoded->savings == r.savings);
    }

    // Exact-cache hits repeat their request's embedding (~4 KiB with the local embedder). The writer stores
    // the bytes once: a later call with byte-equal bytes (the same buffer, or an equal copy) keeps only
    // call_savings.embedding_of, the call that holds them (schema v11). Every record still reads back its
    // embedding; other bytes are stored as they are; a new writer (after a restart) stores them once more.
    void repeatedEmbeddingsAreStoredOnce()
    {
        const QString path = m_dir.filePath(u"embeddings-once.sqlite"_s);
        QByteArray e(4096, Qt::Uninitialized), other(4096, Qt::Uninitialized);
        for (int i = 0; i < 4096; ++i) {
            e[i] = char(i * 7);
            other[i] = char(i * 13);
        }
        const qint64 t0 = test::usFromIso(u"2026-11-05T00:00:00Z"_s);
        auto record = [&](int i, const QByteArray &embedding, CacheOutcome outcome) {
            CallRecord r = test::makeRecord(t0 + i, u"chat"_s, u"openai"_s, u"gpt-4o"_s, 100, 10);
            r.cacheOutcome = outcome;
            r.savings.semanticScope = u"scope"_s;
            r.savings.embeddingModel = u"tokenledger-local-ngram-v1/512"_s;
            r.savings.embedding = embedding;
            return r;
        };
        QList<qint64> ids;
        QHash<qint64, QByteArray> expected;
        {
            auto ledger = openLedger(path);
            auto add = [&](const CallRecord &r) {
                ids << ledger->writer().submit(r);
                expected.insert(ids.last(), r.savings.embedding);
            };
            add(record(0, e, CacheOutcome::Miss));
            add(record(1, e, CacheOutcome::ExactHit));     // the same buffer
            add(record(2, other, CacheOutcome::Miss));
            add(record(3, QByteArray(e.constData(), e.size()), CacheOutcome::ExactHit)); // an equal copy
            ledger->writer().flush().waitForFinished();
            add(record(4, e, CacheOutcome::ExactHit)); // a later batch
            ledger->writer().flush().waitForFinished();
        }
        {
            auto ledger = openLedger(path);
            ids << ledger->writer().submit(record(5, e, CacheOutcome::ExactHit)); // a new writer
            expected.insert(ids.last(), e);
            ids << ledger->writer().submit(record(6, e, CacheOutcome::ExactHit));
            expected.insert(ids.last(), e);
            ledger->writer().flush().waitForFinished();

            const QStringList stored = ledger->read<QStringList>([](QSqlDatabase &db) {
                                                 QStringList out;
                                                 QSqlQuery q(db);
                                                 q.exec(u"SELECT call_id, length(embedding), embedding_of FROM call_savings "
                                                        u"ORDER BY call_id"_s);
                                                 while (q.next())
                                                     out << u"%1 %2 %3"_s.arg(q.value(0).toString(),
                                                                              q.value(1).isNull() ? u"-"_s : q.value(1).toString(),
                                                                              q.value(2).isNull() ? u"-"_s : q.value(2).toString());
                                                 return out;
                                             })
                                           .result();
            const auto row = [&](int i, const QString &bytes, const QString &of) {
                return u"%1 %2 %3"_s.arg(ids[i]).arg(bytes, of);
            };
            QCOMPARE(stored, QStringList({row(0, u"4096"_s, u"-"_s), row(1, u"-"_s, QString::number(ids[0])),
                                          row(2, u"4096"_s, u"-"_s), row(3, u"-"_s, QString::number(ids[0])),
                                          row(4, u"-"_s, QString::number(ids[0])), row(5, u"4096"_s, u"-"_s),
                                          row(6, u"-"_s, QString::number(ids[5]))}));

            RecordQuery q;
            q.fromUs = 0;
            q.toUs = std::numeric_limits<qint64>::max() / 2;
            const auto rows = ledger->records(q).result();
            QVERIFY(rows);
            QCOMPARE(rows->size(), 7);
            for (const CallRecord &r : *rows)
                QVERIFY2(r.savings.embedding == expected.value(r.id), qPrintable(QString::number(r.id)));
        }
    }
};

// recordIdsLostToACrashAreNeverReused's child: opens the ledger, says "ready", waits for "go" on stdin,
// hands out five ids (three records submitted, two reserved), prints them and waits to be killed.
int crashChild(int argc, char **argv, const QString &path)
{
    QCoreApplication app(argc, argv);
    auto writer = LedgerWriter::open(path);
    if (!writer)
        return 2;
    std::fputs("ready\n", stdout);
    std::fflush(stdout);
    char line[16];
    if (!std::fgets(line, sizeof line, stdin))
        return 3;
    const qint64 at = test::usFromIso(u"2026-11-05T00:00:00Z"_s);
    QList<qint64> ids;
    for (int i = 0; i < 3; ++i)
        ids << (*writer)->submit(test::makeRecord(at, u"lost"_s, u"openai"_s, u"gpt-4o"_s, 7, 7));
    ids << (*writer)->reserveId() << (*writer)->reserveId();
    for (qint64 id : ids)
        std::printf("id %lld\n", static_cast<long long>(id));
    std::fputs("end\n", stdout);
    std::fflush(stdout);
    for (;;)
        QThread::sleep(60);
}

int main(int argc, char **argv)
{
    if (const QString path = qEnvironmentVariable("LEDGERTEST_CRASH_CHILD_DB"); !path.isEmpty())
        return crashChild(argc, argv, path);
    QCoreApplication app(argc, argv);
    LedgerTest test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "LedgerTest.moc"
