// A scenario's explicit routing rules (core/simulate/Scenario.h RoutingRule, applied live as
// routing::ModelRule) in the live proxy, end to end with real parts: a ledger on a SQLite file, the
// proxy on its thread, the loopback upstream in echo mode (it answers with the model it received and
// deterministic usage), curl as the client. The policy is the Settings / --config "savings" JSON shape
// that "Apply to proxy" writes.
#include "ProxyHarness.h"
#include "TestSupport.h"

#include "pricing/Pricer.h"
#include "proxy/SavingsPolicy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::test;

namespace {

const QByteArray kKey = "sk-routing-rules-test-000000001";

// The Azure example's rule on live model ids: gpt-4o requests with at most 500 prompt tokens (local
// tokenizer) that ask for at most 200 completion tokens go to gpt-4o-mini. No "router": rules only.
QByteArray policyJson(const QString &mode, bool withRouter = false)
{
    QJsonObject routing{{"enabled"_L1, true},
                        {"mode"_L1, mode},
                        {"rules"_L1, QJsonArray{QJsonObject{{"model"_L1, "gpt-4o"_L1},
                                                            {"max_prompt_tokens"_L1, 500},
                                                            {"max_completion_tokens"_L1, 200},
                                                            {"route_to"_L1, "gpt-4o-mini"_L1}}}}};
    if (withRouter)
        routing.insert("router"_L1, routing::RouterConfig::defaults().toJson());
    return QJsonDocument(QJsonObject{{"endpoints"_L1, QJsonObject{{"chat"_L1, QJsonObject{{"routing"_L1, routing}}}}}})
        .toJson(QJsonDocument::Compact);
}

QByteArray request(const QString &model, const QString &text, const QJsonObject &extra)
{
    QJsonObject o = extra;
    o.insert("model"_L1, model);
    o.insert("messages"_L1, QJsonArray{QJsonObject{{"role"_L1, "user"_L1}, {"content"_L1, text}}});
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QString longText()
{
    QString s;
    for (int i = 0; i < 120; ++i)
        s += u"Summarise the quarterly revenue figures of region %1 in detail. "_s.arg(i);
    return s; // about 1,400 tokens
}

} // namespace

class ProxyRoutingRulesTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void ruleRoutesPerRequest_data();
    void ruleRoutesPerRequest();
    void unmatchedRequestsGoToTheComplexityRouterWhenThePolicyHasOne();
    void policyCarriesTheRules();
};

void ProxyRoutingRulesTest::ruleRoutesPerRequest_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QJsonObject>("extra");
    QTest::addColumn<bool>("pin");
    QTest::addColumn<QString>("upstreamModel");
    QTest::addColumn<QString>("recordedMode");
    QTest::addColumn<QString>("routedModel");

    const QString shortText = u"Classify this ticket: my invoice is wrong."_s;
    const QJsonObject max100{{"max_tokens"_L1, 100}};
    QTest::newRow("a short gpt-4o request with max_tokens 100 is served by gpt-4o-mini")
        << u"on"_s << u"gpt-4o"_s << shortText << max100 << false << u"gpt-4o-mini"_s << u"on"_s << u"gpt-4o-mini"_s;
    QTest::newRow("max_completion_tokens counts as the completion bound too")
        << u"on"_s << u"gpt-4o"_s << shortText << QJsonObject{{"max_completion_tokens"_L1, 150}} << false
        << u"gpt-4o-mini"_s << u"on"_s << u"gpt-4o-mini"_s;
    QTest::newRow("a long request (over 500 prompt tokens) keeps gpt-4o")
        << u"on"_s << u"gpt-4o"_s << longText() << max100 << false << u"gpt-4o"_s << u"on"_s << QString();
    QTest::newRow("a request without max tokens may ask for any length and keeps gpt-4o")
        << u"on"_s << u"gpt-4o"_s << shortText << QJsonObject{} << false << u"gpt-4o"_s << u"on"_s << QString();
    QTest::newRow("a request for more than 200 completion tokens keeps gpt-4o")
        << u"on"_s << u"gpt-4o"_s << shortText << QJsonObject{{"max_tokens"_L1, 201}} << false << u"gpt-4o"_s
        << u"on"_s << QString();
    QTest::newRow("another model is not matched (rules only: no complexity routing)")
        << u"on"_s << u"gpt-4.1"_s << shortText << max100 << false << u"gpt-4.1"_s << u"on"_s << QString();
    QTest::newRow("X-TokenLedger-Route: off pins the model")
        << u"on"_s << u"gpt-4o"_s << shortText << max100 << true << u"gpt-4o"_s << u"pinned"_s << QString();
    QTest::newRow("shadow records gpt-4o-mini but sends gpt-4o")
        << u"shadow"_s << u"gpt-4o"_s << shortText << max100 << false << u"gpt-4o"_s << u"shadow"_s
        << u"gpt-4o-mini"_s;
    QTest::newRow("off changes nothing")
        << u"off"_s << u"gpt-4o"_s << shortText << max100 << false << u"gpt-4o"_s << u"off"_s << QString();
    // The capability guard: the rule's target is not a tier model, so it gets the default capabilities
    // (no audio); a request asking for audio output keeps its model.
    QTest::newRow("a request using audio is not moved to a model without audio")
        << u"on"_s << u"gpt-4o"_s << shortText
        << QJsonObject{{"max_tokens"_L1, 100}, {"modalities"_L1, QJsonArray{u"text"_s, u"audio"_s}}} << false
        << u"gpt-4o"_s << u"on"_s << QString();
}

