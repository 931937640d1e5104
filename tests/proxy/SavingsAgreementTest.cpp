// Issue #5 section 6: the simulator's projection for recorded traffic agrees with what the live proxy
// then saves on the same traffic.
//
//  1. A recorded workload (questions repeated word for word, paraphrased, negated, with another number;
//     two callers, two endpoints) goes through the proxy with every lever OFF into ledger A. The proxy
//     still records each call's request hash, semantic scope, guard signature and local embedding.
//  2. Simulator::run replays ledger A under a scenario enabling the exact cache and the semantic cache.
//  3. The same workload goes through the proxy with that scenario's strategies applied per endpoint
//     (the Settings "proxy/savings_policy" shape) into ledger B.
//  4. Per strategy, the simulator's saving and calls affected must equal the live hits in B: the sum of
//     savedCost and the count of records with cacheOutcome ExactHit / SemanticHit. To the nano-USD.
//
// Why they can be equal to the nano-USD: the live proxy prices a hit's savedCost from the STORED
// answer's usage (the original call's), while the simulator credits each hit call's OWN recorded cost.
// The two agree when a paraphrase costs what its original cost. The loopback upstream runs in echo
// mode, whose usage depends only on the conversation's shape (prompt = 100 + 20 x messages + 50 with a
// system prompt, completion = 30; LoopbackUpstream::answerEcho), and a semantic hit needs the same
// model, system prompt and earlier conversation (the scope), so an original and its paraphrase have
// the same usage and, priced by the same price book, the same cost. With a real upstream, a
// paraphrase's prompt tokens differ by a few tokens and the two figures differ by that much.
// Both sides match with the same SemanticIndex (same vectors: the recorded local embeddings, whole
// request then final user message, are the ones the live cache uses with embedding_model "local", focus
// check included), the same threshold and TTL, the same caller
// scoping, and the same order: exact cache first, semantic cache only on an exact miss, stores only
// for calls that went upstream.
#include "ProxyHarness.h"
#include "TestSupport.h"

#include "pricing/Pricer.h"
#include "proxy/SavingsPolicy.h"
#include "simulate/Simulator.h"

#include <QDeadlineTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QtTest>

#include <memory>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::test;

namespace {

struct Call
{
    QByteArray key;
    QString endpoint;
    QString system;
    QString text;
};

const QByteArray kAlice = "sk-agreement-alice-000000000001";
const QByteArray kBob = "sk-agreement-bob-00000000000002";

QByteArray body(const Call &c)
{
    const QJsonArray messages{QJsonObject{{"role"_L1, "system"_L1}, {"content"_L1, c.system}},
                              QJsonObject{{"role"_L1, "user"_L1}, {"content"_L1, c.text}}};
    return QJsonDocument(QJsonObject{{"model"_L1, "gpt-4.1-mini"_L1}, {"messages"_L1, messages}, {"temperature"_L1, 0}})
        .toJson(QJsonDocument::Compact);
}

// The recorded workload: 48 calls.
QList<Call> workload()
{
    const QString faq = u"You answer questions about our travel booking service."_s;
    const QString support = u"You are the support assistant of a bank."_s;
    // Question, paraphrase (within the threshold), and a negated / renumbered variant (guards: miss).
    const QList<std::array<QString, 3>> faqQs{
        {u"How do I cancel my hotel booking and get a refund?"_s, u"How can I cancel my hotel booking and get a refund?"_s,
         u"How do I cancel my hotel booking and not get a refund?"_s},
        {u"What documents do I need to board an international flight?"_s,
         u"Which documents do I need to board an international flight?"_s,
         u"What documents do I need to board 2 international flights?"_s},
        {u"Can I change the name on a train ticket after booking?"_s, u"Can I change the name on my train ticket after booking?"_s,
         u"Can I not change the name on a train ticket after booking?"_s},
    };
    const QList<std::array<QString, 3>> supportQs{
        {u"How do I reset the PIN of my debit card?"_s, u"How can I reset the PIN of my debit card?"_s,
         u"How do I reset the PIN of my 3 debit cards?"_s},
        {u"Why was my card payment declined at the shop?"_s, u"Why was my card payment declined at the store?"_s,
         u"Why was my card payment not declined at the shop?"_s},
        {u"How long does an international bank transfer take?"_s, u"How long does an international bank transfer usually take?"_s,
         u"How long does an international bank transfer take for 5000 euros?"_s},
    };
    QList<Call> calls;
    for (const QByteArray &key : {kAlice, kBob}) {
        for (const auto &[endpoint, system, qs] :
             {std::tuple{u"faq"_s, faq, faqQs}, std::tuple{u"support"_s, support, supportQs}}) {
            for (const auto &q : qs) // first asks
                calls << Call{key, endpoint, system, q[0]};
            for (const auto &q : qs) { // a repeat, a paraphrase, a guarded variant
                calls << Call{key, endpoint, system, q[0]};
                calls << Call{key, endpoint, system, q[1]};
                calls << Call{key, endpoint, system, q[2]};
            }
        }
    }
    return calls; // 2 callers x 2 endpoints x (3 + 9) = 48
}

// Strategies of the scenario, used for both the simulation and the live policy.
const char kStrategies[] = R"({"exact_cache":{"enabled":true,"ttl_seconds":3600},
                               "semantic_cache":{"enabled":true,"threshold":0.85,"ttl_seconds":3600,"embedding_model":"local"}})";

