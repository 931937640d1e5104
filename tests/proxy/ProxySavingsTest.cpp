// The savings pipeline of the live proxy (issue #5 sections 1-4) end to end, with real parts: a ledger
// on a SQLite file, the proxy on its thread with its semantic-cache and summary-cache files, the
// loopback upstream in echo mode (the request's model and deterministic usage), curl as the client.
#include "proxy/ProviderProtocol.h"
#include "ProxyHarness.h"
#include "TestSupport.h"

#include "compress/FewShot.h"
#include "proxy/SavingsPolicy.h"
#include "semantic/LocalEmbedder.h"
#include "semantic/SemanticKey.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStandardPaths>
#include <QtEndian>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::test;

namespace {

// The identity part of a semantic scope for a chat call of caller `keyId` on the harness's "openai" upstream
// at the API's own path (semanticScopeId in core/proxy/Exchange.h: caller, upstream, API).
QByteArray chatScopeId(const QString &keyId)
{
    return keyId.toUtf8() + '\x1f' + "openai" + '\x1f' + tl::proxy::apiName(tl::proxy::ApiKind::ChatCompletions).toUtf8();
}

const QByteArray kKeyA = "sk-savings-test-caller-A-0001";
const QByteArray kKeyB = "sk-savings-test-caller-B-0002";

QStringList headersFor(const QByteArray &key, const QString &endpoint, const QStringList &more = {})
{
    return QStringList{u"Authorization: Bearer "_s + QString::fromLatin1(key), u"X-TokenLedger-Endpoint: "_s + endpoint,
                       u"X-Loopback-Mode: echo"_s}
           + more;
}

QJsonObject msg(const QString &role, const QString &content)
{
    return QJsonObject{{"role"_L1, role}, {"content"_L1, content}};
}

QByteArray chat(const QString &model, const QJsonArray &messages, const QJsonObject &extra = {})
{
    QJsonObject o = extra;
    o.insert("model"_L1, model);
    o.insert("messages"_L1, messages);
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray question(const QString &text, const QString &system = u"You are a helpful travel assistant."_s)
{
    return chat(u"gpt-4.1-mini"_s, QJsonArray{msg(u"system"_s, system), msg(u"user"_s, text)});
}

SavingsPolicy policyFrom(const QByteArray &json)
{
    auto p = SavingsPolicy::fromSettingsJson(QJsonDocument::fromJson(json).object());
    if (!p)
        qFatal("bad policy in test: %s", qPrintable(p.error().message));
    return *p;
}

QJsonObject upstreamBody(const HttpRequest &r) { return QJsonDocument::fromJson(r.body).object(); }

// Cosine of the local embeddings of two requests' semantic texts (as the proxy computes them: keyed by its
// caller salt).
double similarity(const QByteArray &a, const QByteArray &b, const QByteArray &salt)
{
    const semantic::LocalEmbedder e(semantic::LocalEmbedder::kDefaultDims, salt);
    auto ka = semantic::semanticKey(QJsonDocument::fromJson(a).object(), semantic::RequestFormat::OpenAiChat, "c");
    auto kb = semantic::semanticKey(QJsonDocument::fromJson(b).object(), semantic::RequestFormat::OpenAiChat, "c");
    if (!ka || !kb)
        return -1;
    // As the live cache compares: the whole request AND the final user message (focus vector) must
    // reach the threshold; the similarity is the lower of the two.
    const auto va = e.embed(ka->text);
    const auto vb = e.embed(kb->text);
    const auto fa = e.embed(ka->lastUserText);
    const auto fb = e.embed(kb->lastUserText);
    return std::min(semantic::cosine(va.data(), vb.data(), e.dims()), semantic::cosine(fa.data(), fb.data(), e.dims()));
}

} // namespace

class ProxySavingsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void everyCallRecordsComplexityScopeAndLocalEmbedding();
    void exactHitsAndBypassedCallsKeepTheirSemanticFieldsAndHash();
    void routingModes_data();
    void routingModes();
    void semanticCacheHitsParaphrasesOnly();
    void semanticHitIsReplayedAsStream();
    void markWrongRemovesTheEntry();
    void compressionTrimsAndReusesTheSummary();
    void failedSummaryForwardsTheUncompressedRequest();
    void fewShotExamplesReachTheUpstream();
    void policyFromSettingsJson();
    void remoteEmbeddingsAreRecordedAsTheirOwnCalls();
    void anthropicMessagesGetTheSemanticCacheAndRouting();
};

