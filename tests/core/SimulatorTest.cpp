#include "TestSupport.h"

#include "importer/Importer.h"
#include "ledger/Ledger.h"
#include "simulate/Simulator.h"

#include <QJsonDocument>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;

namespace {
using test::openLedger;

Result<SimulationResult> simulate(Ledger &ledger, const Scenario &scenario)
{
    SimulationRequest req;
    req.fromUs = std::numeric_limits<qint64>::min() / 2;
    req.toUs = std::numeric_limits<qint64>::max() / 2;
    req.scenario = scenario;
    const auto pricer = ledger.pricer();
    return ledger.read<Result<SimulationResult>>([&](QSqlDatabase &db) { return Simulator::run(db, *pricer, req); }).result();
}

const StrategyOutcome &outcome(const SimulationResult &r, Strategy s) { return r.strategies[int(s)]; }
} // namespace

class SimulatorTest : public QObject
{
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

    // The issue's pinned figure: on both Azure traces, routing gpt-4o calls with at most 500 prompt and
    // 200 completion tokens to gpt-4o-mini. 7,129 conversation calls qualify; re-priced at $0.15 / $0.60
    // instead of $2.50 / $10 per million tokens, the projected cost is 87,300,697,850 nano-USD
    // (baseline 99,647,858,700; saving 12,347,160,850 = $12.35).
    void azureRoutingScenarioIsExact()
    {
        auto ledger = openLedger(m_dir.filePath(u"azure.sqlite"_s));
        ImportOptions o;
        o.columns = {{u"started_at"_s, u"TIMESTAMP"_s},
                     {u"prompt_tokens"_s, u"ContextTokens"_s},
                     {u"completion_tokens"_s, u"GeneratedTokens"_s}};
        o.constants = {{u"endpoint"_s, u"chat"_s}, {u"model"_s, u"gpt-4o-2024-08-06"_s}, {u"provider"_s, u"openai"_s}};
        QVERIFY(importFile(*ledger, test::sharedData(u"azure-llm-trace-2023/AzureLLMInferenceTrace_conv.csv"_s), o));
        o.constants = {{u"endpoint"_s, u"code-assist"_s},
                       {u"model"_s, u"gpt-4o-mini-2024-07-18"_s},
                       {u"provider"_s, u"openai"_s}};
        QVERIFY(importFile(*ledger, test::sharedData(u"azure-llm-trace-2023/AzureLLMInferenceTrace_code.csv"_s), o));

        const auto scenario = Scenario::fromJson(
            QJsonDocument::fromJson(test::readFile(QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/docs/examples/azure-routing-scenario.json"_s))
                .object());
        QVERIFY(scenario.has_value());
        const auto r = simulate(*ledger, *scenario);
        QVERIFY(r.has_value());
        QCOMPARE(r->records, 19'366 + 8'819);
        QCOMPARE(r->baseline, 99'647'858'700);
        QCOMPARE(r->projected, 87'300'697'850);
        QCOMPARE(r->saving(), 12'347'160'850);
        QCOMPARE(outcome(*r, Strategy::Routing).saving, 12'347'160'850);
        QCOMPARE(outcome(*r, Strategy::Routing).callsAffected, 7'129);
        QVERIFY(outcome(*r, Strategy::Routing).simulated);
        // The trace has token counts but no text: the other strategies say why they were not simulated.
        for (Strategy s : {Strategy::ExactCache, Strategy::SemanticCache, Strategy::Compression}) {
            QVERIFY(outcome(*r, s).enabled);
            QVERIFY(!outcome(*r, s).simulated);
            QVERIFY(!outcome(*r, s).whyNot.isEmpty());
            QCOMPARE(outcome(*r, s).saving, 0);
        }
        QCOMPARE(r->endpoints.front().endpoint, u"chat"_s);
        QCOMPARE(r->endpoints.front().baseline - r->endpoints.front().projected, 12'347'160'850);
        NanoUsd perDay = 0;
        for (NanoUsd v : r->projectedPerBucket)
            perDay += v;
        QCOMPARE(perDay, r->projected);
    }

    // Exact cache from request hashes within the TTL, per caller; then batch on what is left.
    // Strategies apply in order without double counting.
    void exactCacheThenBatchWithoutDoubleCounting()
    {
        auto ledger = openLedger(m_dir.filePath(u"cache.sqlite"_s));
        const qint64 t0 = test::usFromIso(u"2026-11-01T10:00:00Z"_s);
        QList<CallRecord> records;
        auto add = [&](qint64 offsetS, const QString &key, const QString &hash, const QString &endpoint) {
            CallRecord r = test::makeRecord(t0 + offsetS * 1'000'000, endpoint, u"openai"_s, u"gpt-4o"_s, 1000, 100);
            r.keyId = key;
            r.requestHash = hash;
            ledger->pricer()->apply(r); // 1000 * 2,500 + 100 * 10,000 = 3,500,000 each
            records << r;
        };
        add(0, u"k1"_s, u"h1"_s, u"chat"_s);
        add(60, u"k1"_s, u"h1"_s, u"chat"_s);      // hit
        add(120, u"k2"_s, u"h1"_s, u"chat"_s);     // other caller: miss
        add(4000, u"k1"_s, u"h1"_s, u"chat"_s);    // past the 3600 s TTL: miss, stored again
        add(4100, u"k1"_s, u"h1"_s, u"chat"_s);    // hit
        add(0, u"k1"_s, u"h9"_s, u"nightly"_s);    // batch endpoint
        add(10, u"k1"_s, u"h9"_s, u"nightly"_s);   // hit first, so batch does not count it
        ledger->writer().submitBatch(records).waitForFinished();

        Scenario sc;
        sc.exactCache.enabled = true;
        sc.batch.enabled = true;
        sc.batch.endpoints = {u"nightly"_s};
        const auto r = simulate(*ledger, sc);
        QVERIFY(r.has_value());
        QCOMPARE(r->baseline, 7 * 3'500'000);
        QCOMPARE(outcome(*r, Strategy::ExactCache).callsAffected, 3);
        QCOMPARE(outcome(*r, Strategy::ExactCache).saving, 3 * 3'500'000);
        QCOMPARE(outcome(*r, Strategy::Batch).callsAffected, 1);
        QCOMPARE(outcome(*r, Strategy::Batch).saving, 1'750'000);
        QCOMPARE(r->projected, 7 * 3'500'000 - 3 * 3'500'000 - 1'750'000);
        QVERIFY(outcome(*r, Strategy::ExactCache).simulated);
    }

    void perEndpointOverridesReplaceTheDefaults()
    {
        const auto sc = Scenario::fromJson(QJsonDocument::fromJson(R"({"strategies": {"routing": {"rules": [
            {"model": "gpt-4o", "route_to": "gpt-4o-mini"}]}}, "endpoints": {"legal": {"routing": {"enabled": false}}}})")
                                               .object());
        QVERIFY(sc.has_value());
        QVERIFY(sc->routing.enabled);
        QVERIFY(!sc->forEndpoint(u"legal"_s).routing.enabled);
        QVERIFY(sc->forEndpoint(u"chat"_s).routing.enabled);
        const auto bad = Scenario::fromJson(QJsonDocument::fromJson(R"({"strategies": {"routing": {"rules": [{}]}}})").object());
        QVERIFY(!bad.has_value());
        QVERIFY(bad.error().message.contains(u"route_to"_s));
    }
};

QTEST_GUILESS_MAIN(SimulatorTest)
#include "SimulatorTest.moc"
