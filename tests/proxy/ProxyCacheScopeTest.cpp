// Who may share an exact-cache answer (session-12 trial, findings F1, F2, F4): the caller identity is made
// of every credential a request carries, and the exact-cache key of the path the request is forwarded to.
// Real parts: a ledger on a SQLite file, the proxy on its thread, the loopback upstream, curl.
#include "ProxyHarness.h"
#include "TestSupport.h"

#include "cache/CanonicalRequest.h"
#include "cache/ExactCache.h"
#include "proxy/CallerIdentity.h"
#include "proxy/HttpRequestParser.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::test;

namespace {

const QByteArray kSalt = "fixed-salt";
const QByteArray kBearer = "sk-test-bearer-Z";
const QByteArray kAnthropicKey1 = "sk-ant-K1";
const QByteArray kAnthropicKey2 = "sk-ant-K2";
const QByteArray kAzureKey = "azure-key-0123456789abcdef";
// What callerIdentity() gave before session 12 for these keys and kSalt: HMAC-SHA256(kSalt, key), first 16
// hex digits (Python: hmac.new(b"fixed-salt", key, hashlib.sha256).hexdigest()[:16]). Ledgers group by
// them and users label them: a request with one key must keep its id.
const QString kBearerId = u"k_d8df17e1805ccb98"_s;
const QString kAnthropicKey1Id = u"k_585a65d9faab8099"_s;
const QString kAzureKeyId = u"k_a29469106e9c0ed2"_s;

// Azure's usual shape: no "model" (the deployment names it).
const QByteArray kAzureBody = R"({"messages":[{"role":"user","content":"Summarise the doc"}]})";
const QByteArray kChatBody = R"({"model":"gpt-4o","messages":[{"role":"user","content":"Summarise the doc"}]})";
const QByteArray kMessagesBody
    = R"({"model":"claude-sonnet-4-5","max_tokens":1024,"messages":[{"role":"user","content":"Plan the migration"}]})";

struct Credentials
{
    QByteArray authorization;
    QByteArray xApiKey;
    QByteArray apiKey;
};

QString idOf(const Credentials &c)
{
    return callerIdentity(kSalt, keyFromHeaders(c.authorization, c.xApiKey, c.apiKey));
}

QStringList headersOf(const Credentials &c)
{
    QStringList h;
    if (!c.authorization.isEmpty())
        h << u"Authorization: "_s + QString::fromLatin1(c.authorization);
    if (!c.xApiKey.isEmpty())
        h << u"x-api-key: "_s + QString::fromLatin1(c.xApiKey);
    if (!c.apiKey.isEmpty())
        h << u"api-key: "_s + QString::fromLatin1(c.apiKey);
    return h;
}

QByteArray cacheOutcome(const HttpResult &r) { return r.headers.value("x-tokenledger-cache"); }

// The harness with its OpenAI upstream replaced by an Azure one on the loopback server, configured with
// deployment dep-4o.
std::function<void(ProxyConfig &)> azureUpstream(const std::function<void(ProxyConfig &)> &more = {})
{
    return [more](ProxyConfig &c) {
        c.callerSalt = kSalt;
        UpstreamConfig azure = UpstreamConfig::defaults(UpstreamKind::AzureOpenAi);
        QUrl base = c.upstreams[1].baseUrl; // the anthropic upstream: the loopback server's root
        base.setPath(u"/openai/deployments/dep-4o"_s);
        azure.baseUrl = base;
        c.upstreams[0] = azure;
        if (more)
            more(c);
    };
}

} // namespace

Q_DECLARE_METATYPE(Credentials)

class ProxyCacheScopeTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void oneKeyKeepsItsKeyId_data();
    void oneKeyKeepsItsKeyId();
    void differentCredentialsNeverShareAnIdentity_data();
    void differentCredentialsNeverShareAnIdentity();
    void anthropicCallersWithOneBearerAndTwoKeysDoNotShare();
    void otherAuthorizationSchemesDoNotShare_data();
    void otherAuthorizationSchemesDoNotShare();
    void forwardedPathIsInTheCacheKey_data();
    void forwardedPathIsInTheCacheKey();
    void ownPathsKeepTheirRequestHash();
    void entriesStoredBeforeTheKeyVersionMiss();
    void semanticScopesFollowTheForwardedPath();
    void emptyKeyHeaderIsNoCallerOfTheStoredKey();
    void gatewayKeysTellCallersApart();
};

