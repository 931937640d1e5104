// Prompt compression (issue #5 section 3): redundancy removal, history trimming to a token budget,
// the summary request/answer and the summary cache (memory LRU and a real SQLite file).
#include "compress/HistoryTrimmer.h"
#include "compress/Redundancy.h"
#include "compress/SummaryCache.h"
#include "tokenizer/ChatTokenCounter.h"
#include "tokenizer/Tokenizers.h"

#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::compress;

namespace {

QJsonObject msg(const QString &role, const QString &content)
{
    return QJsonObject {{u"role"_s, role}, {u"content"_s, content}};
}

// A sentence of about `words` words that differs per `seed` (so messages are not identical).
QString prose(int seed, int words)
{
    static const QStringList vocab {u"budget"_s,    u"invoice"_s,  u"shipment"_s, u"customer"_s, u"delay"_s,
                                    u"warehouse"_s, u"refund"_s,   u"policy"_s,   u"order"_s,    u"quarter"_s,
                                    u"supplier"_s,  u"contract"_s, u"deadline"_s, u"report"_s,   u"meeting"_s};
    QStringList out;
    for (int i = 0; i < words; ++i)
        out << vocab[(seed * 7 + i * 3) % vocab.size()] + QString::number((seed + i) % 10);
    return out.join(u' ');
}

// An OpenAI conversation: system, then `turns` user/assistant turns; every third turn the assistant
// calls a tool (two calls answered by two tool messages) before answering.
QJsonObject openAiConversation(int turns, int wordsPerMessage = 60)
{
    QJsonArray messages {msg(u"system"_s, u"You are a logistics assistant."_s)};
    for (int t = 0; t < turns; ++t) {
        messages.append(msg(u"user"_s, u"Question %1: "_s.arg(t) + prose(t, wordsPerMessage)));
        if (t % 3 == 1) {
            const QString a = u"call_%1a"_s.arg(t), b = u"call_%1b"_s.arg(t);
            QJsonObject calls {
                {u"role"_s, u"assistant"_s},
                {u"content"_s, QJsonValue::Null},
                {u"tool_calls"_s,
                 QJsonArray {
                     QJsonObject {
                         {u"id"_s, a},
                         {u"type"_s, u"function"_s},
                         {u"function"_s, QJsonObject {{u"name"_s, u"lookup"_s}, {u"arguments"_s, u"{\"q\":1}"_s}}}},
                     QJsonObject {
                         {u"id"_s, b},
                         {u"type"_s, u"function"_s},
                         {u"function"_s, QJsonObject {{u"name"_s, u"lookup"_s}, {u"arguments"_s, u"{\"q\":2}"_s}}}}}}};
            messages.append(calls);
            messages.append(
                QJsonObject {{u"role"_s, u"tool"_s}, {u"tool_call_id"_s, a}, {u"content"_s, prose(t + 50, 30)}});
            messages.append(
                QJsonObject {{u"role"_s, u"tool"_s}, {u"tool_call_id"_s, b}, {u"content"_s, prose(t + 60, 30)}});
        }
        messages.append(msg(u"assistant"_s, u"Answer %1: "_s.arg(t) + prose(t + 100, wordsPerMessage)));
    }
    messages.append(msg(u"user"_s, u"Final question: what is the status of order 42?"_s));
    return QJsonObject {{u"model"_s, u"gpt-4o"_s}, {u"messages"_s, messages}};
}

QJsonObject anthropicConversation(int turns)
{
    QJsonArray messages;
    for (int t = 0; t < turns; ++t) {
        messages.append(msg(u"user"_s, u"Question %1: "_s.arg(t) + prose(t, 60)));
        if (t % 2 == 1) {
            const QString id = u"toolu_%1"_s.arg(t);
            messages.append(
                QJsonObject {{u"role"_s, u"assistant"_s},
                             {u"content"_s,
                              QJsonArray {QJsonObject {{u"type"_s, u"text"_s}, {u"text"_s, u"Let me check."_s}},
                                          QJsonObject {{u"type"_s, u"tool_use"_s},
                                                       {u"id"_s, id},
                                                       {u"name"_s, u"lookup"_s},
                                                       {u"input"_s, QJsonObject {{u"q"_s, t}}}}}}});
            messages.append(QJsonObject {
                {u"role"_s, u"user"_s},
                {u"content"_s,
                 QJsonArray {QJsonObject {
                     {u"type"_s, u"tool_result"_s}, {u"tool_use_id"_s, id}, {u"content"_s, prose(t + 40, 40)}}}}});
        }
        messages.append(msg(u"assistant"_s, u"Answer %1: "_s.arg(t) + prose(t + 100, 60)));
    }
    messages.append(msg(u"user"_s, u"And now?"_s));
    return QJsonObject {{u"model"_s, u"claude-sonnet-4-5"_s},
                        {u"max_tokens"_s, 1024},
                        {u"system"_s, u"You are a logistics assistant."_s},
                        {u"messages"_s, messages}};
}

// A summary of exactly about `tokens` tokens for gpt-4o ("word " is one token each in o200k).
QString summaryOf(int tokens)
{
    return QString(u"fact "_s).repeated(tokens).trimmed();
}

// Every tool result (role tool / tool_result block) answers a call in the message right before its
// group; the kept conversation never starts with a tool result.
void checkToolPairs(const QJsonArray &messages, bool anthropic)
{
    QSet<QString> open;
    bool seenNonSystem = false;
    for (const QJsonValue &v : messages) {
        const QJsonObject m = v.toObject();
        const QString role = m.value(u"role"_s).toString();
        if (role == u"system"_s || role == u"developer"_s)
            continue;
        QStringList results;
        if (anthropic) {
            for (const QJsonValue &b : m.value(u"content"_s).toArray()) {
                const QJsonObject block = b.toObject();
                if (block.value(u"type"_s) == u"tool_result"_s)
                    results << block.value(u"tool_use_id"_s).toString();
                if (block.value(u"type"_s) == u"tool_use"_s)
                    open.insert(block.value(u"id"_s).toString());
            }
        } else {
            if (role == u"tool"_s)
                results << m.value(u"tool_call_id"_s).toString();
            for (const QJsonValue &c : m.value(u"tool_calls"_s).toArray())
                open.insert(c.toObject().value(u"id"_s).toString());
        }
        if (!seenNonSystem) {
            QVERIFY2(results.isEmpty(), "the kept conversation starts with a tool result");
            if (anthropic)
                QCOMPARE(role, u"user"_s);
        }
        seenNonSystem = true;
        for (const QString &id : std::as_const(results))
            QVERIFY2(open.contains(id), qPrintable(u"tool result %1 without its call"_s.arg(id)));
    }
}

} // namespace

