// Request keys: guard lists, scope (caller, model, system prompt, parameters, earlier conversation),
// request text, eligibility, OpenAI and Anthropic body shapes; the embeddings wire format.
#include "semantic/SemanticKey.h"
#include "semantic/RemoteEmbedder.h"
#include "tokenizer/Tokenizers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::semantic;

namespace {

// JSON written with single quotes (no raw string literals: moc 6.4 loses the class after multi-line ones).
QByteArray sq(const char *text)
{
    return QByteArray(text).replace('\'', '"');
}

QJsonObject json(const QByteArray &text)
{
    QJsonParseError err;
    const QJsonDocument d = QJsonDocument::fromJson(text, &err);
    if (err.error != QJsonParseError::NoError)
        qFatal("bad JSON in test: %s", qPrintable(err.errorString()));
    return d.object();
}

QJsonObject openAiChat(const QString &system, const QString &user)
{
    return QJsonObject {{u"model"_s, u"gpt-4o-mini"_s},
                        {u"temperature"_s, 0},
                        {u"messages"_s,
                         QJsonArray {QJsonObject {{u"role"_s, u"system"_s}, {u"content"_s, system}},
                                     QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, user}}}}};
}

SemanticKey keyOf(const QJsonObject &body, RequestFormat f = RequestFormat::OpenAiChat,
                  const QByteArray &caller = "caller-a")
{
    auto k = semanticKey(body, f, caller);
    if (!k)
        qFatal("semanticKey failed: %s", qPrintable(k.error().message));
    return *k;
}

} // namespace