// Session-16 trial: a request with an empty key header gets no stored key upstream (its own empty header goes),
// yet it was recorded as the stored key's caller and served from that key's cache scope.
void ProxyCacheScopeTest::emptyKeyHeaderIsNoCallerOfTheStoredKey()
{
    const QByteArray storedKey = "sk-PLANTED-stored-for-openai";
    ProxyHarness h([&](ProxyConfig &c) {
        c.callerSalt = kSalt;
        c.upstreams[0].apiKey = storedKey;
    });
    QVERIFY(h.ok());
    const HttpResult keyless = h.curl("/v1/chat/completions", kChatBody, {});
    QCOMPARE(keyless.status, 200);
    QCOMPARE(headerValue(h.upstream().lastRequest().headers, "authorization"), "Bearer " + storedKey);
    QCOMPARE(cacheOutcome(keyless), QByteArray("miss"));
    // curl's way to send an empty header. Not the stored key's cached answer; the second, keyless too, shares the
    // first's (keyless) scope.
    QCOMPARE(cacheOutcome(h.curl("/v1/chat/completions", kChatBody, {u"Authorization;"_s})), QByteArray("miss"));
    QCOMPARE(cacheOutcome(h.curl("/v1/chat/completions", kChatBody, {u"x-api-key;"_s})), QByteArray("hit"));
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 3);
    QCOMPARE(recs[0].keyId, callerIdentity(kSalt, storedKey));
    QCOMPARE(recs[1].keyId, QString()); // no key of its own, and not the stored one
    QCOMPARE(recs[2].keyId, QString());
}

// Session-16 trial: callers that authenticate with a gateway's or another API's own header (no Authorization,
// x-api-key or api-key) shared one scope, so one got another's cached answer.
void ProxyCacheScopeTest::gatewayKeysTellCallersApart()
{
    ProxyHarness h([](ProxyConfig &c) { c.callerSalt = kSalt; });
    QVERIFY(h.ok());
    for (const QString &header : {u"x-goog-api-key"_s, u"Ocp-Apim-Subscription-Key"_s}) {
        const QString body = u"{\"model\":\"gpt-4o\",\"messages\":[{\"role\":\"user\",\"content\":\"%1\"}]}"_s.arg(header);
        const HttpResult a = h.curl("/v1/chat/completions", body.toUtf8(), {header + u": gateway-key-A-0123"_s});
        const HttpResult b = h.curl("/v1/chat/completions", body.toUtf8(), {header + u": gateway-key-B-4567"_s});
        const HttpResult a2 = h.curl("/v1/chat/completions", body.toUtf8(), {header + u": gateway-key-A-0123"_s});
        QCOMPARE(cacheOutcome(a), QByteArray("miss"));
        QCOMPARE(cacheOutcome(b), QByteArray("miss")); // not A's answer
        QCOMPARE(cacheOutcome(a2), QByteArray("hit"));  // A's own
    }
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 6);
    QVERIFY(!recs[0].keyId.isEmpty());
    QVERIFY(recs[0].keyId != recs[1].keyId);
    QCOMPARE(recs[0].keyId, recs[2].keyId);
}

void ProxyCacheScopeTest::oneKeyKeepsItsKeyId_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<QByteArray>("xApiKey");
    QTest::addColumn<QByteArray>("apiKey");
    QTest::addColumn<QString>("keyId");
    QTest::newRow("one Bearer token") << "Bearer " + kBearer << QByteArray() << QByteArray() << kBearerId;
    QTest::newRow("one bearer token, scheme in lower case")
        << "bearer " + kBearer << QByteArray() << QByteArray() << kBearerId;
    QTest::newRow("only x-api-key") << QByteArray() << kAnthropicKey1 << QByteArray() << kAnthropicKey1Id;
    QTest::newRow("only api-key") << QByteArray() << QByteArray() << kAzureKey << kAzureKeyId;
    QTest::newRow("one key in Authorization and x-api-key")
        << "Bearer " + kAnthropicKey1 << kAnthropicKey1 << QByteArray() << kAnthropicKey1Id;
    QTest::newRow("the keychain placeholder beside a key: the key")
        << QByteArray("Bearer tokenledger") << kAnthropicKey1 << QByteArray() << kAnthropicKey1Id;
    QTest::newRow("no key") << QByteArray() << QByteArray() << QByteArray() << QString();
    QTest::newRow("only the keychain placeholder")
        << QByteArray("Bearer tokenledger") << QByteArray("tokenledger") << QByteArray() << QString();
}

