// The spend views (breakdowns, cost over time, Pareto, unpriced models) over a real SQLite ledger with
// provider report lines: every view's rows add up to its total, and the same spend is counted once
// (query/SpendCoverage.h). Session-8 trial findings 1 and 2.
#include "TestSupport.h"

#include "importer/Importer.h"
#include "ledger/Ledger.h"
#include "query/LedgerQueries.h"

#include <QSqlQuery>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;

namespace {

constexpr qint64 kDay = 86'400'000'000LL;

void importReport(Ledger &ledger, const QString &fixture, ImportFormat format)
{
    ImportOptions o;
    o.format = format;
    const auto report = importFile(ledger, test::providerFixture(fixture), o);
    QVERIFY2(report.has_value(), report ? "" : qPrintable(report.error().message));
    QVERIFY(report->imported > 0);
}

Breakdown breakdownOf(Ledger &ledger, qint64 fromUs, qint64 toUs, const QList<Dimension> &by)
{
    BreakdownQuery q;
    q.fromUs = fromUs;
    q.toUs = toUs;
    q.groupBy = by;
    const auto b = ledger.breakdown(q).result();
    if (!b)
        qFatal("breakdown failed: %s", qPrintable(b.error().message));
    return *b;
}

// A call the proxy recorded: gpt-4o, priced as given.
CallRecord proxied(qint64 atUs, NanoUsd cost, const QString &id)
{
    CallRecord r = test::makeRecord(atUs, u"chat"_s, u"openai"_s, u"gpt-4o-2024-08-06"_s, 1000, 100);
    r.sourceKind = SourceKind::Proxy;
    r.sourceRef = u"proxy"_s;
    r.sourceKey = u"test-proxy:"_s + id;
    r.cost = cost;
    r.costStatus = CostStatus::Exact;
    r.priceEntry = u"openai/gpt-4o"_s;
    r.latencyUs = 200'000;
    return r;
}

} // namespace