void ProxySavingsTest::everyCallRecordsComplexityScopeAndLocalEmbedding()
{
    ProxyHarness h; // every lever off (the default policy)
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const auto r = h.curl("/v1/chat/completions", question(u"Why is the sky blue?"_s), headersFor(kKeyA, u"faq"_s));
    QCOMPARE(r.status, 200);
    const HttpRequest up = h.upstream().lastRequest();
    QCOMPARE(up.body, question(u"Why is the sky blue?"_s)); // the client's bytes, unchanged
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    const SavingsTrace &t = recs[0].savings;
    QCOMPARE(t.complexity, u"medium"_s); // "why" is a reasoning word
    QCOMPARE(t.routeMode, u"off"_s);
    QVERIFY(t.routedModel.isEmpty());
    QCOMPARE(t.semanticScope.size(), 64);
    QCOMPARE(t.guardSignature.size(), 64);
    const semantic::LocalEmbedder embedder(semantic::LocalEmbedder::kDefaultDims, h.callerSalt()); // the proxy's, keyed
    QCOMPARE(t.embeddingModel, embedder.modelKey());
    // The whole-request vector, then the final user message's (focus) vector.
    QCOMPARE(t.embedding.size(), qsizetype(2 * embedder.dims() * sizeof(float)));
    // The recorded vector is the local embedding of the request's semantic text.
    const auto key = semantic::semanticKey(QJsonDocument::fromJson(question(u"Why is the sky blue?"_s)).object(),
                                           semantic::RequestFormat::OpenAiChat, chatScopeId(recs[0].keyId));
    QVERIFY(key);
    QCOMPARE(t.semanticScope, key->scope);
    const std::vector<float> v = embedder.embed(key->text);
    const std::vector<float> focus = embedder.embed(u"Why is the sky blue?"_s);
    for (int i = 0; i < embedder.dims(); ++i) {
        QCOMPARE(qFromLittleEndian<float>(t.embedding.constData() + i * sizeof(float)), v[size_t(i)]);
        QCOMPARE(qFromLittleEndian<float>(t.embedding.constData() + (embedder.dims() + i) * sizeof(float)), focus[size_t(i)]);
    }
    // Keyed by the install's caller salt (session 17): the right guess embedded with the public seeds does not
    // confirm the prompt (before, this cosine was 1).
    QVERIFY(embedder.keyed());
    const std::vector<float> guess = semantic::LocalEmbedder().embed(u"Why is the sky blue?"_s);
    const float guessSim = semantic::cosine(focus.data(), guess.data(), embedder.dims());
    QVERIFY2(std::abs(guessSim) < 0.3f, qPrintable(QString::number(guessSim)));
    QCOMPARE(t.tokensBeforeCompression, -1);
    QVERIFY(t.fewShotSet.isEmpty());
    QVERIFY(!QFile::exists(h.ledger().path() + u".semantic.sqlite"_s)); // no semantic cache opened when off
}

// The recorded-only semantic fields and the request hash are made on the ledger writer's thread after
// the response (LedgerWriter::submit's completion); an exact-cache entry shares the fields with its hits.
void ProxySavingsTest::exactHitsAndBypassedCallsKeepTheirSemanticFieldsAndHash()
{
    ProxyHarness h; // every lever off; the exact cache on
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QByteArray a = question(u"Which museums open on Mondays?"_s);
    const QByteArray b = question(u"Where can I rent a bike?"_s);
    const QStringList bypass = headersFor(kKeyA, u"faq"_s, {u"X-TokenLedger-Cache: bypass"_s});
    QCOMPARE(h.curl("/v1/chat/completions", a, headersFor(kKeyA, u"faq"_s)).headers.value("x-tokenledger-cache"),
             QByteArray("miss"));
    for (int i = 0; i < 2; ++i)
        QCOMPARE(h.curl("/v1/chat/completions", a, headersFor(kKeyA, u"faq"_s)).headers.value("x-tokenledger-cache"),
                 QByteArray("hit"));
    QCOMPARE(h.curl("/v1/chat/completions", a, bypass).headers.value("x-tokenledger-cache"), QByteArray("bypass"));
    QCOMPARE(h.curl("/v1/chat/completions", b, bypass).headers.value("x-tokenledger-cache"), QByteArray("bypass"));
    QCOMPARE(h.upstream().requestCount(), 3);

    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 5);
    const semantic::LocalEmbedder embedder(semantic::LocalEmbedder::kDefaultDims, h.callerSalt()); // the proxy's, keyed
    for (int i = 0; i < recs.size(); ++i) {
        const QByteArray &body = i < 4 ? a : b;
        const SavingsTrace &t = recs[i].savings;
        const auto key = semantic::semanticKey(QJsonDocument::fromJson(body).object(),
                                               semantic::RequestFormat::OpenAiChat, chatScopeId(recs[i].keyId));
        QVERIFY(key);
        QCOMPARE(t.semanticScope, key->scope);
        QCOMPARE(t.guardSignature, key->guardSignature);
        QCOMPARE(t.embeddingModel, embedder.modelKey());
        // The whole-request vector, then the final user message's, little-endian float32.
        std::vector<float> expected = embedder.embed(key->text);
        const std::vector<float> focus = embedder.embed(key->lastUserText);
        expected.insert(expected.end(), focus.begin(), focus.end());
        QByteArray bytes(qsizetype(expected.size() * sizeof(float)), Qt::Uninitialized);
        for (size_t j = 0; j < expected.size(); ++j)
            qToLittleEndian(expected[j], bytes.data() + j * sizeof(float));
        QCOMPARE(t.embedding, bytes);
        QCOMPARE(recs[i].requestHash.size(), 64);
        QCOMPARE(recs[i].requestHash == recs[0].requestHash, i < 4);
    }
    QCOMPARE(toString(recs[1].cacheOutcome), toString(CacheOutcome::ExactHit));
    QCOMPARE(toString(recs[2].cacheOutcome), toString(CacheOutcome::ExactHit));
}