class CompressorTest : public QObject
{
    Q_OBJECT

private:
    tokenizer::Tokenizers m_tokenizers;

    qint64 promptTokens(const QJsonObject &body)
    {
        auto counter = tokenizer::ChatTokenCounter::forModel(m_tokenizers, body.value(u"model"_s).toString());
        if (!counter)
            return -1;
        return counter->countRequest(body).promptTokens;
    }

private Q_SLOTS:
    void redundancy_data()
    {
        QTest::addColumn<QString>("input");
        QTest::addColumn<QString>("expected");

        QTest::newRow("three blank lines become one") << u"a\n\n\n\nb"_s << u"a\n\nb"_s;
        QTest::newRow("six blank lines become one") << u"a\n\n\n\n\n\n\nb"_s << u"a\n\nb"_s;
        QTest::newRow("two blank lines stay") << u"a\n\n\nb"_s << u"a\n\n\nb"_s;
        QTest::newRow("one blank line stays") << u"a\n\nb"_s << u"a\n\nb"_s;
        QTest::newRow("trailing spaces and tabs go") << u"a  \t\nb \nc\t"_s << u"a\nb\nc"_s;
        QTest::newRow("leading indentation stays") << u"    x = 1  \n\ty"_s << u"    x = 1\n\ty"_s;
        QTest::newRow("whitespace-only lines count as blank") << u"a\n  \n\t\n \nb"_s << u"a\n\nb"_s;
        QTest::newRow("CRLF line breaks are kept") << u"a \r\n\r\n\r\n\r\nb"_s << u"a\r\n\r\nb"_s;
        QTest::newRow("CJK text") << u"第一行  \n\n\n\n第二行"_s << u"第一行\n\n第二行"_s;
        QTest::newRow("fenced code block is untouched")
            << u"text  \n```python\nx = 1  \n\n\n\n\ny = 2\t\n```\nafter  "_s
            << u"text\n```python\nx = 1  \n\n\n\n\ny = 2\t\n```\nafter"_s;
        QTest::newRow("tilde fence, indented, is untouched")
            << u"  ~~~~\na  \n\n\n\n  ~~~~\nb  "_s << u"  ~~~~\na  \n\n\n\n  ~~~~\nb"_s;
        QTest::newRow("a shorter fence does not close a longer one")
            << u"````\n```\n  \n\n\n\n````\nz  "_s << u"````\n```\n  \n\n\n\n````\nz"_s;
        QTest::newRow("an unclosed fence runs to the end") << u"```\na  \n\n\n\nb  "_s << u"```\na  \n\n\n\nb  "_s;
        QTest::newRow("inline code is untouched") << u"run `a  \n\n\n\nb` now  "_s << u"run `a  \n\n\n\nb` now"_s;
        QTest::newRow("double-quoted literal is untouched")
            << u"say \"hi  \n\n\n\nthere\" ok  "_s << u"say \"hi  \n\n\n\nthere\" ok"_s;
        QTest::newRow("single-quoted literal is untouched")
            << u"name 'a  \n\n\n\nb' end  "_s << u"name 'a  \n\n\n\nb' end"_s;
        QTest::newRow("an apostrophe is not a quote") << u"don't  \n\n\n\nstop"_s << u"don't\n\nstop"_s;
        QTest::newRow("an unmatched double quote protects nothing") << u"a \"b  \n\n\n\nc"_s << u"a \"b\n\nc"_s;
        QTest::newRow("text around a literal still changes")
            << u"x  \n\n\n\n\"k  \" y  \n\n\n\nz"_s << u"x\n\n\"k  \" y\n\nz"_s;
        QTest::newRow("nothing to do") << u"clean\ntext"_s << u"clean\ntext"_s;
        QTest::newRow("empty") << QString() << QString();
    }

