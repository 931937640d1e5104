// Dynamic few-shot (issue #5 section 4): JSONL import, the JSON store, selection by similarity with
// the local embedder, insertion in the three API shapes, token accounting.
#include "compress/FewShot.h"
#include "semantic/LocalEmbedder.h"
#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/Tokenizers.h"

#include "TestSupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::compress;

namespace {

FewShotSet supportSet()
{
    FewShotSet s;
    s.name = u"support"_s;
    s.endpoint = u"helpdesk"_s;
    s.examples = {
        {u"How do I reset my password?"_s, u"Open Settings > Security > Reset password and follow the email link."_s},
        {u"Where is my parcel? The tracking number does not work."_s,
         u"Tracking numbers activate within 24 hours of shipping."_s},
        {u"I want a refund for a damaged item."_s,
         u"Sorry about that. Refunds for damaged items are issued within 5 days."_s},
        {u"Can I change the delivery address of my order?"_s, u"Yes, until the order ships: Orders > Edit address."_s},
        {u"How do I delete my account?"_s, u"Settings > Account > Delete account. This cannot be undone."_s},
        {u"我忘记了密码，怎么重置？"_s, u"请打开设置 > 安全 > 重置密码。"_s},
    };
    return s;
}

QJsonObject msg(const QString &role, const QString &content)
{
    return QJsonObject {{u"role"_s, role}, {u"content"_s, content}};
}

} // namespace

class FewShotTest : public QObject
{
    Q_OBJECT

private:
    tokenizer::Tokenizers m_tokenizers;
    semantic::LocalEmbedder m_embedder;

    FewShotIndex index(const QString &model = u"gpt-4o"_s)
    {
        auto idx = FewShotIndex::build(supportSet(), m_embedder, m_tokenizers, model);
        if (!idx)
            qFatal("index: %s", qPrintable(idx.error().message));
        return *idx;
    }

    qint64 promptTokens(const QJsonObject &body)
    {
        return tokenizer::ChatTokenCounter::forModel(m_tokenizers, body[u"model"_s].toString())
            ->countRequest(body)
            .promptTokens;
    }

private Q_SLOTS:
    void importJsonlReportsBadLines()
    {
        const QByteArray jsonl = "\xEF\xBB\xBF{\"input\": \"hi\", \"output\": \"hello\"}\r\n"
                                 "{\"input\": \"bye\", \"output\": \"goodbye\", \"tag\": 1}\n"
                                 "{\"input\": \"broken\", \n"
                                 "\n"
                                 "{\"input\": \"no output\"}\n"
                                 "[1, 2]\n"
                                 "{\"input\": \"\", \"output\": \"x\"}\n"
                                 "{\"input\": \"你好\", \"output\": \"您好\"}";
        const JsonlImport r = importJsonl(jsonl);
        QCOMPARE(r.examples.size(), 3);
        QCOMPARE(r.examples[0], (FewShotExample {u"hi"_s, u"hello"_s}));
        QCOMPARE(r.examples[1], (FewShotExample {u"bye"_s, u"goodbye"_s}));
        QCOMPARE(r.examples[2], (FewShotExample {u"你好"_s, u"您好"_s}));
        QCOMPARE(r.errors.size(), 4);
        QCOMPARE(r.errors[0].line, 3);
        QVERIFY(r.errors[0].message.contains(u"not valid JSON"_s));
        QCOMPARE(r.errors[1].line, 5);
        QVERIFY(r.errors[1].message.contains(u"\"output\""_s));
        QCOMPARE(r.errors[2].line, 6);
        QVERIFY(r.errors[2].message.contains(u"object"_s));
        QCOMPARE(r.errors[3].line, 7);
        QVERIFY(r.errors[3].message.contains(u"\"input\""_s));
    }

