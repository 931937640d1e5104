#include "TestSupport.h"

#include "importer/Importer.h"
#include "ledger/Ledger.h"
#include "simulate/Simulator.h"

#include <QJsonDocument>
#include <QSqlQuery>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;

namespace {
using test::openLedger;

constexpr qint64 kDayUs = 86'400'000'000LL;

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

// Every figure of a result as text, for comparing two runs.
QString fingerprint(const SimulationResult &r)
{
    QStringList out{u"records %1 unpriced %2 baseline %3 projected %4"_s.arg(r.records).arg(r.unpricedRecords)
                        .arg(r.baseline).arg(r.projected)};
    auto strategies = [&](const QList<StrategyOutcome> &list) {
        for (const StrategyOutcome &o : list)
            out << u"  %1 enabled %2 simulated %3 saving %4 calls %5 %6"_s.arg(toString(o.strategy))
                       .arg(o.enabled)
                       .arg(o.simulated)
                       .arg(o.saving)
                       .arg(o.callsAffected)
                       .arg(o.whyNot);
    };
    strategies(r.strategies);
    for (const EndpointOutcome &e : r.endpoints) {
        out << u"endpoint %1 baseline %2 projected %3 calls %4"_s.arg(e.endpoint).arg(e.baseline).arg(e.projected)
                   .arg(e.calls);
        strategies(e.strategies);
    }
    for (qsizetype i = 0; i < r.bucketStartsUs.size(); ++i)
        out << u"bucket %1 %2 %3 %4"_s.arg(r.bucketStartsUs[i]).arg(r.bucketLabels[i]).arg(r.baselinePerBucket[i])
                   .arg(r.projectedPerBucket[i]);
    out << u"few-shot %1 %2 %3"_s.arg(r.fewShot.calls).arg(r.fewShot.tokensSaved).arg(r.fewShot.saving);
    return out.join(u'\n');
}
} // namespace

namespace {
// Only the exact cache, with a 3600 s TTL.
Scenario exactCacheOnly()
{
    Scenario sc;
    sc.exactCache.enabled = true;
    sc.exactCache.ttlSeconds = 3600;
    return sc;
}

// Only the semantic cache, at the seed design's threshold 0.95 and a 3600 s TTL.
Scenario semanticOnly()
{
    Scenario sc;
    sc.semanticCache.enabled = true;
    sc.semanticCache.threshold = 0.95;
    sc.semanticCache.ttlSeconds = 3600;
    return sc;
}

// A proxy call's semantic trace for the simulator: scope, guard signature and a normalised 4-dim
// embedding (model "test/4").
void setEmbedding(CallRecord &r, const QString &scope, const QString &guards, std::array<float, 4> v,
                  const QString &model = u"test/4"_s)
{
    r.savings.semanticScope = scope;
    r.savings.guardSignature = guards;
    r.savings.embeddingModel = model;
    float norm = 0;
    for (float x : v)
        norm += x * x;
    for (float &x : v)
        x /= std::sqrt(norm);
    r.savings.embedding = QByteArray(reinterpret_cast<const char *>(v.data()), sizeof(float) * 4);
}

// The covered-day tests' calls: gpt-4o at $2.50 / $10 per million tokens, 1,000 + 100 tokens a call,
// 3,500,000 nano-USD.
// A usage report line of `calls` such calls on `day`, priced.
CallRecord gpt4oUsageLine(Ledger &ledger, qint64 day, int calls)
{
    CallRecord line = test::makeRecord(day, u"workspace:w"_s, u"openai"_s, u"gpt-4o"_s, calls * 1000, calls * 100);
    line.sourceKind = SourceKind::ProviderReport;
    line.callCount = calls;
    line.sourceKey = u"openai-usage:1"_s;
    ledger.pricer()->apply(line);
    return line;
}

// One such call through the proxy at `at`, by caller "k", with request hash `hash`, priced.
CallRecord gpt4oProxyCall(Ledger &ledger, qint64 at, const QString &hash)
{
    CallRecord r = test::makeRecord(at, u"chat"_s, u"openai"_s, u"gpt-4o"_s, 1000, 100);
    r.sourceKind = SourceKind::Proxy;
    r.keyId = u"k"_s;
    r.requestHash = hash;
    ledger.pricer()->apply(r);
    return r;
}
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

    // Session-8 trial finding 6: the exact cache is simulated with the live cache's rules, which store
    // only an answer that came whole from upstream: not an error, not a cut stream, not one truncated by
    // a token limit (finish_reason "length"). The trial's repeats (proxy --no-cache, repeats.sh, costs as
    // recorded in its nc.sqlite): 2 x 6,320,000 (same caller) + 7,700,000 + 2 x 22,860,000 (the second
    // with its body's keys reordered: same canonical hash) + 6,320,000 (a 500, then two successes) =
    // 72,380,000. The length-truncated answer twice and a stream cut twice save nothing (the old code
    // counted them: 78,700,000 for the trial's ledger).
    void exactCacheStoresOnlyWhatTheLiveCacheStores()
    {
        auto ledger = openLedger(m_dir.filePath(u"trial-repeats.sqlite"_s));
        const qint64 t0 = test::usFromIso(u"2026-11-30T06:40:00Z"_s);
        QList<CallRecord> records;
        auto add = [&](const QString &key, const QString &hash, NanoUsd cost, int status = 200,
                       const QString &errorKind = {}, bool truncated = false) {
            CallRecord r = test::makeRecord(t0 + records.size() * 70'000LL, u"rep"_s, u"openai"_s, u"gpt-4o"_s, 2048, 312);
            r.sourceKind = SourceKind::Proxy;
            r.keyId = key;
            r.requestHash = hash;
            r.httpStatus = status;
            r.errorKind = errorKind;
            r.truncated = truncated;
            r.cost = status < 400 ? cost : 0;
            r.costStatus = CostStatus::Exact;
            if (!errorKind.isEmpty() && status < 400)
                r.usageStatus = UsageStatus::Incomplete;
            records << r;
        };
        add(u"A"_s, u"X"_s, 6'320'000);
        add(u"A"_s, u"X"_s, 6'320'000); // repeat
        add(u"A"_s, u"X"_s, 6'320'000); // repeat
        add(u"B"_s, u"X"_s, 6'320'000); // another caller: miss
        add(u"A"_s, u"Y"_s, 7'700'000);
        add(u"A"_s, u"Y"_s, 7'700'000); // repeat
        add(u"A"_s, u"W"_s, 22'860'000);
        add(u"A"_s, u"W"_s, 22'860'000); // repeat
        add(u"A"_s, u"W"_s, 22'860'000); // keys reordered: the same canonical hash, repeat
        add(u"A"_s, u"E"_s, 0, 500, u"upstream_5xx"_s); // an error is not stored
        add(u"A"_s, u"E"_s, 6'320'000);                  // miss, stored
        add(u"A"_s, u"E"_s, 6'320'000);                  // repeat
        add(u"A"_s, u"L"_s, 6'320'000, 200, {}, true);   // finish_reason "length": not stored
        add(u"A"_s, u"L"_s, 6'320'000, 200, {}, true);   // so a miss again
        add(u"A"_s, u"C"_s, 6'320'000, 200, u"upstream_cut"_s); // a cut stream: not stored
        add(u"A"_s, u"C"_s, 6'320'000, 200, u"upstream_cut"_s); // a miss again
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, records.size());
        const auto r = simulate(*ledger, exactCacheOnly());
        QVERIFY(r.has_value());
        QCOMPARE(outcome(*r, Strategy::ExactCache).saving, 72'380'000);
        QCOMPARE(outcome(*r, Strategy::ExactCache).callsAffected, 6);

        // The same from calls itself (call_replay fields made stale by an SQL change), and the flag
        // round-trips through the ledger.
        ledger->writer()
            .runExclusive([](QSqlDatabase &db) {
                QSqlQuery q(db);
                QVERIFY(q.exec(u"UPDATE calls SET prompt_tokens = prompt_tokens"_s));
            })
            .waitForFinished();
        const auto fromCalls = simulate(*ledger, exactCacheOnly());
        QVERIFY(fromCalls.has_value());
        QCOMPARE(outcome(*fromCalls, Strategy::ExactCache).saving, 72'380'000);
        RecordQuery rq;
        rq.fromUs = t0;
        rq.toUs = t0 + 10'000'000;
        const auto stored = ledger->records(rq).result();
        QVERIFY(stored.has_value());
        QCOMPARE(std::count_if(stored->begin(), stored->end(), [](const CallRecord &c) { return c.truncated; }), 2);
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

    // The Batch API projection discounts only calls whose provider has a Batch API (session 20): DeepSeek and
    // Groq calls on a batch endpoint stay at their price and are named in the assumptions (before, every
    // provider's call got 50% off, a saving no product of theirs gives). Google's Gemini Batch Mode counts.
    void batchApiOnlyForProvidersThatHaveOne()
    {
        auto ledger = openLedger(m_dir.filePath(u"batch-providers.sqlite"_s));
        const qint64 t0 = test::usFromIso(u"2026-11-02T10:00:00Z"_s);
        const Pricer &pricer = *ledger->pricer();
        QList<CallRecord> records;
        auto add = [&](qint64 offsetS, const QString &provider, const QString &model) {
            CallRecord r = test::makeRecord(t0 + offsetS * 1'000'000, u"nightly"_s, provider, model, 1000, 100);
            pricer.apply(r);
            records << r;
            return r;
        };
        const CallRecord openai = add(0, u"openai"_s, u"gpt-4o"_s);
        const CallRecord google = add(1, u"google"_s, u"gemini-2.5-flash"_s);
        const CallRecord deepseek = add(2, u"deepseek"_s, u"deepseek-chat"_s);
        const CallRecord groq = add(3, u"groq"_s, u"llama-3.3-70b-versatile"_s);
        for (const CallRecord &r : std::as_const(records))
            QVERIFY2(r.cost && *r.cost > 0, qPrintable(r.requestedModel));
        QVERIFY(pricer.offersBatchApi(u"openai"_s, u"gpt-4o"_s));
        QVERIFY(pricer.offersBatchApi(u""_s, u"gpt-4o"_s)); // resolved to OpenAI by the book
        QVERIFY(pricer.offersBatchApi(u"google"_s, u"gemini-2.5-flash"_s));
        QVERIFY(pricer.offersBatchApi(u"anthropic"_s, u"claude-sonnet-4-5"_s));
        QVERIFY(!pricer.offersBatchApi(u"deepseek"_s, u"deepseek-chat"_s));
        QVERIFY(!pricer.offersBatchApi(u"groq"_s, u"llama-3.3-70b-versatile"_s));
        QVERIFY(!pricer.offersBatchApi(u"someone"_s, u"no-such-model"_s));
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 4);

        Scenario sc;
        sc.batch.enabled = true;
        sc.batch.endpoints = {u"nightly"_s};
        const auto r = simulate(*ledger, sc);
        QVERIFY(r.has_value());
        auto batchSaving = [&](const CallRecord &c) {
            const CostResult b = pricer.price(c.provider, c.requestedModel, c.usage, c.startedAtUs, true);
            return *c.cost - *b.cost;
        };
        QCOMPARE(batchSaving(openai), 1'750'000);
        QCOMPARE(r->baseline, *openai.cost + *google.cost + *deepseek.cost + *groq.cost);
        QCOMPARE(outcome(*r, Strategy::Batch).callsAffected, 2);
        QCOMPARE(outcome(*r, Strategy::Batch).saving, batchSaving(openai) + batchSaving(google));
        QCOMPARE(r->projected, r->baseline - batchSaving(openai) - batchSaving(google));
        const QString assumptions = outcome(*r, Strategy::Batch).assumptions.join(u'\n');
        QVERIFY2(assumptions.contains(u"on deepseek stay"_s), qPrintable(assumptions));
        QVERIFY2(assumptions.contains(u"on groq"_s), qPrintable(assumptions));
        QVERIFY2(!assumptions.contains(u"on openai"_s) && !assumptions.contains(u"on google"_s), qPrintable(assumptions));
        QCOMPARE(r->endpoints.size(), 1);
        QVERIFY(r->endpoints[0].strategies[qsizetype(Strategy::Batch)].assumptions.join(u'\n').contains(u"on deepseek"_s));
    }