    void redundancy()
    {
        QFETCH(QString, input);
        QFETCH(QString, expected);
        const RedundancyResult r = removeRedundancy(input);
        QCOMPARE(r.text, expected);
        QCOMPARE(r.charsSaved, input.size() - expected.size());
        QCOMPARE(r.changed, input != expected);
        // Idempotent.
        QCOMPARE(removeRedundancy(r.text).text, r.text);
    }

    void redundancyPropertiesOnRandomText()
    {
        // Random mixes of the characters that matter: only spaces, tabs and line breaks may go, the
        // result is stable under a second pass, and a fenced block survives byte for byte.
        QRandomGenerator rng(20261129);
        const QStringList pieces {u" "_s,   u"\t"_s,  u"\n"_s,   u"\n\n\n"_s, u"\r\n"_s, u"\""_s, u"'"_s,   u"`"_s,
                                  u"```"_s, u"~~~"_s, u"word"_s, u"don't"_s,  u"中文"_s, u"x"_s,  u"  \n"_s};
        for (int round = 0; round < 2000; ++round) {
            QString text;
            const int n = int(rng.bounded(1, 60));
            for (int i = 0; i < n; ++i)
                text += pieces[int(rng.bounded(int(pieces.size())))];
            const QString fenced = u"\n```\nkeep  \n\n\n\n  me\t\n```\n"_s;
            const bool withFence = round % 4 == 0 && !text.contains(u"```"_s) && !text.contains(u"~~~"_s);
            if (withFence)
                text += fenced;
            const RedundancyResult r = removeRedundancy(text);
            const auto strip = [](QString s) {
                s.remove(u' ');
                s.remove(u'\t');
                s.remove(u'\n');
                s.remove(u'\r');
                return s;
            };
            QCOMPARE(strip(r.text), strip(text));
            QCOMPARE(r.charsSaved, text.size() - r.text.size());
            QVERIFY(r.charsSaved >= 0);
            QCOMPARE(removeRedundancy(r.text).text, r.text);
            if (withFence && text.count(u'"') % 2 == 0 && !text.contains(u'\'') && !text.contains(u'`'))
                QVERIFY(r.text.endsWith(fenced.mid(1)));
        }
    }

    void redundancyInBodies()
    {
        const QJsonObject chat {
            {u"model"_s, u"gpt-4o"_s},
            {u"messages"_s,
             QJsonArray {msg(u"system"_s, u"Rules:  \n\n\n\n- be brief"_s),
                         QJsonObject {{u"role"_s, u"user"_s},
                                      {u"content"_s,
                                       QJsonArray {QJsonObject {{u"type"_s, u"text"_s}, {u"text"_s, u"hi  "_s}}}}}}},
            {u"tools"_s,
             QJsonArray {QJsonObject {
                 {u"type"_s, u"function"_s},
                 {u"function"_s, QJsonObject {{u"name"_s, u"f"_s}, {u"description"_s, u"d  \n\n\n\n"_s}}}}}}};
        const BodyRedundancyResult r = removeRedundancyInBody(chat, BodyShape::ChatCompletions);
        QCOMPARE(r.stringsChanged, 2);
        QCOMPARE(r.charsSaved, qint64(4 + 2)); // "  " + two of the blank lines, and "hi  "
        QCOMPARE(r.body[u"messages"_s][0][u"content"_s].toString(), u"Rules:\n\n- be brief"_s);
        QCOMPARE(r.body[u"messages"_s][1][u"content"_s][0][u"text"_s].toString(), u"hi"_s);
        QCOMPARE(r.body[u"tools"_s], chat[u"tools"_s]); // tool definitions untouched

        const QJsonObject anthropic {
            {u"model"_s, u"claude-sonnet-4-5"_s},
            {u"system"_s, QJsonArray {QJsonObject {{u"type"_s, u"text"_s}, {u"text"_s, u"sys  "_s}}}},
            {u"messages"_s,
             QJsonArray {QJsonObject {{u"role"_s, u"user"_s},
                                      {u"content"_s,
                                       QJsonArray {QJsonObject {{u"type"_s, u"tool_result"_s},
                                                                {u"tool_use_id"_s, u"t"_s},
                                                                {u"content"_s, u"out  \n\n\n\nend"_s}}}}}}}};
        const BodyRedundancyResult a = removeRedundancyInBody(anthropic, BodyShape::Messages);
        QCOMPARE(a.stringsChanged, 2);
        QCOMPARE(a.body[u"system"_s][0][u"text"_s].toString(), u"sys"_s);
        QCOMPARE(a.body[u"messages"_s][0][u"content"_s][0][u"content"_s].toString(), u"out\n\nend"_s);

        const QJsonObject clean {{u"model"_s, u"gpt-4o"_s}, {u"input"_s, u"fine"_s}};
        const BodyRedundancyResult c = removeRedundancyInBody(clean, BodyShape::Responses);
        QCOMPARE(c.stringsChanged, 0);
        QCOMPARE(c.body, clean);
    }

