// Model routing (issue #5 section 1): default rules, guards, modes, config JSON, features.
#include "routing/Router.h"
#include "routing/RouterConfig.h"
#include "routing/RoutingFeatures.h"
#include "tokenizer/Tokenizers.h"

#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::routing;

namespace {

QJsonObject chatBody(const QString &model, const QString &text, qint64 maxTokens = -1)
{
    QJsonObject body {{u"model"_s, model},
                      {u"messages"_s, QJsonArray {QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, text}}}}};
    if (maxTokens >= 0)
        body.insert(u"max_tokens"_s, maxTokens);
    return body;
}

QJsonObject anthropicBody(const QString &model, const QJsonArray &content, qint64 maxTokens)
{
    return QJsonObject {{u"model"_s, model},
                        {u"max_tokens"_s, maxTokens},
                        {u"messages"_s, QJsonArray {QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, content}}}}};
}

RouterConfig configFrom(const char *json)
{
    const QJsonObject o = QJsonDocument::fromJson(QByteArray(json)).object();
    auto c = RouterConfig::fromJson(o);
    if (!c)
        qFatal("bad test config: %s", qPrintable(c.error().message));
    return *c;
}

const char *kAllOn = R"({"endpoints": {"*": {"mode": "on"}}})";

} // namespace

class RouterTest : public QObject
{
    Q_OBJECT

private:
    tokenizer::Tokenizers m_tokenizers;
    std::shared_ptr<const PriceBook> m_book;

    RoutingFeatures features(const QJsonObject &body, BodyShape shape = BodyShape::ChatCompletions)
    {
        return extractFeatures(body, shape, &m_tokenizers);
    }

private Q_SLOTS:
    void initTestCase()
    {
        m_book = test::builtInBook();
        QVERIFY(m_book);
    }

    void enumNamesRoundTrip()
    {
        for (int i = 0; i < 3; ++i) {
            QVERIFY(complexityFromString(toString(Complexity(i))) == Complexity(i));
            QVERIFY(tierFromString(toString(ModelTier(i))) == ModelTier(i));
            QVERIFY(routeModeFromString(toString(RouteMode(i))) == RouteMode(i));
        }
        QCOMPARE(toString(Complexity::Low), u"low"_s);
        QCOMPARE(toString(ModelTier::Nano), u"nano"_s);
        QCOMPARE(toString(RouteMode::Shadow), u"shadow"_s);
        QVERIFY(routeModeFromString(u"SHADOW") == RouteMode::Shadow);
        QVERIFY(!complexityFromString(u"hgh"));
    }

    void defaultRules_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("maxTokens");
        QTest::addColumn<QString>("taskType");
        QTest::addColumn<QString>("complexity");
        QTest::addColumn<QString>("rule");