void ProxyRoutingRulesTest::ruleRoutesPerRequest()
{
    QFETCH(QString, mode);
    QFETCH(QString, model);
    QFETCH(QString, text);
    QFETCH(QJsonObject, extra);
    QFETCH(bool, pin);
    QFETCH(QString, upstreamModel);
    QFETCH(QString, recordedMode);
    QFETCH(QString, routedModel);

    auto policy = SavingsPolicy::fromSettingsJson(QJsonDocument::fromJson(policyJson(mode)).object());
    QVERIFY2(policy, qPrintable(policy ? QString() : policy.error().message));
    ProxyHarness h([&](ProxyConfig &c) { c.savings = *policy; });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QStringList headers{u"Authorization: Bearer "_s + QString::fromLatin1(kKey), u"X-TokenLedger-Endpoint: chat"_s,
                        u"X-Loopback-Mode: echo"_s};
    if (pin)
        headers << u"X-TokenLedger-Route: off"_s;
    const auto r = h.curl("/v1/chat/completions", request(model, text, extra), headers);
    QCOMPARE(r.status, 200);

    // What the upstream received.
    const QJsonObject sent = QJsonDocument::fromJson(h.upstream().lastRequest().body).object();
    QCOMPARE(sent.value("model"_L1).toString(), upstreamModel);
    QCOMPARE(sent.value("messages"_L1),
             QJsonDocument::fromJson(request(model, text, extra)).object().value("messages"_L1));

    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    const CallRecord &rec = recs[0];
    QCOMPARE(rec.requestedModel, model);
    QCOMPARE(rec.servedModel, upstreamModel);
    QCOMPARE(rec.savings.routeMode, recordedMode);
    QCOMPARE(rec.savings.routedModel, routedModel);

    // Priced on the model that served it, to the nano-USD; a routed call costs less than the requested
    // model would have for the same usage.
    QVERIFY(rec.cost.has_value());
    QVERIFY2(rec.priceEntry.endsWith(upstreamModel), qPrintable(rec.priceEntry));
    const Pricer &pricer = *h.ledger().pricer();
    const CostResult served = pricer.price(u"openai"_s, upstreamModel, rec.usage, rec.startedAtUs, false);
    QVERIFY(served.cost.has_value());
    QCOMPARE(*rec.cost, *served.cost);
    if (upstreamModel != model) {
        const CostResult requested = pricer.price(u"openai"_s, model, rec.usage, rec.startedAtUs, false);
        QVERIFY(requested.cost.has_value());
        QVERIFY2(*rec.cost < *requested.cost, qPrintable(u"%1 >= %2"_s.arg(*rec.cost).arg(*requested.cost)));
    }
}

