#include "TestSupport.h"

#include "importer/Importer.h"
#include "ledger/Ledger.h"

#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;

namespace {
// Sums the token columns with a parser of the test's own (not the importer's), to cross-check.
std::pair<qint64, qint64> sumTokens(const QString &path, qint64 *rows)
{
    QList<QByteArray> lines = test::readFile(path).split('\n');
    qint64 prompt = 0, completion = 0;
    *rows = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QList<QByteArray> cols = lines[i].trimmed().split(',');
        if (cols.size() != 3)
            continue;
        prompt += cols[1].toLongLong();
        completion += cols[2].toLongLong();
        ++*rows;
    }
    return {prompt, completion};
}
} // namespace

// The foundation issue's end-to-end check: both Azure LLM inference traces (2023-11-16) imported through
// the CSV mapping, priced at list prices (genai-prices 0.1.8): gpt-4o-2024-08-06 $2.50 in / $10 out,
// gpt-4o-mini-2024-07-18 $0.15 in / $0.60 out per million tokens.
class AzureTraceTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    void bothTracesImportAndCostExactly()
    {
        QTemporaryDir dir;
        auto ledger = Ledger::open(dir.filePath(u"azure.sqlite"_s), test::builtInBook());
        QVERIFY(ledger.has_value());
        const QString conv = test::sharedData(u"azure-llm-trace-2023/AzureLLMInferenceTrace_conv.csv"_s);
        const QString code = test::sharedData(u"azure-llm-trace-2023/AzureLLMInferenceTrace_code.csv"_s);

        ImportOptions o;
        o.columns = {{u"started_at"_s, u"TIMESTAMP"_s},
                     {u"prompt_tokens"_s, u"ContextTokens"_s},
                     {u"completion_tokens"_s, u"GeneratedTokens"_s}};
        o.constants = {{u"endpoint"_s, u"chat"_s}, {u"model"_s, u"gpt-4o-2024-08-06"_s}, {u"provider"_s, u"openai"_s}};
        const auto convReport = importFile(**ledger, conv, o);
        o.constants = {{u"endpoint"_s, u"code-assist"_s},
                       {u"model"_s, u"gpt-4o-mini-2024-07-18"_s},
                       {u"provider"_s, u"openai"_s}};
        const auto codeReport = importFile(**ledger, code, o);
        QVERIFY(convReport.has_value() && codeReport.has_value());

        qint64 convRows = 0, codeRows = 0;
        const auto [convPrompt, convCompletion] = sumTokens(conv, &convRows);
        const auto [codePrompt, codeCompletion] = sumTokens(code, &codeRows);
        QCOMPARE(convRows, 19'366);
        QCOMPARE(codeRows, 8'819);
        QCOMPARE(convReport->imported, convRows);
        QCOMPARE(convReport->skipped, 0);
        QCOMPARE(codeReport->imported, codeRows);
        QCOMPARE(codeReport->skipped, 0);

        // The list prices imply: conv 22,361,870 * 2,500 + 4,088,665 * 10,000 = 96,791,325,000 nano-USD
        // ($96.791325); code 18,059,974 * 150 + 245,896 * 600 = 2,856,533,700 nano-USD ($2.8565337).
        QCOMPARE(convPrompt, 22'361'870);
        QCOMPARE(convCompletion, 4'088'665);
        QCOMPARE(codePrompt, 18'059'974);
        QCOMPARE(codeCompletion, 245'896);
        const NanoUsd convCost = convPrompt * 2'500 + convCompletion * 10'000;
        const NanoUsd codeCost = codePrompt * 150 + codeCompletion * 600;
        QCOMPARE(convCost, 96'791'325'000);
        QCOMPARE(codeCost, 2'856'533'700);
        QCOMPARE(convReport->costImported, convCost);
        QCOMPARE(codeReport->costImported, codeCost);

        BreakdownQuery q;
        q.fromUs = test::usFromIso(u"2023-11-16T00:00:00Z"_s);
        q.toUs = test::usFromIso(u"2023-11-17T00:00:00Z"_s);
        const auto b = (*ledger)->breakdown(q).result();
        QVERIFY(b.has_value());
        QCOMPARE(b->rows.size(), 2);
        QCOMPARE(b->rows[0].keys, (QStringList{u"chat"_s, u"gpt-4o-2024-08-06"_s}));
        QCOMPARE(b->rows[0].agg.cost, convCost);
        QCOMPARE(b->rows[0].agg.calls, convRows);
        QCOMPARE(b->rows[0].agg.promptTokens, convPrompt);
        QCOMPARE(b->rows[1].keys, (QStringList{u"code-assist"_s, u"gpt-4o-mini-2024-07-18"_s}));
        QCOMPARE(b->rows[1].agg.cost, codeCost);
        QCOMPARE(b->totals.cost, 99'647'858'700);
        QCOMPARE(b->totals.unpricedCalls, 0);

        // Hourly buckets over the trace's hour (18:15 to 19:14 UTC) add up to the same total.
        TimeSeriesQuery t;
        t.fromUs = q.fromUs;
        t.toUs = q.toUs;
        t.granularity = Granularity::Hour;
        t.zone = QTimeZone::utc();
        const auto ts = (*ledger)->timeSeries(t).result();
        NanoUsd sum = 0;
        for (NanoUsd c : ts->costPerBucket)
            sum += c;
        QCOMPARE(sum, 99'647'858'700);
        QCOMPARE(ts->costPerBucket[18] + ts->costPerBucket[19], sum);
    }
};

QTEST_GUILESS_MAIN(AzureTraceTest)
#include "AzureTraceTest.moc"