void ProxySavingsTest::routingModes_data()
{
    QTest::addColumn<QString>("mode");
    QTest::addColumn<bool>("pin");
    QTest::addColumn<QString>("upstreamModel");
    QTest::addColumn<QString>("recordedMode");
    QTest::addColumn<QString>("routedModel");
    QTest::newRow("on moves a short classification request to the nano tier")
        << u"on"_s << false << u"gpt-4.1-nano"_s << u"on"_s << u"gpt-4.1-nano"_s;
    QTest::newRow("shadow records the nano tier but sends the requested model")
        << u"shadow"_s << false << u"gpt-4.1"_s << u"shadow"_s << u"gpt-4.1-nano"_s;
    QTest::newRow("off changes nothing and records only the complexity")
        << u"off"_s << false << u"gpt-4.1"_s << u"off"_s << QString();
    QTest::newRow("X-TokenLedger-Route: off pins the model in on mode")
        << u"on"_s << true << u"gpt-4.1"_s << u"pinned"_s << QString();
}

void ProxySavingsTest::routingModes()
{
    QFETCH(QString, mode);
    QFETCH(bool, pin);
    QFETCH(QString, upstreamModel);
    QFETCH(QString, recordedMode);
    QFETCH(QString, routedModel);
    const QByteArray policy = R"({"endpoints":{"support":{"routing":{"enabled":true,"mode":")" + mode.toLatin1() + R"("}}}})";
    ProxyHarness h([&](ProxyConfig &c) { c.savings = policyFrom(policy); });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QByteArray body = chat(u"gpt-4.1"_s, QJsonArray{msg(u"user"_s, u"Great service, thanks!"_s)},
                                 QJsonObject{{"max_tokens"_L1, 5}});
    QStringList more{u"X-TokenLedger-Task: sentiment"_s};
    if (pin)
        more << u"X-TokenLedger-Route: off"_s;
    const auto r = h.curl("/v1/chat/completions", body, headersFor(kKeyA, u"support"_s, more));
    QCOMPARE(r.status, 200);
    const HttpRequest up = h.upstream().lastRequest();
    QCOMPARE(upstreamBody(up).value("model"_L1).toString(), upstreamModel);
    for (const auto &[name, value] : up.headers)
        QVERIFY2(!name.toLower().startsWith("x-tokenledger-"), name.constData()); // none of ours go upstream
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    QCOMPARE(recs[0].requestedModel, u"gpt-4.1"_s);
    QCOMPARE(recs[0].servedModel, upstreamModel); // as the upstream answered
    QCOMPARE(recs[0].savings.complexity, u"low"_s);
    QCOMPARE(recs[0].savings.routeMode, recordedMode);
    QCOMPARE(recs[0].savings.routedModel, routedModel);
    QCOMPARE(recs[0].taskType, u"sentiment"_s);
    // Priced on the model that served it (echo usage: 100 + 20 x 1 message prompt, 30 completion).
    QVERIFY(recs[0].cost.has_value());
    QVERIFY(recs[0].priceEntry.endsWith(upstreamModel));
}

