// Exact-cache replays give the client what the original said (issue 3 section 3: "A stored answer is
// replayed as a valid SSE stream to a streaming client and as JSON to a non-streaming one, whichever way it
// was first obtained"). Real parts: the proxy on loopback, the loopback upstream speaking each API's wire
// format (its fixtures and LoopbackShapes), a real SQLite ledger, curl as the client.
#include "LoopbackShapes.h"
#include "ProxyHarness.h"
#include "TestSupport.h"

#include "proxy/ProviderProtocol.h"
#include "proxy/SseParser.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::test;

namespace {

const QString kAuth = u"Authorization: Bearer sk-replay-test-caller"_s;
const QString kTextEndpoint = u"X-TokenLedger-Endpoint: textep"_s;

QList<SseEvent> eventsOf(const QByteArray &sse)
{
    QList<SseEvent> out;
    SseParser parser;
    parser.feed(sse, [&](const SseEvent &e) { out << e; });
    return out;
}

QList<QJsonObject> jsonEventsOf(const QByteArray &sse)
{
    QList<QJsonObject> out;
    for (const SseEvent &e : eventsOf(sse)) {
        if (e.data != "[DONE]")
            out << QJsonDocument::fromJson(e.data).object();
    }
    return out;
}

// The answer a stream assembles to, by the proxy's own stream accounting (what the exact cache stores).
QJsonObject assembledFrom(proxy::ApiKind kind, const QByteArray &sse)
{
    proxy::StreamAccounting accounting(kind);
    for (const SseEvent &e : eventsOf(sse))
        accounting.onEvent(e, false);
    return accounting.finished() ? accounting.assembled() : QJsonObject();
}

// The kinds of events a stream sends, in order, a run of one kind counted once (how many deltas a text
// comes in is the model's business), without Anthropic's keep-alive pings.
QStringList eventKinds(proxy::ApiKind kind, const QByteArray &sse)
{
    QStringList out;
    for (const SseEvent &e : eventsOf(sse)) {
        QString k = kind == proxy::ApiKind::Responses
            ? QJsonDocument::fromJson(e.data).object().value("type"_L1).toString()
            : QString::fromUtf8(e.event);
        if (k == "ping"_L1 || (!out.isEmpty() && out.last() == k))
            continue;
        out << k;
    }
    return out;
}

// Empty when `sse` is a Responses API stream in the order the API emits its events (API reference
// "Streaming events", developers.openai.com/api/reference/resources/responses/streaming-events):
// response.created, response.in_progress; per output item: response.output_item.added (the item without
// its content: a message with no parts, a function call with arguments ""), for each message part
// response.content_part.added (empty), its output_text (or refusal) deltas, one
// response.output_text.annotation.added per annotation, response.output_text.done, response.content_part.done,
// for a function call response.function_call_arguments.delta events then .done, then
// response.output_item.done with the finished item; last response.completed. Texts put together from the
// deltas equal the finished ones; sequence numbers count up from 0. Else what is wrong.
QString responsesOrderError(const QByteArray &sse)
{
    const QList<QJsonObject> ev = jsonEventsOf(sse);
    const auto type = [&](qsizetype i) { return i < ev.size() ? ev[i].value("type"_L1).toString() : QString(); };
    for (qsizetype i = 0; i < ev.size(); ++i) {
        if (ev[i].value("sequence_number"_L1).toInt(-1) != i)
            return u"event %1 (%2) has sequence_number %3"_s.arg(i).arg(type(i)).arg(
                ev[i].value("sequence_number"_L1).toInt(-1));
    }
    if (type(0) != "response.created"_L1 || type(1) != "response.in_progress"_L1)
        return u"starts with %1, %2"_s.arg(type(0), type(1));
    if (type(ev.size() - 1) != "response.completed"_L1)
        return u"ends with %1"_s.arg(type(ev.size() - 1));
    const QJsonArray output = ev.last().value("response"_L1).toObject().value("output"_L1).toArray();
    qsizetype i = 2;
    for (qsizetype oi = 0; oi < output.size(); ++oi) {
        const QJsonObject item = output[oi].toObject();
        const QString itemType = item.value("type"_L1).toString();
        if (type(i) != "response.output_item.added"_L1 || ev[i].value("output_index"_L1).toInt() != oi)
            return u"item %1: %2 where response.output_item.added was due"_s.arg(oi).arg(type(i));
        const QJsonObject added = ev[i++].value("item"_L1).toObject();
        if (itemType == "message"_L1 && !added.value("content"_L1).toArray().isEmpty())
            return u"item %1: output_item.added already holds the content"_s.arg(oi);
        if (itemType == "function_call"_L1 && !added.value("arguments"_L1).toString().isEmpty())
            return u"item %1: output_item.added already holds the arguments"_s.arg(oi);
        if (itemType == "message"_L1) {
            const QJsonArray parts = item.value("content"_L1).toArray();
            for (qsizetype p = 0; p < parts.size(); ++p) {
                const QJsonObject part = parts[p].toObject();
                const bool refusal = part.value("type"_L1).toString() == "refusal"_L1;
                const QString field = refusal ? u"refusal"_s : u"text"_s;
                const QString prefix = refusal ? u"response.refusal"_s : u"response.output_text"_s;
                if (type(i) != "response.content_part.added"_L1 || ev[i].value("content_index"_L1).toInt() != p)
                    return u"item %1 part %2: %3 where response.content_part.added was due"_s.arg(oi).arg(p).arg(
                        type(i));
                if (!ev[i++].value("part"_L1).toObject().value(field).toString().isEmpty())
                    return u"item %1 part %2: content_part.added already holds the text"_s.arg(oi).arg(p);
                QString text;
                while (type(i) == prefix + u".delta"_s)
                    text += ev[i++].value("delta"_L1).toString();
                if (text != part.value(field).toString())
                    return u"item %1 part %2: the deltas give \"%3\""_s.arg(oi).arg(p).arg(text);
                qsizetype annotations = 0;
                while (type(i) == "response.output_text.annotation.added"_L1) {
                    if (ev[i++].value("annotation"_L1) != part.value("annotations"_L1).toArray().at(annotations++))
                        return u"item %1 part %2: annotation %3 differs"_s.arg(oi).arg(p).arg(annotations - 1);
                }
                if (annotations != part.value("annotations"_L1).toArray().size())
                    return u"item %1 part %2: %3 annotation events"_s.arg(oi).arg(p).arg(annotations);
                if (type(i) != prefix + u".done"_s || ev[i++].value(field).toString() != part.value(field).toString())
                    return u"item %1 part %2: no %3.done with the text"_s.arg(oi).arg(p).arg(prefix);
                if (type(i) != "response.content_part.done"_L1 || ev[i++].value("part"_L1).toObject() != part)
                    return u"item %1 part %2: no response.content_part.done with the part"_s.arg(oi).arg(p);
            }
        } else if (itemType == "function_call"_L1) {
            QString arguments;
            if (type(i) != "response.function_call_arguments.delta"_L1)
                return u"item %1: %2 where response.function_call_arguments.delta was due"_s.arg(oi).arg(type(i));
            while (type(i) == "response.function_call_arguments.delta"_L1)
                arguments += ev[i++].value("delta"_L1).toString();
            if (arguments != item.value("arguments"_L1).toString())
                return u"item %1: the argument deltas give %2"_s.arg(oi).arg(arguments);
            if (type(i) != "response.function_call_arguments.done"_L1
                || ev[i++].value("arguments"_L1).toString() != item.value("arguments"_L1).toString())
                return u"item %1: no response.function_call_arguments.done with the arguments"_s.arg(oi);
        } else if (itemType == "web_search_call"_L1 || itemType == "file_search_call"_L1) {
            // API reference "Streaming events": in_progress, searching, completed, each naming the item
            // (response.web_search_call.* and response.file_search_call.* alike).
            for (const char *step : {"in_progress", "searching", "completed"}) {
                if (type(i) != u"response."_s + itemType + u'.' + QLatin1StringView(step)
                    || ev[i++].value("item_id"_L1) != item.value("id"_L1))
                    return u"item %1: no response.%2.%3"_s.arg(oi).arg(itemType, QLatin1StringView(step));
            }
        } else {
            while (type(i).startsWith("response.reasoning"_L1))
                ++i;
        }
        if (type(i) != "response.output_item.done"_L1 || ev[i++].value("item"_L1).toObject() != item)
            return u"item %1: no response.output_item.done with the finished item"_s.arg(oi);
    }
    if (i != ev.size() - 1)
        return u"%1 where response.completed was due"_s.arg(type(i));
    return {};
}

proxy::ApiKind kindOf(const QByteArray &path)
{
    return proxy::classify("POST", path);
}

QByteArray requestBody(const QByteArray &path, const QByteArray &text, bool stream, bool includeUsage = false)
{
    QByteArray b;
    if (path.endsWith("/messages"))
        b = R"({"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":")" + text + "\"}]";
    else if (path.endsWith("/responses"))
        b = R"({"model":"gpt-5","input":")" + text + "\"";
    else if (path == "/v1/completions")
        b = R"({"model":"gpt-3.5-turbo-instruct","prompt":")" + text + "\"";
    else
        b = R"({"model":"gpt-4o","messages":[{"role":"user","content":")" + text + "\"}]";
    if (stream)
        b += R"(,"stream":true)";
    if (includeUsage)
        b += R"(,"stream_options":{"include_usage":true})";
    return b + "}";
}

