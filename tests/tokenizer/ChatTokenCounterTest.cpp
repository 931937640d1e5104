// Chat request counting: OpenAI's published worked example, names, tools, images, estimates.
#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/UsageEstimate.h"

#include <QJsonDocument>
#include <QtEndian>
#include <QtTest>

#include <cstdlib>

using namespace Qt::StringLiterals;
using namespace tl::tokenizer;

namespace {

// The sample conversation of OpenAI's cookbook "How to count tokens with tiktoken".
QJsonArray cookbookMessages()
{
    auto msg = [](const QString &role, const QString &content, const QString &name = {}) {
        QJsonObject o {{u"role"_s, role}, {u"content"_s, content}};
        if (!name.isEmpty())
            o.insert(u"name"_s, name);
        return o;
    };
    return QJsonArray {
        msg(u"system"_s,
            u"You are a helpful, pattern-following assistant that translates corporate jargon into plain English."_s),
        msg(u"system"_s, u"New synergies will help drive top-line growth."_s, u"example_user"_s),
        msg(u"system"_s, u"Things working well together will increase revenue."_s, u"example_assistant"_s),
        msg(u"system"_s,
            u"Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage."_s,
            u"example_user"_s),
        msg(u"system"_s, u"Let's talk later when we're less busy about how to do better."_s, u"example_assistant"_s),
        msg(u"user"_s, u"This late pivot means we don't have time to boil the ocean for the client deliverable."_s),
    };
}

QString pngDataUrl(quint32 width, quint32 height)
{
    QByteArray png("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR", 16);
    char be[4];
    qToBigEndian(width, be);
    png.append(be, 4);
    qToBigEndian(height, be);
    png.append(be, 4);
    png.append("\x08\x06\x00\x00\x00", 5);
    return u"data:image/png;base64,"_s + QString::fromLatin1(png.toBase64());
}

QJsonObject imageRequest(const QString &url, const QString &detail)
{
    QJsonObject image {{u"url"_s, url}};
    if (!detail.isEmpty())
        image.insert(u"detail"_s, detail);
    return QJsonObject {
        {u"messages"_s,
         QJsonArray {QJsonObject {
             {u"role"_s, u"user"_s},
             {u"content"_s, QJsonArray {QJsonObject {{u"type"_s, u"image_url"_s}, {u"image_url"_s, image}}}}}}}};
}

} // namespace

class ChatTokenCounterTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void cookbookExample_data();
    void cookbookExample();
    void toolsFollowTheCookbookEstimate();
    void toolChoiceAndResponseFormatAreEstimates();
    void imagesByDetailAndSize_data();
    void imagesByDetailAndSize();
    void imageHeadersGiveTheSize();
    void anthropicRequestIsAnEstimate();
    void responsesApiRequestIsAnEstimate();
    void usageEstimateForACutStream();
    void usageEstimateOfHugeTextsIsBounded_data();
    void usageEstimateOfHugeTextsIsBounded();
    void malformedRequestBodyIsAParseError();

private:
    Tokenizers m_tokenizers;
};

void ChatTokenCounterTest::cookbookExample_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<qint64>("promptTokens");
    // The cookbook prints these counts, matching what the API reported for each model.
    QTest::newRow("gpt-4o") << u"gpt-4o"_s << qint64(124);
    QTest::newRow("gpt-4o-mini") << u"gpt-4o-mini"_s << qint64(124);
    QTest::newRow("gpt-4-0613") << u"gpt-4-0613"_s << qint64(129);
    QTest::newRow("gpt-3.5-turbo") << u"gpt-3.5-turbo"_s << qint64(129);
}

void ChatTokenCounterTest::cookbookExample()
{
    QFETCH(QString, model);
    QFETCH(qint64, promptTokens);
    auto counter = ChatTokenCounter::forModel(m_tokenizers, model);
    QVERIFY(counter.has_value());
    const ChatTokenCount count = counter->countMessages(cookbookMessages());
    QCOMPARE(count.promptTokens, promptTokens);
    QCOMPARE(count.messageTokens, promptTokens);
    QVERIFY(!count.estimate);
    QVERIFY(count.notes.isEmpty());
}