// Ledger B's proxy: the scenario's `strategies` as the live savings policy of each of `endpoints`, the
// proxy-wide cache off (the policy turns it on for them). Null, with `error` set, when the strategies
// are not a valid policy.
std::unique_ptr<ProxyHarness> liveProxy(const QStringList &endpoints, const QJsonObject &strategies, QString &error)
{
    QJsonObject perEndpoint;
    for (const QString &endpoint : endpoints)
        perEndpoint.insert(endpoint, strategies);
    auto policy = SavingsPolicy::fromSettingsJson(QJsonObject{{"endpoints"_L1, perEndpoint}});
    if (!policy) {
        error = policy.error().message;
        return nullptr;
    }
    return std::make_unique<ProxyHarness>([&](ProxyConfig &c) {
        c.cache.enabled = false;
        c.savings = *policy;
    });
}

Result<SimulationResult> simulate(ProxyHarness &h, const QJsonObject &strategies)
{
    auto scenario = Scenario::fromJson(QJsonObject{{"name"_L1, "caches"_L1}, {"strategies"_L1, strategies}});
    if (!scenario)
        return std::unexpected(scenario.error());
    if (!waitFor(h.ledger().writer().flush())) // every record committed before the replay
        return fail(ErrorCode::Io, u"the ledger writer did not flush"_s);
    SimulationRequest request;
    request.fromUs = 0;
    request.toUs = std::numeric_limits<qint64>::max();
    request.scenario = *scenario;
    auto pricer = h.ledger().pricer();
    auto future = h.ledger().read<Result<SimulationResult>>(
        [pricer, request](QSqlDatabase &db) { return Simulator::run(db, *pricer, request); });
    QDeadlineTimer deadline(30000);
    while (!future.isFinished() && !deadline.hasExpired())
        QTest::qWait(5);
    if (!future.isFinished())
        return fail(ErrorCode::Io, u"the simulation did not finish in 30 s"_s);
    return future.result();
}

void run(ProxyHarness &h, const QList<Call> &calls)
{
    for (const Call &c : calls) {
        const auto r = h.curl("/v1/chat/completions", body(c),
                              {u"Authorization: Bearer "_s + QString::fromLatin1(c.key),
                               u"X-TokenLedger-Endpoint: "_s + c.endpoint, u"X-Loopback-Mode: echo"_s});
        QCOMPARE(r.status, 200);
    }
}

} // namespace

class SavingsAgreementTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void simulatedSavingsEqualLiveSavings();
    void repeatedParaphraseIsASemanticHitLive();
    void routingRuleSavesWhatTheSimulatorProjects();
};