class SpendViewsTest : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    std::unique_ptr<Ledger> m_g1; // g1 imported, shared by the rows of one test
    const qint64 m_f1Day = test::usFromIso(u"2025-11-28T00:00:00Z"_s); // f1/f2 bucket
    const qint64 m_g1Day = test::usFromIso(u"2026-11-27T00:00:00Z"_s); // g1/g2 bucket
    const qint64 m_all0 = test::usFromIso(u"2025-01-01T00:00:00Z"_s);
    const qint64 m_all1 = test::usFromIso(u"2026-12-31T00:00:00Z"_s);

    std::unique_ptr<Ledger> ledgerWith(const QString &name, const QList<std::pair<QString, ImportFormat>> &reports)
    {
        auto ledger = test::openLedger(m_dir.filePath(name));
        for (const auto &[file, format] : reports)
            importReport(*ledger, file, format);
        return ledger;
    }

    // Rows' sums equal the totals, for cost and tokens (findings 1: report lines have no calls).
    static void checkRowsAddUp(const Breakdown &b)
    {
        Aggregate sum;
        for (const BreakdownRow &row : b.rows)
            sum.add(row.agg);
        QCOMPARE(sum.cost, b.totals.cost);
        QCOMPARE(sum.calls, b.totals.calls);
        QCOMPARE(sum.promptTokens, b.totals.promptTokens);
        QCOMPARE(sum.completionTokens, b.totals.completionTokens);
        QCOMPARE(sum.batchCost, b.totals.batchCost);
        QCOMPARE(LedgerQueries::pareto(b).total, b.totals.cost);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
    }
    void cleanupTestCase() { m_g1.reset(); }

    // Trial finding 1: g1 (Anthropic usage report: call_count 0) alone. Expected two model rows, sonnet
    // 2,160,000,000 (tokens 2,040,000,000 and its 12 web searches at $10 per 1,000, 120,000,000, priced
    // since trial finding 5) and haiku (batch) 425,000,000 nano-USD; the old code gave no rows, only a TOTAL.
    void reportLinesWithoutCallsAreRows_data()
    {
        QTest::addColumn<QList<Dimension>>("by");
        QTest::addColumn<int>("rows");
        QTest::newRow("by model") << QList<Dimension>{Dimension::Model} << 2;
        QTest::newRow("by batch") << QList<Dimension>{Dimension::Batch} << 2;
        QTest::newRow("by provider, model") << QList<Dimension>{Dimension::Provider, Dimension::Model} << 2;
        QTest::newRow("by endpoint (workspace)") << QList<Dimension>{Dimension::Endpoint} << 1;
        QTest::newRow("by key") << QList<Dimension>{Dimension::Key} << 1;
        QTest::newRow("by tag") << QList<Dimension>{Dimension::Tag} << 1;
        QTest::newRow("by endpoint, model") << QList<Dimension>{Dimension::Endpoint, Dimension::Model} << 2;
    }
    void reportLinesWithoutCallsAreRows()
    {
        QFETCH(QList<Dimension>, by);
        QFETCH(int, rows);
        if (!m_g1)
            m_g1 = ledgerWith(u"g1.sqlite"_s, {{u"g1-anthropic-admin-usage-report-messages.json"_s,
                                                 ImportFormat::AnthropicUsage}});
        const Breakdown b = breakdownOf(*m_g1, m_all0, m_all1, by);
        QCOMPARE(b.totals.cost, 2'585'000'000);
        QCOMPARE(b.rows.size(), rows);
        checkRowsAddUp(b);
        if (by == QList<Dimension>{Dimension::Model}) {
            QCOMPARE(b.rows[0].keys, QStringList{u"claude-sonnet-4-5-20250929"_s});
            QCOMPARE(b.rows[0].agg.cost, 2'160'000'000);
            QCOMPARE(b.rows[1].keys, QStringList{u"claude-haiku-4-5-20251001"_s});
            QCOMPARE(b.rows[1].agg.cost, 425'000'000);
            QCOMPARE(b.rows[1].agg.batchCost, 425'000'000);
        }
        QCOMPARE(b.sources.usageReportCost, 2'585'000'000);
        QCOMPARE(b.sources.recordedCost, 0);
        QVERIFY(!b.sources.anySuperseded());
    }

    // Trial finding 2: a usage report and a cost report of the same provider and day count once: the
    // cost report, the bill (gpt-4o on 2025-11-28: 850,000 x 2,500 + 400,000 x 1,250 + 310,000 x 10,000 =
    // 5,725,000,000). Proxied calls that day are in the provider's reports too: left out; a proxied
    // call on a day no report covers counts. The old code gave $11.45 for gpt-4o and added the calls.
    void usageCostAndProxiedCallsCountOnce_data()
    {
        QTest::addColumn<bool>("withProxied");
        QTest::addColumn<bool>("withCosts");
        QTest::addColumn<NanoUsd>("expected");
        // f1 alone: gpt-4o 5,725,000,000 + gpt-4o-mini 98,000 x 150 + 41,000 x 600 = 39,300,000.
        QTest::newRow("usage report only") << false << false << NanoUsd(5'764'300'000);
        QTest::newRow("usage and cost reports") << false << true << NanoUsd(5'725'000'000);
        QTest::newRow("usage report and proxied calls")
            << true << false << NanoUsd(5'764'300'000 + 7'000'000); // the next day's call counts
        QTest::newRow("usage, cost reports and proxied calls") << true << true << NanoUsd(5'725'000'000 + 7'000'000);
    }
    void usageCostAndProxiedCallsCountOnce()
    {
        QFETCH(bool, withProxied);
        QFETCH(bool, withCosts);
        QFETCH(NanoUsd, expected);
        QList<std::pair<QString, ImportFormat>> reports{{u"f1-openai-admin-usage-completions.json"_s, ImportFormat::OpenAiUsage}};
        if (withCosts)
            reports.append({u"f2-openai-admin-costs.json"_s, ImportFormat::OpenAiCosts});
        auto ledger = ledgerWith(QString::fromLatin1(QTest::currentDataTag()).replace(u' ', u'-') + u".sqlite"_s, reports);
        if (withProxied) {
            // 3 calls at 2,000,000 on the covered day (in its first, a middle and its last hour) and one
            // at 7,000,000 the next day.
            QList<CallRecord> calls{proxied(m_f1Day + 1, 2'000'000, u"a"_s),
                                    proxied(m_f1Day + kDay / 2, 2'000'000, u"b"_s),
                                    proxied(m_f1Day + kDay - 1, 2'000'000, u"c"_s),
                                    proxied(m_f1Day + kDay + 3'600'000'000LL, 7'000'000, u"d"_s)};
            QCOMPARE(ledger->writer().submitBatch(calls).result().inserted, 4);
        }
        // Whole range, a range cut inside the covered day, and one over whole weeks.
        for (const auto &[from, to] : {std::pair{m_all0, m_all1}, std::pair{m_f1Day + kDay / 4, m_f1Day + 2 * kDay}}) {
            for (const QList<Dimension> &by :
                 {QList<Dimension>{Dimension::Model}, QList<Dimension>{Dimension::Endpoint, Dimension::Model},
                  QList<Dimension>{Dimension::Provider}, QList<Dimension>{Dimension::Tag}, QList<Dimension>{}}) {
                const Breakdown b = breakdownOf(*ledger, from, to, by);
                checkRowsAddUp(b);
                if (from == m_all0)
                    QCOMPARE(b.totals.cost, expected);
            }
        }
        const Breakdown b = breakdownOf(*ledger, m_all0, m_all1, {Dimension::Model});
        if (withCosts) {
            QCOMPARE(b.rows.size(), 1); // gpt-4o-mini's usage line is left out: the cost report is the bill
            QCOMPARE(b.rows[0].keys, QStringList{u"gpt-4o-2024-08-06"_s});
            QCOMPARE(b.rows[0].agg.cost, 5'725'000'000 + (withProxied ? 7'000'000 : 0));
            // Tokens counted once too: the cost lines' 850,000 + 400,000 (not plus f1's 1,250,000).
            QCOMPARE(b.rows[0].agg.promptTokens, 1'250'000 + (withProxied ? 1000 : 0));
            QCOMPARE(b.sources.costReportCost, 5'725'000'000);
            QCOMPARE(b.sources.usageReportCost, 0);
            QCOMPARE(b.sources.supersededUsageCost, 5'764'300'000);
        } else {
            QCOMPARE(b.sources.usageReportCost, 5'764'300'000);
            QCOMPARE(b.sources.supersededUsageCost, 0);
        }
        QCOMPARE(b.sources.recordedCost, withProxied ? 7'000'000 : 0);
        QCOMPARE(b.sources.supersededCalls, withProxied ? 3 : 0);
        QCOMPARE(b.sources.supersededRecordedCost, withProxied ? 6'000'000 : 0);

        // Cost over time agrees with the breakdown, per day.
        TimeSeriesQuery tq;
        tq.fromUs = m_f1Day - kDay;
        tq.toUs = m_f1Day + 3 * kDay;
        tq.zone = QTimeZone::utc();
        tq.granularity = Granularity::Day;
        const auto ts = ledger->timeSeries(tq).result();
        QVERIFY(ts.has_value());
        QCOMPARE(ts->costPerBucket.size(), 4);
        for (int i = 0; i < 4; ++i) {
            const Breakdown day = breakdownOf(*ledger, tq.fromUs + i * kDay, tq.fromUs + (i + 1) * kDay, {});
            QCOMPARE(ts->costPerBucket[i], day.totals.cost);
            NanoUsd stacked = 0;
            for (const auto &series : ts->cost)
                stacked += series[i];
            QCOMPARE(stacked, day.totals.cost);
        }
        QCOMPARE(ts->costPerBucket[1], expected - (withProxied ? 7'000'000 : 0));
        // A zone whose days are not whole UTC hours reads raw rows: same rule.
        tq.zone = QTimeZone(QByteArrayLiteral("Asia/Kolkata"));
        const auto raw = ledger->timeSeries(tq).result();
        QVERIFY(raw.has_value() && raw->fromRawRows);
        NanoUsd rawSum = 0;
        for (NanoUsd c : raw->costPerBucket)
            rawSum += c;
        QCOMPARE(rawSum, breakdownOf(*ledger, raw->bucketStartsUs.first(), tq.toUs, {}).totals.cost);
    }

    // The four trial reports together (f1+f2+g1+g2, the trial's rep.sqlite): every grouping's rows add up
    // to the total, which is each provider's cost report: OpenAI $5.725 + Anthropic $1.74 (g2: 45 + 27 + 90
    // + 12 cents). The old code: rows $11.4893 against TOTAL $15.6943.
    void mixedReportsAddUpAndCountOnce()
    {
        auto ledger = ledgerWith(u"rep.sqlite"_s,
                                 {{u"f1-openai-admin-usage-completions.json"_s, ImportFormat::OpenAiUsage},
                                  {u"f2-openai-admin-costs.json"_s, ImportFormat::OpenAiCosts},
                                  {u"g1-anthropic-admin-usage-report-messages.json"_s, ImportFormat::AnthropicUsage},
                                  {u"g2-anthropic-admin-cost-report.json"_s, ImportFormat::AnthropicCost}});
        for (const QList<Dimension> &by :
             {QList<Dimension>{Dimension::Provider, Dimension::Model}, QList<Dimension>{Dimension::Endpoint},
              QList<Dimension>{Dimension::Batch}, QList<Dimension>{Dimension::Key}, QList<Dimension>{Dimension::Tag}}) {
            const Breakdown b = breakdownOf(*ledger, m_all0, m_all1, by);
            checkRowsAddUp(b);
            QCOMPARE(b.totals.cost, 5'725'000'000 + 1'740'000'000);
            QCOMPARE(b.sources.costReportCost, 5'725'000'000 + 1'740'000'000);
        }
        // Re-priced history (rollups rebuilt from the raw rows) gives the same.
        QVERIFY(ledger->reprice().result().has_value());
        QCOMPARE(breakdownOf(*ledger, m_all0, m_all1, {Dimension::Endpoint}).totals.cost, 5'725'000'000 + 1'740'000'000);
    }

    // Trial finding 8: "Cost per 1k calls" divides the cost of priced calls by the priced calls: 3 calls
    // at 1,000,000 and an unpriced one give 1,000,000,000 per 1k (the old code divided by 4 calls:
    // 750,000,000), and a report line that counts no calls (Anthropic usage, call_count 0) is in the spend
    // but not in that ratio.
    void costPer1kCallsDividesByPricedCalls()
    {
        auto ledger = test::openLedger(m_dir.filePath(u"per1k.sqlite"_s));
        QList<CallRecord> records{proxied(m_f1Day + 10, 1'000'000, u"1"_s), proxied(m_f1Day + 20, 1'000'000, u"2"_s),
                                  proxied(m_f1Day + 30, 1'000'000, u"3"_s)};
        CallRecord unpriced = proxied(m_f1Day + 40, 0, u"4"_s);
        unpriced.cost.reset();
        unpriced.costStatus = CostStatus::Unpriced;
        records << unpriced;
        CallRecord line = test::makeRecord(m_g1Day, u"workspace:w"_s, u"anthropic"_s, u"claude-sonnet-4-5"_s, 1000, 10);
        line.sourceKind = SourceKind::ProviderReport;
        line.callCount = 0;
        line.cost = 5'000'000;
        line.costStatus = CostStatus::Exact;
        line.sourceKey = u"anthropic-usage:per1k"_s;
        records << line;
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 5);
        const Breakdown b = breakdownOf(*ledger, m_all0, m_all1, {Dimension::Provider});
        QCOMPARE(b.totals.cost, 8'000'000);
        QCOMPARE(b.totals.pricedCalls(), 3);
        QCOMPARE(b.totals.costPer1kCalls(), 1'000'000'000);
        checkRowsAddUp(b);
    }

    // An unpriced report line is listed (Anthropic usage lines have call_count 0), where it counts.
    void unpricedReportLinesAreListed()
    {
        auto ledger = test::openLedger(m_dir.filePath(u"unpriced.sqlite"_s));
        CallRecord line = test::makeRecord(m_g1Day, u"workspace:w"_s, u"anthropic"_s, u"claude-in-house-9"_s, 1000, 10);
        line.sourceKind = SourceKind::ProviderReport;
        line.callCount = 0;
        line.sourceKey = u"anthropic-usage:test"_s;
        QCOMPARE(ledger->writer().submitBatch({line}).result().inserted, 1);
        const auto unpriced = ledger->unpricedModels(m_all0, m_all1).result();
        QVERIFY(unpriced.has_value());
        QCOMPARE(unpriced->size(), 1);
        QCOMPARE(unpriced->first().model, u"claude-in-house-9"_s);
    }
};

QTEST_GUILESS_MAIN(SpendViewsTest)
#include "SpendViewsTest.moc"