void ProxyCacheScopeTest::oneKeyKeepsItsKeyId()
{
    QFETCH(QByteArray, authorization);
    QFETCH(QByteArray, xApiKey);
    QFETCH(QByteArray, apiKey);
    QFETCH(QString, keyId);
    QCOMPARE(idOf({authorization, xApiKey, apiKey}), keyId);
}

void ProxyCacheScopeTest::differentCredentialsNeverShareAnIdentity_data()
{
    QTest::addColumn<Credentials>("first");
    QTest::addColumn<Credentials>("second");
    const QByteArray bearer = "Bearer " + kBearer;
    QTest::newRow("same Bearer token, other x-api-key")
        << Credentials{bearer, kAnthropicKey1, {}} << Credentials{bearer, kAnthropicKey2, {}};
    QTest::newRow("a Bearer token with an x-api-key, and the Bearer token alone")
        << Credentials{bearer, kAnthropicKey1, {}} << Credentials{bearer, {}, {}};
    QTest::newRow("a Bearer token with an x-api-key, and the x-api-key alone")
        << Credentials{bearer, kAnthropicKey1, {}} << Credentials{{}, kAnthropicKey1, {}};
    QTest::newRow("same x-api-key, other api-key")
        << Credentials{{}, kAnthropicKey1, kAzureKey} << Credentials{{}, kAnthropicKey1, "azure-key-other"};
    QTest::newRow("Basic user1, Basic user2")
        << Credentials{"Basic dXNlcjE6cGFzcw==", {}, {}} << Credentials{"Basic dXNlcjI6cGFzcw==", {}, {}};
    QTest::newRow("Basic, and no key") << Credentials{"Basic dXNlcjE6cGFzcw==", {}, {}} << Credentials{};
    QTest::newRow("Token, and a Bearer token of the same value")
        << Credentials{"Token " + kBearer, {}, {}} << Credentials{bearer, {}, {}};
    QTest::newRow("Basic with an x-api-key, and the x-api-key alone")
        << Credentials{"Basic dXNlcjE6cGFzcw==", kAnthropicKey1, {}} << Credentials{{}, kAnthropicKey1, {}};
}

void ProxyCacheScopeTest::differentCredentialsNeverShareAnIdentity()
{
    QFETCH(Credentials, first);
    QFETCH(Credentials, second);
    const QString a = idOf(first);
    const QString b = idOf(second);
    QVERIFY2(a != b, qPrintable(a));
    // An identity is an HMAC, never a key: "k_" and 16 hex digits (or "" for none).
    static const QRegularExpression shape(u"^(k_[0-9a-f]{16})?$"_s);
    QVERIFY2(shape.match(a).hasMatch(), qPrintable(a));
    QVERIFY2(shape.match(b).hasMatch(), qPrintable(b));
}