QJsonObject jsonOf(const QByteArray &text)
{
    return QJsonDocument::fromJson(text).object();
}

QByteArray compact(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

class ProxyReplayTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void replayGivesTheOriginalAnswer_data();
    void replayGivesTheOriginalAnswer();
};

// For each trial shape (LoopbackShapes.h) and each fixture, obtained streamed first and obtained as JSON first:
// the JSON replay is the answer the upstream gives non-streamed (as JSON: the fields of a non-streamed answer
// only, per the API references; a stream's "obfuscation" is stream-only), the SSE replay assembles (by the
// proxy's stream accounting, with include_usage) to that same answer and sends the kinds of events the API
// sends in its order, and the stored call_text answer of an endpoint that keeps text is that answer too.
void ProxyReplayTest::replayGivesTheOriginalAnswer_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("text"); // the request's user text
    QTest::addColumn<bool>("firstStreamed");
    QTest::addColumn<QByteArray>("expected"); // the answer non-streamed ("": the original JSON answer)
    QTest::addColumn<QByteArray>("apiStream"); // the stream the API sends for it ("": none to compare with)
    for (const LoopbackShape &s : loopbackShapes()) {
        for (const bool streamed : {true, false}) {
            QTest::addRow("%s, %s first", s.name.constData(), streamed ? "streamed" : "JSON")
                << s.path << ("loopback-shape:" + s.name) << streamed << s.answer << s.stream;
        }
    }
    // Fixture streams: the answer each says, by the API references ("Streaming" sections: a chat answer is
    // its chunks' deltas put together; a Responses answer is response.completed's response; an Anthropic
    // message is message_start's with its blocks, message_delta's stop reason and cumulative usage).
    QTest::newRow("fixture b (chat stream), streamed first")
        << QByteArray("/v1/chat/completions") << QByteArray("fixture b") << true
        << QByteArray(
               R"({"id":"chatcmpl-SYNTH0004aBcDeFgHiJkLmNoPqRsTu","object":"chat.completion","created":1764403380,)"
               R"("model":"gpt-4o-mini-2024-07-18","service_tier":"default","system_fingerprint":"fp_synth0004",)"
               R"("choices":[{"index":0,"message":{"role":"assistant","content":"Hello! How can I help?","refusal":null},)"
               R"("logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":19,"completion_tokens":10,"total_tokens":29,)"
               R"("prompt_tokens_details":{"cached_tokens":0,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,)"
               R"("audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}})")
        << QByteArray();
    QByteArray c2Response;
    for (const SseEvent &e : eventsOf(LoopbackUpstream::fixtureStream(u"c2-openai-responses-stream.sse"_s))) {
        const QJsonObject o = jsonOf(e.data);
        if (o.value("type"_L1).toString() == "response.completed"_L1)
            c2Response = compact(o.value("response"_L1).toObject());
    }
    QVERIFY(!c2Response.isEmpty());
    QTest::newRow("fixture c2 (responses stream), streamed first")
        << QByteArray("/v1/responses") << QByteArray("fixture c2") << true << c2Response << QByteArray();
    QTest::newRow("fixture d2 (anthropic stream), streamed first")
        << QByteArray("/v1/messages") << QByteArray("fixture d2") << true
        << QByteArray(
               R"({"id":"msg_01SYNTH0007AbCdEfGhIjKlMn","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929",)"
               R"("content":[{"type":"text","text":"Hello, here is the plan."}],"stop_reason":"end_turn","stop_sequence":null,)"
               R"("usage":{"input_tokens":25,"cache_creation_input_tokens":0,"cache_read_input_tokens":3000,)"
               R"("cache_creation":{"ephemeral_5m_input_tokens":0,"ephemeral_1h_input_tokens":0},"output_tokens":215,"service_tier":"standard"}})")
        << QByteArray();
    QTest::newRow("fixture a1 (chat JSON), JSON first")
        << QByteArray("/v1/chat/completions") << QByteArray("fixture a1") << false << QByteArray() << QByteArray();
    QTest::newRow("fixture c1 (responses JSON), JSON first")
        << QByteArray("/v1/responses") << QByteArray("fixture c1") << false << QByteArray() << QByteArray();
    QTest::newRow("fixture d1 (anthropic JSON), JSON first")
        << QByteArray("/v1/messages") << QByteArray("fixture d1") << false << QByteArray() << QByteArray();
}