    // Vectors of two embedding models of one size (two keys of the local embedder: LocalEmbedder.h, "Keyed") are
    // never compared: identical vectors under another model name are a miss (before session 17, indexed by size
    // alone, the third call was a hit).
    void semanticCacheNeverComparesTwoEmbeddingModels()
    {
        auto ledger = openLedger(m_dir.filePath(u"semantic-models.sqlite"_s));
        const qint64 t0 = test::usFromIso(u"2026-11-01T10:00:00Z"_s);
        QList<CallRecord> records;
        auto add = [&](qint64 offsetS, const QString &model) {
            CallRecord r = test::makeRecord(t0 + offsetS * 1'000'000, u"faq"_s, u"openai"_s, u"gpt-4o"_s, 1000, 100);
            setEmbedding(r, u"s1"_s, u"g"_s, {1, 0, 0, 0}, model);
            ledger->pricer()->apply(r); // 3,500,000 each
            records << r;
        };
        add(0, u"tokenledger-local-ngram-v1+k00000001/4"_s);  // stored
        add(10, u"tokenledger-local-ngram-v1+k00000001/4"_s); // same model: hit
        add(20, u"tokenledger-local-ngram-v1+k00000002/4"_s); // another key: miss, stored
        add(30, u"tokenledger-local-ngram-v1+k00000002/4"_s); // hit on the one before
        ledger->writer().submitBatch(records).waitForFinished();
        const auto r = simulate(*ledger, semanticOnly());
        QVERIFY(r.has_value());
        QCOMPARE(outcome(*r, Strategy::SemanticCache).callsAffected, 2);
        QCOMPARE(outcome(*r, Strategy::SemanticCache).saving, 2 * 3'500'000);
        QCOMPARE(r->projected, 2 * 3'500'000);
    }