void SavingsAgreementTest::simulatedSavingsEqualLiveSavings()
{
    const QList<Call> calls = workload();
    QVERIFY(calls.size() >= 40);

    const QJsonObject strategies = QJsonDocument::fromJson(kStrategies).object();

    // 1. Everything off: ledger A.
    ProxyHarness a([](ProxyConfig &c) { c.cache.enabled = false; });
    QVERIFY2(a.ok(), qPrintable(a.error()));
    run(a, calls);
    const QList<CallRecord> recordedA = a.records();
    QCOMPARE(recordedA.size(), calls.size());
    QCOMPARE(a.upstream().requestCount(), int(calls.size()));
    for (const CallRecord &r : recordedA) {
        QCOMPARE(toString(r.cacheOutcome), toString(CacheOutcome::None));
        QVERIFY2(!r.savings.semanticScope.isEmpty() && !r.savings.embedding.isEmpty(),
                 qPrintable(u"record %1 (%2) has no semantic key or embedding"_s.arg(r.id).arg(r.endpoint)));
    }

    // 2. The simulator on ledger A.
    const Result<SimulationResult> sim = simulate(a, strategies);
    if (!sim)
        QFAIL(qPrintable(sim.error().message));
    const StrategyOutcome &simExact = sim->strategies[int(Strategy::ExactCache)];
    const StrategyOutcome &simSemantic = sim->strategies[int(Strategy::SemanticCache)];
    QVERIFY2(simExact.simulated, qPrintable(simExact.whyNot));
    QVERIFY2(simSemantic.simulated, qPrintable(simSemantic.whyNot));

    // 3. The same traffic with the scenario's strategies applied to both endpoints: ledger B.
    QString error;
    const auto live = liveProxy({u"faq"_s, u"support"_s}, strategies, error);
    QVERIFY2(live && live->ok(), qPrintable(live ? live->error() : error));
    ProxyHarness &b = *live;
    run(b, calls);
    const QList<CallRecord> recordedB = b.records();
    QCOMPARE(recordedB.size(), calls.size());
    NanoUsd liveExact = 0;
    NanoUsd liveSemantic = 0;
    qint64 exactHits = 0;
    qint64 semanticHits = 0;
    for (const CallRecord &r : recordedB) {
        if (r.cacheOutcome == CacheOutcome::ExactHit) {
            ++exactHits;
            liveExact += r.savedCost;
        } else if (r.cacheOutcome == CacheOutcome::SemanticHit) {
            ++semanticHits;
            liveSemantic += r.savedCost;
        }
    }
    qInfo("exact cache:    simulated %lld calls, %lld nano-USD; live %lld hits, %lld nano-USD", simExact.callsAffected,
          qlonglong(simExact.saving), exactHits, qlonglong(liveExact));
    qInfo("semantic cache: simulated %lld calls, %lld nano-USD; live %lld hits, %lld nano-USD",
          simSemantic.callsAffected, qlonglong(simSemantic.saving), semanticHits, qlonglong(liveSemantic));
    QCOMPARE(b.upstream().requestCount(), int(calls.size() - exactHits - semanticHits));

    // The workload has 12 word-for-word repeats and 12 paraphrases; the guarded variants all miss.
    QCOMPARE(exactHits, 12);
    QCOMPARE(semanticHits, 12);
    QVERIFY(liveExact > 0 && liveSemantic > 0);

    // 4. Agreement, to the nano-USD and to the call.
    QCOMPARE(simExact.callsAffected, exactHits);
    QCOMPARE(simExact.saving, liveExact);
    QCOMPARE(simSemantic.callsAffected, semanticHits);
    QCOMPARE(simSemantic.saving, liveSemantic);
}

// A paraphrase asked twice word for word. Live, its first ask is a semantic hit and is not stored in
// the exact cache (only answers that came from the upstream are, so "mark semantic hit wrong" leaves no
// copy behind); its second ask misses the exact cache and is a semantic hit again. The simulator stores
// only calls the semantic cache did not serve in its exact-cache map, so it splits the savings between
// the two strategies exactly as the live proxy does.
void SavingsAgreementTest::repeatedParaphraseIsASemanticHitLive()
{
    const QString system = u"You answer questions about our travel booking service."_s;
    const QList<Call> calls{{kAlice, u"faq"_s, system, u"How do I cancel my hotel booking and get a refund?"_s},
                            {kAlice, u"faq"_s, system, u"How can I cancel my hotel booking and get a refund?"_s},
                            {kAlice, u"faq"_s, system, u"How can I cancel my hotel booking and get a refund?"_s}};
    const QJsonObject strategies = QJsonDocument::fromJson(kStrategies).object();
    ProxyHarness a([](ProxyConfig &c) { c.cache.enabled = false; });
    QVERIFY2(a.ok(), qPrintable(a.error()));
    run(a, calls);
    const Result<SimulationResult> sim = simulate(a, strategies);
    if (!sim)
        QFAIL(qPrintable(sim.error().message));
    QString error;
    const auto liveB = liveProxy({u"faq"_s}, strategies, error);
    QVERIFY2(liveB && liveB->ok(), qPrintable(liveB ? liveB->error() : error));
    ProxyHarness &b = *liveB;
    run(b, calls);
    const QList<CallRecord> live = b.records();
    QCOMPARE(live.size(), 3);
    QCOMPARE(toString(live[1].cacheOutcome), toString(CacheOutcome::SemanticHit));
    QCOMPARE(toString(live[2].cacheOutcome), toString(CacheOutcome::SemanticHit));
    const StrategyOutcome &simExact = sim->strategies[int(Strategy::ExactCache)];
    const StrategyOutcome &simSemantic = sim->strategies[int(Strategy::SemanticCache)];
    QCOMPARE(simExact.saving + simSemantic.saving, live[1].savedCost + live[2].savedCost); // the total agrees
    QCOMPARE(simSemantic.callsAffected, 2);
    QCOMPARE(simExact.callsAffected, 0);
    QCOMPARE(simSemantic.saving, live[1].savedCost + live[2].savedCost);
}