void ChatTokenCounterTest::toolsFollowTheCookbookEstimate()
{
    auto counter = ChatTokenCounter::forModel(m_tokenizers, u"gpt-4o"_s);
    QVERIFY(counter.has_value());
    const QJsonObject request = QJsonDocument::fromJson(R"({
      "messages": [{"role": "user", "content": "Weather in Paris?"}],
      "tools": [{"type": "function", "function": {
        "name": "get_weather", "description": "Get the weather.",
        "parameters": {"type": "object", "properties": {
          "city": {"type": "string", "description": "City name."},
          "unit": {"type": "string", "description": "Unit", "enum": ["celsius", "fahrenheit"]}}}}}]
    })")
                                    .object();
    const ChatTokenCount count = counter->countRequest(request);
    const Encoding &e = counter->encoding();
    auto t = [&](const char *s) { return e.count(std::string_view(s)); };
    const qint64 expectedTools = 7 + t("get_weather:Get the weather") + 3 + 3 + t("city:string:City name") + 3 - 3 + 3
        + t("celsius") + 3 + t("fahrenheit") + t("unit:string:Unit") + 12;
    QCOMPARE(count.toolTokens, expectedTools);
    QCOMPARE(count.messageTokens, 3 + t("user") + t("Weather in Paris?") + 3);
    QCOMPARE(count.promptTokens, count.messageTokens + count.toolTokens);
    QVERIFY(count.estimate);
    QVERIFY(!count.notes.isEmpty());
}

void ChatTokenCounterTest::toolChoiceAndResponseFormatAreEstimates()
{
    auto counter = ChatTokenCounter::forModel(m_tokenizers, u"gpt-4.1"_s);
    QVERIFY(counter.has_value());
    QJsonObject request {{u"messages"_s, QJsonArray {QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"hi"_s}}}}};
    const qint64 base = counter->countRequest(request).promptTokens;
    request.insert(
        u"tool_choice"_s,
        QJsonObject {{u"type"_s, u"function"_s}, {u"function"_s, QJsonObject {{u"name"_s, u"get_weather"_s}}}});
    const QJsonObject schema {{u"name"_s, u"answer"_s}, {u"schema"_s, QJsonObject {{u"type"_s, u"object"_s}}}};
    request.insert(u"response_format"_s, QJsonObject {{u"type"_s, u"json_schema"_s}, {u"json_schema"_s, schema}});
    const ChatTokenCount count = counter->countRequest(request);
    const Encoding &e = counter->encoding();
    QCOMPARE(count.toolTokens, e.count(u"get_weather") + 3);
    QCOMPARE(count.formatTokens, e.count(std::string_view(R"({"name":"answer","schema":{"type":"object"}})")) + 3);
    QCOMPARE(count.promptTokens, base + count.toolTokens + count.formatTokens);
    QVERIFY(count.estimate);
    QCOMPARE(count.notes.size(), 2);
}

void ChatTokenCounterTest::imagesByDetailAndSize_data()
{
    QTest::addColumn<QString>("model");
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<qint64>("imageTokens");
    QTest::addColumn<bool>("estimate");
    // OpenAI "Images and vision" guide: low = 85; 1024x1024 high -> 768x768 = 4 tiles -> 85 + 4*170 = 765;
    // 2048x4096 high -> 1024x2048 -> 768x1536 = 6 tiles -> 1105.
    QTest::newRow("gpt-4o low") << u"gpt-4o"_s << pngDataUrl(4000, 3000) << u"low"_s << qint64(85) << false;
    QTest::newRow("gpt-4o high 1024 square")
        << u"gpt-4o"_s << pngDataUrl(1024, 1024) << u"high"_s << qint64(765) << false;
    QTest::newRow("gpt-4o high 2048x4096")
        << u"gpt-4o"_s << pngDataUrl(2048, 4096) << u"high"_s << qint64(1105) << false;
    QTest::newRow("gpt-4o high small") << u"gpt-4o"_s << pngDataUrl(500, 300) << u"high"_s << qint64(255) << false;
    QTest::newRow("gpt-4o-mini low") << u"gpt-4o-mini"_s << pngDataUrl(64, 64) << u"low"_s << qint64(2833) << false;
    QTest::newRow("unknown size is an estimate")
        << u"gpt-4o"_s << u"https://example.com/cat.png"_s << u"high"_s << qint64(765) << true;
    QTest::newRow("auto detail is an estimate")
        << u"gpt-4o"_s << pngDataUrl(1024, 1024) << QString() << qint64(765) << true;
    // Patch models: 1024x1024 = 32x32 patches = 1024, x1.62 for gpt-4.1-mini -> 1659 (rounded up).
    QTest::newRow("gpt-4.1-mini patches")
        << u"gpt-4.1-mini"_s << pngDataUrl(1024, 1024) << u"high"_s << qint64(1659) << false;
}