class SemanticKeyTest : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    // Pairs that similarity alone would let through: their guard lists must differ.
    void guardsTellApart_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::newRow("alarm on vs off") << u"turn the alarm on"_s << u"turn the alarm off"_s;
        QTest::newRow("2+3 vs 2+4") << u"what is 2+3"_s << u"what is 2+4"_s;
        QTest::newRow("2+3 vs 2*3") << u"what is 2+3"_s << u"what is 2*3"_s;
        QTest::newRow("negation added") << u"Is the service available in Canada?"_s
                                        << u"Is the service not available in Canada?"_s;
        QTest::newRow("don't") << u"Do delete the old backups"_s << u"Don't delete the old backups"_s;
        QTest::newRow("without") << u"a latte with sugar"_s << u"a latte without sugar"_s;
        QTest::newRow("enable vs disable") << u"enable two-factor login"_s << u"disable two-factor login"_s;
        QTest::newRow("number word") << u"give me three examples"_s << u"give me four examples"_s;
        QTest::newRow("decimal") << u"convert 3.5 km to miles"_s << u"convert 3.6 km to miles"_s;
        QTest::newRow("negative number") << u"the temperature is -5 degrees"_s << u"the temperature is 5 degrees"_s;
        QTest::newRow("double-quoted literal")
            << uR"(rename the file "report.txt")"_s << uR"(rename the file "summary.txt")"_s;
        QTest::newRow("single-quoted literal") << u"search for 'apple pie'"_s << u"search for 'apple tart'"_s;
        QTest::newRow("backticks") << u"what does `git rebase` do"_s << u"what does `git merge` do"_s;
        QTest::newRow("literal case matters") << u"grep for \"Error\""_s << u"grep for \"error\""_s;
        QTest::newRow("Chinese corner quotes") << u"把「你好」翻译成英文"_s << u"把「再见」翻译成英文"_s;
        QTest::newRow("Chinese curly quotes") << u"翻译“早上好”"_s << u"翻译“晚上好”"_s;
        QTest::newRow("Chinese on/off 开/关") << u"把灯开了"_s << u"把灯关了"_s;
        QTest::newRow("Chinese 打开/关闭") << u"打开蓝牙"_s << u"关闭蓝牙"_s;
        QTest::newRow("Chinese 不") << u"这个方法安全吗"_s << u"这个方法不安全吗"_s;
        QTest::newRow("Chinese 没有") << u"我收到了退款"_s << u"我没有收到退款"_s;
        QTest::newRow("Chinese 别") << u"请删除这个文件"_s << u"请别删除这个文件"_s;
        QTest::newRow("Chinese numerals") << u"给我三个例子"_s << u"给我五个例子"_s;
        QTest::newRow("Chinese compound numerals") << u"二十三加一百零五"_s << u"二十四加一百零五"_s;
        QTest::newRow("full-width digits") << u"what is ２+３"_s << u"what is 2+4"_s;
    }
    void guardsTellApart()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QVERIFY2(guardList(a) != guardList(b),
                 qPrintable(guardList(a).join(u" | "_s) + u"  ==  "_s + guardList(b).join(u" | "_s)));
        QVERIFY(guardSignatureOf(guardList(a)) != guardSignatureOf(guardList(b)));
    }

    // Paraphrases that keep the same facts keep the same guard list.
    void guardsAgreeOnParaphrases_data()
    {
        QTest::addColumn<QString>("a");
        QTest::addColumn<QString>("b");
        QTest::newRow("no guards at all") << u"How do I reset my password?"_s << u"how can I reset my password"_s;
        QTest::newRow("digits vs words") << u"give me 3 examples"_s << u"Give me three examples, please"_s;
        QTest::newRow("don't vs do not") << u"Don't delete the backups"_s << u"Do not delete the backups"_s;
        QTest::newRow("curly apostrophe") << u"Don’t delete the backups"_s << u"don't delete the backups"_s;
        QTest::newRow("thousands separator") << u"budget of 1,000 dollars"_s << u"budget of 1000 dollars"_s;
        QTest::newRow("trailing zeros") << u"costs 3.50 each"_s << u"costs 3.5 each"_s;
        QTest::newRow("Chinese vs digits") << u"给我三个例子"_s << u"给我3个例子"_s;
        QTest::newRow("二十三 vs 23") << u"二十三岁"_s << u"23岁"_s;
        QTest::newRow("非常 is not a negation") << u"这个非常好"_s << u"这个很好"_s;
        QTest::newRow("关于 is not a switch") << u"关于退款的问题"_s << u"退款的问题"_s;
        QTest::newRow("一下 is not a number") << u"请解释一下递归"_s << u"请解释递归"_s;
        QTest::newRow("apostrophe inside a word is not a quote") << u"it's John's car"_s << u"it is Johns car"_s;
        QTest::newRow("numbers inside a literal counted once") << uR"(print "2+2")"_s << uR"(Print "2+2" please)"_s;
    }
    void guardsAgreeOnParaphrases()
    {
        QFETCH(QString, a);
        QFETCH(QString, b);
        QCOMPARE(guardList(a), guardList(b));
    }

    void guardListIsExact()
    {
        QCOMPARE(guardList(u"what is 2+3"_s), (QStringList {u"n:2"_s, u"op:+"_s, u"n:3"_s}));
        QCOMPARE(guardList(u"turn the alarm off"_s), (QStringList {u"sw:off"_s}));
        QCOMPARE(guardList(uR"(Don't rename "A.txt" to 'b.txt', keep ```x = 1``` and `y`)"_s),
                 (QStringList {u"neg"_s, u"q:A.txt"_s, u"q:b.txt"_s, u"q:x = 1"_s, u"q:y"_s}));
        QCOMPARE(guardList(u"二十三加一百零五，两千，二零二四"_s),
                 (QStringList {u"n:23"_s, u"n:105"_s, u"n:2000"_s, u"n:2024"_s}));
        QCOMPARE(guardList(u"list 1,2,3"_s), (QStringList {u"n:1"_s, u"n:2"_s, u"n:3"_s}));
        QCOMPARE(guardList(u"an unclosed \"quote stays text with 5"_s), (QStringList {u"n:5"_s}));
        QVERIFY(guardList(QString()).isEmpty());
    }

    // --- scope -----------------------------------------------------------------------------------
    void sameRequestSameKey()
    {
        const auto a = keyOf(openAiChat(u"You are helpful."_s, u"How do I reset my password?"_s));
        const auto b = keyOf(openAiChat(u"You are helpful."_s, u"How can I reset my password?"_s));
        QCOMPARE(a.scope, b.scope); // only the final user text differs
        QCOMPARE(a.scope.size(), 64);
        QCOMPARE(a.guardSignature, b.guardSignature);
        QCOMPARE(a.text, u"system: You are helpful.\nuser: How do I reset my password?"_s);
        QCOMPARE(a.lastUserText, u"How do I reset my password?"_s);
        QCOMPARE(a.model, u"gpt-4o-mini"_s);
    }

    void streamDoesNotChangeScope()
    {
        QJsonObject body = openAiChat(u"s"_s, u"q"_s);
        const auto a = keyOf(body);
        body.insert(u"stream"_s, true);
        body.insert(u"stream_options"_s, QJsonObject {{u"include_usage"_s, true}});
        QCOMPARE(keyOf(body).scope, a.scope);
    }

    void scopeSeparates_data()
    {
        QTest::addColumn<QJsonObject>("changed");
        QTest::addColumn<QByteArray>("caller");
        const QJsonObject base = openAiChat(u"You are helpful."_s, u"How do I reset my password?"_s);
        QTest::newRow("different caller") << base << QByteArray("caller-b");
        QJsonObject b = base;
        b.insert(u"model"_s, u"gpt-4o"_s);
        QTest::newRow("different model") << b << QByteArray("caller-a");
        QTest::newRow("different system prompt")
            << openAiChat(u"You are a pirate."_s, u"How do I reset my password?"_s) << QByteArray("caller-a");
        b = base;
        b.insert(u"temperature"_s, 0.7);
        QTest::newRow("different temperature") << b << QByteArray("caller-a");
        b = base;
        b.insert(u"max_tokens"_s, 100);
        QTest::newRow("added max_tokens") << b << QByteArray("caller-a");
        b = base;
        b.insert(u"response_format"_s, QJsonObject {{u"type"_s, u"json_object"_s}});
        QTest::newRow("response_format") << b << QByteArray("caller-a");
        b = base;
        b.insert(u"tools"_s,
                 QJsonArray {
                     QJsonObject {{u"type"_s, u"function"_s}, {u"function"_s, QJsonObject {{u"name"_s, u"reset"_s}}}}});
        QTest::newRow("tools") << b << QByteArray("caller-a");
        b = base;
        QJsonArray m = b.value("messages"_L1).toArray();
        m.insert(1, QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"Hi"_s}});
        m.insert(2, QJsonObject {{u"role"_s, u"assistant"_s}, {u"content"_s, u"Hello! How can I help?"_s}});
        b.insert(u"messages"_s, m);
        QTest::newRow("earlier conversation added") << b << QByteArray("caller-a");
    }
    void scopeSeparates()
    {
        QFETCH(QJsonObject, changed);
        QFETCH(QByteArray, caller);
        const auto base = keyOf(openAiChat(u"You are helpful."_s, u"How do I reset my password?"_s));
        QVERIFY(keyOf(changed, RequestFormat::OpenAiChat, caller).scope != base.scope);
    }

    void earlierConversationMustBeExact()
    {
        auto conv = [](const QString &earlierAnswer) {
            return QJsonObject {
                {u"model"_s, u"gpt-4o-mini"_s},
                {u"messages"_s,
                 QJsonArray {QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"Pick a city"_s}},
                             QJsonObject {{u"role"_s, u"assistant"_s}, {u"content"_s, earlierAnswer}},
                             QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, u"What is the weather there?"_s}}}}};
        };
        const auto paris = keyOf(conv(u"Paris"_s));
        const auto london = keyOf(conv(u"London"_s));
        QVERIFY(paris.scope != london.scope);
        QCOMPARE(paris.text, u"user: Pick a city\nassistant: Paris\nuser: What is the weather there?"_s);
        // The format is part of the scope: the same JSON read as the other API is another scope.
        QVERIFY(keyOf(conv(u"Paris"_s), RequestFormat::AnthropicMessages).scope != paris.scope);
    }

    // --- Anthropic -------------------------------------------------------------------------------
    void anthropicBodies()
    {
        const auto plain = keyOf(json(sq("{'model': 'claude-sonnet-4-5', 'max_tokens': 1024, 'system': 'You are "
                                         "terse.', 'messages': [{'role': 'user', 'content': 'Turn the alarm off'}]}")),
                                 RequestFormat::AnthropicMessages);
        const auto blocks = keyOf(json(sq("{'model': 'claude-sonnet-4-5', 'max_tokens': 1024, 'system': [{'type': "
                                          "'text', 'text': 'You are terse.'}], 'messages': [{'role': 'user', "
                                          "'content': [{'type': 'text', 'text': 'Turn the alarm off'}]}]}")),
                                  RequestFormat::AnthropicMessages);
        QCOMPARE(plain.text, u"system: You are terse.\nuser: Turn the alarm off"_s);
        QCOMPARE(blocks.text, plain.text);
        QCOMPARE(plain.guards, QStringList {u"sw:off"_s});
        QCOMPARE(blocks.lastUserText, u"Turn the alarm off"_s);
        // A string system prompt and a block array are different bodies: different scopes (exactness).
        QVERIFY(plain.scope != blocks.scope);

        const auto otherSystem
            = keyOf(json(sq("{'model': 'claude-sonnet-4-5', 'max_tokens': 1024, 'system': 'You are verbose.', "
                            "'messages': [{'role': 'user', 'content': 'Turn the alarm off'}]}")),
                    RequestFormat::AnthropicMessages);
        QVERIFY(otherSystem.scope != plain.scope);

        const auto withTools
            = keyOf(json(sq("{'model': 'claude-sonnet-4-5', 'max_tokens': 1024, 'messages': [{'role': 'user', "
                            "'content': 'Weather in Paris?'}, {'role': 'assistant', 'content': [{'type': 'tool_use', "
                            "'id': 't1', 'name': 'weather', 'input': {'city': 'Paris'}}]}, {'role': 'user', 'content': "
                            "[{'type': 'tool_result', 'tool_use_id': 't1', 'content': '18C'}]}, {'role': 'assistant', "
                            "'content': 'It is 18C.'}, {'role': 'user', 'content': 'And tomorrow?'}]}")),
                    RequestFormat::AnthropicMessages);
        QCOMPARE(withTools.text,
                 u"user: Weather in Paris?\nassistant tool_call weather({\"city\":\"Paris\"})\n"
                 "tool: 18C\nassistant: It is 18C.\nuser: And tomorrow?"_s);
    }

    void ineligible_data()
    {
        QTest::addColumn<QByteArray>("body");
        QTest::addColumn<bool>("anthropic");
        QTest::newRow("OpenAI image part")
            << (sq("{'model': 'gpt-4o', 'messages': [{'role': 'user', 'content': [{'type': 'text', 'text': 'what is "
                   "this'}, {'type': 'image_url', 'image_url': {'url': 'x'}}]}]}"))
            << false;
        QTest::newRow("OpenAI audio input")
            << (sq("{'model': 'gpt-4o-audio-preview', 'messages': [ {'role': 'user', 'content': [{'type': "
                   "'input_audio', 'input_audio': {'data': '', 'format': 'wav'}}]}]}"))
            << false;
        QTest::newRow("OpenAI ends with a tool result")
            << (sq("{'model': 'gpt-4o', 'messages': [ {'role': 'user', 'content': 'weather?'}, {'role': 'assistant', "
                   "'tool_calls': [{'id': 'c1', 'type': 'function', 'function': {'name': 'w', 'arguments': '{}'}}]}, "
                   "{'role': 'tool', 'tool_call_id': 'c1', 'content': '18C'}]}"))
            << false;
        QTest::newRow("Anthropic image block")
            << (sq("{'model': 'claude-sonnet-4-5', 'max_tokens': 10, 'messages': [{'role': 'user', 'content': "
                   "[{'type': 'image', 'source': {'type': 'base64', 'media_type': 'image/png', 'data': ''}}, {'type': "
                   "'text', 'text': 'describe'}]}]}"))
            << true;
        QTest::newRow("Anthropic final tool_result") << (sq(
            "{'model': 'claude-sonnet-4-5', 'max_tokens': 10, 'messages': [{'role': 'user', 'content': 'weather?'}, "
            "{'role': 'assistant', 'content': [{'type': 'tool_use', 'id': 't1', 'name': 'w', 'input': {}}]}, {'role': "
            "'user', 'content': [{'type': 'tool_result', 'tool_use_id': 't1', 'content': '18C'}]}]}"))
                                                     << true;
        QTest::newRow("Anthropic assistant prefill")
            << (sq("{'model': 'claude-sonnet-4-5', 'max_tokens': 10, 'messages': [{'role': 'user', 'content': 'list'}, "
                   "{'role': 'assistant', 'content': '{'}]}"))
            << true;
        QTest::newRow("empty final user text")
            << QByteArray(R"({"model": "gpt-4o", "messages": [{"role": "user", "content": "   "}]})") << false;
    }
    void ineligible()
    {
        QFETCH(QByteArray, body);
        QFETCH(bool, anthropic);
        const auto k = semanticKey(QJsonDocument::fromJson(body).object(),
                                   anthropic ? RequestFormat::AnthropicMessages : RequestFormat::OpenAiChat, "c");
        QVERIFY(!k);
        QCOMPARE(k.error().code, ErrorCode::Unsupported);
        QVERIFY(!k.error().message.isEmpty());
    }

    void malformed()
    {
        auto k = semanticKey(json(R"({"messages": []})"), RequestFormat::OpenAiChat, "c");
        QVERIFY(!k);
        QCOMPARE(k.error().code, ErrorCode::InvalidArgument);
        k = semanticKey(json(R"({"model": "gpt-4o", "input": "x"})"), RequestFormat::OpenAiChat, "c");
        QVERIFY(!k);
        QCOMPARE(k.error().code, ErrorCode::InvalidArgument);
    }

    // --- embeddings wire format ------------------------------------------------------------------
    void embeddingRequestBody()
    {
        QCOMPARE(embeddingRequest(u"text-embedding-3-small"_s, u"hello"_s),
                 (QJsonObject {{u"model"_s, u"text-embedding-3-small"_s},
                               {u"input"_s, u"hello"_s},
                               {u"encoding_format"_s, u"float"_s}}));
        QCOMPARE(embeddingRequest(u"text-embedding-3-large"_s, u"x"_s, 256).value("dimensions"_L1).toInt(), 256);
        RemoteEmbedderConfig c;
        c.baseUrl = QUrl(u"http://127.0.0.1:11434/v1/"_s);
        QCOMPARE(c.embeddingsUrl(), QUrl(u"http://127.0.0.1:11434/v1/embeddings"_s));
        QCOMPARE(c.inputLimit(), 8191);
        c.dimensions = 512;
        QCOMPARE(c.modelKey(), u"text-embedding-3-small/512"_s);
    }

    void parseEmbeddingAnswer()
    {
        // Shape of OpenAI's documented answer (API reference, "Create embeddings").
        const auto e = parseEmbeddingResponse(
            sq("{'object': 'list', 'data': [{'object': 'embedding', 'index': 0, 'embedding': [3, 4]}], 'model': "
               "'text-embedding-3-small', 'usage': {'prompt_tokens': 5, 'total_tokens': 5}}"));
        QVERIFY(e);
        QCOMPARE(e->vector, (std::vector<float> {0.6f, 0.8f})); // normalised
        QCOMPARE(e->promptTokens, 5);
        QCOMPARE(e->model, u"text-embedding-3-small"_s);

        const auto err = parseEmbeddingResponse(
            R"({"error": {"message": "Incorrect API key provided", "type": "invalid_request_error"}})");
        QVERIFY(!err);
        QCOMPARE(err.error().code, ErrorCode::InvalidArgument);
        QVERIFY(err.error().message.contains(u"Incorrect API key provided"_s));

        for (const QByteArray &bad : {QByteArray("not json"), QByteArray(R"({"data": []})"),
                                      QByteArray(R"({"data": [{"embedding": [0, 0, 0]}]})"),
                                      QByteArray(R"({"data": [{"embedding": [1, "x"]}]})"),
                                      QByteArray(R"({"data": [{"embedding": "AAAA"}]})")}) {
            const auto r = parseEmbeddingResponse(bad);
            QVERIFY2(!r, bad.constData());
            QCOMPARE(r.error().code, ErrorCode::Parse);
        }
    }

    // The whole request and its final user message in one call; answers are put back in input order.
    void embeddingBatch()
    {
        const QJsonObject req = embeddingRequest(u"text-embedding-3-small"_s, QStringList {u"whole"_s, u"final"_s});
        QCOMPARE(req.value("input"_L1).toArray(), (QJsonArray {u"whole"_s, u"final"_s}));
        const auto b
            = parseEmbeddingBatch(sq("{'data': [{'index': 1, 'embedding': [0, 2]}, {'index': 0, 'embedding': [3, 0]}],"
                                     " 'model': 'text-embedding-3-small', 'usage': {'prompt_tokens': 9}}"),
                                  2);
        QVERIFY(b);
        QCOMPARE(b->size(), std::size_t(2));
        QCOMPARE(b->at(0).vector, (std::vector<float> {1, 0}));
        QCOMPARE(b->at(1).vector, (std::vector<float> {0, 1}));
        QCOMPARE(b->at(0).promptTokens, 9);
        QCOMPARE(b->at(1).promptTokens, 0); // counted once
        QVERIFY(!parseEmbeddingBatch(sq("{'data': [{'index': 0, 'embedding': [1, 0]}]}"), 2));
        QVERIFY(!parseEmbeddingBatch(
            sq("{'data': [{'index': 0, 'embedding': [1, 0]}, {'index': 0, 'embedding': [1, 0]}]}"), 2));
    }

    // A request over the model's input limit is not embedded, and says why (never truncated).
    void inputLimit()
    {
        tokenizer::Tokenizers tokenizers;
        RemoteEmbedderConfig c;
        const auto small = inputFits(tokenizers, c, u"How do I reset my password?"_s);
        QVERIFY(small);
        QCOMPARE(*small, 7);
        const QString big = u"word "_s.repeated(9000); // 9000 tokens in cl100k_base
        const auto tooLong = inputFits(tokenizers, c, big);
        QVERIFY(!tooLong);
        QCOMPARE(tooLong.error().code, ErrorCode::Unsupported);
        QVERIFY(tooLong.error().message.contains(u"8191"_s));
        c.model = u"nomic-embed-text"_s; // unknown model, no configured limit: any length
        QVERIFY(inputFits(tokenizers, c, big));
        c.maxInputTokens = 2048;
        QVERIFY(!inputFits(tokenizers, c, big));
    }
};

QTEST_GUILESS_MAIN(SemanticKeyTest)
#include "SemanticKeyTest.moc"