        const QString longText = QString(u"word "_s).repeated(200); // 1000 chars
        QTest::newRow("classification task type is low")
            << longText << qint64(-1) << u"classification"_s << u"low"_s << u"low-task-types"_s;
        QTest::newRow("sentiment task type is low")
            << u"Why do I love this?"_s << qint64(-1) << u"sentiment"_s << u"low"_s << u"low-task-types"_s;
        QTest::newRow("entity_extraction task type is low")
            << longText << qint64(2000) << u"entity_extraction"_s << u"low"_s << u"low-task-types"_s;
        QTest::newRow("entity-extraction spelling is accepted")
            << longText << qint64(2000) << u"Entity-Extraction"_s << u"low"_s << u"low-task-types"_s;
        QTest::newRow("short input and short output is low")
            << u"Translate 'cat' to French."_s << qint64(100) << QString() << u"low"_s << u"short-input-short-output"_s;
        QTest::newRow("499 characters with max_tokens 199 is low")
            << QString(499, u'x') << qint64(199) << QString() << u"low"_s << u"short-input-short-output"_s;
        QTest::newRow("500 characters is not short")
            << QString(500, u'x') << qint64(100) << QString() << u"medium"_s << u"default"_s;
        QTest::newRow("max_tokens 200 is not short output")
            << u"Say hi"_s << qint64(200) << QString() << u"medium"_s << u"default"_s;
        QTest::newRow("absent max_tokens never matches the short rule")
            << u"Say hi"_s << qint64(-1) << QString() << u"medium"_s << u"default"_s;
        QTest::newRow("499 Chinese characters count as 499, not bytes")
            << QString(499, QChar(0x6C49)) << qint64(100) << QString() << u"low"_s << u"short-input-short-output"_s;
        QTest::newRow("why makes a short question medium")
            << u"Why is the sky blue?"_s << qint64(100) << QString() << u"medium"_s << u"reasoning-words"_s;
        QTest::newRow("analyze, any case")
            << u"ANALYZE these numbers: 1, 2, 3"_s << qint64(50) << QString() << u"medium"_s << u"reasoning-words"_s;
        QTest::newRow("British analyse") << u"Please analyse it"_s << qint64(50) << QString() << u"medium"_s
                                         << u"reasoning-words"_s;
        QTest::newRow("inferred starts with infer")
            << u"What can be inferred?"_s << qint64(50) << QString() << u"medium"_s << u"reasoning-words"_s;
        QTest::newRow("a word merely containing a keyword is not one")
            << u"Ask the chinfer about somewhy"_s << qint64(50) << QString() << u"low"_s
            << u"short-input-short-output"_s;
        QTest::newRow("trade-off") << u"What is the trade-off here?"_s << qint64(50) << QString() << u"medium"_s
                                   << u"reasoning-words"_s;
        QTest::newRow("compare") << u"Compare Rust and Go"_s << qint64(50) << QString() << u"medium"_s
                                 << u"reasoning-words"_s;
        QTest::newRow("Chinese 分析 inside a sentence")
            << u"请分析这个季度的销售数据"_s << qint64(50) << QString() << u"medium"_s << u"reasoning-words"_s;
        QTest::newRow("Chinese 为什么") << u"天空为什么是蓝色的"_s << qint64(50) << QString() << u"medium"_s
                                        << u"reasoning-words"_s;
        QTest::newRow("Chinese 权衡") << u"这两个方案怎么权衡"_s << qint64(50) << QString() << u"medium"_s
                                      << u"reasoning-words"_s;
        QTest::newRow("Chinese 原因 and 推断")
            << u"推断一下原因"_s << qint64(50) << QString() << u"medium"_s << u"reasoning-words"_s;
        QTest::newRow("Chinese 比较") << u"比较一下"_s << qint64(50) << QString() << u"medium"_s
                                      << u"reasoning-words"_s;
        QTest::newRow("English keyword right after Chinese text")
            << u"请compare这两个"_s << qint64(50) << QString() << u"medium"_s << u"reasoning-words"_s;
        QTest::newRow("Chinese without reasoning words, short, is low")
            << u"把这句话翻译成英文"_s << qint64(50) << QString() << u"low"_s << u"short-input-short-output"_s;
        QTest::newRow("code under 300 characters is medium")
            << QString(299, u'c') << qint64(50) << u"code_generation"_s << u"medium"_s << u"code-short"_s;
        QTest::newRow("code of 300 characters is high")
            << QString(300, u'c') << qint64(50) << u"code"_s << u"high"_s << u"code-long"_s;
        QTest::newRow("long code asking why stays high")
            << (u"why does this fail? "_s + QString(400, u'c')) << qint64(-1) << u"code_generation"_s << u"high"_s
            << u"code-long"_s;
        QTest::newRow("unknown task type falls through to the text rules")
            << u"Say hi"_s << qint64(10) << u"poetry"_s << u"low"_s << u"short-input-short-output"_s;
        QTest::newRow("long plain text is the default medium")
            << longText << qint64(1000) << QString() << u"medium"_s << u"default"_s;
    }

    void defaultRules()
    {
        QFETCH(QString, text);
        QFETCH(qint64, maxTokens);
        QFETCH(QString, taskType);
        QFETCH(QString, complexity);
        QFETCH(QString, rule);

        const RoutingFeatures f = features(chatBody(u"gpt-4o"_s, text, maxTokens));
        QCOMPARE(f.inputChars, codePointCount(text));
        QString matched;
        const Complexity c = Router::classify(f, taskType, RouterConfig::defaultRules(), &matched);
        QCOMPARE(toString(c), complexity);
        QCOMPARE(matched, rule);

        // The same through decide(): low/medium/high map to nano/standard/premium.
        const Router router(configFrom(kAllOn), m_book);
        const RouteDecision d = router.decide(f, u"chat"_s, taskType, false);
        QCOMPARE(toString(d.complexity), complexity);
        QCOMPARE(d.matchedRule, rule);
        QCOMPARE(int(d.tier), int(c)); // ModelTier index == Complexity index in the default map
    }

    void endpointDefaultTaskType()
    {
        const Router router(configFrom(R"({"endpoints": {"*": {"mode": "on"},
                                            "tagger": {"mode": "on", "task_type": "classification"}}})"),
                            m_book);
        const RoutingFeatures f = features(chatBody(u"gpt-4o"_s, QString(u"long text "_s).repeated(100)));
        const RouteDecision tagger = router.decide(f, u"tagger"_s, QString(), false);
        QCOMPARE(tagger.taskType, u"classification"_s);
        QCOMPARE(toString(tagger.complexity), toString(Complexity::Low));
        QCOMPARE(tagger.servedModel, u"gpt-4.1-nano"_s);
        // The header wins over the endpoint default.
        const RouteDecision header = router.decide(f, u"tagger"_s, u"code"_s, false);
        QCOMPARE(toString(header.complexity), toString(Complexity::High));
        // Another endpoint uses "*".
        const RouteDecision other = router.decide(f, u"chat"_s, QString(), false);
        QCOMPARE(toString(other.complexity), toString(Complexity::Medium));
        QCOMPARE(other.servedModel, u"gpt-4.1-mini"_s);
    }

    void routesDownWhenOn()
    {
        const Router router(configFrom(kAllOn), m_book);
        const RoutingFeatures f = features(chatBody(u"gpt-4o"_s, u"Is this spam? 'WIN A PRIZE'"_s, 5));
        const RouteDecision d = router.decide(f, u"chat"_s, u"classification"_s, false);
        QCOMPARE(toString(d.mode), toString(RouteMode::On));
        QCOMPARE(toString(d.guard), toString(RouteGuard::None));
        QVERIFY(d.changes);
        QCOMPARE(d.requestedModel, u"gpt-4o"_s);
        QCOMPARE(d.targetModel, u"gpt-4.1-nano"_s);
        QCOMPARE(d.servedModel, u"gpt-4.1-nano"_s);
        QCOMPARE(d.recordMode(), u"on"_s);
        QVERIFY(d.guardText.isEmpty());

        // Anthropic family goes to Anthropic tiers only.
        const RoutingFeatures a
            = features(anthropicBody(u"claude-opus-4-1"_s,
                                     QJsonArray {QJsonObject {{u"type"_s, u"text"_s}, {u"text"_s, u"Hi there"_s}}}, 50),
                       BodyShape::Messages);
        QCOMPARE(a.family, u"anthropic"_s);
        const RouteDecision ad = router.decide(a, u"chat"_s, QString(), false);
        QVERIFY(ad.changes);
        QCOMPARE(ad.servedModel, u"claude-haiku-4-5"_s);
    }

    void guards_data()
    {
        QTest::addColumn<QByteArray>("config");
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("shape");
        QTest::addColumn<QString>("taskType");
        QTest::addColumn<bool>("pinned");
        QTest::addColumn<int>("guard");
        QTest::addColumn<QString>("target");

        const QByteArray on = kAllOn;
        const int chat = int(BodyShape::ChatCompletions), messages = int(BodyShape::Messages),
                  responses = int(BodyShape::Responses);
        const QByteArray spam = R"({"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"spam?"}]})";

        QTest::newRow("route-off header pins the model")
            << on << spam << chat << u"classification"_s << true << int(RouteGuard::Pinned) << u"gpt-4.1-nano"_s;
        QTest::newRow("mode off changes nothing")
            << QByteArray(R"({"endpoints":{"*":{"mode":"off"}}})") << spam << chat << u"classification"_s << false
            << int(RouteGuard::ModeOff) << u"gpt-4.1-nano"_s;
        QTest::newRow("context window: the prompt does not fit the nano model's configured window")
            << QByteArray(R"({"endpoints":{"*":{"mode":"on"}},
                             "tiers":{"openai":{"nano":{"model":"gpt-4.1-nano","context_window":50}}}})")
            << QJsonDocument(chatBody(u"gpt-4o"_s, u"lorem ipsum dolor sit amet "_s.repeated(10), 5)).toJson() << chat
            << u"classification"_s << false << int(RouteGuard::ContextWindow) << u"gpt-4.1-nano"_s;
        QTest::newRow("context window from the price book: haiku's 200k is too small for 199,995 output tokens")
            << on << QByteArray(R"({"model":"claude-sonnet-4-6","max_tokens":199995,
                             "messages":[{"role":"user","content":"Label this: great product"}]})")
            << messages << u"sentiment"_s << false << int(RouteGuard::ContextWindow) << u"claude-haiku-4-5"_s;
        QTest::newRow("images: the nano model is configured without image input")
            << QByteArray(R"({"endpoints":{"*":{"mode":"on"}},
                             "tiers":{"openai":{"nano":{"model":"gpt-4.1-nano",
                                                        "capabilities":["tools","structured_output"]}}}})")
            << QByteArray(R"({"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":[
                             {"type":"text","text":"cat or dog?"},
                             {"type":"image_url","image_url":{"url":"https:\/\/example.com\/a.png","detail":"low"}}]}]})")
            << chat << u"classification"_s << false << int(RouteGuard::Images) << u"gpt-4.1-nano"_s;
        QTest::newRow("audio: no default tier model takes audio input")
            << on << QByteArray(R"({"model":"gpt-4o-audio-preview","max_tokens":5,"modalities":["text"],
                             "messages":[{"role":"user","content":[{"type":"text","text":"mood?"},
                             {"type":"input_audio","input_audio":{"data":"AAAA","format":"wav"}}]}]})")
            << chat << u"sentiment"_s << false << int(RouteGuard::Audio) << u"gpt-4.1-nano"_s;
        QTest::newRow("tools: the nano model is configured without tools")
            << QByteArray(R"({"endpoints":{"*":{"mode":"on"}},
                             "tiers":{"openai":{"nano":{"model":"gpt-4.1-nano","capabilities":["images"]}}}})")
            << QByteArray(R"({"model":"gpt-4o","max_tokens":5,"messages":[{"role":"user","content":"weather?"}],
                             "tools":[{"type":"function","function":{"name":"get_weather","parameters":{}}}]})")
            << chat << u"classification"_s << false << int(RouteGuard::Tools) << u"gpt-4.1-nano"_s;
        QTest::newRow("tools: a tool result message in the history counts as using tools")
            << QByteArray(R"({"endpoints":{"*":{"mode":"on"}},
                             "tiers":{"openai":{"nano":{"model":"gpt-4.1-nano","capabilities":[]}}}})")
            << QByteArray(R"({"model":"gpt-4o","max_tokens":5,"messages":[
                             {"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function",
                              "function":{"name":"f","arguments":"{}"}}]},
                             {"role":"tool","tool_call_id":"c1","content":"42"}]})")
            << chat << u"classification"_s << false << int(RouteGuard::Tools) << u"gpt-4.1-nano"_s;
        QTest::newRow("structured output: claude-haiku-4-5 is configured without it")
            << on << QByteArray(R"({"model":"claude-sonnet-4-5","max_tokens":50,
                             "output_format":{"type":"json_schema","schema":{"type":"object"}},
                             "messages":[{"role":"user","content":"Extract the names"}]})")
            << messages << u"entity_extraction"_s << false << int(RouteGuard::StructuredOutput)
            << u"claude-haiku-4-5"_s;
        QTest::newRow("structured output: Responses text.format json_schema")
            << QByteArray(R"({"endpoints":{"*":{"mode":"on"}},
                             "tiers":{"openai":{"nano":{"model":"gpt-4.1-nano","capabilities":["images","tools"]}}}})")
            << QByteArray(R"({"model":"gpt-4o","max_output_tokens":50,"input":"Extract the names",
                             "text":{"format":{"type":"json_schema","name":"n","schema":{"type":"object"}}}})")
            << responses << u"entity_extraction"_s << false << int(RouteGuard::StructuredOutput) << u"gpt-4.1-nano"_s;
        QTest::newRow("a local model behind an OpenAI-compatible upstream is never replaced")
            << on << QByteArray(R"({"model":"llama3.1:8b","max_tokens":5,"messages":[{"role":"user","content":"hi"}]})")
            << chat << u"classification"_s << false << int(RouteGuard::ForeignModel) << u"gpt-4.1-nano"_s;
        QTest::newRow("a fine-tuned model is never replaced")
            << on << QByteArray(R"({"model":"ft:gpt-4o-mini-2024-07-18:acme::abc123","max_tokens":5,
                             "messages":[{"role":"user","content":"hi"}]})")
            << chat << u"classification"_s << false << int(RouteGuard::ForeignModel) << u"gpt-4.1-nano"_s;
        QTest::newRow("a high request on a cheap model is not upgraded")
            << on << QJsonDocument(chatBody(u"gpt-4.1-nano"_s, QString(400, u'c'))).toJson() << chat << u"code"_s
            << false << int(RouteGuard::NotCheaper) << u"gpt-4.1"_s;
        QTest::newRow("the tier model is the requested model")
            << on << QByteArray(R"({"model":"gpt-4.1-mini","messages":[{"role":"user","content":"Tell me a story"}]})")
            << chat << QString() << false << int(RouteGuard::SameModel) << u"gpt-4.1-mini"_s;
        QTest::newRow("a tier model whose context window is unknown is never a target")
            << QByteArray(R"({"endpoints":{"*":{"mode":"on"}},
                             "tiers":{"openai":{"nano":{"model":"my-nano-model"}}}})")
            << spam << chat << u"classification"_s << false << int(RouteGuard::ContextWindow) << u"my-nano-model"_s;
        QTest::newRow("a tier model the price book does not price cannot be shown cheaper")
            << QByteArray(R"({"endpoints":{"*":{"mode":"on"}},
                             "tiers":{"openai":{"nano":{"model":"my-nano-model","context_window":100000}}}})")
            << spam << chat << u"classification"_s << false << int(RouteGuard::Unpriced) << u"my-nano-model"_s;
    }

    void guards()
    {
        QFETCH(QByteArray, config);
        QFETCH(QByteArray, body);
        QFETCH(int, shape);
        QFETCH(QString, taskType);
        QFETCH(bool, pinned);
        QFETCH(int, guard);
        QFETCH(QString, target);

        QJsonParseError err;
        const QJsonObject b = QJsonDocument::fromJson(body, &err).object();
        QCOMPARE(err.error, QJsonParseError::NoError);
        const Router router(configFrom(config.constData()), m_book);
        const RoutingFeatures f = features(b, BodyShape(shape));
        const RouteDecision d = router.decide(f, u"chat"_s, taskType, pinned);
        QCOMPARE(toString(d.guard), toString(RouteGuard(guard)));
        QVERIFY(!d.changes);
        QCOMPARE(d.servedModel, b.value(u"model"_s).toString());
        QCOMPARE(d.targetModel, target);
        QVERIFY(!d.guardText.isEmpty());
        if (pinned)
            QCOMPARE(d.recordMode(), u"pinned"_s);
    }

    void costIncreaseAllowedPerEndpoint()
    {
        const Router router(configFrom(R"({"endpoints":{"*":{"mode":"on","allow_cost_increase":true}}})"), m_book);
        const RoutingFeatures f = features(chatBody(u"gpt-4.1-nano"_s, QString(400, u'c')));
        const RouteDecision d = router.decide(f, u"chat"_s, u"code"_s, false);
        QCOMPARE(toString(d.guard), toString(RouteGuard::None));
        QVERIFY(d.changes);
        QCOMPARE(d.servedModel, u"gpt-4.1"_s);
    }

    void shadowModeChangesNothing()
    {
        const Router router(configFrom(R"({"endpoints":{"*":{"mode":"shadow"}}})"), m_book);
        const RoutingFeatures f = features(chatBody(u"gpt-4o"_s, u"positive or negative: I love it"_s, 3));
        const RouteDecision d = router.decide(f, u"reviews"_s, u"sentiment"_s, false);
        QCOMPARE(toString(d.mode), toString(RouteMode::Shadow));
        QCOMPARE(toString(d.guard), toString(RouteGuard::None));
        QVERIFY(!d.changes);
        QCOMPARE(d.targetModel, u"gpt-4.1-nano"_s); // what it would have served
        QCOMPARE(d.servedModel, u"gpt-4o"_s); // what it serves
        QCOMPARE(d.recordMode(), u"shadow"_s);
        QCOMPARE(toString(d.complexity), toString(Complexity::Low));
    }

    void aggregatorPrefixIsKept()
    {
        const Router router(configFrom(kAllOn), m_book);
        const RouteDecision d
            = router.decide(features(chatBody(u"openai/gpt-4o"_s, u"hi"_s, 5)), u"chat"_s, QString(), false);
        QCOMPARE(toString(d.guard), toString(RouteGuard::None));
        QCOMPARE(d.servedModel, u"openai/gpt-4.1-nano"_s);
        // Another provider's model behind an OpenAI-shaped aggregator is not an OpenAI model: kept.
        const RouteDecision other = router.decide(features(chatBody(u"anthropic/claude-opus-4-1"_s, u"hi"_s, 5)),
                                                  u"chat"_s, QString(), false);
        QCOMPARE(toString(other.guard), toString(RouteGuard::ForeignModel));
        QCOMPARE(other.servedModel, u"anthropic/claude-opus-4-1"_s);
    }

    void unknownFamily()
    {
        const Router router(configFrom(kAllOn), m_book);
        RoutingFeatures f = features(chatBody(u"gemini-2.5-flash"_s, u"hi"_s, 5));
        f.family = u"google"_s;
        const RouteDecision d = router.decide(f, u"chat"_s, QString(), false);
        QCOMPARE(toString(d.guard), toString(RouteGuard::UnknownFamily));
        QVERIFY(d.targetModel.isEmpty());
        QCOMPARE(d.servedModel, u"gemini-2.5-flash"_s);
    }

    void noPriceBookBlocksEveryChange()
    {
        const Router router(configFrom(kAllOn), nullptr);
        const RouteDecision d = router.decide(features(chatBody(u"gpt-4o"_s, u"hi"_s, 5)), u"chat"_s, QString(), false);
        QCOMPARE(toString(d.guard), toString(RouteGuard::ForeignModel));
        QVERIFY(!d.changes);
    }

    void unknownPromptTokensBlock()
    {
        const Router router(configFrom(kAllOn), m_book);
        const RoutingFeatures f
            = extractFeatures(chatBody(u"gpt-4o"_s, u"hi"_s, 5), BodyShape::ChatCompletions, nullptr);
        QCOMPARE(f.estimatedPromptTokens, qint64(-1));
        const RouteDecision d = router.decide(f, u"chat"_s, QString(), false);
        QCOMPARE(toString(d.guard), toString(RouteGuard::ContextWindow));
    }

    void rulesReorderedAndEditedViaJson()
    {
        // The short rule moved before the reasoning words: a short "why" question becomes low.
        RouterConfig c = configFrom(kAllOn);
        QList<ComplexityRule> rules = RouterConfig::defaultRules();
        const qsizetype shortAt
            = std::find_if(rules.cbegin(), rules.cend(),
                           [](const ComplexityRule &r) { return r.name == u"short-input-short-output"_s; })
            - rules.cbegin();
        rules.move(shortAt, 0);
        rules[0].maxInputChars = 1000; // edited threshold
        EndpointRouting ep;
        ep.mode = RouteMode::On;
        ep.rules = rules;
        c.endpoints.insert(u"faq"_s, ep);

        // Through JSON and back: equal, and the JSON carries the new order and threshold.
        const QJsonObject json = c.toJson();
        const QJsonArray rulesJson = json[u"endpoints"_s][u"faq"_s][u"rules"_s].toArray();
        QCOMPARE(rulesJson.first()[u"name"_s].toString(), u"short-input-short-output"_s);
        QCOMPARE(rulesJson.first()[u"max_input_chars"_s].toInteger(), qint64(1000));
        auto back = RouterConfig::fromJson(QJsonDocument::fromJson(QJsonDocument(json).toJson()).object());
        QVERIFY(back);
        QCOMPARE(*back, c);

        const Router router(*back, m_book);
        const RoutingFeatures why = features(chatBody(u"gpt-4o"_s, u"Why is the sky blue?"_s, 100));
        QCOMPARE(toString(router.decide(why, u"faq"_s, QString(), false).complexity), toString(Complexity::Low));
        QCOMPARE(router.decide(why, u"faq"_s, QString(), false).matchedRule, u"short-input-short-output"_s);
        // Other endpoints keep the default order.
        QCOMPARE(toString(router.decide(why, u"chat"_s, QString(), false).complexity), toString(Complexity::Medium));
        // The edited threshold: 700 characters now count as short.
        const RoutingFeatures mid = features(chatBody(u"gpt-4o"_s, QString(700, u'x'), 100));
        QCOMPARE(toString(router.decide(mid, u"faq"_s, QString(), false).complexity), toString(Complexity::Low));
        QCOMPARE(toString(router.decide(mid, u"chat"_s, QString(), false).complexity), toString(Complexity::Medium));
    }

    void customRuleFromJson()
    {
        const RouterConfig c = configFrom(R"({"endpoints":{"*":{"mode":"on","rules":[
            {"name":"legal is premium","keywords":["合同","contract"],"min_input_chars":10,"complexity":"high"},
            {"name":"rest","complexity":"low"}]}},
            "complexity_tiers":{"high":"standard"}})");
        const Router router(c, m_book);
        const RouteDecision legal
            = router.decide(features(chatBody(u"gpt-4.1"_s, u"请审阅这份合同的条款"_s)), u"x"_s, QString(), false);
        QCOMPARE(toString(legal.complexity), toString(Complexity::High));
        QCOMPARE(legal.matchedRule, u"legal is premium"_s);
        QCOMPARE(toString(legal.tier), toString(ModelTier::Standard)); // remapped high -> standard
        QCOMPARE(legal.servedModel, u"gpt-4.1-mini"_s);
        // min_input_chars: too short for the first rule.
        const RouteDecision shortOne
            = router.decide(features(chatBody(u"gpt-4.1"_s, u"合同"_s)), u"x"_s, QString(), false);
        QCOMPARE(shortOne.matchedRule, u"rest"_s);
        QCOMPARE(shortOne.servedModel, u"gpt-4.1-nano"_s);
    }

    void configValidation_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown complexity names the rule")
            << QByteArray(
                   R"({"endpoints":{"a":{"rules":[{"name":"r","complexity":"low"},{"name":"s","complexity":"hgh"}]}}})")
            << int(ErrorCode::InvalidArgument) << u"endpoints.a.rules[1].complexity"_s;
        QTest::newRow("rule without a name") << QByteArray(R"({"endpoints":{"a":{"rules":[{"complexity":"low"}]}}})")
                                             << int(ErrorCode::InvalidArgument) << u"name"_s;
        QTest::newRow("negative threshold")
            << QByteArray(R"({"endpoints":{"a":{"rules":[{"name":"r","complexity":"low","max_input_chars":-5}]}}})")
            << int(ErrorCode::InvalidArgument) << u"max_input_chars"_s;
        QTest::newRow("keyword that is not a string")
            << QByteArray(R"({"endpoints":{"a":{"rules":[{"name":"r","complexity":"low","keywords":[3]}]}}})")
            << int(ErrorCode::InvalidArgument) << u"keywords[0]"_s;
        QTest::newRow("unknown mode") << QByteArray(R"({"endpoints":{"a":{"mode":"maybe"}}})")
                                      << int(ErrorCode::InvalidArgument) << u"endpoints.a.mode"_s;
        QTest::newRow("unknown capability")
            << QByteArray(R"({"tiers":{"openai":{"nano":{"model":"x","capabilities":["telepathy"]}}}})")
            << int(ErrorCode::InvalidArgument) << u"telepathy"_s;
        QTest::newRow("new family without all tiers")
            << QByteArray(R"({"tiers":{"mistral":{"nano":{"model":"ministral-3b"}}}})")
            << int(ErrorCode::InvalidArgument) << u"tiers.mistral.standard"_s;
        QTest::newRow("bad complexity map") << QByteArray(R"({"complexity_tiers":{"low":"tiny"}})")
                                            << int(ErrorCode::InvalidArgument) << u"complexity_tiers.low"_s;
        QTest::newRow("newer version") << QByteArray(R"({"version":2})") << int(ErrorCode::Unsupported) << u"2"_s;
    }

    void configValidation()
    {
        QFETCH(QByteArray, json);
        QFETCH(int, code);
        QFETCH(QString, mentions);
        auto c = RouterConfig::fromJson(QJsonDocument::fromJson(json).object());
        QVERIFY(!c);
        QCOMPARE(int(c.error().code), code);
        QVERIFY2(c.error().message.contains(mentions), qPrintable(c.error().message));
    }

    void defaultsRoundTripAndExistInPriceBook()
    {
        const RouterConfig d = RouterConfig::defaults();
        auto back = RouterConfig::fromJson(d.toJson());
        QVERIFY(back);
        QCOMPARE(*back, d);
        QCOMPARE(toString(d.endpoint(u"anything"_s).mode), toString(RouteMode::Off)); // off by default
        for (auto it = d.tiers.cbegin(); it != d.tiers.cend(); ++it) {
            for (const TierModel &m : it.value()) {
                const auto match = m_book->resolve(it.key(), m.model);
                QVERIFY2(match && match->model && match->exact, qPrintable(m.model));
                QCOMPARE(match->provider->id, it.key());
                QVERIFY2(match->model->contextWindow > 0, qPrintable(m.model));
            }
        }
        // Cheaper as the tiers go down, so the default map always saves.
        for (auto it = d.tiers.cbegin(); it != d.tiers.cend(); ++it) {
            qint64 previous = 0;
            for (const TierModel &m : it.value()) {
                const auto match = m_book->resolve(it.key(), m.model);
                const qint64 input = match->model->variants.first().prices.input->base;
                QVERIFY(input > previous);
                previous = input;
            }
        }
    }

    void featuresOfTheThreeShapes()
    {
        const QJsonObject chat = QJsonDocument::fromJson(R"({"model":"gpt-4o","max_completion_tokens":77,"max_tokens":5,
            "response_format":{"type":"json_object"},
            "messages":[{"role":"system","content":"Be terse."},
                        {"role":"user","content":[{"type":"text","text":"What is this?"},
                          {"type":"image_url","image_url":{"url":"https:\/\/x\/y.png"}}]}]})")
                                     .object();
        const RoutingFeatures c = features(chat);
        QCOMPARE(c.requestedModel, u"gpt-4o"_s);
        QCOMPARE(c.family, u"openai"_s);
        QCOMPARE(c.inputText, u"Be terse.\nWhat is this?"_s);
        QCOMPARE(c.inputChars, qint64(23));
        QCOMPARE(c.maxOutputTokens, qint64(77)); // max_completion_tokens wins
        QVERIFY(c.usesImages);
        QVERIFY(!c.usesAudio);
        QVERIFY(!c.usesTools);
        QVERIFY(c.usesStructuredOutput);
        QVERIFY(c.estimatedPromptTokens > 85); // the image alone is at least 85 tokens

        const QJsonObject responses = QJsonDocument::fromJson(R"({"model":"gpt-4.1","instructions":"Sys",
            "max_output_tokens":300,
            "input":[{"role":"user","content":[{"type":"input_text","text":"Weather?"}]},
                     {"type":"function_call","name":"w","arguments":"{}","call_id":"c"},
                     {"type":"function_call_output","call_id":"c","output":"sunny"}]})")
                                          .object();
        const RoutingFeatures r = features(responses, BodyShape::Responses);
        QCOMPARE(r.inputText, u"Sys\nWeather?\nsunny"_s);
        QCOMPARE(r.maxOutputTokens, qint64(300));
        QVERIFY(r.usesTools);
        QVERIFY(!r.usesStructuredOutput);
        QVERIFY(r.estimatedPromptTokens > 0);

        const QJsonObject anthropic = QJsonDocument::fromJson(R"({"model":"claude-sonnet-4-5","max_tokens":1024,
            "system":[{"type":"text","text":"You are kind."}],
            "messages":[{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"AAAA"}},
                                                  {"type":"text","text":"Describe"}]},
                        {"role":"assistant","content":[{"type":"tool_use","id":"t","name":"look","input":{}}]},
                        {"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":"a cat"}]}]})")
                                          .object();
        const RoutingFeatures a = features(anthropic, BodyShape::Messages);
        QCOMPARE(a.family, u"anthropic"_s);
        QCOMPARE(a.inputText, u"You are kind.\nDescribe\na cat"_s);
        QCOMPARE(a.maxOutputTokens, qint64(1024));
        QVERIFY(a.usesImages);
        QVERIFY(a.usesTools);
        QVERIFY(a.promptTokensEstimate); // Anthropic counts are estimates

        // JSON round trip (samples replayed by the UI).
        const RoutingFeatures back = RoutingFeatures::fromJson(a.toJson());
        QCOMPARE(back.toJson(), a.toJson());
    }

    void malformedBodiesGiveDefaults_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<int>("shape");
        QTest::newRow("empty object") << QByteArray("{}") << int(BodyShape::ChatCompletions);
        QTest::newRow("members of the wrong type")
            << QByteArray(R"({"model":5,"messages":"hi","max_tokens":"12","tools":{},"response_format":"json"})")
            << int(BodyShape::ChatCompletions);
        QTest::newRow("messages that are not objects")
            << QByteArray(R"({"model":"gpt-4o","messages":[1,null,"x",[{"type":"text"}]]})")
            << int(BodyShape::ChatCompletions);
        QTest::newRow("Anthropic content of numbers")
            << QByteArray(R"({"model":"claude-sonnet-4-5","system":7,"messages":[{"role":"user","content":[1,2]}]})")
            << int(BodyShape::Messages);
        QTest::newRow("Responses input of the wrong type")
            << QByteArray(R"({"model":"gpt-4.1","input":{"a":1},"text":"plain"})") << int(BodyShape::Responses);
    }

    void malformedBodiesGiveDefaults()
    {
        QFETCH(QByteArray, body);
        QFETCH(int, shape);
        const RoutingFeatures f = features(QJsonDocument::fromJson(body).object(), BodyShape(shape));
        QCOMPARE(f.maxOutputTokens, qint64(-1));
        QVERIFY(!f.usesImages && !f.usesAudio && !f.usesTools && !f.usesStructuredOutput);
        QCOMPARE(f.inputChars, codePointCount(f.inputText));
        const Router router(configFrom(kAllOn), m_book);
        const RouteDecision d = router.decide(f, u"chat"_s, QString(), false);
        // A body the upstream will reject may still be routed (the model is valid); what matters is a
        // consistent decision and no crash.
        QCOMPARE(d.servedModel, d.changes ? d.targetModel : f.requestedModel);
        if (f.requestedModel.isEmpty())
            QCOMPARE(toString(d.guard), toString(RouteGuard::ForeignModel));
    }

    void testRulesAgainstRecordedSamples()
    {
        const Router router(configFrom(kAllOn), m_book);
        QList<RoutingSample> samples;
        samples << RoutingSample {features(chatBody(u"gpt-4o"_s, u"hi"_s, 10)), u"chat"_s, QString(), false}
                << RoutingSample {features(chatBody(u"gpt-4o"_s, u"why?"_s, 10)), u"chat"_s, QString(), false}
                << RoutingSample {features(chatBody(u"gpt-4o"_s, QString(500, u'x'))), u"chat"_s, u"code"_s, false}
                << RoutingSample {features(chatBody(u"gpt-4o"_s, u"hi"_s, 10)), u"chat"_s, QString(), true};
        const QList<RouteDecision> d = router.testRules(samples);
        QCOMPARE(d.size(), 4);
        QCOMPARE(d[0].servedModel, u"gpt-4.1-nano"_s);
        QCOMPARE(d[1].servedModel, u"gpt-4.1-mini"_s);
        QCOMPARE(d[2].servedModel, u"gpt-4.1"_s); // high: gpt-4.1 is cheaper than gpt-4o in and out
        QCOMPARE(toString(d[2].complexity), toString(Complexity::High));
        QCOMPARE(toString(d[3].guard), toString(RouteGuard::Pinned));
        QCOMPARE(d[3].servedModel, u"gpt-4o"_s);
    }
};

QTEST_GUILESS_MAIN(RouterTest)
#include "RouterTest.moc"