void ChatTokenCounterTest::imagesByDetailAndSize()
{
    QFETCH(QString, model);
    QFETCH(QString, url);
    QFETCH(QString, detail);
    QFETCH(qint64, imageTokens);
    QFETCH(bool, estimate);
    auto counter = ChatTokenCounter::forModel(m_tokenizers, model);
    QVERIFY(counter.has_value());
    const ChatTokenCount count = counter->countRequest(imageRequest(url, detail));
    QCOMPARE(count.imageTokens, imageTokens);
    QCOMPARE(count.promptTokens, 3 + counter->encoding().count(u"user") + imageTokens + 3);
    QCOMPARE(count.estimate, estimate);
}

void ChatTokenCounterTest::imageHeadersGiveTheSize()
{
    // GIF: logical screen size, little-endian.
    const QByteArray gif("GIF89a\x20\x03\x58\x02\x00\x00", 12);
    const auto g = ChatTokenCounter::imageSizeFromBytes(gif);
    QVERIFY(g.has_value());
    QCOMPARE(g->width, 800);
    QCOMPARE(g->height, 600);
    // JPEG: SOI, an APP0 segment, then SOF0 with height 480 and width 640.
    const QByteArray jpeg("\xff\xd8\xff\xe0\x00\x04\x00\x00\xff\xc0\x00\x11\x08\x01\xe0\x02\x80\x03", 18);
    const auto j = ChatTokenCounter::imageSizeFromBytes(jpeg);
    QVERIFY(j.has_value());
    QCOMPARE(j->width, 640);
    QCOMPARE(j->height, 480);
    QVERIFY(!ChatTokenCounter::imageSizeFromBytes("not an image").has_value());
}

void ChatTokenCounterTest::anthropicRequestIsAnEstimate()
{
    auto counter = ChatTokenCounter::forModel(m_tokenizers, u"claude-sonnet-4-5"_s);
    QVERIFY(counter.has_value());
    const QJsonObject request = QJsonDocument::fromJson(R"({"model":"claude-sonnet-4-5","system":"Be brief.",
        "messages":[{"role":"user","content":[{"type":"text","text":"Hello there"}]}]})")
                                    .object();
    const ChatTokenCount count = counter->countRequest(request);
    const Encoding &e = counter->encoding();
    QCOMPARE(count.promptTokens,
             3 + e.count(u"system") + e.count(u"Be brief.") + 3 + e.count(u"user") + e.count(u"Hello there") + 3);
    QVERIFY(count.estimate);
    QCOMPARE(count.encoding, u"o200k_base"_s);
}

void ChatTokenCounterTest::responsesApiRequestIsAnEstimate()
{
    auto counter = ChatTokenCounter::forModel(m_tokenizers, u"gpt-4.1"_s);
    QVERIFY(counter.has_value());
    const Encoding &e = counter->encoding();
    // A string input: one user message after the instructions (system).
    const QJsonObject simple = QJsonDocument::fromJson(R"({"model":"gpt-4.1","instructions":"Be brief.",
        "input":"Hello there"})")
                                   .object();
    const ChatTokenCount a = counter->countRequest(simple);
    QCOMPARE(a.promptTokens,
             3 + e.count(u"system") + e.count(u"Be brief.") + 3 + e.count(u"user") + e.count(u"Hello there") + 3);
    QVERIFY(a.estimate);
    // Items: a message with input_text parts, a function call and its output.
    const QJsonObject items = QJsonDocument::fromJson(R"({"model":"gpt-4.1","input":[
        {"role":"user","content":[{"type":"input_text","text":"Weather?"}]},
        {"type":"function_call","call_id":"c1","name":"get_weather","arguments":"{\"city\":\"Paris\"}"},
        {"type":"function_call_output","call_id":"c1","output":"sunny"}]})")
                                  .object();
    const ChatTokenCount b = counter->countRequest(items);
    QCOMPARE(b.promptTokens,
             (3 + e.count(u"user") + e.count(u"Weather?"))
                 + (3 + e.count(u"assistant") + e.count(u"get_weather") + e.count(u"{\"city\":\"Paris\"}") + 3)
                 + (3 + e.count(u"tool") + e.count(u"sunny")) + 3);
}