// F1: the official Anthropic SDK sends x-api-key and, when ANTHROPIC_AUTH_TOKEN is set too, a Bearer token.
void ProxyCacheScopeTest::anthropicCallersWithOneBearerAndTwoKeysDoNotShare()
{
    ProxyHarness h([](ProxyConfig &c) { c.callerSalt = kSalt; });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QString version = u"anthropic-version: 2023-06-01"_s;
    const QString bearer = u"Authorization: Bearer "_s + QString::fromLatin1(kBearer);
    const HttpResult first = h.curl("/v1/messages", kMessagesBody,
                                    {u"x-api-key: "_s + QString::fromLatin1(kAnthropicKey1), bearer, version});
    const HttpResult second = h.curl("/v1/messages", kMessagesBody,
                                     {u"x-api-key: "_s + QString::fromLatin1(kAnthropicKey2), bearer, version});
    QCOMPARE(first.status, 200);
    QCOMPARE(second.status, 200);
    QCOMPARE(cacheOutcome(first), QByteArray("miss"));
    QCOMPARE(cacheOutcome(second), QByteArray("miss"));
    QCOMPARE(h.upstream().requestCount(), 2);
    QCOMPARE(headerValue(h.upstream().lastRequest().headers, "x-api-key"), kAnthropicKey2);
    // The Bearer token alone, then x-api-key K1 alone: callers of their own, with the ids they always had.
    const HttpResult bearerOnly = h.curl("/v1/messages", kMessagesBody, {bearer, version});
    const HttpResult keyOnly
        = h.curl("/v1/messages", kMessagesBody, {u"x-api-key: "_s + QString::fromLatin1(kAnthropicKey1), version});
    QCOMPARE(cacheOutcome(bearerOnly), QByteArray("miss"));
    QCOMPARE(cacheOutcome(keyOnly), QByteArray("miss"));
    QCOMPARE(h.upstream().requestCount(), 4);

    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 4);
    QSet<QString> ids;
    for (const CallRecord &r : recs) {
        QVERIFY(r.keyId.startsWith(u"k_"_s));
        ids << r.keyId;
    }
    QCOMPARE(ids.size(), 4);
    QCOMPARE(recs[2].keyId, kBearerId);
    QCOMPARE(recs[3].keyId, kAnthropicKey1Id);
}

// F4: a non-Bearer Authorization used to name no caller, so every such caller, and one with no key, shared.
void ProxyCacheScopeTest::otherAuthorizationSchemesDoNotShare_data()
{
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second");
    QTest::addColumn<bool>("hit");
    QTest::newRow("Basic user1, then Basic user2") << QByteArray("Basic dXNlcjE6cGFzcw==")
                                                   << QByteArray("Basic dXNlcjI6cGFzcw==") << false;
    QTest::newRow("Basic user1, then no key") << QByteArray("Basic dXNlcjE6cGFzcw==") << QByteArray() << false;
    QTest::newRow("no key, then Token t1") << QByteArray() << QByteArray("Token t1-0123456789") << false;
    QTest::newRow("Basic user1 twice") << QByteArray("Basic dXNlcjE6cGFzcw==") << QByteArray("Basic dXNlcjE6cGFzcw==")
                                       << true;
}

void ProxyCacheScopeTest::otherAuthorizationSchemesDoNotShare()
{
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);
    QFETCH(bool, hit);
    ProxyHarness h;
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const HttpResult a = h.curl("/v1/chat/completions", kChatBody, headersOf({first, {}, {}}));
    const HttpResult b = h.curl("/v1/chat/completions", kChatBody, headersOf({second, {}, {}}));
    QCOMPARE(a.status, 200);
    QCOMPARE(b.status, 200);
    QCOMPARE(cacheOutcome(a), QByteArray("miss"));
    QCOMPARE(cacheOutcome(b), hit ? QByteArray("hit") : QByteArray("miss"));
    QCOMPARE(h.upstream().requestCount(), hit ? 1 : 2);
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 2);
    QCOMPARE(recs[0].keyId == recs[1].keyId, hit);
    for (const CallRecord &r : recs)
        QVERIFY2(!r.keyId.contains(u"dXNl"_s) && !r.keyId.contains(u"t1-"_s), qPrintable(r.keyId));
}

// F2: Azure deployments (and any path under an upstream's base that picks what answers) share no answer.
void ProxyCacheScopeTest::forwardedPathIsInTheCacheKey_data()
{
    QTest::addColumn<bool>("azure");
    QTest::addColumn<QByteArray>("first");
    QTest::addColumn<QByteArray>("second");
    QTest::addColumn<bool>("firstStreamed");
    QTest::addColumn<bool>("hit");
    const QByteArray dep4o = "/openai/deployments/dep-4o/chat/completions?api-version=2024-10-21";
    const QByteArray depMini = "/openai/deployments/dep-mini/chat/completions?api-version=2024-10-21";
    QTest::newRow("azure: two deployments, same body") << true << dep4o << depMini << false << false;
    QTest::newRow("azure: the same deployment twice") << true << dep4o << dep4o << false << true;
    QTest::newRow("azure: the same deployment, streamed then not") << true << dep4o << dep4o << true << true;
    QTest::newRow("azure: the same deployment, another api-version")
        << true << dep4o << QByteArray("/openai/deployments/dep-4o/chat/completions?api-version=2024-06-01") << false
        << false;
    QTest::newRow("azure: the configured deployment by /v1 and by name")
        << true << QByteArray("/v1/chat/completions") << dep4o << false << true;
    QTest::newRow("azure: the configured deployment, then another by name")
        << true << QByteArray("/v1/chat/completions") << depMini << false << false;
    QTest::newRow("openai-compatible: two models' paths under the base")
        << false << QByteArray("/v1/model-a/chat/completions") << QByteArray("/v1/model-b/chat/completions") << false
        << false;
    QTest::newRow("openai: /chat/completions goes where /v1/chat/completions goes")
        << false << QByteArray("/v1/chat/completions") << QByteArray("/chat/completions") << false << true;
}