    void trimmingFitsTheBudget_data()
    {
        QTest::addColumn<qint64>("budget");
        for (qint64 b = 900; b <= 3500; b += 100)
            QTest::newRow(qPrintable(u"budget %1 tokens"_s.arg(b))) << b;
    }

    void trimmingFitsTheBudget()
    {
        QFETCH(qint64, budget);
        const QJsonObject body = openAiConversation(12);
        HistoryTrimmer trimmer(m_tokenizers);
        TrimOptions options;
        options.budgetTokens = budget;
        options.summaryModel = u"gpt-4.1-nano"_s;
        options.maxSummaryTokens = 150;
        auto plan = trimmer.plan(body, BodyShape::ChatCompletions, options);
        QVERIFY(plan);
        QCOMPARE(plan->tokensBefore, promptTokens(body));
        QVERIFY(plan->tokensBefore > budget);
        QVERIFY(plan->needed);
        QVERIFY(plan->fitsBudget);
        QCOMPARE(plan->systemCount, 1);
        QCOMPARE(plan->droppedBegin, 1);
        QVERIFY(plan->droppedCount() > 0);
        QCOMPARE(plan->prefixKeys.size(), plan->droppedCount());
        QVERIFY(plan->keptTokens <= qint64(0.7 * double(budget)));

        // A summary as long as allowed: the result still fits, counted by the tokenizer.
        const QJsonObject trimmed = HistoryTrimmer::apply(body, *plan, summaryOf(150));
        const qint64 after = promptTokens(trimmed);
        QVERIFY2(after <= budget, qPrintable(u"%1 > %2"_s.arg(after).arg(budget)));
        QVERIFY(after <= plan->expectedTokensAfter);

        const QJsonArray in = body[u"messages"_s].toArray();
        const QJsonArray out = trimmed[u"messages"_s].toArray();
        QCOMPARE(out[0], in[0]); // the system message
        QCOMPARE(out[1][u"role"_s].toString(), u"system"_s);
        QVERIFY(out[1][u"content"_s].toString().startsWith(u"[Conversation summary] fact"_s));
        QCOMPARE(out.last(), in.last()); // the last user message
        QCOMPARE(out.size(), in.size() - plan->droppedCount() + 1);
        // The kept tail is the original tail, unchanged.
        for (qsizetype i = 2; i < out.size(); ++i)
            QCOMPARE(out[i], in[plan->droppedEnd + i - 2]);
        checkToolPairs(out, false);
    }

    void toolPairsStayTogetherAtEveryCut()
    {
        // Budgets one token apart put the 70% boundary inside every group at some point.
        const QJsonObject body = openAiConversation(6, 20);
        HistoryTrimmer trimmer(m_tokenizers);
        const QJsonArray in = body[u"messages"_s].toArray();
        QSet<int> cuts;
        for (qint64 budget = 150; budget < promptTokens(body); budget += 7) {
            TrimOptions options {budget, 0.7, u"gpt-4.1-nano"_s, 20, {}};
            auto plan = trimmer.plan(body, BodyShape::ChatCompletions, options);
            QVERIFY(plan);
            if (!plan->needed)
                continue;
            cuts.insert(plan->droppedEnd);
            const QString first = in[plan->droppedEnd][u"role"_s].toString();
            QVERIFY2(first != u"tool"_s, qPrintable(u"cut at a tool result for budget %1"_s.arg(budget)));
            checkToolPairs(HistoryTrimmer::apply(body, *plan, u"s"_s)[u"messages"_s].toArray(), false);
        }
        QVERIFY2(cuts.size() >= 5, "the budgets should exercise several cut points");
    }