void ProxySavingsTest::semanticCacheHitsParaphrasesOnly()
{
    const double threshold = 0.80;
    const QByteArray policy = R"({"endpoints":{"faq":{"semantic_cache":{"enabled":true,"threshold":0.80,"ttl_seconds":600}}}})";
    ProxyHarness h([&](ProxyConfig &c) {
        c.cache.enabled = false; // the semantic cache alone
        c.savings = policyFrom(policy);
    });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QByteArray original = question(u"What is the best time of year to visit Kyoto for the autumn leaves?"_s);
    const QList<std::pair<QByteArray, QString>> paraphrases{
        {question(u"What's the best time of the year to visit Kyoto for autumn leaves?"_s), u"contraction, articles"_s},
        {question(u"Please tell me the best time of year to visit Kyoto for the autumn leaves."_s), u"polite form"_s},
    };
    // Must miss although similar: a guard differs, or the scope does.
    const QList<std::pair<QByteArray, QString>> misses{
        {question(u"What is not the best time of year to visit Kyoto for the autumn leaves?"_s), u"negation"_s},
        {question(u"What is the best time of year to visit Kyoto for the autumn leaves in 2 days?"_s), u"number"_s},
        {question(u"What is the best time of year to visit Kyoto for the autumn leaves?"_s, u"You are a terse travel assistant."_s),
         u"different system prompt"_s},
        {chat(u"gpt-4.1-mini"_s, QJsonArray{msg(u"system"_s, u"You are a helpful travel assistant."_s),
                                           msg(u"user"_s, u"I am going to Japan."_s), msg(u"assistant"_s, u"Nice!"_s),
                                           msg(u"user"_s, u"What is the best time of year to visit Kyoto for the autumn leaves?"_s)}),
         u"different earlier conversation"_s},
    };
    QCOMPARE(h.curl("/v1/chat/completions", original, headersFor(kKeyA, u"faq"_s)).headers.value("x-tokenledger-cache"),
             QByteArray("miss"));
    for (const auto &[body, why] : paraphrases) {
        const double s = similarity(original, body, h.callerSalt());
        qInfo("similarity %.4f (%s)", s, qPrintable(why));
        QVERIFY2(s >= threshold, qPrintable(why));
        const auto r = h.curl("/v1/chat/completions", body, headersFor(kKeyA, u"faq"_s));
        QCOMPARE(r.status, 200);
        QCOMPARE(r.headers.value("x-tokenledger-cache"), QByteArray("hit"));
        QVERIFY(std::abs(r.headers.value("x-tokenledger-similarity").toDouble() - s) < 1e-3);
        QVERIFY(r.body.contains("echo: What is the best time of year to visit Kyoto")); // the stored answer
    }
    const int upstreamBefore = h.upstream().requestCount();
    for (const auto &[body, why] : misses) {
        qInfo("similarity %.4f (%s: must miss)", similarity(original, body, h.callerSalt()), qPrintable(why));
        const auto r = h.curl("/v1/chat/completions", body, headersFor(kKeyA, u"faq"_s));
        QCOMPARE(r.status, 200);
        QVERIFY2(r.headers.value("x-tokenledger-cache") == "miss", qPrintable(why));
    }
    // Another caller with the original wording: the scope includes the caller identity.
    QCOMPARE(h.curl("/v1/chat/completions", original, headersFor(kKeyB, u"faq"_s)).headers.value("x-tokenledger-cache"),
             QByteArray("miss"));
    QCOMPARE(h.upstream().requestCount(), upstreamBefore + int(misses.size()) + 1);

    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1 + paraphrases.size() + misses.size() + 1);
    const CallRecord &first = recs[0];
    QCOMPARE(toString(first.cacheOutcome), toString(CacheOutcome::Miss));
    QVERIFY(first.cost.has_value() && *first.cost > 0);
    for (int i = 1; i <= int(paraphrases.size()); ++i) {
        QCOMPARE(toString(recs[i].cacheOutcome), toString(CacheOutcome::SemanticHit));
        QVERIFY(recs[i].similarity >= threshold);
        QCOMPARE(*recs[i].cost, NanoUsd(0));
        // Saved cost: the stored answer's usage priced on its model = what the original call cost.
        QCOMPARE(recs[i].savedCost, *first.cost);
        QCOMPARE(recs[i].servedModel, first.servedModel);
    }
    for (qsizetype i = 1 + paraphrases.size(); i < recs.size(); ++i)
        QCOMPARE(toString(recs[i].cacheOutcome), toString(CacheOutcome::Miss));
}

void ProxySavingsTest::semanticHitIsReplayedAsStream()
{
    const QByteArray policy = R"({"default":{"semantic_cache":{"enabled":true,"threshold":0.8}}})";
    ProxyHarness h([&](ProxyConfig &c) { c.savings = policyFrom(policy); });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QCOMPARE(h.curl("/v1/chat/completions", question(u"How do I get from Osaka to Nara by train?"_s),
                    headersFor(kKeyA, u"untagged"_s))
                 .status,
             200);
    QJsonObject streamed = QJsonDocument::fromJson(question(u"How can I get from Osaka to Nara by train?"_s)).object();
    streamed.insert("stream"_L1, true);
    const auto r = h.curl("/v1/chat/completions", QJsonDocument(streamed).toJson(QJsonDocument::Compact),
                          headersFor(kKeyA, u"untagged"_s));
    QCOMPARE(r.status, 200);
    QCOMPARE(r.headers.value("x-tokenledger-cache"), QByteArray("hit"));
    QVERIFY(r.headers.value("content-type").startsWith("text/event-stream"));
    QVERIFY(r.body.startsWith("data: {"));
    QVERIFY(r.body.contains("echo: How do I get from Osaka to Nara by train?"));
    QVERIFY(r.body.trimmed().endsWith("data: [DONE]"));
    QCOMPARE(h.upstream().requestCount(), 1);
    const QList<CallRecord> recs = h.records();
    QCOMPARE(toString(recs.last().cacheOutcome), toString(CacheOutcome::SemanticHit));
    QVERIFY(recs.last().ttftUs >= 0);
}