void ProxyCacheScopeTest::forwardedPathIsInTheCacheKey()
{
    QFETCH(bool, azure);
    QFETCH(QByteArray, first);
    QFETCH(QByteArray, second);
    QFETCH(bool, firstStreamed);
    QFETCH(bool, hit);
    ProxyHarness h(azure ? azureUpstream() : std::function<void(ProxyConfig &)>());
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QStringList key = azure ? QStringList{u"api-key: "_s + QString::fromLatin1(kAzureKey)}
                                  : QStringList{u"Authorization: Bearer "_s + QString::fromLatin1(kBearer)};
    const QByteArray body = azure ? kAzureBody : kChatBody;
    QByteArray firstBody = body;
    if (firstStreamed)
        firstBody = QByteArray(body).replace(R"("messages")", R"("stream":true,"messages")");
    const HttpResult a = h.curl(first, firstBody, key);
    const HttpResult b = h.curl(second, body, key);
    QCOMPARE(a.status, 200);
    QCOMPARE(b.status, 200);
    QCOMPARE(cacheOutcome(a), QByteArray("miss"));
    QCOMPARE(cacheOutcome(b), hit ? QByteArray("hit") : QByteArray("miss"));
    QCOMPARE(h.upstream().requestCount(), hit ? 1 : 2);
    if (!hit && azure) {
        // The miss went to the deployment the client named.
        const QByteArray target = h.upstream().lastRequest().target;
        QCOMPARE(target.left(target.indexOf('?')), second.left(second.indexOf('?')));
    }
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 2);
    QCOMPARE(recs[0].requestHash == recs[1].requestHash, hit);
    QCOMPARE(toString(recs[1].cacheOutcome), toString(hit ? CacheOutcome::ExactHit : CacheOutcome::Miss));
}

// The request hash the simulator groups by stays what it was for the APIs' own paths on OpenAI and
// Anthropic upstreams: upstream id, API name, canonical body.
void ProxyCacheScopeTest::ownPathsKeepTheirRequestHash()
{
    ProxyHarness h([](ProxyConfig &c) { c.cache.enabled = false; }); // the hash made on the writer's thread
    QVERIFY2(h.ok(), qPrintable(h.error()));
    ProxyHarness cached;
    QVERIFY2(cached.ok(), qPrintable(cached.error()));
    const QString bearer = u"Authorization: Bearer "_s + QString::fromLatin1(kBearer);
    const QStringList anthropic{u"x-api-key: "_s + QString::fromLatin1(kAnthropicKey1),
                                u"anthropic-version: 2023-06-01"_s};
    for (ProxyHarness *p : {&h, &cached}) {
        QCOMPARE(p->curl("/v1/chat/completions", kChatBody, {bearer}).status, 200);
        QCOMPARE(p->curl("/v1/messages", kMessagesBody, anthropic).status, 200);
        const QList<CallRecord> recs = p->records();
        QCOMPARE(recs.size(), 2);
        QCOMPARE(recs[0].requestHash, cache::requestHash(u"openai"_s, u"chat.completions"_s,
                                                         QJsonDocument::fromJson(kChatBody).object()));
        QCOMPARE(recs[1].requestHash, cache::requestHash(u"anthropic"_s, u"messages"_s,
                                                         QJsonDocument::fromJson(kMessagesBody).object()));
    }
}