    void anthropicShape()
    {
        const QJsonObject body = anthropicConversation(10);
        HistoryTrimmer trimmer(m_tokenizers);
        const qint64 before = promptTokens(body);
        const qint64 budget = before / 2;
        TrimOptions options {budget, 0.7, u"claude-haiku-4-5"_s, 100, {}};
        auto plan = trimmer.plan(body, BodyShape::Messages, options);
        QVERIFY(plan);
        QVERIFY(plan->needed);
        QVERIFY(plan->fitsBudget);
        QCOMPARE(plan->systemCount, 0);
        const QJsonObject trimmed = HistoryTrimmer::apply(body, *plan, summaryOf(100));
        QVERIFY(promptTokens(trimmed) <= budget);
        // The summary goes into the top-level system; messages hold no system role.
        QCOMPARE(trimmed[u"system"_s].toString(),
                 u"You are a logistics assistant.\n\n[Conversation summary] "_s + summaryOf(100));
        const QJsonArray out = trimmed[u"messages"_s].toArray();
        for (const QJsonValue &m : out)
            QVERIFY(m[u"role"_s].toString() != u"system"_s);
        QCOMPARE(out.last(), body[u"messages"_s].toArray().last());
        checkToolPairs(out, true);

        // System given as blocks: the summary is one more text block.
        QJsonObject blocks = body;
        blocks.insert(u"system"_s, QJsonArray {QJsonObject {{u"type"_s, u"text"_s}, {u"text"_s, u"Sys"_s}}});
        auto plan2 = trimmer.plan(blocks, BodyShape::Messages, options);
        QVERIFY(plan2);
        const QJsonArray sys = HistoryTrimmer::apply(blocks, *plan2, u"S"_s)[u"system"_s].toArray();
        QCOMPARE(sys.size(), 2);
        QCOMPARE(sys[1][u"text"_s].toString(), u"[Conversation summary] S"_s);

        // Every cut point keeps tool_use and tool_result together and opens with a user message.
        for (qint64 b = 300; b < before; b += 11) {
            auto p = trimmer.plan(body, BodyShape::Messages, TrimOptions {b, 0.7, u"m"_s, 30, {}});
            QVERIFY(p);
            if (p->needed)
                checkToolPairs(HistoryTrimmer::apply(body, *p, u"s"_s)[u"messages"_s].toArray(), true);
        }
    }