void ProxySavingsTest::markWrongRemovesTheEntry()
{
    const QByteArray policy = R"({"default":{"semantic_cache":{"enabled":true,"threshold":0.8}}})";
    ProxyHarness h([&](ProxyConfig &c) {
        c.cache.enabled = false;
        c.savings = policyFrom(policy);
    });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QByteArray a = question(u"Which temple in Kyoto has the golden pavilion?"_s);
    const QByteArray b = question(u"Which temple in Kyoto has the golden pavilion, please?"_s);
    QCOMPARE(h.curl("/v1/chat/completions", a, headersFor(kKeyA, u"faq"_s)).headers.value("x-tokenledger-cache"), QByteArray("miss"));
    const auto hit = h.curl("/v1/chat/completions", b, headersFor(kKeyA, u"faq"_s));
    QCOMPARE(hit.headers.value("x-tokenledger-cache"), QByteArray("hit"));
    const qint64 recordId = hit.headers.value("x-tokenledger-record-id").toLongLong();
    QVERIFY(recordId > 0);

    // A record that was not a semantic hit cannot be marked.
    auto notHit = h.proxy().markSemanticHitWrong(recordId - 1);
    QTRY_VERIFY(notHit.isFinished());
    QVERIFY(!notHit.result());
    QCOMPARE(notHit.result().error().code, ErrorCode::NotFound);

    auto marked = h.proxy().markSemanticHitWrong(recordId);
    QTRY_VERIFY(marked.isFinished());
    if (!marked.result())
        QFAIL(qPrintable(marked.result().error().message));
    // The same paraphrase now misses and goes upstream; its answer is stored anew.
    const int before = h.upstream().requestCount();
    QCOMPARE(h.curl("/v1/chat/completions", b, headersFor(kKeyA, u"faq"_s)).headers.value("x-tokenledger-cache"), QByteArray("miss"));
    QCOMPARE(h.upstream().requestCount(), before + 1);
    auto again = h.proxy().markSemanticHitWrong(recordId);
    QTRY_VERIFY(again.isFinished());
    QVERIFY(!again.result()); // already removed
}

namespace {

// A conversation long enough to exceed a 400-token budget: a system prompt and `turns` user/assistant
// pairs of about 60 tokens each, then a final question.
QJsonArray longConversation(int turns, const QString &finalQuestion)
{
    QJsonArray m{msg(u"system"_s, u"You are a project planning assistant."_s)};
    for (int i = 0; i < turns; ++i) {
        m.append(msg(u"user"_s, u"Step %1: we discussed the database migration, the rollout order of the services, the "
                                 "monitoring dashboards and who is on call during the weekend window number %1."_s.arg(i)));
        m.append(msg(u"assistant"_s, u"Noted for step %1: migrate the schema first, then roll out the readers, then the "
                                      "writers, and keep the dashboards open while the on-call engineer watches."_s.arg(i)));
    }
    m.append(msg(u"user"_s, finalQuestion));
    return m;
}

} // namespace