// With a "router" beside the rules (the Routing page saved one, or the scenario has its own), a request
// no rule matches is routed by complexity as before, and a matching one by the rule.
void ProxyRoutingRulesTest::unmatchedRequestsGoToTheComplexityRouterWhenThePolicyHasOne()
{
    auto policy = SavingsPolicy::fromSettingsJson(QJsonDocument::fromJson(policyJson(u"on"_s, true)).object());
    QVERIFY2(policy, qPrintable(policy ? QString() : policy.error().message));
    QVERIFY(policy->forEndpoint(u"chat"_s).complexityRouting);
    ProxyHarness h([&](ProxyConfig &c) { c.savings = *policy; });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QStringList headers {u"Authorization: Bearer "_s + QString::fromLatin1(kKey),
                               u"X-TokenLedger-Endpoint: chat"_s, u"X-Loopback-Mode: echo"_s,
                               u"X-TokenLedger-Task: sentiment"_s};
    const QJsonObject max5{{"max_tokens"_L1, 5}};
    QCOMPARE(h.curl("/v1/chat/completions", request(u"gpt-4.1"_s, u"Great service!"_s, max5), headers).status, 200);
    QCOMPARE(QJsonDocument::fromJson(h.upstream().lastRequest().body).object().value("model"_L1).toString(),
             u"gpt-4.1-nano"_s); // the complexity router: sentiment is low -> nano tier
    QCOMPARE(h.curl("/v1/chat/completions", request(u"gpt-4o"_s, u"Great service!"_s, max5), headers).status, 200);
    QCOMPARE(QJsonDocument::fromJson(h.upstream().lastRequest().body).object().value("model"_L1).toString(),
             u"gpt-4o-mini"_s); // the rule first, although the low tier would be gpt-4.1-nano
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 2);
    QCOMPARE(recs[0].servedModel, u"gpt-4.1-nano"_s);
    QCOMPARE(recs[1].servedModel, u"gpt-4o-mini"_s);
    QCOMPARE(recs[1].requestedModel, u"gpt-4o"_s);
}

// The stored policy carries the scenario's rules as they were written (the Settings text round trip
// the app and the headless command read), with the Azure example's file.
void ProxyRoutingRulesTest::policyCarriesTheRules()
{
    QFile file(QStringLiteral(TOKENLEDGER_SOURCE_DIR "/docs/examples/azure-routing-scenario.json"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QJsonObject scenario = QJsonDocument::fromJson(file.readAll()).object();
    const QJsonObject stored{{"endpoints"_L1, QJsonObject{{"azure"_L1, scenario.value("strategies"_L1)}}}};
    auto policy = SavingsPolicy::fromSettingsText(QJsonDocument(stored).toJson(QJsonDocument::Compact));
    QVERIFY2(policy, qPrintable(policy ? QString() : policy.error().message));
    const EndpointSavings &e = policy->forEndpoint(u"azure"_s);
    QVERIFY(e.routeMode == routing::RouteMode::On);
    QVERIFY(!e.complexityRouting); // the example has rules and no router: rules only, as simulated
    QCOMPARE(e.routingRules.size(), 1);
    const routing::ModelRule expected{u"gpt-4o-2024-08-06"_s, {}, {}, 500, 200, -1, u"gpt-4o-mini-2024-07-18"_s, {}};
    QCOMPARE(e.routingRules[0], expected);
    QVERIFY(policy->forEndpoint(u"other"_s).routingRules.isEmpty());
    QVERIFY(SavingsPolicy::describe(e).contains(
        u"routing rule 1: gpt-4o-2024-08-06, <= 500 prompt tokens, max tokens <= 200 -> gpt-4o-mini-2024-07-18"_s));
    // The headless command's --config "savings" object reads the same rules.
    auto fromConfig = SavingsPolicy::fromConfigJson(stored);
    QVERIFY(fromConfig);
    QCOMPARE(fromConfig->forEndpoint(u"azure"_s).routingRules, e.routingRules);
}

QTEST_GUILESS_MAIN(ProxyRoutingRulesTest)
#include "ProxyRoutingRulesTest.moc"