void ProxyReplayTest::replayGivesTheOriginalAnswer()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, text);
    QFETCH(bool, firstStreamed);
    QFETCH(QByteArray, expected);
    QFETCH(QByteArray, apiStream);
    const proxy::ApiKind kind = kindOf(path);
    const bool chat = kind == proxy::ApiKind::ChatCompletions;
    // The proxy asks OpenAI chat and legacy completions streams for their usage and hides it from a client that
    // did not ask (include_usage).
    const bool usageInjected = chat || kind == proxy::ApiKind::Completions;
    ProxyHarness h([](ProxyConfig &c) { c.storeTextEndpoints = {u"textep"_s}; });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QStringList headers {kAuth, kTextEndpoint};

    const HttpResult original = h.curl(path, requestBody(path, text, firstStreamed), headers);
    QCOMPARE(original.status, 200);
    QCOMPARE(original.headers.value("x-tokenledger-cache"), QByteArray("miss"));
    if (expected.isEmpty())
        expected = original.body;
    const QJsonObject answer = jsonOf(expected);
    QVERIFY(!answer.isEmpty());
    if (firstStreamed && !apiStream.isEmpty()) // the client got the upstream's stream (chat: without include_usage)
        QCOMPARE(original.body, usageInjected ? LoopbackUpstream::withoutUsageChunks(apiStream) : apiStream);
    if (!firstStreamed)
        QCOMPARE(jsonOf(original.body), answer);

    // As JSON.
    const HttpResult json = h.curl(path, requestBody(path, text, false), headers);
    QCOMPARE(json.status, 200);
    QCOMPARE(json.headers.value("x-tokenledger-cache"), QByteArray("hit"));
    QVERIFY(json.headers.value("content-type").startsWith("application/json"));
    if (jsonOf(json.body) != answer) {
        qWarning().noquote() << "JSON replay:" << compact(jsonOf(json.body));
        qWarning().noquote() << "expected:   " << compact(answer);
    }
    QCOMPARE(jsonOf(json.body), answer);

    // As SSE (chat and legacy completions with include_usage, so that the stream carries the usage the JSON has).
    const HttpResult sse = h.curl(path, requestBody(path, text, true, usageInjected), headers);
    QCOMPARE(sse.status, 200);
    QCOMPARE(sse.headers.value("x-tokenledger-cache"), QByteArray("hit"));
    QVERIFY(sse.headers.value("content-type").startsWith("text/event-stream"));
    const QJsonObject back = assembledFrom(kind, sse.body);
    if (back != answer) {
        qWarning().noquote() << "SSE replay assembled:" << compact(back);
        qWarning().noquote() << "expected:            " << compact(answer);
        qWarning().noquote() << sse.body;
    }
    QCOMPARE(back, answer);
    if (!apiStream.isEmpty() && !usageInjected) // the API's kinds of events, in its order
        QCOMPARE(eventKinds(kind, sse.body), eventKinds(kind, apiStream));
    if (kind == proxy::ApiKind::Responses) {
        const QString error = responsesOrderError(sse.body);
        QVERIFY2(error.isEmpty(), qPrintable(error));
    }
    if (chat) {
        // The refusal and the content come as deltas, as the API streams them: a client that prints deltas
        // shows the refusal, not a blank answer (session-8 trial item 2).
        QString content;
        QString refusal;
        for (const QJsonObject &e : jsonEventsOf(sse.body)) {
            for (const QJsonValue &c : e.value("choices"_L1).toArray()) {
                content += c.toObject().value("delta"_L1).toObject().value("content"_L1).toString();
                refusal += c.toObject().value("delta"_L1).toObject().value("refusal"_L1).toString();
            }
        }
        const QJsonObject message
            = answer.value("choices"_L1).toArray().at(0).toObject().value("message"_L1).toObject();
        QCOMPARE(content, message.value("content"_L1).toString());
        QCOMPARE(refusal, message.value("refusal"_L1).toString());
        // Without include_usage: the same answer but its usage.
        const HttpResult plain = h.curl(path, requestBody(path, text, true), headers);
        QCOMPARE(plain.headers.value("x-tokenledger-cache"), QByteArray("hit"));
        QVERIFY(!plain.body.contains("\"usage\""));
        QJsonObject noUsage = answer;
        noUsage.remove("usage"_L1);
        QCOMPARE(assembledFrom(kind, plain.body), noUsage);
    }

    // The stored answer of the text-keeping endpoint: the original's and each hit's.
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), chat ? 4 : 3);
    for (const CallRecord &r : recs) {
        auto f = h.ledger().callText(r.id);
        QTRY_VERIFY_WITH_TIMEOUT(f.isFinished(), 10000);
        const Result<std::optional<CallText>> stored = f.result();
        QVERIFY(stored && stored->has_value());
        QCOMPARE(jsonOf((*stored)->response), answer);
    }
}

QTEST_GUILESS_MAIN(ProxyReplayTest)
#include "ProxyReplayTest.moc"