    void storeRoundTripInAFile()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"fewshot.json"_s);
        {
            FewShotStore store(path);
            QVERIFY(store.load()); // missing file: empty store
            QVERIFY(store.sets().isEmpty());
            store.upsert(supportSet());
            FewShotSet other {u"tags"_s, QString(), {{u"a"_s, u"b"_s}}};
            store.upsert(other);
            other.examples << FewShotExample {u"c"_s, u"d"_s};
            store.upsert(other); // replaces
            QVERIFY(store.save());
        }
        FewShotStore loaded(path);
        QVERIFY(loaded.load());
        QCOMPARE(loaded.sets().size(), 2);
        QVERIFY(loaded.find(u"support"_s));
        QCOMPARE(*loaded.find(u"support"_s), supportSet());
        QCOMPARE(loaded.find(u"tags"_s)->examples.size(), 2);
        QVERIFY(loaded.remove(u"tags"_s));
        QVERIFY(!loaded.remove(u"tags"_s));
        QVERIFY(!loaded.find(u"tags"_s));

        QFile f(dir.filePath(u"bad.json"_s));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"version":1,"sets":[{"name":"x","examples":[{"input":1}]}]})");
        f.close();
        FewShotStore bad(f.fileName());
        auto r = bad.load();
        QVERIFY(!r);
        QCOMPARE(r.error().code, ErrorCode::Parse);
        QVERIFY(r.error().message.contains(u"sets[0].examples[0]"_s));
    }

    void selectsTheMostSimilar_data()
    {
        QTest::addColumn<QString>("question");
        QTest::addColumn<int>("best");
        QTest::newRow("password") << u"I forgot my password, how can I reset it?"_s << 0;
        QTest::newRow("tracking") << u"My parcel tracking number is not working"_s << 1;
        QTest::newRow("refund") << u"The item arrived damaged, I'd like a refund"_s << 2;
        QTest::newRow("address") << u"change delivery address for order 123"_s << 3;
        QTest::newRow("delete") << u"please delete my account"_s << 4;
        QTest::newRow("Chinese") << u"密码忘记了，如何重置"_s << 5;
    }

    void selectsTheMostSimilar()
    {
        QFETCH(QString, question);
        QFETCH(int, best);
        const FewShotIndex idx = index();
        const FewShotSelection one = idx.select(question, 1);
        QCOMPARE(one.indices.size(), 1);
        QCOMPARE(one.indices.first(), best);

        const FewShotSelection three = idx.select(question, 3);
        QCOMPARE(three.indices.size(), 3);
        QCOMPARE(three.indices.first(), best);
        QVERIFY(three.similarities[0] >= three.similarities[1]);
        QVERIFY(three.similarities[1] >= three.similarities[2]);
        QVERIFY(three.similarities[0] > three.similarities[2]);
    }

    void kIsClampedToOneToThree()
    {
        const FewShotIndex idx = index();
        QCOMPARE(idx.select(u"refund"_s, 0).indices.size(), 1);
        QCOMPARE(idx.select(u"refund"_s, 10).indices.size(), 3);
        auto small
            = FewShotIndex::build(FewShotSet {u"s"_s, {}, {{u"a"_s, u"b"_s}}}, m_embedder, m_tokenizers, u"gpt-4o"_s);
        QVERIFY(small);
        QCOMPARE(small->select(u"a"_s, 3).indices.size(), 1);
        auto empty = FewShotIndex::build(FewShotSet {u"e"_s, {}, {}}, m_embedder, m_tokenizers, u"gpt-4o"_s);
        QVERIFY(empty);
        const FewShotSelection none = empty->select(u"a"_s, 3);
        QVERIFY(none.indices.isEmpty());
        QCOMPARE(none.insertedTokens, qint64(0));
        QCOMPARE(none.wholeSetTokens, qint64(0));
    }

    void tokenAccountingMatchesTheInsertedMessages()
    {
        const FewShotIndex idx = index();
        const QJsonObject body {
            {u"model"_s, u"gpt-4o"_s},
            {u"messages"_s,
             QJsonArray {msg(u"system"_s, u"You are a support agent."_s), msg(u"user"_s, u"I forgot my password"_s)}}};
        const QString last = lastUserMessage(body, BodyShape::ChatCompletions);
        QCOMPARE(last, u"I forgot my password"_s);
        const FewShotSelection sel = idx.select(last, 2);
        const QJsonObject withExamples = insertExamples(body, BodyShape::ChatCompletions, idx.set(), sel);

        // The tokenizer's count of the request grows by exactly insertedTokens.
        QCOMPARE(promptTokens(withExamples) - promptTokens(body), sel.insertedTokens);

        // wholeSetTokens is what inserting every example would add.
        FewShotSelection all;
        for (int i = 0; i < idx.set().examples.size(); ++i)
            all.indices << i;
        const QJsonObject everything = insertExamples(body, BodyShape::ChatCompletions, idx.set(), all);
        QCOMPARE(promptTokens(everything) - promptTokens(body), sel.wholeSetTokens);
        QVERIFY(sel.savedTokens() > 0);
        QCOMPARE(sel.savedTokens(), sel.wholeSetTokens - sel.insertedTokens);

        // Placement: after the system message, most similar last, then the real question.
        const QJsonArray m = withExamples[u"messages"_s].toArray();
        QCOMPARE(m.size(), 6);
        QCOMPARE(m[0][u"role"_s].toString(), u"system"_s);
        QCOMPARE(m[1][u"role"_s].toString(), u"user"_s);
        QCOMPARE(m[2][u"role"_s].toString(), u"assistant"_s);
        QCOMPARE(m[3][u"content"_s].toString(), idx.set().examples[sel.indices[0]].input);
        QCOMPARE(m[4][u"content"_s].toString(), idx.set().examples[sel.indices[0]].output);
        QCOMPARE(m[5], body[u"messages"_s][1]);
    }

    void anthropicAndResponsesShapes()
    {
        const FewShotIndex idx = index(u"claude-sonnet-4-5"_s);
        const QJsonObject anthropic {
            {u"model"_s, u"claude-sonnet-4-5"_s},
            {u"system"_s, u"Support agent"_s},
            {u"max_tokens"_s, 100},
            {u"messages"_s,
             QJsonArray {QJsonObject {{u"role"_s, u"user"_s},
                                      {u"content"_s,
                                       QJsonArray {QJsonObject {{u"type"_s, u"text"_s},
                                                                {u"text"_s, u"refund please, it is damaged"_s}}}}}}}};
        const QString last = lastUserMessage(anthropic, BodyShape::Messages);
        QCOMPARE(last, u"refund please, it is damaged"_s);
        const FewShotSelection sel = idx.select(last, 1);
        QCOMPARE(sel.indices, QList<int> {2});
        const QJsonObject out = insertExamples(anthropic, BodyShape::Messages, idx.set(), sel);
        QCOMPARE(out[u"system"_s], anthropic[u"system"_s]);
        const QJsonArray m = out[u"messages"_s].toArray();
        QCOMPARE(m.size(), 3);
        QCOMPARE(m[0][u"role"_s].toString(), u"user"_s);
        QCOMPARE(m[0][u"content"_s].toString(), idx.set().examples[2].input);
        QCOMPARE(m[1][u"role"_s].toString(), u"assistant"_s);
        QCOMPARE(m[2], anthropic[u"messages"_s][0]);
        QCOMPARE(promptTokens(out) - promptTokens(anthropic), sel.insertedTokens);

        const QJsonObject responses {
            {u"model"_s, u"gpt-4.1"_s}, {u"instructions"_s, u"Support"_s}, {u"input"_s, u"how to delete my account"_s}};
        QCOMPARE(lastUserMessage(responses, BodyShape::Responses), u"how to delete my account"_s);
        const FewShotSelection rs = index(u"gpt-4.1"_s).select(lastUserMessage(responses, BodyShape::Responses), 1);
        const QJsonArray input = insertExamples(responses, BodyShape::Responses, idx.set(), rs)[u"input"_s].toArray();
        QCOMPARE(input.size(), 3);
        QCOMPARE(input[0][u"content"_s].toString(), idx.set().examples[4].input);
        QCOMPARE(input[1][u"role"_s].toString(), u"assistant"_s);
        QCOMPARE(input[2][u"role"_s].toString(), u"user"_s);
        QCOMPARE(input[2][u"content"_s].toString(), u"how to delete my account"_s);
    }

    void lastUserMessageSkipsToolResults()
    {
        const QJsonObject anthropic {
            {u"messages"_s,
             QJsonArray {msg(u"user"_s, u"the question"_s),
                         QJsonObject {{u"role"_s, u"assistant"_s},
                                      {u"content"_s,
                                       QJsonArray {QJsonObject {{u"type"_s, u"tool_use"_s},
                                                                {u"id"_s, u"t"_s},
                                                                {u"name"_s, u"f"_s},
                                                                {u"input"_s, QJsonObject {}}}}}},
                         QJsonObject {{u"role"_s, u"user"_s},
                                      {u"content"_s,
                                       QJsonArray {QJsonObject {{u"type"_s, u"tool_result"_s},
                                                                {u"tool_use_id"_s, u"t"_s},
                                                                {u"content"_s, u"42"_s}}}}}}}};
        QCOMPARE(lastUserMessage(anthropic, BodyShape::Messages), u"the question"_s);
        QCOMPARE(lastUserMessage(QJsonObject {}, BodyShape::ChatCompletions), QString());
        // Nothing selected: the body is returned as it was.
        QCOMPARE(insertExamples(anthropic, BodyShape::Messages, supportSet(), FewShotSelection {}), anthropic);
    }
};

QTEST_GUILESS_MAIN(FewShotTest)
#include "FewShotTest.moc"