void ChatTokenCounterTest::usageEstimateForACutStream()
{
    const QByteArray body = R"({"model":"gpt-4o","stream":true,
        "messages":[{"role":"user","content":"Tell me a joke."}]})";
    auto est = estimateChatUsage(m_tokenizers, body, u"Why did the chicken cross the road?");
    QVERIFY(est.has_value());
    auto counter = ChatTokenCounter::forModel(m_tokenizers, u"gpt-4o"_s);
    QCOMPARE(est->usage.promptTokens,
             3 + counter->encoding().count(u"user") + counter->encoding().count(u"Tell me a joke.") + 3);
    QCOMPARE(est->usage.completionTokens, counter->encoding().count(u"Why did the chicken cross the road?"));
    QVERIFY(est->exactPrompt);
    QCOMPARE(est->encoding, u"o200k_base"_s);
}

// A cut stream of megabytes (session-7 trial: 7.3 MB of one character took about 3 s to count, on the
// proxy thread): a text over kEstimateTextChars is counted from its head and scaled by length, the
// estimate says so, and it stays close to the exact count. (How long it takes is measured by
// tests/bench/bench-estimate-stall.sh, not asserted here.)
void ChatTokenCounterTest::usageEstimateOfHugeTextsIsBounded_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("inPrompt"); // the text is the user message (else the streamed completion)
    QString sentences;
    const QStringList words{u"migration"_s, u"needs"_s, u"two"_s, u"steps,"_s, u"a"_s, u"rollback"_s, u"plan"_s,
                            u"and"_s, u"the"_s, u"schema."_s, u"Données"_s, u"42"_s};
    for (int i = 0; sentences.size() < 1'000'000; ++i)
        sentences += words[(i * 7 + i / 5) % words.size()] + u' ';
    QTest::newRow("completion: 1 MB of one character") << QString(1'048'576, u'x') << false;
    QTest::newRow("completion: 1 MB of words") << sentences << false;
    QTest::newRow("prompt: 1 MB of words in the user message") << sentences << true;
}

void ChatTokenCounterTest::usageEstimateOfHugeTextsIsBounded()
{
    QFETCH(QString, text);
    QFETCH(bool, inPrompt);
    const QString shortText = u"Tell me a joke."_s;
    const QJsonObject request{{u"model"_s, u"gpt-4o"_s},
                              {u"messages"_s, QJsonArray{QJsonObject{{u"role"_s, u"user"_s},
                                                                     {u"content"_s, inPrompt ? text : shortText}}}}};
    const QByteArray body = QJsonDocument(request).toJson(QJsonDocument::Compact);
    auto est = estimateChatUsage(m_tokenizers, body, inPrompt ? shortText : text);
    QVERIFY(est.has_value());
    auto counter = ChatTokenCounter::forModel(m_tokenizers, u"gpt-4o"_s);
    const qint64 exact = counter->encoding().count(text);
    const qint64 estimated = inPrompt ? est->usage.promptTokens - (3 + counter->encoding().count(u"user") + 3)
                                      : est->usage.completionTokens;
    QVERIFY2(std::abs(estimated - exact) <= exact / 50, // within 2%
             qPrintable(u"estimated %1, exact %2"_s.arg(estimated).arg(exact)));
    QVERIFY2(est->notes.join(u'|').contains(u"scaled by length"_s), qPrintable(est->notes.join(u'|')));
    if (inPrompt)
        QVERIFY(!est->exactPrompt);
}

void ChatTokenCounterTest::malformedRequestBodyIsAParseError()
{
    auto est = estimateChatUsage(m_tokenizers, "{not json", u"x");
    QVERIFY(!est.has_value());
    QCOMPARE(est.error().code, tl::ErrorCode::Parse);
}

QTEST_GUILESS_MAIN(ChatTokenCounterTest)
#include "ChatTokenCounterTest.moc"