    void randomConversationsKeepTheInvariants()
    {
        // Random OpenAI and Anthropic conversations (plain turns, single and parallel tool calls,
        // short and long messages) under random budgets.
        QRandomGenerator rng(7);
        HistoryTrimmer trimmer(m_tokenizers);
        int trimmed = 0;
        for (int round = 0; round < 120; ++round) {
            const bool anthropic = round % 2 == 1;
            QJsonArray messages;
            if (!anthropic && rng.bounded(2))
                messages.append(msg(u"system"_s, prose(round, int(rng.bounded(1, 80)))));
            const int turns = int(rng.bounded(1, 12));
            for (int t = 0; t < turns; ++t) {
                messages.append(msg(u"user"_s, prose(t + round, int(rng.bounded(1, 120)))));
                const int calls = int(rng.bounded(0, 3));
                if (calls > 0) {
                    QJsonArray toolCalls, blocks, results;
                    for (int c = 0; c < calls; ++c) {
                        const QString id = u"id_%1_%2_%3"_s.arg(round).arg(t).arg(c);
                        toolCalls.append(QJsonObject {
                            {u"id"_s, id},
                            {u"type"_s, u"function"_s},
                            {u"function"_s, QJsonObject {{u"name"_s, u"f"_s}, {u"arguments"_s, u"{}"_s}}}});
                        blocks.append(QJsonObject {{u"type"_s, u"tool_use"_s},
                                                   {u"id"_s, id},
                                                   {u"name"_s, u"f"_s},
                                                   {u"input"_s, QJsonObject {}}});
                        results.append(QJsonObject {{u"type"_s, u"tool_result"_s},
                                                    {u"tool_use_id"_s, id},
                                                    {u"content"_s, prose(c, int(rng.bounded(1, 60)))}});
                    }
                    if (anthropic) {
                        messages.append(QJsonObject {{u"role"_s, u"assistant"_s}, {u"content"_s, blocks}});
                        messages.append(QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, results}});
                    } else {
                        messages.append(QJsonObject {{u"role"_s, u"assistant"_s},
                                                     {u"content"_s, QJsonValue::Null},
                                                     {u"tool_calls"_s, toolCalls}});
                        for (const QJsonValue &r : std::as_const(results))
                            messages.append(QJsonObject {{u"role"_s, u"tool"_s},
                                                         {u"tool_call_id"_s, r[u"tool_use_id"_s]},
                                                         {u"content"_s, r[u"content"_s]}});
                    }
                }
                messages.append(msg(u"assistant"_s, prose(t + 3 * round, int(rng.bounded(1, 120)))));
            }
            messages.append(msg(u"user"_s, prose(round + 9, int(rng.bounded(1, 40)))));
            QJsonObject body {{u"model"_s, anthropic ? u"claude-sonnet-4-5"_s : u"gpt-4o"_s},
                              {u"messages"_s, messages}};
            if (anthropic)
                body.insert(u"system"_s, u"sys"_s);
            const qint64 before = promptTokens(body);
            const qint64 budget = std::max<qint64>(50, qint64(rng.bounded(int(before) + 1)));
            const qint64 summaryTokens = int(rng.bounded(5, 60));
            auto plan = trimmer.plan(body, anthropic ? BodyShape::Messages : BodyShape::ChatCompletions,
                                     TrimOptions {budget, 0.7, u"m"_s, summaryTokens, {}});
            QVERIFY(plan);
            QCOMPARE(plan->tokensBefore, before);
            const QJsonObject out = HistoryTrimmer::apply(body, *plan, summaryOf(int(summaryTokens)));
            const QJsonArray outMessages = out[u"messages"_s].toArray();
            QCOMPARE(outMessages.last(), messages.last()); // the last user message stays
            if (!plan->needed) {
                QCOMPARE(out, body);
                QVERIFY(plan->fitsBudget == (before <= budget));
                continue;
            }
            ++trimmed;
            checkToolPairs(outMessages, anthropic);
            const qint64 after = promptTokens(out);
            QVERIFY2(after <= plan->expectedTokensAfter,
                     qPrintable(u"%1 > %2"_s.arg(after).arg(plan->expectedTokensAfter)));
            if (plan->fitsBudget)
                QVERIFY2(after <= budget, qPrintable(u"round %1: %2 > %3"_s.arg(round).arg(after).arg(budget)));
            QVERIFY(after < before);
        }
        QVERIFY2(trimmed > 30, "enough rounds should need trimming");
    }

    void developerRoleIsMirrored()
    {
        QJsonObject body = openAiConversation(8);
        QJsonArray messages = body[u"messages"_s].toArray();
        messages[0] = msg(u"developer"_s, u"You are a logistics assistant."_s);
        body.insert(u"messages"_s, messages);
        HistoryTrimmer trimmer(m_tokenizers);
        auto plan = trimmer.plan(body, BodyShape::ChatCompletions, TrimOptions {1500, 0.7, u"m"_s, 100, {}});
        QVERIFY(plan && plan->needed);
        QCOMPARE(plan->systemCount, 1);
        const QJsonArray out = HistoryTrimmer::apply(body, *plan, u"S"_s)[u"messages"_s].toArray();
        QCOMPARE(out[1][u"role"_s].toString(), u"developer"_s);
        QCOMPARE(out[1][u"content"_s].toString(), u"[Conversation summary] S"_s);
    }

    void underBudgetChangesNothing()
    {
        const QJsonObject body = openAiConversation(2);
        HistoryTrimmer trimmer(m_tokenizers);
        auto plan = trimmer.plan(body, BodyShape::ChatCompletions, TrimOptions {100000, 0.7, u"m"_s, 100, {}});
        QVERIFY(plan);
        QVERIFY(!plan->needed);
        QVERIFY(plan->fitsBudget);
        QCOMPARE(plan->droppedCount(), 0);
        QCOMPARE(plan->expectedTokensAfter, plan->tokensBefore);
        QCOMPARE(HistoryTrimmer::apply(body, *plan, u"unused"_s), body);
    }

    void lastTurnAloneTooBig()
    {
        QJsonObject body = openAiConversation(4);
        QJsonArray messages = body[u"messages"_s].toArray();
        messages.append(msg(u"assistant"_s, u"ok"_s));
        messages.append(msg(u"user"_s, prose(1, 2000))); // about 4000 tokens
        body.insert(u"messages"_s, messages);
        HistoryTrimmer trimmer(m_tokenizers);
        auto plan = trimmer.plan(body, BodyShape::ChatCompletions, TrimOptions {1000, 0.7, u"m"_s, 100, {}});
        QVERIFY(plan);
        QVERIFY(!plan->fitsBudget);
        QVERIFY(!plan->note.isEmpty());
        QVERIFY(plan->needed); // the middle still goes
        const QJsonArray out = HistoryTrimmer::apply(body, *plan, u"s"_s)[u"messages"_s].toArray();
        QCOMPARE(out.last(), messages.last()); // the last user message is never dropped

        // Nothing at all to drop: system + one huge user message.
        const QJsonObject single {
            {u"model"_s, u"gpt-4o"_s},
            {u"messages"_s, QJsonArray {msg(u"system"_s, u"s"_s), msg(u"user"_s, prose(2, 2000))}}};
        auto p2 = trimmer.plan(single, BodyShape::ChatCompletions, TrimOptions {1000, 0.7, u"m"_s, 100, {}});
        QVERIFY(p2);
        QVERIFY(!p2->needed);
        QVERIFY(!p2->fitsBudget);
        QCOMPARE(HistoryTrimmer::apply(single, *p2, u"s"_s), single);
    }

    void planErrors()
    {
        HistoryTrimmer trimmer(m_tokenizers);
        const QJsonObject body = openAiConversation(1);
        auto responses = trimmer.plan(body, BodyShape::Responses, TrimOptions {100, 0.7, u"m"_s, 10, {}});
        QVERIFY(!responses);
        QCOMPARE(responses.error().code, ErrorCode::Unsupported);
        auto zero = trimmer.plan(body, BodyShape::ChatCompletions, TrimOptions {0, 0.7, u"m"_s, 10, {}});
        QVERIFY(!zero);
        QCOMPARE(zero.error().code, ErrorCode::InvalidArgument);
        auto ratio = trimmer.plan(body, BodyShape::ChatCompletions, TrimOptions {100, 1.5, u"m"_s, 10, {}});
        QVERIFY(!ratio);
        auto noMessages = trimmer.plan(QJsonObject {{u"model"_s, u"gpt-4o"_s}}, BodyShape::ChatCompletions,
                                       TrimOptions {100, 0.7, u"m"_s, 10, {}});
        QVERIFY(!noMessages);
        QCOMPARE(noMessages.error().code, ErrorCode::InvalidArgument);
    }

    void summaryRequestAndAnswer()
    {
        const QJsonObject body = openAiConversation(8);
        HistoryTrimmer trimmer(m_tokenizers);
        auto plan = trimmer.plan(body, BodyShape::ChatCompletions, TrimOptions {1500, 0.7, u"gpt-4.1-nano"_s, 200, {}});
        QVERIFY(plan && plan->needed);

        const QJsonObject req = HistoryTrimmer::summaryRequest(body, *plan, BodyShape::ChatCompletions, 200);
        QCOMPARE(req[u"model"_s].toString(), u"gpt-4.1-nano"_s);
        QCOMPARE(req[u"max_completion_tokens"_s].toInt(), 200);
        const QJsonArray m = req[u"messages"_s].toArray();
        QCOMPARE(m.size(), 2);
        QCOMPARE(m[0][u"role"_s].toString(), u"system"_s);
        const QString transcript = m[1][u"content"_s].toString();
        QVERIFY(transcript.contains(u"user: Question 0: "_s));
        QVERIFY(transcript.contains(u"[tool call lookup({\"q\":1})]"_s));
        QVERIFY(transcript.contains(u"tool result: "_s));
        QVERIFY(!transcript.contains(u"Final question"_s)); // kept messages are not summarised

        const QJsonObject anth = HistoryTrimmer::summaryRequest(body, *plan, BodyShape::Messages, 200);
        QCOMPARE(anth[u"max_tokens"_s].toInt(), 200);
        QVERIFY(anth[u"system"_s].isString());
        QCOMPARE(anth[u"messages"_s].toArray().size(), 1);

        const QJsonObject openAiAnswer = QJsonDocument::fromJson(
                                             R"({"id":"x","object":"chat.completion","choices":[{"index":0,
            "message":{"role":"assistant","content":"  The user asked about orders.  "},"finish_reason":"stop"}],
            "usage":{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}})")
                                             .object();
        QCOMPARE(HistoryTrimmer::summaryFromAnswer(openAiAnswer, BodyShape::ChatCompletions).value(),
                 u"The user asked about orders."_s);
        const QJsonObject anthropicAnswer = QJsonDocument::fromJson(
                                                R"({"id":"m","type":"message","role":"assistant",
            "content":[{"type":"text","text":"Orders were discussed."}],"stop_reason":"end_turn",
            "usage":{"input_tokens":10,"output_tokens":4}})")
                                                .object();
        QCOMPARE(HistoryTrimmer::summaryFromAnswer(anthropicAnswer, BodyShape::Messages).value(),
                 u"Orders were discussed."_s);
        auto empty = HistoryTrimmer::summaryFromAnswer(QJsonObject {}, BodyShape::ChatCompletions);
        QVERIFY(!empty);
        QCOMPARE(empty.error().code, ErrorCode::Parse);
    }

    void growingConversationReusesItsSummary()
    {
        HistoryTrimmer trimmer(m_tokenizers);
        SummaryCache cache;
        const TrimOptions options {1500, 0.7, u"gpt-4.1-nano"_s, 150, {}};

        // Turn N.
        const QJsonObject turnN = openAiConversation(8);
        auto p1 = trimmer.plan(turnN, BodyShape::ChatCompletions, options);
        QVERIFY(p1 && p1->needed);
        QVERIFY(!cache.longestPrefix(p1->prefixKeys));
        QVERIFY(cache.insert(p1->summaryKey(), u"S1"_s, p1->droppedCount(), options.summaryModel));
        // The same request again: a full hit, no summary call needed.
        auto again = cache.longestPrefix(p1->prefixKeys);
        QVERIFY(again);
        QCOMPARE(again->coveredCount, p1->droppedCount());
        QCOMPARE(again->summary, u"S1"_s);

        // Turn N+3: the same history plus three more turns; more of it is dropped.
        const QJsonObject later = openAiConversation(11);
        auto p2 = trimmer.plan(later, BodyShape::ChatCompletions, options);
        QVERIFY(p2 && p2->needed);
        QVERIFY(p2->droppedCount() > p1->droppedCount());
        for (int i = 0; i < p1->droppedCount(); ++i)
            QCOMPARE(p2->prefixKeys[i], p1->prefixKeys[i]); // same prefix, same keys
        auto hit = cache.longestPrefix(p2->prefixKeys);
        QVERIFY(hit);
        QCOMPARE(hit->coveredCount, p1->droppedCount());
        QCOMPARE(hit->summary, u"S1"_s);

        // Only the newly dropped messages go to the summary model, after the earlier summary.
        const QJsonObject req = HistoryTrimmer::summaryRequest(later, *p2, BodyShape::ChatCompletions, 150,
                                                               hit->summary, hit->coveredCount);
        const QString user = req[u"messages"_s][1][u"content"_s].toString();
        QVERIFY(user.contains(u"S1"_s));
        QVERIFY(!user.contains(u"Question 0: "_s));
        const QString firstNew = later[u"messages"_s][p2->droppedBegin + hit->coveredCount][u"content"_s].toString();
        QVERIFY(!firstNew.isEmpty());
        QVERIFY(user.contains(firstNew));

        // A different summary model never reuses it.
        TrimOptions other = options;
        other.summaryModel = u"claude-haiku-4-5"_s;
        auto p3 = trimmer.plan(later, BodyShape::ChatCompletions, other);
        QVERIFY(p3);
        QVERIFY(!cache.longestPrefix(p3->prefixKeys));
        QCOMPARE(cache.hits(), qint64(2));
        QCOMPARE(cache.misses(), qint64(2));
    }

    void summaryCacheLruAndSqlite()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(u"summaries.sqlite"_s);
        {
            SummaryCache cache(2);
            QVERIFY(cache.openDatabase(path));
            QVERIFY(cache.persistent());
            QVERIFY(cache.insert("k1", u"one"_s, 1, u"m"_s));
            QVERIFY(cache.insert("k2", u"two"_s, 2, u"m"_s));
            QVERIFY(cache.insert("k3", u"three"_s, 3, u"m"_s));
            QCOMPARE(cache.size(), 2); // k1 left memory...
            QCOMPARE(cache.find("k1").value_or(QString()), u"one"_s); // ...but not the file
            // k1 is in memory again and k2 left it: the longer prefix k2 is found in the file.
            auto longer = cache.longestPrefix({"k1", "x", "k2"});
            QVERIFY(longer);
            QCOMPARE(longer->coveredCount, 3);
            QCOMPARE(longer->summary, u"two"_s);
        }
        {
            SummaryCache reopened(2);
            QVERIFY(reopened.openDatabase(path));
            QCOMPARE(reopened.size(), 0);
            QCOMPARE(reopened.find("k3").value_or(QString()), u"three"_s);
            auto hit = reopened.longestPrefix({"zz", "k2", "nope"});
            QVERIFY(hit);
            QCOMPARE(hit->coveredCount, 2);
            QCOMPARE(hit->summary, u"two"_s);
            QVERIFY(!reopened.find("missing"));
        }
        {
            // The file keeps at most 4 x maxEntries rows, the newest.
            const QString small = dir.filePath(u"small.sqlite"_s);
            {
                SummaryCache cache(1);
                QVERIFY(cache.openDatabase(small));
                for (int i = 0; i < 6; ++i)
                    QVERIFY(cache.insert("t" + QByteArray::number(i), QString::number(i), 1, u"m"_s));
            }
            SummaryCache reopened(1);
            QVERIFY(reopened.openDatabase(small));
            QVERIFY(!reopened.find("t0"));
            QVERIFY(!reopened.find("t1"));
            for (int i = 2; i < 6; ++i)
                QCOMPARE(reopened.find("t" + QByteArray::number(i)).value_or(QString()), QString::number(i));
        }
        {
            SummaryCache memoryOnly(2);
            QVERIFY(memoryOnly.insert("a", u"A"_s, 1, u"m"_s));
            QVERIFY(memoryOnly.insert("b", u"B"_s, 1, u"m"_s));
            QVERIFY(memoryOnly.find("a")); // a is now the most recent
            QVERIFY(memoryOnly.insert("c", u"C"_s, 1, u"m"_s));
            QVERIFY(memoryOnly.find("a"));
            QVERIFY(!memoryOnly.find("b")); // least recently used went
        }
        {
            SummaryCache bad;
            auto r = bad.openDatabase(dir.filePath(u"no/such/dir/x.sqlite"_s));
            QVERIFY(!r);
            QCOMPARE(r.error().code, ErrorCode::Database);
            QVERIFY(bad.insert("k", u"still works in memory"_s, 1, u"m"_s));
            QVERIFY(bad.find("k"));
        }
    }
};

QTEST_GUILESS_MAIN(CompressorTest)
#include "CompressorTest.moc"