// An answer stored before session 12 was keyed without the path and with the old caller identities: after
// the upgrade it must not answer, least of all for another deployment (the key version changed).
void ProxyCacheScopeTest::entriesStoredBeforeTheKeyVersionMiss()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(u"old.cache.sqlite"_s);
    const QString callerId = callerIdentity(kSalt, kAzureKey);
    const auto oldKey = [&](const QString &upstreamId) {
        const QString requestHash = cache::requestHash(upstreamId, u"chat.completions"_s,
                                                       QJsonDocument::fromJson(kAzureBody).object());
        return QString::fromLatin1(
            QCryptographicHash::hash(QByteArray(callerId.toUtf8() + '\n' + requestHash.toUtf8()), QCryptographicHash::Sha256)
                .toHex());
    };
    {
        auto c = cache::ExactCache::open(path, 1 << 20);
        QVERIFY2(c.has_value(), c ? "" : qPrintable(c.error().message));
        cache::CachedAnswer answer;
        answer.api = u"chat.completions"_s;
        answer.body = R"({"id":"old-dep-4o","object":"chat.completion","model":"gpt-4o","choices":[{"index":0,)"
                      R"("message":{"role":"assistant","content":"from dep-4o"},"finish_reason":"stop"}],)"
                      R"("usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13}})";
        answer.servedModel = u"gpt-4o"_s;
        answer.createdAtUs = QDateTime::currentMSecsSinceEpoch() * 1000;
        answer.expiresAtUs = answer.createdAtUs + 3'600'000'000;
        const QString upstreamId = toString(UpstreamKind::AzureOpenAi);
        QVERIFY((*c)->store(oldKey(upstreamId), callerId, answer).has_value());
    }
    ProxyHarness h(azureUpstream([&](ProxyConfig &c) { c.cache.path = path; }));
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QStringList key{u"api-key: "_s + QString::fromLatin1(kAzureKey)};
    const HttpResult mini
        = h.curl("/openai/deployments/dep-mini/chat/completions?api-version=2024-10-21", kAzureBody, key);
    QCOMPARE(mini.status, 200);
    QCOMPARE(cacheOutcome(mini), QByteArray("miss"));
    QVERIFY(!mini.body.contains("from dep-4o"));
    const HttpResult configured = h.curl("/v1/chat/completions", kAzureBody, key);
    QCOMPARE(cacheOutcome(configured), QByteArray("miss"));
    QVERIFY(!configured.body.contains("from dep-4o"));
    QCOMPARE(h.upstream().requestCount(), 2);
}

// The semantic cache's scope (SemanticKey::scope, recorded in each call's savings trace for the simulator) has
// the upstream and the forwarded path too (semanticScopeId), so a paraphrase sent to another Azure deployment is
// never answered from this one's semantic cache either: the same body on dep-4o and dep-mini gets two scopes,
// dep-4o twice one. (Exact cache off: every call reaches the upstream and its fields are made on the writer's
// thread; the proxy thread's path, with the endpoint's semantic cache on, calls the same semanticScopeId.)
void ProxyCacheScopeTest::semanticScopesFollowTheForwardedPath()
{
    ProxyHarness h(azureUpstream([](ProxyConfig &c) { c.cache.enabled = false; }));
    QVERIFY2(h.ok(), qPrintable(h.error()));
    const QStringList key{u"api-key: "_s + QString::fromLatin1(kAzureKey)};
    const QByteArray dep4o = "/openai/deployments/dep-4o/chat/completions?api-version=2024-10-21";
    const QByteArray depMini = "/openai/deployments/dep-mini/chat/completions?api-version=2024-10-21";
    // With a "model" (Azure takes and ignores one): a body without one has no semantic key at all.
    for (const QByteArray &target : {dep4o, depMini, dep4o})
        QCOMPARE(h.curl(target, kChatBody, key).status, 200);
    QList<CallRecord> recs;
    QTRY_VERIFY((recs = h.records()).size() == 3 && !recs[2].savings.semanticScope.isEmpty());
    QVERIFY(!recs[0].savings.semanticScope.isEmpty());
    QVERIFY(recs[0].savings.semanticScope != recs[1].savings.semanticScope);
    QCOMPARE(recs[2].savings.semanticScope, recs[0].savings.semanticScope);
}

QTEST_MAIN(ProxyCacheScopeTest)
#include "ProxyCacheScopeTest.moc"