void ProxySavingsTest::compressionTrimsAndReusesTheSummary()
{
    const QByteArray policy =
        R"({"endpoints":{"planner":{"compression":{"enabled":true,"budget_tokens":600,"summary_model":"gpt-4.1-nano"}}}})";
    ProxyHarness h([&](ProxyConfig &c) { c.savings = policyFrom(policy); });
    QVERIFY2(h.ok(), qPrintable(h.error()));

    // Turn 1: 10 earlier turns; the middle is dropped and summarised by gpt-4.1-nano.
    const QJsonArray conv1 = longConversation(10, u"What is the next step?"_s);
    auto r = h.curl("/v1/chat/completions", chat(u"gpt-4.1"_s, conv1), headersFor(kKeyA, u"planner"_s));
    QCOMPARE(r.status, 200);
    QList<HttpRequest> ups = h.upstream().requests();
    QCOMPARE(ups.size(), 2);
    const QJsonObject summaryReq = upstreamBody(ups[0]);
    QCOMPARE(summaryReq.value("model"_L1).toString(), u"gpt-4.1-nano"_s);
    QVERIFY(ups[0].target.endsWith("/chat/completions"));
    const QJsonObject main1 = upstreamBody(ups[1]);
    QCOMPARE(main1.value("model"_L1).toString(), u"gpt-4.1"_s);
    const QJsonArray sent1 = main1.value("messages"_L1).toArray();
    QVERIFY(sent1.size() < conv1.size());
    QCOMPARE(sent1[0].toObject(), conv1[0].toObject()); // the system message stays
    QVERIFY(sent1[1].toObject().value("content"_L1).toString().startsWith("[Conversation summary] echo: "_L1));
    QCOMPARE(sent1.last().toObject(), conv1.last().toObject()); // the question stays

    QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 2);
    QCOMPARE(recs[0].endpoint, u"tokenledger-summary"_s); // recorded as its own call, first
    QCOMPARE(recs[0].requestedModel, u"gpt-4.1-nano"_s);
    QVERIFY(recs[0].cost.has_value() && *recs[0].cost > 0);
    QCOMPARE(recs[0].keyId, recs[1].keyId);
    QCOMPARE(recs[1].endpoint, u"planner"_s);
    const SavingsTrace &t1 = recs[1].savings;
    qInfo("turn 1: %lld -> %lld prompt tokens (budget 600)", t1.tokensBeforeCompression, t1.tokensAfterCompression);
    QVERIFY(t1.tokensBeforeCompression > 600);
    QVERIFY(t1.tokensAfterCompression <= 600);
    QVERIFY(t1.tokensAfterCompression < t1.tokensBeforeCompression);

    // Turn 2: the same conversation grown by one exchange. The earlier summary covers a prefix of
    // what is dropped now: only the newly dropped messages are sent, after that summary.
    QJsonArray conv2 = conv1;
    conv2.removeLast();
    conv2.append(msg(u"user"_s, u"What is the next step?"_s));
    conv2.append(msg(u"assistant"_s, u"Step 10 is the rollout of the readers."_s));
    conv2.append(msg(u"user"_s, u"And after that?"_s));
    r = h.curl("/v1/chat/completions", chat(u"gpt-4.1"_s, conv2), headersFor(kKeyA, u"planner"_s));
    QCOMPARE(r.status, 200);
    ups = h.upstream().requests();
    QCOMPARE(ups.size(), 4);
    QCOMPARE(upstreamBody(ups[2]).value("model"_L1).toString(), u"gpt-4.1-nano"_s);
    const QJsonArray summaryMessages = upstreamBody(ups[2]).value("messages"_L1).toArray();
    const QString summary2 = summaryMessages.last().toObject().value("content"_L1).toString();
    const QString firstSummary = upstreamBody(ups[1]).value("messages"_L1).toArray()[1].toObject().value("content"_L1).toString()
                                     .mid(QStringLiteral("[Conversation summary] ").size());
    QVERIFY2(summary2.contains(firstSummary), "the earlier summary is extended");
    // The first summary covered steps 0-7 (the echo quotes only the start of step 0); only the newly
    // dropped messages follow it.
    QVERIFY2(!summary2.contains(u"Step 1:"_s), "the messages it covers are not sent again");
    QVERIFY(summary2.contains(u"Step 8:"_s));

    // Turn 3: the same request again: the summary cache answers, no summary call.
    r = h.curl("/v1/chat/completions", chat(u"gpt-4.1"_s, conv2), headersFor(kKeyA, u"planner"_s, {u"X-TokenLedger-Cache: bypass"_s}));
    QCOMPARE(r.status, 200);
    QCOMPARE(h.upstream().requests().size(), 5);
    QCOMPARE(upstreamBody(h.upstream().requests().last()).value("messages"_L1).toArray(),
             upstreamBody(ups[3]).value("messages"_L1).toArray());
    recs = h.records();
    int summaries = 0;
    for (const CallRecord &c : recs)
        summaries += c.endpoint == "tokenledger-summary"_L1;
    QCOMPARE(summaries, 2);
}

void ProxySavingsTest::failedSummaryForwardsTheUncompressedRequest()
{
    // The summary model answers 500 ("server-error" is the loopback's failing model).
    const QByteArray policy =
        R"({"default":{"compression":{"enabled":true,"budget_tokens":600,"summary_model":"server-error","remove_redundancy":false}}})";
    ProxyHarness h([&](ProxyConfig &c) { c.savings = policyFrom(policy); });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QByteArray body = chat(u"gpt-4.1"_s, longConversation(10, u"What is the next step?"_s));
    QStringList headers = headersFor(kKeyA, u"planner"_s);
    headers.removeIf([](const QString &s) { return s.startsWith("X-Loopback-Mode"_L1); }); // fixture answers
    const auto r = h.curl("/v1/chat/completions", body, headers);
    QCOMPARE(r.status, 200);
    const QList<HttpRequest> ups = h.upstream().requests();
    QCOMPARE(ups.size(), 2);
    QCOMPARE(upstreamBody(ups[0]).value("model"_L1).toString(), u"server-error"_s);
    QCOMPARE(ups[1].body, body); // forwarded as the client sent it
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 2);
    QCOMPARE(recs[0].endpoint, u"tokenledger-summary"_s);
    QCOMPARE(recs[0].httpStatus, 500);
    QCOMPARE(recs[1].httpStatus, 200);
    QCOMPARE(recs[1].savings.tokensAfterCompression, recs[1].savings.tokensBeforeCompression);
}