// A scenario's explicit routing rule (the Azure example's shape on live model ids): the simulator
// replays it on ledger A's recorded counts; the live proxy applies it per request to the same traffic
// (ledger B), on the tokenizer's prompt count and the request's max_tokens. The two sides check the
// bounds on different quantities (recorded counts against the request's own bounds), so the workload
// keeps every call on the same side of both: short gpt-4o questions asking for at most 100 tokens (echo
// usage 120 prompt / 30 completion tokens) are routed by both, gpt-4.1-mini questions by neither. Then
// the simulator's routing saving equals, to the nano-USD, what the live calls cost less on gpt-4o-mini
// than their requested gpt-4o would have cost for the same usage.
void SavingsAgreementTest::routingRuleSavesWhatTheSimulatorProjects()
{
    const QJsonObject strategies = QJsonDocument::fromJson(R"({"routing":{"enabled":true,"mode":"on","rules":[
        {"model":"gpt-4o","max_prompt_tokens":500,"max_completion_tokens":200,"route_to":"gpt-4o-mini"}]}})")
                                       .object();
    const QStringList questions{u"What is the capital of France?"_s, u"Translate 'good morning' into Spanish."_s,
                                u"Is this review positive: great food, slow service?"_s,
                                u"Name three primary colours."_s};
    auto send = [&](ProxyHarness &h) {
        for (const QString &model : {u"gpt-4o"_s, u"gpt-4.1-mini"_s}) {
            for (const QString &q : questions) {
                const QJsonObject body{{"model"_L1, model},
                                       {"max_tokens"_L1, 100},
                                       {"messages"_L1, QJsonArray{QJsonObject{{"role"_L1, "user"_L1}, {"content"_L1, q}}}}};
                const auto r = h.curl("/v1/chat/completions", QJsonDocument(body).toJson(QJsonDocument::Compact),
                                      {u"Authorization: Bearer "_s + QString::fromLatin1(kAlice),
                                       u"X-TokenLedger-Endpoint: chat"_s, u"X-Loopback-Mode: echo"_s});
                QCOMPARE(r.status, 200);
            }
        }
    };
    ProxyHarness a([](ProxyConfig &c) { c.cache.enabled = false; });
    QVERIFY2(a.ok(), qPrintable(a.error()));
    send(a);
    const Result<SimulationResult> sim = simulate(a, strategies);
    if (!sim)
        QFAIL(qPrintable(sim.error().message));
    const StrategyOutcome &simRouting = sim->strategies[int(Strategy::Routing)];
    QVERIFY2(simRouting.simulated, qPrintable(simRouting.whyNot));

    QString error;
    const auto liveB = liveProxy({u"chat"_s}, strategies, error);
    QVERIFY2(liveB && liveB->ok(), qPrintable(liveB ? liveB->error() : error));
    ProxyHarness &b = *liveB;
    send(b);
    const QList<CallRecord> live = b.records();
    QCOMPARE(live.size(), 2 * questions.size());
    const Pricer &pricer = *b.ledger().pricer();
    NanoUsd liveSaving = 0;
    qint64 routed = 0;
    for (const CallRecord &r : live) {
        if (r.servedModel == r.requestedModel)
            continue;
        QCOMPARE(r.requestedModel, u"gpt-4o"_s);
        QCOMPARE(r.servedModel, u"gpt-4o-mini"_s);
        const CostResult requested = pricer.price(r.provider, r.requestedModel, r.usage, r.startedAtUs, false);
        QVERIFY(requested.cost && r.cost);
        liveSaving += *requested.cost - *r.cost;
        ++routed;
    }
    qInfo("routing rule: simulated %lld calls, %lld nano-USD; live %lld calls routed, %lld nano-USD",
          simRouting.callsAffected, qlonglong(simRouting.saving), routed, qlonglong(liveSaving));
    QCOMPARE(routed, qint64(questions.size()));
    QVERIFY(liveSaving > 0);
    QCOMPARE(simRouting.callsAffected, routed);
    QCOMPARE(simRouting.saving, liveSaving);
}

QTEST_GUILESS_MAIN(SavingsAgreementTest)
#include "SavingsAgreementTest.moc"