    // The semantic cache is replayed with the live cache's matcher on recorded embeddings: a hit needs
    // the same scope and guard signature, similarity at or above the threshold, within the TTL.
    void semanticCacheReplaysRecordedEmbeddings()
    {
        auto ledger = openLedger(m_dir.filePath(u"semantic.sqlite"_s));
        const qint64 t0 = test::usFromIso(u"2026-11-01T10:00:00Z"_s);
        QList<CallRecord> records;
        auto add = [&](qint64 offsetS, const QString &scope, const QString &guards, std::array<float, 4> v) {
            CallRecord r = test::makeRecord(t0 + offsetS * 1'000'000, u"faq"_s, u"openai"_s, u"gpt-4o"_s, 1000, 100);
            setEmbedding(r, scope, guards, v);
            ledger->pricer()->apply(r); // 3,500,000 each
            records << r;
        };
        add(0, u"s1"_s, u"g"_s, {1, 0, 0, 0});       // stored
        add(10, u"s1"_s, u"g"_s, {1, 0.2f, 0, 0});   // cosine 0.981: hit
        add(20, u"s1"_s, u"g"_s, {1, 0.5f, 0, 0});   // cosine 0.894: miss, stored
        add(30, u"s1"_s, u"g2"_s, {1, 0, 0, 0});     // other guards (e.g. "on" vs "off"): miss, stored
        add(40, u"s2"_s, u"g"_s, {1, 0, 0, 0});      // other scope (caller, system prompt...): miss, stored
        add(5000, u"s1"_s, u"g"_s, {1, 0, 0, 0});    // past the 3600 s TTL: miss, stored
        add(5010, u"s1"_s, u"g"_s, {1, 0.01f, 0, 0}); // hit
        ledger->writer().submitBatch(records).waitForFinished();

        const auto r = simulate(*ledger, semanticOnly());
        QVERIFY(r.has_value());
        QVERIFY(outcome(*r, Strategy::SemanticCache).simulated);
        QCOMPARE(outcome(*r, Strategy::SemanticCache).callsAffected, 2);
        QCOMPARE(outcome(*r, Strategy::SemanticCache).saving, 2 * 3'500'000);
        QCOMPARE(r->projected, 5 * 3'500'000);

        // A remote embedding model costs one embedding call per embedded request, counted against the
        // saving: text-embedding-3-small at $0.02 per million tokens = 20 nano-USD per token, 1000 tokens.
        Scenario sc = semanticOnly();
        sc.semanticCache.embeddingModel = u"text-embedding-3-small"_s;
        const auto remote = simulate(*ledger, sc);
        QVERIFY(remote.has_value());
        QCOMPARE(outcome(*remote, Strategy::SemanticCache).saving, 2 * 3'500'000 - 7 * 20'000);
        QCOMPARE(remote->projected, 5 * 3'500'000 + 7 * 20'000);
    }

    // The simulator reads calls in time order and merges their call_savings rows by call id; calls
    // written out of time order (ids not increasing with time) get theirs by point lookup. The same
    // seven calls as above, written in other orders, with calls without savings rows between them, give
    // the same figures.
    void callsWrittenOutOfTimeOrderReplayTheSame_data()
    {
        QTest::addColumn<QList<int>>("order");
        QTest::newRow("in time order") << QList<int>{0, 1, 2, 3, 4, 5, 6};
        QTest::newRow("reversed: every call after the first by point lookup") << QList<int>{6, 5, 4, 3, 2, 1, 0};
        QTest::newRow("interleaved") << QList<int>{3, 0, 6, 1, 5, 2, 4};
    }
    void callsWrittenOutOfTimeOrderReplayTheSame()
    {
        QFETCH(QList<int>, order);
        QString name = u"order-"_s;
        for (int i : std::as_const(order))
            name += QString::number(i);
        auto ledger = openLedger(m_dir.filePath(name + u".sqlite"_s));
        const qint64 t0 = test::usFromIso(u"2026-11-01T10:00:00Z"_s);
        const std::array<qint64, 7> offsets{0, 10, 20, 30, 40, 5000, 5010};
        const std::array<QString, 7> scopes{u"s1"_s, u"s1"_s, u"s1"_s, u"s1"_s, u"s2"_s, u"s1"_s, u"s1"_s};
        const std::array<QString, 7> guards{u"g"_s, u"g"_s, u"g"_s, u"g2"_s, u"g"_s, u"g"_s, u"g"_s};
        const std::array<std::array<float, 4>, 7> vectors{{{1, 0, 0, 0}, {1, 0.2f, 0, 0}, {1, 0.5f, 0, 0}, {1, 0, 0, 0},
                                                           {1, 0, 0, 0}, {1, 0, 0, 0}, {1, 0.01f, 0, 0}}};
        QList<CallRecord> records;
        for (int i : std::as_const(order)) {
            CallRecord r = test::makeRecord(t0 + offsets[size_t(i)] * 1'000'000, u"faq"_s, u"openai"_s, u"gpt-4o"_s,
                                            1000, 100);
            setEmbedding(r, scopes[size_t(i)], guards[size_t(i)], vectors[size_t(i)]);
            ledger->pricer()->apply(r); // 3,500,000 each
            records << r;
            // An imported call (no savings row) right after it in time: 3,500,000, never served by a cache.
            CallRecord plain = test::makeRecord(t0 + (offsets[size_t(i)] + 1) * 1'000'000, u"faq"_s, u"openai"_s,
                                                u"gpt-4o"_s, 1000, 100);
            ledger->pricer()->apply(plain);
            records << plain;
        }
        ledger->writer().submitBatch(records).waitForFinished();
        // Calls 3, 4 and 5 carry the same bytes as call 0: whichever of the four was written first holds
        // them, the other three refer to it (call_savings.embedding_of, schema v11), so the scan reads
        // them through the reference, ahead of or behind the owner in time.
        QCOMPARE(ledger->read<qint64>([](QSqlDatabase &db) {
                           QSqlQuery q(db);
                           return q.exec(u"SELECT count(*) FROM call_savings WHERE embedding IS NULL AND embedding_of IS NOT NULL"_s)
                                   && q.next()
                               ? q.value(0).toLongLong()
                               : qint64(-1);
                       })
                     .result(),
                 3);

        const auto r = simulate(*ledger, semanticOnly());
        QVERIFY(r.has_value());
        QCOMPARE(r->records, 14);
        QVERIFY(outcome(*r, Strategy::SemanticCache).simulated);
        QCOMPARE(outcome(*r, Strategy::SemanticCache).callsAffected, 2);
        QCOMPARE(outcome(*r, Strategy::SemanticCache).saving, 2 * 3'500'000);
        QCOMPARE(r->baseline, 14 * 3'500'000);
        QCOMPARE(r->projected, 12 * 3'500'000);
    }

    // The simulator reads call_replay, the compact copy of each call the writer adds (CallReplay.h).
    // Changes made to calls in SQL afterwards reach it through triggers: a changed replayed column makes
    // the call read from calls itself, a changed cost is copied, a deleted call is gone. The result must
    // equal that of a ledger written with the changed calls in the first place; and a ledger whose calls
    // are all read from calls gives the same result as one read from call_replay.
    void sqlChangesToCallsReachTheSimulator()
    {
        const qint64 t0 = test::usFromIso(u"2026-11-01T10:00:00Z"_s);
        auto makeRecords = [&](Ledger &ledger, bool changed) {
            QList<CallRecord> records;
            for (int i = 0; i < 40; ++i) {
                CallRecord r = test::makeRecord(t0 + i * 60'000'000LL, i % 3 ? u"faq"_s : u"nightly"_s, u"openai"_s,
                                                i % 4 ? u"gpt-4o"_s : u"gpt-4o-mini"_s, 300 + 250 * (i % 7),
                                                50 + 40 * (i % 5));
                r.keyId = i % 5 ? u"k1"_s : u"k2"_s;
                r.requestHash = u"h%1"_s.arg(i % 6);
                r.messageCount = 1 + i % 3;
                r.taskType = i % 5 == 0 ? u"classification"_s : QString();
                if (i % 2) {
                    setEmbedding(r, u"s%1"_s.arg(i % 8), u"g"_s, {1, float(i % 3) * 0.01f, 0, 0});
                    r.savings.complexity = i % 3 == 0 ? u"low"_s : u"high"_s;
                }
                if (i == 7)
                    r.servedModel = r.requestedModel = u"no-such-model"_s; // unpriced
                ledger.pricer()->apply(r);
                if (changed && i == 5) {
                    // Changed in SQL: prompt tokens and time (the recorded cost stays).
                    r.usage.promptTokens = 9000;
                    r.startedAtUs = t0 + 15 * 60'000'000LL + 30'000'000;
                }
                if (changed && i == 11)
                    r.cost = *r.cost + 1000; // re-priced in SQL
                if (changed && i == 9)
                    continue; // deleted in SQL
                records << r;
            }
            QCOMPARE(ledger.writer().submitBatch(records).result().inserted, records.size());
        };
        Scenario sc;
        sc.exactCache.enabled = true;
        sc.semanticCache = semanticOnly().semanticCache;
        sc.compression.enabled = true;
        sc.compression.budgetTokens = 1000;
        sc.routing.enabled = true;
        RoutingRule rule;
        rule.model = u"gpt-4o"_s;
        rule.maxPromptTokens = 800;
        rule.taskTypes = {u"classification"_s};
        rule.routeTo = u"gpt-4o-mini"_s;
        sc.routing.rules = {rule};
        sc.routing.router = routing::RouterConfig::defaults();
        sc.batch.enabled = true;
        sc.batch.endpoints = {u"nightly"_s};

        auto ledger = openLedger(m_dir.filePath(u"sql-changes.sqlite"_s));
        makeRecords(*ledger, false);
        auto exec = [&](const QString &sql) {
            return ledger->writer()
                .runExclusive([sql](QSqlDatabase &db) {
                    QSqlQuery q(db);
                    QVERIFY2(q.exec(sql), qPrintable(sql));
                })
                .waitForFinished();
        };
        auto count = [&](const QString &sql) {
            return ledger->read<qint64>([sql](QSqlDatabase &db) {
                             QSqlQuery q(db);
                             return q.exec(sql) && q.next() ? q.value(0).toLongLong() : -1;
                         })
                .result();
        };
        const auto written = simulate(*ledger, sc);
        QVERIFY(written.has_value());
        QCOMPARE(written->records, 40);
        QCOMPARE(written->unpricedRecords, 1);
        for (Strategy s : kStrategyOrder)
            QVERIFY2(outcome(*written, s).callsAffected > 0, qPrintable(toString(s)));
        QCOMPARE(count(u"SELECT COUNT(*) FROM call_replay WHERE fields IS NOT NULL"_s), 40);

        // A change that changes nothing still marks the calls: all 40 are read from calls, same result.
        exec(u"UPDATE calls SET prompt_tokens = prompt_tokens"_s);
        QCOMPARE(count(u"SELECT COUNT(*) FROM call_replay WHERE fields IS NULL"_s), 40);
        const auto fromCalls = simulate(*ledger, sc);
        QVERIFY(fromCalls.has_value());
        QCOMPARE(fingerprint(*fromCalls), fingerprint(*written));

        // Real changes, against a ledger written with them.
        auto fresh = openLedger(m_dir.filePath(u"sql-changes-fresh.sqlite"_s));
        makeRecords(*fresh, false);
        auto change = [&](Ledger &l) {
            l.writer()
                .runExclusive([&](QSqlDatabase &db) {
                    QSqlQuery q(db);
                    QVERIFY(q.exec(u"UPDATE calls SET prompt_tokens = 9000, started_at_us = %1 WHERE id = 6"_s.arg(
                        t0 + 15 * 60'000'000LL + 30'000'000)));
                    QVERIFY(q.exec(u"UPDATE calls SET cost_nano = cost_nano + 1000 WHERE id = 12"_s));
                    QVERIFY(q.exec(u"DELETE FROM calls WHERE id = 10"_s));
                })
                .waitForFinished();
        };
        change(*fresh);
        auto direct = openLedger(m_dir.filePath(u"sql-changes-direct.sqlite"_s));
        makeRecords(*direct, true);
        const auto changed = simulate(*fresh, sc);
        const auto expected = simulate(*direct, sc);
        QVERIFY(changed.has_value() && expected.has_value());
        QCOMPARE(changed->records, 39);
        QVERIFY(fingerprint(*changed) != fingerprint(*written));
        QCOMPARE(fingerprint(*changed), fingerprint(*expected));
    }

    // A rule whose target the price book does not know: the calls it matches keep their cost, and the
    // routing outcome says so with the count and the target, instead of an unexplained $0 saving.
    void unpricedRouteTargetIsNamed()
    {
        const qint64 t0 = test::usFromIso(u"2026-11-01T10:00:00Z"_s);
        auto ledger = openLedger(m_dir.filePath(u"unpriced-target.sqlite"_s));
        QList<CallRecord> records;
        for (int i = 0; i < 5; ++i) {
            CallRecord r = test::makeRecord(t0 + i * 60'000'000LL, i < 3 ? u"faq"_s : u"digest"_s, u"openai"_s,
                                            i < 3 ? u"gpt-4o"_s : u"gpt-4o-mini"_s, 400, 100);
            ledger->pricer()->apply(r);
            records << r;
        }
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 5);
        Scenario sc;
        sc.routing.enabled = true;
        RoutingRule typo;
        typo.model = u"gpt-4o"_s;
        typo.routeTo = u"gpt-4o-mimi"_s; // misspelt
        RoutingRule good;
        good.model = u"gpt-4o-mini"_s;
        good.routeTo = u"gpt-4.1-nano"_s;
        sc.routing.rules = {typo, good};

        const auto r = simulate(*ledger, sc);
        QVERIFY(r.has_value());
        const StrategyOutcome &routing = outcome(*r, Strategy::Routing);
        QVERIFY(routing.simulated);
        QCOMPARE(routing.callsAffected, 2); // only the two gpt-4o-mini calls were re-priced
        QVERIFY(routing.saving > 0);
        const QStringList named = routing.assumptions.filter(u"openai/gpt-4o-mimi"_s);
        QCOMPARE(named.size(), 1);
        QVERIFY2(named.front().startsWith(u"3 call(s)"_s), qPrintable(named.front()));
        QVERIFY(routing.assumptions.filter(u"gpt-4.1-nano"_s).isEmpty());
        QCOMPARE(r->endpoints.size(), 2);
        QCOMPARE(r->endpoints.back().endpoint, u"faq"_s); // no saving: all its calls matched the misspelt rule
        QCOMPARE(r->endpoints.back().strategies[int(Strategy::Routing)].assumptions, routing.assumptions);
        // An endpoint none of whose calls matched that rule is not told about it.
        for (const EndpointOutcome &e : r->endpoints) {
            const QStringList notes = e.strategies[int(Strategy::Routing)].assumptions.filter(u"gpt-4o-mimi"_s);
            QCOMPARE(notes.size(), e.endpoint == u"faq"_s ? 1 : 0);
        }
    }

    // Server-side web searches (Usage::webSearchRequests) go with their call. Three claude-sonnet-4-5 calls
    // ($3 / $15 per million tokens, $10 per 1,000 searches) of 10,000 prompt and 500 completion tokens with
    // 2 searches each: 30,000,000 + 7,500,000 + 20,000,000 = 57,500,000 nano-USD. The baseline is the recorded
    // cost; compression keeps the searches (before: it dropped them and counted their fee as a saving);
    // routing to claude-haiku-4-5 ($1 / $5, $10 per 1,000 searches) re-prices them there; a target without a
    // per-search price (claude-3-haiku) leaves the call unrouted and is named; a cache hit saves all of it.
    void webSearchesAreReplayedWithTheirCalls()
    {
        auto ledger = openLedger(m_dir.filePath(u"web-searches.sqlite"_s));
        const qint64 t0 = test::usFromIso(u"2026-11-01T10:00:00Z"_s);
        QList<CallRecord> records;
        for (int i = 0; i < 3; ++i) {
            CallRecord r = test::makeRecord(t0 + i * 60'000'000LL, u"research"_s, u"anthropic"_s,
                                            u"claude-sonnet-4-5"_s, 10'000, 500);
            r.sourceKind = SourceKind::Proxy;
            r.usage.webSearchRequests = 2;
            r.messageCount = 4;
            r.keyId = u"k"_s;
            r.requestHash = i < 2 ? u"same"_s : u"other"_s;
            ledger->pricer()->apply(r);
            QCOMPARE(r.cost, std::optional<NanoUsd>(57'500'000));
            records << r;
        }
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 3);
        BreakdownQuery bq;
        bq.fromUs = t0 - 1;
        bq.toUs = t0 + 86'400'000'000LL;
        const auto recorded = ledger->breakdown(bq).result();
        QVERIFY(recorded.has_value());
        QCOMPARE(recorded->totals.cost, 3 * 57'500'000);

        auto check = [&](const QString &from) {
            Scenario compression;
            compression.compression.enabled = true;
            compression.compression.budgetTokens = 4000;
            compression.compression.summaryModel = u"claude-haiku-4-5"_s;
            auto r = simulate(*ledger, compression);
            QVERIFY(r.has_value());
            QCOMPARE(r->baseline, recorded->totals.cost);
            // 4,000 * 3,000 + 7,500,000 + 20,000,000 = 39,500,000, plus the summary on claude-haiku-4-5:
            // (10,000 - 2,800) * 1,000 + 400 * 5,000 = 9,200,000.
            QCOMPARE(outcome(*r, Strategy::Compression).saving, 3 * (57'500'000 - 48'700'000));
            QCOMPARE(r->projected, 3 * 48'700'000);

            Scenario routing;
            routing.routing.enabled = true;
            RoutingRule rule;
            rule.model = u"claude-sonnet-4-5"_s;
            rule.routeTo = u"claude-haiku-4-5"_s;
            routing.routing.rules = {rule};
            r = simulate(*ledger, routing);
            QVERIFY(r.has_value());
            // 10,000 * 1,000 + 500 * 5,000 + 20,000,000 = 32,500,000
            QCOMPARE(outcome(*r, Strategy::Routing).callsAffected, 3);
            QCOMPARE(r->projected, 3 * 32'500'000);
            QVERIFY2(!outcome(*r, Strategy::Routing).assumptions.filter(u"6 server-side web search"_s).isEmpty(),
                     qPrintable(from));

            routing.routing.rules.front().routeTo = u"claude-3-haiku-20240307"_s; // no per-search price
            r = simulate(*ledger, routing);
            QVERIFY(r.has_value());
            QCOMPARE(outcome(*r, Strategy::Routing).callsAffected, 0);
            QCOMPARE(r->projected, r->baseline);
            QCOMPARE(outcome(*r, Strategy::Routing).assumptions.filter(u"anthropic/claude-3-haiku-20240307"_s).size(), 1);

            Scenario cache;
            cache.exactCache.enabled = true;
            cache.batch.enabled = true;
            cache.batch.endpoints = {u"research"_s};
            r = simulate(*ledger, cache);
            QVERIFY(r.has_value());
            QCOMPARE(outcome(*r, Strategy::ExactCache).saving, 57'500'000); // the whole call, searches included
            // Batch: tokens halved, searches not: 37,500,000 / 2 + 20,000,000 = 38,750,000.
            QCOMPARE(outcome(*r, Strategy::Batch).saving, 2 * (57'500'000 - 38'750'000));
            QCOMPARE(r->projected, 2 * 38'750'000);
        };
        check(u"call_replay"_s);
        if (QTest::currentTestFailed())
            return;
        // The same read from calls: an SQL change of web_search_requests makes call_replay's fields stale.
        ledger->writer()
            .runExclusive([](QSqlDatabase &db) {
                QSqlQuery q(db);
                QVERIFY(q.exec(u"UPDATE calls SET web_search_requests = web_search_requests"_s));
                QVERIFY(q.exec(u"SELECT COUNT(*) FROM call_replay WHERE fields IS NULL"_s) && q.next());
                QCOMPARE(q.value(0).toInt(), 3);
            })
            .waitForFinished();
        check(u"calls"_s);
    }

    // Every priced part of a call goes with it (call_replay format 4, schema 17): the Batch API projection
    // re-prices the call as it was billed, not at the plain token prices. Prices per token (genai-prices 0.1.8):
    //  A gpt-image-1.5, 100 in / 1,000 out of which 900 image ($5 in, $10 out, $32 image out / M):
    //    100 x 5,000 + 100 x 10,000 + 900 x 32,000 = 30,300,000; Batch: tokens halved, 15,150,000.
    //    (Replayed without the image part: 100 x 5,000 + 1,000 x 10,000 = 10,500,000, so the Batch saving was
    //    5,250,000.)
    //  B gpt-4.1, 1,000 in / 100 out, 2 file search calls ($2 in, $8 out / M, $2.50 per 1,000 calls):
    //    2,000,000 + 800,000 + 5,000,000 = 7,800,000; Batch: 1,400,000 + 5,000,000 = 6,400,000 (calls not halved).
    //  C gpt-realtime-mini, 1,200 in (800 audio of which 300 cached; 500 cached in all), 500 out (450 audio)
    //    ($0.60 text in, $0.06 cached text, $10 audio in, $0.30 cached audio, $2.40 text out, $20 audio out / M):
    //    200 x 600 + 500 x 10,000 + 300 x 300 + 200 x 60 + 450 x 20,000 + 50 x 2,400 = 14,342,000; Batch 7,171,000.
    //    (Replayed without the cached audio: 800 x 10,000 + 500 x 60 + 9,000,000 + 120,000 = 17,150,000, a Batch
    //    saving of 8,575,000.)
    //  D perplexity sonar, 1,000 in / 500 out ($1 / $1 per M, a $12 per 1,000 request fee, per call):
    //    1,500,000 + 12,000,000 = 13,500,000. Perplexity has no Batch API, so the projection leaves it at its price
    //    (session 20; before, 750,000 was saved on it); routed to sonar-reasoning-pro ($2 in, $8 out / M, $14 per
    //    1,000 requests) it costs 2,000,000 + 4,000,000 + 14,000,000 = 20,000,000, 6,500,000 more (replayed without
    //    the fee: 4,500,000 more).
    // Batch saving: 15,150,000 + 1,400,000 + 7,171,000 = 23,721,000 (replayed without the parts:
    // 5,250,000 + 1,400,000 + 8,575,000 = 15,225,000).
    void everyPricedPartIsReplayedWithItsCall()
    {
        auto ledger = openLedger(m_dir.filePath(u"usage-parts.sqlite"_s));
        const qint64 t0 = test::usFromIso(u"2026-11-01T10:00:00Z"_s);
        QList<CallRecord> records;
        auto add = [&](int i, const QString &provider, const QString &model, qint64 prompt, qint64 completion,
                       const std::function<void(Usage &)> &parts, NanoUsd cost) {
            CallRecord r = test::makeRecord(t0 + i * 60'000'000LL, u"media"_s, provider, model, prompt, completion);
            r.sourceKind = SourceKind::Proxy;
            r.keyId = u"k"_s;
            parts(r.usage);
            ledger->pricer()->apply(r);
            QCOMPARE(r.cost, std::optional<NanoUsd>(cost));
            records << r;
        };
        add(0, u"openai"_s, u"gpt-image-1.5"_s, 100, 1000, [](Usage &u) { u.outputImageTokens = 900; }, 30'300'000);
        add(1, u"openai"_s, u"gpt-4.1"_s, 1000, 100, [](Usage &u) { u.fileSearchCalls = 2; }, 7'800'000);
        add(2, u"openai"_s, u"gpt-realtime-mini"_s, 1200, 500,
            [](Usage &u) {
                u.cachedTokens = 500;
                u.audioInputTokens = 800;
                u.cachedAudioTokens = 300;
                u.audioOutputTokens = 450;
            },
            14'342'000);
        add(3, u"perplexity"_s, u"sonar"_s, 1000, 500, [](Usage &) {}, 13'500'000);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, 4);
        const NanoUsd baseline = 30'300'000 + 7'800'000 + 14'342'000 + 13'500'000;

        auto check = [&](const QString &from) {
            Scenario batch;
            batch.batch.enabled = true;
            batch.batch.endpoints = {u"media"_s};
            auto r = simulate(*ledger, batch);
            QVERIFY(r.has_value());
            QCOMPARE(r->baseline, baseline);
            QVERIFY2(outcome(*r, Strategy::Batch).saving == 15'150'000 + 1'400'000 + 7'171'000,
                     qPrintable(from + u": "_s + QString::number(outcome(*r, Strategy::Batch).saving)));
            QCOMPARE(r->projected, baseline - 23'721'000);
            QCOMPARE(outcome(*r, Strategy::Batch).assumptions.filter(u"on perplexity stay"_s).size(), 1);

            Scenario toPro;
            toPro.routing.enabled = true;
            RoutingRule proRule;
            proRule.model = u"sonar"_s;
            proRule.routeTo = u"sonar-reasoning-pro"_s;
            toPro.routing.rules = {proRule};
            r = simulate(*ledger, toPro);
            QVERIFY(r.has_value());
            QVERIFY2(outcome(*r, Strategy::Routing).saving == -6'500'000,
                     qPrintable(from + u": "_s + QString::number(outcome(*r, Strategy::Routing).saving)));

            // Routing the file-search call: to gpt-4.1-mini ($0.40 in, $1.60 out / M, $2.50 per 1,000 calls) it
            // costs 400,000 + 160,000 + 5,000,000 = 5,560,000; gpt-4.1-nano has no file search price in the book,
            // so the call stays where it was and the target is named as one the book cannot price.
            Scenario routing;
            routing.routing.enabled = true;
            RoutingRule rule;
            rule.model = u"gpt-4.1"_s;
            rule.routeTo = u"gpt-4.1-mini"_s;
            routing.routing.rules = {rule};
            r = simulate(*ledger, routing);
            QVERIFY(r.has_value());
            QCOMPARE(outcome(*r, Strategy::Routing).callsAffected, 1);
            QCOMPARE(outcome(*r, Strategy::Routing).saving, 7'800'000 - 5'560'000);
            routing.routing.rules.front().routeTo = u"gpt-4.1-nano"_s;
            r = simulate(*ledger, routing);
            QVERIFY(r.has_value());
            QVERIFY2(outcome(*r, Strategy::Routing).callsAffected == 0, qPrintable(from));
            QCOMPARE(r->projected, r->baseline);
            QCOMPARE(outcome(*r, Strategy::Routing).assumptions.filter(u"openai/gpt-4.1-nano"_s).size(), 1);
        };
        check(u"call_replay"_s);
        if (QTest::currentTestFailed())
            return;
        // The same read from calls: an SQL change of a usage part makes call_replay's fields stale.
        ledger->writer()
            .runExclusive([](QSqlDatabase &db) {
                QSqlQuery q(db);
                QVERIFY(q.exec(u"UPDATE calls SET file_search_calls = file_search_calls, "
                               u"output_image_tokens = output_image_tokens"_s));
                QVERIFY(q.exec(u"SELECT COUNT(*) FROM call_replay WHERE fields IS NULL"_s) && q.next());
                QCOMPARE(q.value(0).toInt(), 4);
            })
            .waitForFinished();
        check(u"calls"_s);
    }