void ProxySavingsTest::fewShotExamplesReachTheUpstream()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"fewshot.json"_s);
    compress::FewShotStore store(path);
    compress::FewShotSet set;
    set.name = u"tickets"_s;
    set.endpoint = u"support"_s;
    set.examples = {{u"My card was charged twice for one coffee."_s, u"category: billing"_s},
                    {u"The app crashes when I open the statements page."_s, u"category: bug"_s},
                    {u"How do I change my postal address?"_s, u"category: account"_s},
                    {u"I was charged twice for the same hotel booking."_s, u"category: billing"_s},
                    {u"Please close my savings account."_s, u"category: account"_s}};
    store.upsert(set);
    QVERIFY(store.save());
    ProxyHarness h([&](ProxyConfig &c) { c.savings.fewShotPath = path; });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QJsonArray messages{msg(u"system"_s, u"Classify the support ticket."_s),
                              msg(u"user"_s, u"I was charged twice for my train ticket."_s)};
    const auto r = h.curl("/v1/chat/completions", chat(u"gpt-4.1-mini"_s, messages),
                          headersFor(kKeyA, u"support"_s, {u"X-TokenLedger-FewShot: tickets"_s}));
    QCOMPARE(r.status, 200);
    const QJsonArray sent = upstreamBody(h.upstream().lastRequest()).value("messages"_L1).toArray();
    // System message, 3 example pairs (most similar last, next to the question), the question.
    QCOMPARE(sent.size(), 2 + 3 * 2);
    QCOMPARE(sent.first().toObject(), messages.first().toObject());
    QCOMPARE(sent.last().toObject(), messages.last().toObject());
    QCOMPARE(sent[1].toObject().value("role"_L1).toString(), u"user"_s);
    QCOMPARE(sent[2].toObject().value("role"_L1).toString(), u"assistant"_s);
    const QString closest = sent[sent.size() - 3].toObject().value("content"_L1).toString();
    QVERIFY2(closest.contains(u"charged twice"_s), qPrintable(closest));
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    const SavingsTrace &t = recs[0].savings;
    QCOMPARE(t.fewShotSet, u"tickets"_s);
    QCOMPARE(t.fewShotExamples, 3);
    QVERIFY(t.fewShotTokens > 0);
    QVERIFY(t.fewShotSetTokens > t.fewShotTokens); // 5 examples in the set, 3 sent
    // Another endpoint may not use a set that belongs to "support": forwarded unchanged.
    const QByteArray plain = chat(u"gpt-4.1-mini"_s, messages);
    QCOMPARE(h.curl("/v1/chat/completions", plain,
                    headersFor(kKeyA, u"faq"_s, {u"X-TokenLedger-FewShot: tickets"_s, u"X-TokenLedger-Cache: bypass"_s}))
                 .status,
             200);
    QCOMPARE(h.upstream().requestCount(), 2);
    QCOMPARE(h.upstream().lastRequest().body, plain);
}

void ProxySavingsTest::policyFromSettingsJson()
{
    // The shape the Simulator page's "Apply to proxy" writes.
    const QByteArray stored = R"({"version":1,"scenario":"x","endpoints":{
        "chat":{"routing":{"enabled":true,"mode":"shadow"},"exact_cache":{"enabled":true,"ttl_seconds":120},
                "semantic_cache":{"enabled":true,"threshold":0.9,"ttl_seconds":60,"embedding_model":"text-embedding-3-small"},
                "compression":{"enabled":true,"budget_tokens":2000,"summary_model":"gpt-4.1-nano","remove_redundancy":false},
                "batch":{"enabled":true,"endpoints":["chat"]}}},
        "default":{"exact_cache":{"enabled":false},"routing":{"enabled":false}}})";
    auto p = SavingsPolicy::fromSettingsText(stored);
    if (!p)
        QFAIL(qPrintable(p.error().message));
    const EndpointSavings &chat = p->forEndpoint(u"chat"_s);
    QCOMPARE(routing::toString(chat.routeMode), u"shadow"_s);
    QCOMPARE(chat.exactCache, std::optional<bool>(true));
    QCOMPARE(chat.exactCacheTtlSeconds, std::optional<qint64>(120));
    QVERIFY(chat.semanticCache);
    QCOMPARE(chat.semanticThreshold, 0.9);
    QCOMPARE(chat.semanticTtlSeconds, 60);
    QCOMPARE(chat.embeddingModel, u"text-embedding-3-small"_s);
    QVERIFY(chat.compression);
    QCOMPARE(chat.budgetTokens, 2000);
    QCOMPARE(chat.summaryModel, u"gpt-4.1-nano"_s);
    QVERIFY(!chat.removeRedundancy);
    const EndpointSavings &other = p->forEndpoint(u"other"_s);
    QVERIFY(!other.exactCache.has_value()); // the default's exact cache: the Proxy page's switch governs
    QCOMPARE(routing::toString(other.routeMode), u"off"_s);
    QVERIFY(!other.semanticCache && !other.compression);
    QVERIFY(p->anyEnabled());
    // Bad input: a clear error, nothing applied.
    QCOMPARE(SavingsPolicy::fromSettingsText("[1,2]").error().code, ErrorCode::Parse);
    auto bad = SavingsPolicy::fromSettingsText(R"({"endpoints":{"chat":{"semantic_cache":{"threshold":7}}}})");
    QVERIFY(!bad);
    QVERIFY(bad.error().message.contains(u"chat"_s));
    QVERIFY(SavingsPolicy::fromSettingsText({}).has_value()); // nothing stored: all off
    QVERIFY(!SavingsPolicy::fromSettingsText({})->anyEnabled());
}

