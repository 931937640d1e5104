// Explicit model rules in routing::Router::decide (a scenario's "routing.rules" applied live): the live
// bounds, first match wins, and the guards a rule-chosen model gets. The built-in price book
// (genai-prices 0.1.8) and the real tokenizers.
#include "routing/Router.h"
#include "routing/RouterConfig.h"
#include "routing/RoutingFeatures.h"
#include "tokenizer/Tokenizers.h"

#include "TestSupport.h"

#include <QJsonArray>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::routing;

namespace {

RouterConfig allOn()
{
    RouterConfig c = RouterConfig::defaults();
    c.endpoints[u"*"_s].mode = RouteMode::On;
    return c;
}

ModelRule shortGpt4o()
{
    ModelRule r;
    r.model = u"gpt-4o"_s;
    r.maxPromptTokens = 500;
    r.maxCompletionTokens = 200;
    r.routeTo = u"gpt-4o-mini"_s;
    return r;
}

} // namespace

class ModelRuleTest : public QObject
{
    Q_OBJECT

private:
    tokenizer::Tokenizers m_tokenizers;
    std::shared_ptr<const PriceBook> m_book;

    RoutingFeatures chat(const QString &model, const QString &text, const QJsonObject &extra = {})
    {
        QJsonObject body = extra;
        body.insert(u"model"_s, model);
        body.insert(u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s}, {u"content"_s, text}}});
        return extractFeatures(body, BodyShape::ChatCompletions, &m_tokenizers);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_book = test::builtInBook();
        QVERIFY(m_book);
    }

    void boundsOnTheArrivingRequest_data()
    {
        QTest::addColumn<QJsonObject>("extra");
        QTest::addColumn<int>("repeat");
        QTest::addColumn<bool>("routed");
        QTest::newRow("max_tokens 200 is at most 200") << QJsonObject{{u"max_tokens"_s, 200}} << 1 << true;
        QTest::newRow("max_tokens 201 is over") << QJsonObject{{u"max_tokens"_s, 201}} << 1 << false;
        QTest::newRow("max_completion_tokens is the bound when present")
            << QJsonObject{{u"max_completion_tokens"_s, 10}} << 1 << true;
        QTest::newRow("no max tokens never matches a completion bound") << QJsonObject{} << 1 << false;
        QTest::newRow("over 500 prompt tokens by the tokenizer") << QJsonObject{{u"max_tokens"_s, 10}} << 200 << false;
    }
    void boundsOnTheArrivingRequest()
    {
        QFETCH(QJsonObject, extra);
        QFETCH(int, repeat);
        QFETCH(bool, routed);
        const Router router(allOn(), m_book, {shortGpt4o()}, false);
        const RoutingFeatures f = chat(u"gpt-4o"_s, u"Please classify this ticket. "_s.repeated(repeat), extra);
        QVERIFY(f.estimatedPromptTokens > 0);
        const RouteDecision d = router.decide(f, u"chat"_s, QString(), false);
        QCOMPARE(d.changes, routed);
        QCOMPARE(d.servedModel, routed ? u"gpt-4o-mini"_s : u"gpt-4o"_s);
        QCOMPARE(d.modelRule, routed ? 0 : -1);
        QCOMPARE(toString(d.guard), routed ? u"none"_s : u"no_rule"_s);
    }

    void firstMatchWinsAndConditionsAreAnded()
    {
        ModelRule classify;
        classify.model = u"gpt-4o"_s;
        classify.endpoints = {u"support"_s};
        classify.taskTypes = {u"classification"_s};
        classify.routeTo = u"gpt-4.1-nano"_s;
        const Router router(allOn(), m_book, {classify, shortGpt4o()}, false);
        const RoutingFeatures f = chat(u"gpt-4o"_s, u"Is this spam?"_s, QJsonObject{{u"max_tokens"_s, 5}});
        QCOMPARE(router.decide(f, u"support"_s, u"classification"_s, false).servedModel, u"gpt-4.1-nano"_s);
        // Another endpoint or no task header: the first rule does not match, the second does.
        QCOMPARE(router.decide(f, u"chat"_s, u"classification"_s, false).servedModel, u"gpt-4o-mini"_s);
        const RouteDecision d = router.decide(f, u"support"_s, QString(), false);
        QCOMPARE(d.servedModel, u"gpt-4o-mini"_s);
        QCOMPARE(d.modelRule, 1);
        // The complexity is still classified and recorded.
        QCOMPARE(toString(d.complexity), u"low"_s);
    }

    void guardsApplyToRuleTargets()
    {
        // The context window: gpt-4o-mini has 128k tokens; a prompt bound high enough to let a request
        // that asks for more than the window through is still blocked by the guard.
        ModelRule big = shortGpt4o();
        big.maxPromptTokens = -1;
        big.maxCompletionTokens = -1;
        const Router router(allOn(), m_book, {big}, false);
        RoutingFeatures f = chat(u"gpt-4o"_s, u"hello"_s, QJsonObject{{u"max_tokens"_s, 500000}});
        RouteDecision d = router.decide(f, u"chat"_s, QString(), false);
        QCOMPARE(toString(d.guard), u"context_window"_s);
        QVERIFY(!d.changes);
        QCOMPARE(d.targetModel, u"gpt-4o-mini"_s);

        // Pinned, and another provider (simulated only).
        f = chat(u"gpt-4o"_s, u"hello"_s, QJsonObject{{u"max_tokens"_s, 5}});
        QCOMPARE(toString(router.decide(f, u"chat"_s, QString(), true).guard), u"pinned"_s);
        ModelRule elsewhere = big;
        elsewhere.routeTo = u"claude-haiku-4-5"_s;
        elsewhere.routeToProvider = u"anthropic"_s;
        const Router cross(allOn(), m_book, {elsewhere}, false);
        QCOMPARE(toString(cross.decide(f, u"chat"_s, QString(), false).guard), u"other_provider"_s);

        // An unpriced target is not served.
        ModelRule unknown = big;
        unknown.routeTo = u"no-such-model-xyz"_s;
        const Router unpriced(allOn(), m_book, {unknown}, false);
        const RouteDecision u = unpriced.decide(f, u"chat"_s, QString(), false);
        QVERIFY(!u.changes);
        QVERIFY2(u.guard == RouteGuard::ContextWindow || u.guard == RouteGuard::Unpriced, qPrintable(toString(u.guard)));

        // Shadow: the rule's target is what would have been served.
        RouterConfig shadow = RouterConfig::defaults();
        shadow.endpoints[u"*"_s].mode = RouteMode::Shadow;
        const RouteDecision s = Router(shadow, m_book, {big}, false).decide(f, u"chat"_s, QString(), false);
        QVERIFY(!s.changes);
        QCOMPARE(toString(s.guard), u"none"_s);
        QCOMPARE(s.targetModel, u"gpt-4o-mini"_s);
        QCOMPARE(s.servedModel, u"gpt-4o"_s);
    }

    void aRuleForItsOwnTargetFallsThroughToTheRouter()
    {
        ModelRule self = shortGpt4o();
        self.model.clear();
        const Router router(allOn(), m_book, {self}, true);
        // gpt-4o-mini matches no rule (the rule routes to it): the complexity router decides.
        const RoutingFeatures f = chat(u"gpt-4o-mini"_s, u"Great service!"_s, QJsonObject{{u"max_tokens"_s, 5}});
        const RouteDecision d = router.decide(f, u"chat"_s, u"sentiment"_s, false);
        QCOMPARE(d.modelRule, -1);
        QCOMPARE(d.targetModel, u"gpt-4.1-nano"_s);
    }

    void describeIsReadable()
    {
        QCOMPARE(shortGpt4o().describe(), u"gpt-4o, <= 500 prompt tokens, max tokens <= 200 -> gpt-4o-mini"_s);
    }
};

QTEST_GUILESS_MAIN(ModelRuleTest)
#include "ModelRuleTest.moc"
