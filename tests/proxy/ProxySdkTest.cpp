// The official Node SDK clients (npm "openai", "@anthropic-ai/sdk"; versions pinned by
// tests/proxy/sdk/package-lock.json) drive the proxy against the loopback upstream: non-streamed,
// streamed, error and cached calls; records and costs are checked against the fixtures' usage.
#include "LoopbackShapes.h"
#include "ProxyHarness.h"
#include "TestSupport.h"

#include "pricing/ProviderUsage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::test;

class ProxySdkTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void officialClientsThroughTheProxy();
    void replaysThroughTheOfficialClients();
};

void ProxySdkTest::officialClientsThroughTheProxy()
{
    const QString sdkDir = QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/tests/proxy/sdk"_s;
    if (!QFile::exists(sdkDir + u"/node_modules/openai/package.json"_s))
        QFAIL("npm packages missing: run `npm ci` in tests/proxy/sdk (tools/dev.sh test does)");
    ProxyHarness h([](ProxyConfig &c) {
        c.firstByteTimeoutMs = 1000;
        c.maxBodyBytes = 1024 * 1024; // the tooLarge step sends 20 MiB
        for (UpstreamConfig &u : c.upstreams) // as if kept in the keychain (SecretStoreTest has the real one)
            u.apiKey = u.kind == UpstreamKind::Anthropic ? "sk-STORED-sdk-anthropic" : "sk-STORED-sdk-openai";
    });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QProcess node;
    node.setWorkingDirectory(sdkDir);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PROXY_URL"_s, QString::fromLatin1(h.url("")));
    env.insert(u"API_KEY"_s, u"sk-PLANTED-sdk-test-key"_s);
    node.setProcessEnvironment(env);
    node.start(u"node"_s, {u"run.mjs"_s});
    QVERIFY(node.waitForFinished(90000));
    const QByteArray stdoutBytes = node.readAllStandardOutput();
    QVERIFY2(node.exitCode() == 0, node.readAllStandardError().constData());
    const QJsonObject out = QJsonDocument::fromJson(stdoutBytes).object();
    QVERIFY2(!out.isEmpty(), stdoutBytes.constData());
    qInfo().noquote() << QString::fromUtf8(stdoutBytes);

    const QJsonObject a1 = QJsonDocument::fromJson(readFile(providerFixture(u"a1-openai-chat-completion-cached.json"_s))).object();
    const QJsonObject chat = out.value("chat"_L1).toObject();
    QCOMPARE(chat.value("content"_L1).toString(), u"Here is the summary you asked for."_s);
    QCOMPARE(chat.value("usage"_L1).toObject(), a1.value("usage"_L1).toObject());
    QCOMPARE(chat.value("cache"_L1).toString(), u"miss"_s);
    QCOMPARE(chat.value("cost"_L1).toString(), u"0.00632"_s);
    QCOMPARE(out.value("chatCached"_L1).toObject().value("cache"_L1).toString(), u"hit"_s);
    QCOMPARE(out.value("chatCached"_L1).toObject().value("content"_L1).toString(), u"Here is the summary you asked for."_s);

    const QJsonObject stream = out.value("chatStream"_L1).toObject();
    QCOMPARE(stream.value("text"_L1).toString(), u"Hello! How can I help?"_s);
    QCOMPARE(stream.value("sawUsage"_L1).toBool(), false); // the injected usage chunk never reaches the client
    QCOMPARE(stream.value("chunks"_L1).toInt(), 4);
    const QJsonObject streamUsage = out.value("chatStreamUsage"_L1).toObject();
    QVERIFY(streamUsage.value("usage"_L1).toObject().value("total_tokens"_L1).toInt() > 0);
    QCOMPARE(out.value("chatStreamFromCache"_L1).toObject().value("text"_L1).toString(),
             u"Here is the summary you asked for."_s);
    const QJsonObject chatError = out.value("chatError"_L1).toObject();
    QCOMPARE(chatError.value("status"_L1).toInt(), 429);

    const QJsonObject c1 = QJsonDocument::fromJson(readFile(providerFixture(u"c1-openai-responses.json"_s))).object();
    QCOMPARE(out.value("responses"_L1).toObject().value("usage"_L1).toObject(), c1.value("usage"_L1).toObject());
    QCOMPARE(out.value("responsesStream"_L1).toObject().value("status"_L1).toString(), u"completed"_s);

    const QJsonObject d1 = QJsonDocument::fromJson(readFile(providerFixture(u"d1-anthropic-message.json"_s))).object();
    QCOMPARE(out.value("messages"_L1).toObject().value("usage"_L1).toObject().value("output_tokens"_L1).toInt(), 640);
    QCOMPARE(out.value("messagesStream"_L1).toObject().value("usage"_L1).toObject().value("output_tokens"_L1).toInt(), 215);
    const QJsonObject fromCache = out.value("messagesStreamFromCache"_L1).toObject();
    QCOMPARE(fromCache.value("text"_L1).toString(),
             d1.value("content"_L1).toArray().at(0).toObject().value("text"_L1).toString());
    QCOMPARE(fromCache.value("usage"_L1).toObject().value("output_tokens"_L1).toInt(), 640);
    QCOMPARE(fromCache.value("stop"_L1).toString(), u"end_turn"_s);
    QCOMPARE(out.value("messagesError"_L1).toObject().value("status"_L1).toInt(), 504);

    // A body over the limit: the 413 reaches the SDK (before the lingering close it saw "Connection error").
    const QJsonObject tooLarge = out.value("tooLarge"_L1).toObject();
    QVERIFY2(tooLarge.value("status"_L1).toInt() == 413, qPrintable(tooLarge.value("error"_L1).toString()));

    // The placeholder key "tokenledger": the upstream got the stored key of the request's own provider.
    QCOMPARE(out.value("storedKeyChat"_L1).toObject().value("content"_L1).toString(),
             u"Here is the summary you asked for."_s);
    QCOMPARE(out.value("storedKeyAnthropicModels"_L1).toObject().value("count"_L1).toInt(), 1);
    const QList<HttpRequest> sent = h.upstream().requests();
    QCOMPARE(sent.size(), 11); // 14 calls; the three cache hits (chatCached, the two stream replays) reached none
    const HttpRequest storedChat = sent.at(sent.size() - 2);
    QCOMPARE(headerValue(storedChat.headers, "authorization"), QByteArray("Bearer sk-STORED-sdk-openai"));
    const HttpRequest storedModels = sent.last();
    QCOMPARE(storedModels.target, QByteArray("/v1/models"));
    QCOMPARE(headerValue(storedModels.headers, "x-api-key"), QByteArray("sk-STORED-sdk-anthropic"));
    QVERIFY(!hasHeader(storedModels.headers, "authorization"));
    for (const HttpRequest &req : sent) {
        for (const auto &hd : req.headers)
            QVERIFY2(!hd.second.contains("tokenledger"), hd.first.constData());
    }

    // The ledger: one record per SDK call, usage and costs from the fixtures.
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 15); // the 413 is recorded too
    for (const CallRecord &r : recs) {
        QCOMPARE(r.endpoint, u"sdk-test"_s);
        QVERIFY(r.keyId.startsWith(u"k_"_s));
    }
    QCOMPARE(recs[0].usage, ProviderUsage::fromOpenAiChat(a1.value("usage"_L1).toObject()));
    QCOMPARE(*recs[0].cost, NanoUsd(6'320'000));
    QCOMPARE(recs[1].cost, std::optional<NanoUsd>(0));
    QCOMPARE(recs[1].savedCost, NanoUsd(6'320'000));
    QCOMPARE(recs[4].savedCost, NanoUsd(6'320'000)); // streamed replay of the cached answer
    QCOMPARE(recs[5].httpStatus, 429);
    QCOMPARE(recs[6].usage, ProviderUsage::fromOpenAiResponses(c1.value("usage"_L1).toObject()));
    QCOMPARE(recs[8].usage, ProviderUsage::fromAnthropic(d1.value("usage"_L1).toObject()));
    QCOMPARE(recs[10].savedCost, *recs[8].cost);
    QCOMPARE(recs[11].httpStatus, 504);
    QCOMPARE(recs[11].errorKind, u"timeout"_s);
    QCOMPARE(recs[12].httpStatus, 413);
    QCOMPARE(recs[12].errorKind, u"request_too_large"_s);
    QCOMPARE(recs[12].keyId, recs[0].keyId); // named by the client's key, though the body was not read
    QCOMPARE(recs[14].provider, u"anthropic"_s); // the Anthropic SDK's models.list()
    QVERIFY(recs[13].keyId != recs[0].keyId);   // the stored key's caller, not the planted key's
}

