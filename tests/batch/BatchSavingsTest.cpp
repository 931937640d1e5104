// Batch records priced before a batch call kept its saving (saved_nano = 0): re-pricing fills the saving,
// and an old ledger gets it once on open (batch::backfillBatchSavings), on a real SQLite file.
#include "TestSupport.h"
#include "batch/BatchSavings.h"
#include "ledger/Database.h"
#include "ledger/Ledger.h"
#include "query/LedgerQueries.h"

#include <QDeadlineTimer>
#include <QSqlQuery>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tl;

namespace {

template<typename T>
T await(QFuture<T> f)
{
    QDeadlineTimer deadline(20000);
    while (!f.isFinished() && !deadline.hasExpired())
        QTest::qWait(5);
    return f.result();
}

constexpr qint64 kT0 = 1764460800ll * 1'000'000; // 2025-11-30T00:00:00Z

} // namespace

class BatchSavingsTest : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    int m_n = 0;

    // Runs `sql` on the writer's connection (as an older TokenLedger would have left the rows).
    void exec(Ledger &ledger, const QString &sql)
    {
        auto ok = std::make_shared<bool>(false);
        ledger.writer().runExclusive([ok, sql](QSqlDatabase &db) { *ok = QSqlQuery(db).exec(sql); }).waitForFinished();
        QVERIFY2(*ok, qPrintable(sql));
    }
    qint64 scalar(Ledger &ledger, const QString &sql)
    {
        return await(ledger.read<qint64>([sql](QSqlDatabase &db) {
            QSqlQuery q(db);
            return q.exec(sql) && q.next() ? q.value(0).toLongLong() : qint64(-1);
        }));
    }
    // Two batch calls and one real-time call of gpt-4o-mini (1,000 prompt + 200 completion tokens:
    // 270,000 nano-USD at list, 135,000 at the batch rate), then made old-style: no saving, rollups as an
    // older version built them.
    std::unique_ptr<Ledger> oldStyleLedger()
    {
        auto ledger = test::openLedger(m_dir.filePath(u"old-%1.sqlite"_s.arg(++m_n)));
        for (int i = 0; i < 3; ++i) {
            CallRecord r = test::makeRecord(kT0 + i * 3'600'000'000ll, u"nightly-classify"_s, u"openai"_s,
                                            u"gpt-4o-mini"_s, 1000, 200);
            r.batch = i < 2;
            r.sourceKind = SourceKind::BatchJob;
            r.sourceKey = u"old-batch-%1"_s.arg(i);
            ledger->pricer()->apply(r);
            ledger->writer().submit(r);
        }
        ledger->writer().flush().waitForFinished();
        exec(*ledger, u"UPDATE calls SET saved_nano = 0 WHERE batch = 1"_s);
        auto rebuilt = std::make_shared<bool>(false);
        ledger->writer()
            .runExclusive([rebuilt](QSqlDatabase &db) { *rebuilt = LedgerQueries::rebuildRollups(db).has_value(); })
            .waitForFinished();
        if (!*rebuilt)
            QTest::qFail("rebuilding the rollups failed", __FILE__, __LINE__);
        return ledger;
    }
    Aggregate totals(Ledger &ledger)
    {
        BreakdownQuery q;
        q.fromUs = kT0 - 86'400'000'000ll;
        q.toUs = kT0 + 86'400'000'000ll;
        const auto b = await(ledger.breakdown(q));
        return b ? b->totals : Aggregate{};
    }

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void anOldLedgerGetsItsBatchSavingsOnceOnOpen()
    {
        auto ledger = oldStyleLedger();
        QCOMPARE(scalar(*ledger, u"SELECT SUM(cost_nano) FROM calls WHERE batch = 1"_s), 270'000);
        QCOMPARE(totals(*ledger).batchSaved, NanoUsd(0));

        const auto report = await(batch::backfillBatchSavings(*ledger));
        QVERIFY2(report.has_value(), qPrintable(report.error().message));
        QVERIFY(!report->alreadyDone);
        QCOMPARE(report->checked, 2);
        QCOMPARE(report->filled, 2);
        QCOMPARE(report->stale, 0);
        QCOMPARE(report->saved, NanoUsd(270'000));
        QCOMPARE(scalar(*ledger, u"SELECT SUM(saved_nano) FROM calls WHERE batch = 1"_s), 270'000);
        QCOMPARE(scalar(*ledger, u"SELECT SUM(cost_nano) FROM calls"_s), 270'000 + 270'000); // costs unchanged
        // The rollups the breakdown reads carry the saving, as the raw rows do.
        const Aggregate t = totals(*ledger);
        QCOMPARE(t.batchCalls, 2);
        QCOMPARE(t.batchCost, NanoUsd(270'000));
        QCOMPARE(t.batchSaved, NanoUsd(270'000));
        QCOMPARE(scalar(*ledger, u"SELECT SUM(saved_nano) FROM rollup_day"_s), 270'000);

        // Once per ledger: the next open reads nothing, even if a saving went missing again.
        exec(*ledger, u"UPDATE calls SET saved_nano = 0 WHERE batch = 1"_s);
        const auto again = await(batch::backfillBatchSavings(*ledger));
        QVERIFY(again.has_value() && again->alreadyDone);
        QCOMPARE(scalar(*ledger, u"SELECT SUM(saved_nano) FROM calls WHERE batch = 1"_s), 0);
    }

    void aRecordPricedAtAnOlderPriceIsLeftForReprice()
    {
        auto ledger = oldStyleLedger();
        // The first batch call was priced at another (older) price: its saving cannot be list - cost.
        exec(*ledger, u"UPDATE calls SET cost_nano = 150000 WHERE source_key = 'old-batch-0'"_s);
        const auto report = await(batch::backfillBatchSavings(*ledger));
        QVERIFY(report.has_value());
        QCOMPARE(report->checked, 2);
        QCOMPARE(report->filled, 1);
        QCOMPARE(report->stale, 1);
        QCOMPARE(scalar(*ledger, u"SELECT saved_nano FROM calls WHERE source_key = 'old-batch-0'"_s), 0);
        QCOMPARE(scalar(*ledger, u"SELECT saved_nano FROM calls WHERE source_key = 'old-batch-1'"_s), 135'000);

        // Re-pricing the history prices it again and fills its saving with the same rule.
        const auto repriced = await(ledger->reprice());
        QVERIFY(repriced.has_value());
        QCOMPARE(scalar(*ledger, u"SELECT cost_nano FROM calls WHERE source_key = 'old-batch-0'"_s), 135'000);
        QCOMPARE(scalar(*ledger, u"SELECT saved_nano FROM calls WHERE source_key = 'old-batch-0'"_s), 135'000);
        QCOMPARE(totals(*ledger).batchSaved, NanoUsd(270'000));
    }

    void rePricingFillsAMissingSaving()
    {
        auto ledger = oldStyleLedger();
        const auto repriced = await(ledger->reprice());
        QVERIFY(repriced.has_value());
        QCOMPARE(repriced->changed, 2); // the two batch records: saving was missing
        QCOMPARE(scalar(*ledger, u"SELECT SUM(saved_nano) FROM calls WHERE batch = 1"_s), 270'000);
        QCOMPARE(scalar(*ledger, u"SELECT SUM(saved_nano) FROM calls WHERE batch = 0"_s), 0);
        QCOMPARE(totals(*ledger).batchSaved, NanoUsd(270'000));
    }
};

QTEST_MAIN(BatchSavingsTest)
#include "BatchSavingsTest.moc"