    // The simulator counts spend by the spend views' rule (SpendCoverage.h): per provider and UTC day, its
    // cost report lines, else its usage report lines, else the call-level records. Report lines are in the
    // baseline and the projection as they are (not simulated), so the baseline equals the dashboard's total
    // for the same range. The calls on a covered day are replayed and their saving taken off the report
    // lines, unless they cost more than those lines (then they are left out). gpt-4o 1,000 + 100 tokens:
    // 3,500,000 nano-USD; gpt-4o-mini: 210,000; claude-sonnet-4-5: 4,500,000.
    void providerReportLinesCountOnceAndAreNotSimulated()
    {
        auto ledger = openLedger(m_dir.filePath(u"reports.sqlite"_s));
        const qint64 day1 = test::usFromIso(u"2026-11-03T00:00:00Z"_s);
        const qint64 day2 = day1 + 86'400'000'000LL;
        QList<CallRecord> records;
        auto call = [&](qint64 at, const QString &provider, const QString &model) {
            CallRecord r = test::makeRecord(at, u"chat"_s, provider, model, 1000, 100);
            r.sourceKind = SourceKind::Proxy;
            ledger->pricer()->apply(r);
            records << r;
            return *r.cost;
        };
        auto line = [&](qint64 at, const QString &provider, const QString &model, qint64 calls, NanoUsd given,
                        const QString &key) {
            CallRecord r = test::makeRecord(at, u"workspace:w"_s, provider, model, 1000 * std::max<qint64>(calls, 1),
                                            100 * std::max<qint64>(calls, 1));
            r.sourceKind = SourceKind::ProviderReport;
            r.callCount = calls;
            r.sourceKey = key;
            if (given > 0) { // a cost report line: the billed amount
                r.cost = given;
                r.costStatus = CostStatus::Exact;
                r.priceEntry = u"given:openai-costs"_s;
            } else {
                ledger->pricer()->apply(r);
            }
            records << r;
            return *r.cost;
        };
        // Day 1: anthropic has recorded calls and a usage report line (the line counts, the calls do not, and
        // as they cost twice the line they are left out); openai has recorded calls only (they count and are
        // simulated).
        const NanoUsd sonnetCall = call(day1 + 3'600'000'000LL, u"anthropic"_s, u"claude-sonnet-4-5"_s);
        call(day1 + 3'700'000'000LL, u"anthropic"_s, u"claude-sonnet-4-5"_s);
        const NanoUsd anthropicLine = line(day1, u"anthropic"_s, u"claude-sonnet-4-5"_s, 0, 0, u"anthropic-usage:1"_s);
        const NanoUsd gpt4oCall = call(day1 + 3'800'000'000LL, u"openai"_s, u"gpt-4o"_s);
        call(day1 + 3'900'000'000LL, u"openai"_s, u"gpt-4o"_s);
        // Day 2: openai has a recorded call, a usage report line and a cost report line: only the cost line
        // counts; the call is replayed, its saving taken off the cost line.
        call(day2 + 3'600'000'000LL, u"openai"_s, u"gpt-4o"_s);
        const NanoUsd openaiUsageLine = line(day2, u"openai"_s, u"gpt-4o"_s, 5, 0, u"openai-usage:2"_s);
        const NanoUsd openaiCostLine = line(day2, u"openai"_s, u"gpt-4o"_s, 0, 9'876'543, u"openai-costs:2"_s);
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, records.size());
        QCOMPARE(gpt4oCall, 3'500'000);
        QCOMPARE(openaiUsageLine, 5 * 3'500'000);

        BreakdownQuery bq;
        bq.fromUs = day1;
        bq.toUs = day2 + 86'400'000'000LL;
        bq.groupBy = {Dimension::Provider};
        const auto spend = ledger->breakdown(bq).result();
        QVERIFY(spend.has_value());
        QCOMPARE(spend->totals.cost, anthropicLine + 2 * gpt4oCall + openaiCostLine);

        Scenario sc;
        sc.routing.enabled = true;
        RoutingRule rule;
        rule.model = u"gpt-4o"_s;
        rule.routeTo = u"gpt-4o-mini"_s;
        sc.routing.rules = {rule};
        SimulationRequest req;
        req.fromUs = bq.fromUs;
        req.toUs = bq.toUs;
        req.scenario = sc;
        const auto pricer = ledger->pricer();
        const auto r = ledger->read<Result<SimulationResult>>([&](QSqlDatabase &db) {
                                  return Simulator::run(db, *pricer, req);
                              }).result();
        QVERIFY(r.has_value());
        QCOMPARE(r->baseline, spend->totals.cost); // the dashboard's figure, each spend counted once
        QCOMPARE(r->reportLines, 2);
        QCOMPARE(r->reportCost, anthropicLine + openaiCostLine);
        QCOMPARE(sonnetCall, 4'500'000);
        QCOMPARE(anthropicLine, 4'500'000);
        QCOMPARE(r->overReportCalls, 2);          // the two anthropic calls of day 1 cost more than its line
        QCOMPARE(r->overReportCost, 2 * sonnetCall);
        QCOMPARE(r->overReportDays, 1);
        QCOMPARE(r->supersededCalls, 2);          // those two (before: the openai call of day 2 too)
        QCOMPARE(r->supersededReportLines, 1);    // the openai usage line under its cost report
        QCOMPARE(r->supersededCost, 2 * sonnetCall + openaiUsageLine);
        QCOMPARE(r->records, 2);                  // the two openai calls of day 1, in the baseline
        QCOMPARE(r->coveredCalls, 1);             // the openai call of day 2, its cost in the cost line
        QCOMPARE(r->coveredCost, gpt4oCall);
        QCOMPARE(r->coveredSaving, 3'500'000 - 210'000);
        QCOMPARE(outcome(*r, Strategy::Routing).callsAffected, 3);
        QCOMPARE(outcome(*r, Strategy::Routing).saving, 3 * (3'500'000 - 210'000));
        QCOMPARE(r->projected, r->baseline - 3 * (3'500'000 - 210'000));
        QCOMPARE(r->baselinePerBucket, (QList<NanoUsd>{anthropicLine + 2 * gpt4oCall, openaiCostLine}));
        QCOMPARE(r->projectedPerBucket,
                 (QList<NanoUsd>{anthropicLine + 2 * 210'000, openaiCostLine - (3'500'000 - 210'000)}));
        NanoUsd endpointBaselines = 0;
        for (const EndpointOutcome &e : r->endpoints)
            endpointBaselines += e.baseline;
        QCOMPARE(endpointBaselines, 3 * gpt4oCall); // per-endpoint rows: the replayed calls' recorded costs

        // A range of one hour inside a covered day: the report line is outside it, but its day is covered
        // (as the spend views count whole UTC days), so the call there is not in the baseline; and as the
        // range holds none of the line, none of the call's saving can be taken off it: it is left out.
        req.fromUs = day1 + 3'600'000'000LL;
        req.toUs = day1 + 3'650'000'000LL;
        const auto one = ledger->read<Result<SimulationResult>>([&](QSqlDatabase &db) {
                                    return Simulator::run(db, *pricer, req);
                                }).result();
        QVERIFY(one.has_value());
        QCOMPARE(one->records, 0);
        QCOMPARE(one->supersededCalls, 1);
        QCOMPARE(one->overReportCalls, 1);
        QCOMPARE(one->coveredCalls, 0);
        QCOMPARE(one->baseline, 0);
        QCOMPARE(one->projected, 0);
    }

    // Call-level records on a provider day a report covers are replayed: their recorded cost is in the report
    // line (so not in the baseline again), their saving is taken off it. A usage report line of 10 gpt-4o calls
    // of 1,000 + 100 tokens ($2.50 / $10 per million): 10 * (2,500,000 + 1,000,000) = 35,000,000 nano-USD. Four
    // proxy calls of that day (3,500,000 each, 14,000,000 in all, so the line can hold them), one caller, three
    // of them the same request: with the exact cache on (TTL 1 h) the second and third are hits, 7,000,000 saved.
    void coveredDayCallsAreReplayedAndTheirSavingTakenOffTheReport()
    {
        auto ledger = openLedger(m_dir.filePath(u"covered.sqlite"_s));
        const qint64 day = test::usFromIso(u"2026-11-03T00:00:00Z"_s);
        QList<CallRecord> records;
        const CallRecord line = gpt4oUsageLine(*ledger, day, 10);
        QCOMPARE(line.cost, std::optional<NanoUsd>(35'000'000));
        records << line;
        for (int i = 0; i < 4; ++i) {
            const CallRecord r
                = gpt4oProxyCall(*ledger, day + 36'000'000'000LL + i * 60'000'000LL, i < 3 ? u"same"_s : u"other"_s);
            QCOMPARE(r.cost, std::optional<NanoUsd>(3'500'000));
            records << r;
        }
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, records.size());

        BreakdownQuery bq;
        bq.fromUs = day;
        bq.toUs = day + kDayUs;
        const auto spend = ledger->breakdown(bq).result();
        QVERIFY(spend.has_value());
        QCOMPARE(spend->totals.cost, 35'000'000); // the dashboard counts the report line only

        const auto r = simulate(*ledger, exactCacheOnly());
        QVERIFY(r.has_value());
        QCOMPARE(r->baseline, 35'000'000); // unchanged: the dashboard's figure
        QCOMPARE(r->projected, 35'000'000 - 2 * 3'500'000);
        QCOMPARE(outcome(*r, Strategy::ExactCache).saving, 2 * 3'500'000);
        QCOMPARE(outcome(*r, Strategy::ExactCache).callsAffected, 2);
        QVERIFY(outcome(*r, Strategy::ExactCache).simulated);
        QCOMPARE(r->reportLines, 1);
        QCOMPARE(r->reportCost, 35'000'000);
        QCOMPARE(r->records, 0); // no call's recorded cost is in the baseline
        QCOMPARE(r->coveredCalls, 4);
        QCOMPARE(r->coveredCost, 4 * 3'500'000);
        QCOMPARE(r->coveredSaving, 2 * 3'500'000);
        QCOMPARE(r->supersededCalls, 0);
        QCOMPARE(r->overReportCalls, 0);
        QCOMPARE(r->overReportDays, 0);
        QCOMPARE(r->baselinePerBucket, QList<NanoUsd>{35'000'000});
        QCOMPARE(r->projectedPerBucket, QList<NanoUsd>{35'000'000 - 2 * 3'500'000});
        // The endpoint's row: its calls' recorded cost and their projection (the report line has no row).
        QCOMPARE(r->endpoints.size(), 1);
        QCOMPARE(r->endpoints.front().endpoint, u"chat"_s);
        QCOMPARE(r->endpoints.front().calls, 4);
        QCOMPARE(r->endpoints.front().baseline, 4 * 3'500'000);
        QCOMPARE(r->endpoints.front().projected, 2 * 3'500'000);
        QCOMPARE(r->endpoints.front().strategies[int(Strategy::ExactCache)].saving, 2 * 3'500'000);
    }

    // The simulated cache state carries across covered and uncovered days: a request first seen on a covered
    // day (2026-11-03, a usage report line for openai) and repeated 40 minutes later on the next day, which
    // no report covers, is a hit there. gpt-4o 1,000 + 100 tokens: 3,500,000 nano-USD.
    void cacheStateCarriesFromACoveredDay()
    {
        auto ledger = openLedger(m_dir.filePath(u"covered-carry.sqlite"_s));
        const qint64 day = test::usFromIso(u"2026-11-03T00:00:00Z"_s);
        QList<CallRecord> records;
        const CallRecord line = gpt4oUsageLine(*ledger, day, 5);
        QCOMPARE(line.cost, std::optional<NanoUsd>(5 * 3'500'000));
        records << line;
        for (const qint64 at : {day + kDayUs - 1'200'000'000LL, day + kDayUs + 1'200'000'000LL})
            records << gpt4oProxyCall(*ledger, at, u"same"_s);
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, records.size());

        const auto r = simulate(*ledger, exactCacheOnly());
        QVERIFY(r.has_value());
        QCOMPARE(r->baseline, 5 * 3'500'000 + 3'500'000); // the line, and the uncovered day's call
        QCOMPARE(outcome(*r, Strategy::ExactCache).saving, 3'500'000); // the next day's call is a hit
        QCOMPARE(outcome(*r, Strategy::ExactCache).callsAffected, 1);
        QCOMPARE(r->projected, 5 * 3'500'000);
        QCOMPARE(r->projectedPerBucket, (QList<NanoUsd>{5 * 3'500'000, 0}));
        QCOMPARE(r->records, 1);
        QCOMPARE(r->coveredCalls, 1);
        QCOMPARE(r->coveredSaving, 0); // the first sight of the request: a miss that stores the answer
    }

    // The guard on "the report covers the recorded calls": on a provider day whose calls cost more than the
    // report lines that count (here a cost report line of 5,000,000 nano-USD against three gpt-4o calls of
    // 3,500,000), the report cannot hold them, so they are left out as superseded, counted, and the projection
    // stays the report's spend; they feed no simulated cache either (the next day's repeat is a miss). The
    // next provider day is covered within its means (a 9,000,000 cost line, two 3,500,000 calls, the second a
    // hit): its saving is taken.
    void callsCostingMoreThanTheReportAreLeftOut()
    {
        auto ledger = openLedger(m_dir.filePath(u"covered-guard.sqlite"_s));
        const qint64 day1 = test::usFromIso(u"2026-11-03T00:00:00Z"_s);
        const qint64 day2 = day1 + kDayUs;
        QList<CallRecord> records;
        auto costLine = [&](qint64 at, NanoUsd given, const QString &key) {
            CallRecord r = test::makeRecord(at, u"workspace:w"_s, u"openai"_s, u"gpt-4o"_s, 0, 0);
            r.sourceKind = SourceKind::ProviderReport;
            r.callCount = 0;
            r.sourceKey = key;
            r.cost = given;
            r.costStatus = CostStatus::Exact;
            r.priceEntry = u"given:openai-costs"_s;
            records << r;
        };
        auto call = [&](qint64 at, const QString &hash) { records << gpt4oProxyCall(*ledger, at, hash); };
        costLine(day1, 5'000'000, u"openai-costs:1"_s);
        for (int i = 0; i < 3; ++i)
            call(day1 + kDayUs - 600'000'000LL + i * 60'000'000LL, u"a"_s); // 23:50, 23:51, 23:52
        costLine(day2, 9'000'000, u"openai-costs:2"_s);
        call(day2 + 600'000'000LL, u"a"_s);  // 00:10: within the TTL of day 1's calls, were they replayed
        call(day2 + 1'200'000'000LL, u"a"_s); // 00:20: a hit on the 00:10 call
        QCOMPARE(ledger->writer().submitBatch(records).result().inserted, records.size());

        const auto r = simulate(*ledger, exactCacheOnly());
        QVERIFY(r.has_value());
        QCOMPARE(r->baseline, 5'000'000 + 9'000'000);
        QCOMPARE(outcome(*r, Strategy::ExactCache).saving, 3'500'000);
        QCOMPARE(outcome(*r, Strategy::ExactCache).callsAffected, 1);
        QCOMPARE(r->projected, 5'000'000 + 9'000'000 - 3'500'000);
        QCOMPARE(r->projectedPerBucket, (QList<NanoUsd>{5'000'000, 9'000'000 - 3'500'000})); // day 1 stays whole
        QCOMPARE(r->overReportDays, 1);
        QCOMPARE(r->overReportCalls, 3);
        QCOMPARE(r->overReportCost, 3 * 3'500'000);
        QCOMPARE(r->supersededCalls, 3);
        QCOMPARE(r->supersededCost, 3 * 3'500'000);
        QCOMPARE(r->coveredCalls, 2);
        QCOMPARE(r->coveredCost, 2 * 3'500'000);
        QCOMPARE(r->coveredSaving, 3'500'000);
    }

    // Compression of a 10,000-token conversation to a 4,000-token budget on gpt-4o ($2.50 / $10 per
    // million): 4,000 * 2,500 + 100 * 10,000 = 11,000,000 nano-USD, plus the summary on gpt-4o-mini
    // ($0.15 / $0.60): input 10,000 - 2,800 = 7,200 * 150 = 1,080,000, output 400 * 600 = 240,000.
    // Baseline 10,000 * 2,500 + 100 * 10,000 = 26,000,000. A single-message call is left alone.
    void compressionArithmetic()
    {
        auto ledger = openLedger(m_dir.filePath(u"compression.sqlite"_s));
        const qint64 t0 = test::usFromIso(u"2026-11-01T10:00:00Z"_s);
        CallRecord conversation = test::makeRecord(t0, u"chat"_s, u"openai"_s, u"gpt-4o"_s, 10'000, 100);
        conversation.messageCount = 12;
        ledger->pricer()->apply(conversation);
        CallRecord single = test::makeRecord(t0 + 1, u"chat"_s, u"openai"_s, u"gpt-4o"_s, 10'000, 100);
        single.messageCount = 1;
        ledger->pricer()->apply(single);
        ledger->writer().submitBatch({conversation, single}).waitForFinished();

        Scenario sc;
        sc.compression.enabled = true;
        sc.compression.budgetTokens = 4000;
        sc.compression.summaryModel = u"gpt-4o-mini"_s;
        const auto r = simulate(*ledger, sc);
        QVERIFY(r.has_value());
        QCOMPARE(r->baseline, 2 * 26'000'000);
        QCOMPARE(outcome(*r, Strategy::Compression).callsAffected, 1);
        QCOMPARE(outcome(*r, Strategy::Compression).saving, 26'000'000 - (11'000'000 + 1'080'000 + 240'000));
        QCOMPARE(r->projected, 26'000'000 + 11'000'000 + 1'080'000 + 240'000);
    }

    // The complexity router on the complexity the proxy recorded: low -> gpt-4.1-nano ($0.10 / $0.40),
    // medium -> gpt-4.1-mini ($0.40 / $1.60), high -> gpt-4.1 ($2 / $8), from gpt-4o ($2.50 / $10);
    // 1000 prompt + 100 completion tokens each. A call without a recorded complexity is not routed; a
    // call already on a cheaper model than its tier's is not moved up.
    void complexityRouterOnRecordedComplexity()
    {
        auto ledger = openLedger(m_dir.filePath(u"router.sqlite"_s));
        const qint64 t0 = test::usFromIso(u"2026-11-01T10:00:00Z"_s);
        QList<CallRecord> records;
        auto add = [&](const QString &model, const QString &complexity) {
            CallRecord r = test::makeRecord(t0 + records.size(), u"support"_s, u"openai"_s, model, 1000, 100);
            r.savings.complexity = complexity;
            r.savings.routeMode = complexity.isEmpty() ? QString() : u"shadow"_s;
            ledger->pricer()->apply(r);
            records << r;
        };
        add(u"gpt-4o"_s, u"low"_s);          // 3,500,000 -> 100,000 + 40,000 = 140,000
        add(u"gpt-4o"_s, u"medium"_s);       // -> 400,000 + 160,000 = 560,000
        add(u"gpt-4o"_s, u"high"_s);         // -> 2,000,000 + 800,000 = 2,800,000
        add(u"gpt-4o"_s, QString());         // no complexity: kept
        add(u"gpt-4.1-nano"_s, u"high"_s);   // 140,000; gpt-4.1 is dearer: kept
        ledger->writer().submitBatch(records).waitForFinished();

        Scenario sc;
        sc.routing.enabled = true;
        sc.routing.router = routing::RouterConfig::defaults();
        const auto r = simulate(*ledger, sc);
        QVERIFY(r.has_value());
        QCOMPARE(r->baseline, 4 * 3'500'000 + 140'000);
        QCOMPARE(outcome(*r, Strategy::Routing).callsAffected, 3);
        QCOMPARE(outcome(*r, Strategy::Routing).saving, 3 * 3'500'000 - (140'000 + 560'000 + 2'800'000));
        QCOMPARE(r->projected, 140'000 + 560'000 + 2'800'000 + 3'500'000 + 140'000);

        // Mode off: nothing is routed.
        sc.routing.mode = routing::RouteMode::Off;
        const auto off = simulate(*ledger, sc);
        QVERIFY(off.has_value());
        QVERIFY(!outcome(*off, Strategy::Routing).enabled);
        QCOMPARE(off->projected, off->baseline);
    }

    // Session-13 trial: on a range with no calls, routing's reason was the calls' missing complexity (and the
    // caches' their missing request hashes). Every enabled strategy now says the range has no calls, on an empty
    // ledger and on a range of a ledger that has calls elsewhere.
    void aRangeWithNoCallsSaysSoForEveryStrategy()
    {
        auto ledger = openLedger(m_dir.filePath(u"empty-range.sqlite"_s));
        Scenario sc;
        sc.routing.enabled = true;
        sc.routing.router = routing::RouterConfig::defaults();
        sc.exactCache.enabled = true;
        sc.semanticCache.enabled = true;
        sc.compression.enabled = true;
        sc.batch.enabled = true;
        sc.batch.endpoints = {u"support"_s};
        auto check = [&](const char *what, qint64 fromUs, qint64 toUs) {
            SimulationRequest req;
            req.fromUs = fromUs;
            req.toUs = toUs;
            req.scenario = sc;
            const auto pricer = ledger->pricer();
            const auto r = ledger->read<Result<SimulationResult>>([&](QSqlDatabase &db) {
                                     return Simulator::run(db, *pricer, req);
                                 }).result();
            QVERIFY2(r.has_value(), what);
            QCOMPARE(r->replayedCalls(), 0);
            for (const StrategyOutcome &o : r->strategies) {
                QVERIFY2(o.enabled, qPrintable(toString(o.strategy)));
                QVERIFY2(!o.simulated, qPrintable(toString(o.strategy)));
                QVERIFY2(o.whyNot.contains(u"no calls in this range"_s),
                         qPrintable(u"%1, %2: %3"_s.arg(QLatin1StringView(what), toString(o.strategy), o.whyNot)));
            }
        };
        check("empty ledger", std::numeric_limits<qint64>::min() / 2, std::numeric_limits<qint64>::max() / 2);
        if (QTest::currentTestFailed())
            return;
        CallRecord call = test::makeRecord(test::usFromIso(u"2026-11-01T10:00:00Z"_s), u"support"_s, u"openai"_s,
                                           u"gpt-4o"_s, 1000, 100);
        call.savings.complexity = u"low"_s;
        ledger->pricer()->apply(call);
        ledger->writer().submitBatch({call}).waitForFinished();
        check("a day before the only call", test::usFromIso(u"2026-10-01T00:00:00Z"_s),
              test::usFromIso(u"2026-10-02T00:00:00Z"_s));
        if (QTest::currentTestFailed())
            return;
        // The same scenario on the call's day is simulated (routing on its recorded complexity).
        const auto whole = simulate(*ledger, sc);
        QVERIFY(whole.has_value());
        QVERIFY(outcome(*whole, Strategy::Routing).simulated);
    }

    // Dynamic few-shot is already realised in the recorded cost: the report prices the set tokens that
    // were not sent (900 - 90 = 810 input tokens on gpt-4o = 810 * 2,500 = 2,025,000 nano-USD) and
    // leaves the projection alone.
    void fewShotReportsTheTokensNotSent()
    {
        auto ledger = openLedger(m_dir.filePath(u"fewshot.sqlite"_s));
        CallRecord r = test::makeRecord(test::usFromIso(u"2026-11-01T10:00:00Z"_s), u"faq"_s, u"openai"_s,
                                        u"gpt-4o"_s, 1000, 100);
        r.savings.fewShotSet = u"faq-examples"_s;
        r.savings.fewShotExamples = 2;
        r.savings.fewShotTokens = 90;
        r.savings.fewShotSetTokens = 900;
        ledger->pricer()->apply(r);
        ledger->writer().submitBatch({r}).waitForFinished();
        const auto result = simulate(*ledger, Scenario{});
        QVERIFY(result.has_value());
        QCOMPARE(result->fewShot.calls, 1);
        QCOMPARE(result->fewShot.tokensSaved, 810);
        QCOMPARE(result->fewShot.saving, 2'025'000);
        QCOMPARE(result->projected, result->baseline);
    }

    void scenarioJsonRoundTrips()
    {
        Scenario sc;
        sc.name = u"all"_s;
        sc.routing.enabled = true;
        sc.routing.mode = routing::RouteMode::Shadow;
        sc.routing.router = routing::RouterConfig::defaults();
        sc.semanticCache.enabled = true;
        sc.semanticCache.threshold = 0.9;
        sc.semanticCache.embeddingModel = u"text-embedding-3-small"_s;
        sc.compression.enabled = true;
        sc.compression.budgetTokens = 2000;
        sc.compression.summaryModel = u"gpt-4o-mini"_s;
        sc.compression.removeRedundancy = false;
        const auto back = Scenario::fromJson(sc.toJson());
        QVERIFY(back.has_value());
        QCOMPARE(back->toJson(), sc.toJson());
        QCOMPARE(routing::toString(back->routing.mode), u"shadow"_s);
        QVERIFY(back->routing.router == sc.routing.router);
        QCOMPARE(back->semanticCache.embeddingModel, u"text-embedding-3-small"_s);
        QCOMPARE(back->compression.summaryModel, u"gpt-4o-mini"_s);
        QVERIFY(!back->compression.removeRedundancy);
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

    // Values a scenario file must not get away with (new-user trial: a negative bound read as "no
    // limit" and routed every gpt-4o call; a misspelt strategy was dropped without a word).
    void badScenarioValuesAreRefused_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("says");
        QTest::newRow("negative max_prompt_tokens")
            << QByteArray(R"({"strategies": {"routing": {"rules": [{"model": "gpt-4o", "max_prompt_tokens": -100, "route_to": "gpt-4o-mini"}]}}})")
            << u"max_prompt_tokens"_s;
        QTest::newRow("fractional max_completion_tokens")
            << QByteArray(R"({"strategies": {"routing": {"rules": [{"model": "gpt-4o", "max_completion_tokens": 1.5, "route_to": "gpt-4o-mini"}]}}})")
            << u"max_completion_tokens"_s;
        QTest::newRow("max_prompt_chars as text")
            << QByteArray(R"({"strategies": {"routing": {"rules": [{"model": "gpt-4o", "max_prompt_chars": "500", "route_to": "gpt-4o-mini"}]}}})")
            << u"max_prompt_chars"_s;
        QTest::newRow("unknown strategy") << QByteArray(R"({"strategies": {"teleport": {"enabled": true}}})") << u"teleport"_s;
        QTest::newRow("misspelt strategy") << QByteArray(R"({"strategies": {"semantic_cach": {"enabled": true}}})") << u"semantic_cach"_s;
        QTest::newRow("unknown strategy in an endpoint override")
            << QByteArray(R"({"strategies": {}, "endpoints": {"chat": {"exactcache": {"enabled": true}}}})") << u"exactcache"_s;
    }
    void badScenarioValuesAreRefused()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, says);
        const auto sc = Scenario::fromJson(QJsonDocument::fromJson(json).object());
        QVERIFY(!sc.has_value());
        QVERIFY2(sc.error().message.contains(says), qPrintable(sc.error().message));
        // A bound of 0 is a bound, not an error.
        QVERIFY(Scenario::fromJson(QJsonDocument::fromJson(
                                       R"({"strategies": {"routing": {"rules": [{"model": "gpt-4o", "max_prompt_tokens": 0, "route_to": "gpt-4o-mini"}]}}})")
                                       .object())
                    .has_value());
    }
};

QTEST_GUILESS_MAIN(SimulatorTest)
#include "SimulatorTest.moc"