void ProxySavingsTest::remoteEmbeddingsAreRecordedAsTheirOwnCalls()
{
    // A remote embedding model through the "openai" upstream (the loopback's echo embeddings: 16
    // dimensions from the characters, deterministic, so the same request has similarity 1).
    const QByteArray policy = R"({"default":{"semantic_cache":{"enabled":true,"threshold":0.99,"embedding_model":"text-embedding-3-small"}}})";
    ProxyHarness h([&](ProxyConfig &c) {
        c.cache.enabled = false;
        c.savings = policyFrom(policy);
    });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QByteArray q = question(u"Where is the luggage storage at Kyoto station?"_s);
    QCOMPARE(h.curl("/v1/chat/completions", q, headersFor(kKeyA, u"faq"_s)).headers.value("x-tokenledger-cache"),
             QByteArray("miss"));
    const auto second = h.curl("/v1/chat/completions", q, headersFor(kKeyA, u"faq"_s));
    QCOMPARE(second.headers.value("x-tokenledger-cache"), QByteArray("hit"));
    const QList<HttpRequest> ups = h.upstream().requests();
    QCOMPARE(ups.size(), 3); // embeddings, chat, embeddings
    QVERIFY(ups[0].target.endsWith("/embeddings"));
    const QJsonObject embedReq = upstreamBody(ups[0]);
    QCOMPARE(embedReq.value("model"_L1).toString(), u"text-embedding-3-small"_s);
    QCOMPARE(embedReq.value("input"_L1).toArray().size(), 2); // whole request and final user message
    QCOMPARE(headerValue(ups[0].headers, "authorization"), QByteArray("Bearer ") + kKeyA); // the caller's key
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 4);
    int embeddingCalls = 0;
    for (const CallRecord &r : recs) {
        if (r.endpoint != "tokenledger-embedding"_L1)
            continue;
        ++embeddingCalls;
        QCOMPARE(r.requestedModel, u"text-embedding-3-small"_s);
        QCOMPARE(r.usage.promptTokens, 8);
        QVERIFY(r.cost.has_value() && *r.cost > 0); // counted against the savings
        QCOMPARE(r.tags, QStringList{u"for:faq"_s});
    }
    QCOMPARE(embeddingCalls, 2);
    QCOMPARE(toString(recs.last().cacheOutcome), toString(CacheOutcome::SemanticHit));
    // The record still carries the LOCAL embeddings (what the simulator replays).
    QCOMPARE(recs.last().savings.embeddingModel,
             semantic::LocalEmbedder(semantic::LocalEmbedder::kDefaultDims, h.callerSalt()).modelKey());
}

void ProxySavingsTest::anthropicMessagesGetTheSemanticCacheAndRouting()
{
    const QByteArray policy = R"({"default":{"semantic_cache":{"enabled":true,"threshold":0.8},"routing":{"enabled":true,"mode":"shadow"}}})";
    ProxyHarness h([&](ProxyConfig &c) { c.savings = policyFrom(policy); });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    auto body = [](const QString &text, bool stream) {
        QJsonObject o{{"model"_L1, "claude-sonnet-4-5"_L1}, {"max_tokens"_L1, 100}, {"system"_L1, "You are a chef."_L1},
                      {"messages"_L1, QJsonArray{msg(u"user"_s, text)}}};
        if (stream)
            o.insert("stream"_L1, true);
        return QJsonDocument(o).toJson(QJsonDocument::Compact);
    };
    const QStringList headers{u"x-api-key: "_s + QString::fromLatin1(kKeyA), u"anthropic-version: 2023-06-01"_s,
                              u"X-Loopback-Mode: echo"_s, u"X-TokenLedger-Task: classification"_s};
    QCOMPARE(h.curl("/v1/messages", body(u"How long should I boil an egg for a soft yolk?"_s, false), headers).status, 200);
    const auto hit = h.curl("/v1/messages", body(u"How long should I boil an egg for a soft yolk, please?"_s, true), headers);
    QCOMPARE(hit.status, 200);
    QCOMPARE(hit.headers.value("x-tokenledger-cache"), QByteArray("hit"));
    QVERIFY(hit.body.startsWith("event: message_start"));
    QVERIFY(hit.body.contains("echo: How long should I boil an egg for a soft yolk?"));
    QVERIFY(hit.body.contains("event: message_stop"));
    QCOMPARE(h.upstream().requestCount(), 1);
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 2);
    QCOMPARE(recs[0].provider, u"anthropic"_s);
    QCOMPARE(recs[0].savings.complexity, u"low"_s);
    QCOMPARE(recs[0].savings.routeMode, u"shadow"_s);
    QCOMPARE(recs[0].savings.routedModel, u"claude-haiku-4-5"_s); // the nano tier, not sent
    QCOMPARE(upstreamBody(h.upstream().lastRequest()).value("model"_L1).toString(), u"claude-sonnet-4-5"_s);
    QCOMPARE(toString(recs[1].cacheOutcome), toString(CacheOutcome::SemanticHit));
    QCOMPARE(recs[1].savedCost, *recs[0].cost);
}

QTEST_GUILESS_MAIN(ProxySavingsTest)
#include "ProxySavingsTest.moc"