// Exact-cache replays through the SDKs' own stream helpers (tests/proxy/sdk/replay.mjs): for each answer
// shape of the loopback upstream (LoopbackShapes.h), the answer a client builds from the replayed stream is
// the one it built from the original stream and the one the JSON replay gives: a refusal stays a refusal
// (with its refusal.delta events), annotations and citations stay, a Responses function call's arguments
// arrive as function_call_arguments deltas, and the Responses event kinds are the original's.
void ProxySdkTest::replaysThroughTheOfficialClients()
{
    const QString sdkDir = QStringLiteral(TOKENLEDGER_SOURCE_DIR) + u"/tests/proxy/sdk"_s;
    if (!QFile::exists(sdkDir + u"/node_modules/openai/package.json"_s))
        QFAIL("npm packages missing: run `npm ci` in tests/proxy/sdk (tools/dev.sh test does)");
    ProxyHarness h;
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QProcess node;
    node.setWorkingDirectory(sdkDir);
    QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    env.insert(u"PROXY_URL"_s, QString::fromLatin1(h.url("")));
    env.insert(u"API_KEY"_s, u"sk-replay-sdk-test-key"_s);
    node.setProcessEnvironment(env);
    node.start(u"node"_s, {u"replay.mjs"_s});
    QVERIFY(node.waitForFinished(90000));
    const QByteArray stdoutBytes = node.readAllStandardOutput();
    QVERIFY2(node.exitCode() == 0, node.readAllStandardError().constData());
    const QJsonObject out = QJsonDocument::fromJson(stdoutBytes).object();
    QVERIFY2(!out.isEmpty(), stdoutBytes.constData());
    for (auto it = out.begin(); it != out.end(); ++it)
        QVERIFY2(!it.value().toObject().contains("error"_L1), qPrintable(it.key() + u": "_s + it.value().toObject().value("error"_L1).toString()));
    const auto answerOf = [](const char *shape) {
        const LoopbackShape *s = loopbackShape(shape);
        return s ? QJsonDocument::fromJson(s->answer).object() : QJsonObject();
    };
    const auto step = [&](const char *shape, const char *pass) {
        return out.value(QLatin1StringView(shape) + u" "_s + QLatin1StringView(pass)).toObject();
    };

    for (const char *shape : {"chat-refusal", "chat-annotations", "chat-tools"}) {
        QVERIFY(!step(shape, "stream miss").isEmpty());
        QCOMPARE(step(shape, "stream hit"), step(shape, "stream miss"));
        QCOMPARE(step(shape, "json hit").value("message"_L1), step(shape, "stream miss").value("message"_L1));
        const QJsonObject message = answerOf(shape).value("choices"_L1).toArray().at(0).toObject().value("message"_L1).toObject();
        const QJsonObject seen = step(shape, "stream hit").value("message"_L1).toObject();
        QCOMPARE(seen.value("content"_L1), message.value("content"_L1).isUndefined() ? QJsonValue(QJsonValue::Null) : message.value("content"_L1));
        QCOMPARE(seen.value("refusal"_L1), message.value("refusal"_L1));
        if (message.contains("annotations"_L1))
            QCOMPARE(seen.value("annotations"_L1), message.value("annotations"_L1));
    }
    QVERIFY(step("chat-refusal", "stream hit").value("refusalStreamed"_L1).toBool());
    QCOMPARE(step("chat-tools", "stream hit").value("message"_L1).toObject().value("tool_calls"_L1).toArray().size(), 2);

    for (const char *shape : {"anthropic-citations", "anthropic-web-search"}) {
        const QJsonArray content = answerOf(shape).value("content"_L1).toArray();
        QVERIFY(!content.isEmpty());
        QCOMPARE(step(shape, "json hit").value("content"_L1).toArray(), content);
        QCOMPARE(step(shape, "stream miss").value("content"_L1).toArray(), content);
        QCOMPARE(step(shape, "stream hit").value("content"_L1).toArray(), content);
        QCOMPARE(step(shape, "stream hit").value("stop"_L1).toString(), u"end_turn"_s);
    }

    for (const char *shape : {"responses-function-call", "responses-text-annotations"}) {
        const QJsonArray output = answerOf(shape).value("output"_L1).toArray();
        QVERIFY(!output.isEmpty());
        QCOMPARE(step(shape, "json hit").value("output"_L1).toArray(), output);
        // The stream helper's output (with the SDK's own parsed_arguments / parsed members) as from the original.
        QCOMPARE(step(shape, "stream hit").value("output"_L1).toArray(), step(shape, "stream miss").value("output"_L1).toArray());
        QCOMPARE(step(shape, "stream hit").value("types"_L1).toArray(), step(shape, "stream miss").value("types"_L1).toArray());
        const QJsonObject item = output.at(0).toObject();
        const QJsonValue finished = item.contains("arguments"_L1)
                                        ? item.value("arguments"_L1)
                                        : item.value("content"_L1).toArray().at(0).toObject().value("text"_L1);
        QCOMPARE(step(shape, "stream hit").value("snapshot"_L1), finished); // built from the deltas, not doubled
    }
}

QTEST_GUILESS_MAIN(ProxySdkTest)
#include "ProxySdkTest.moc"
