// "Mark semantic hit wrong" for a hit of an EARLIER proxy run: the proxy is stopped and started again
// on the same ledger (a new run: nothing in memory), and the request log's record of the old hit still
// finds the persisted semantic cache entry that answered it (SemanticCache::rememberHit /
// markRecordWrong). Real parts: SQLite ledger and cache file, the proxy, a loopback upstream, curl.
#include "ProxyHarness.h"
#include "TestSupport.h"
#include "proxy/Proxy.h"
#include "proxy/SavingsPolicy.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

QStringList headers()
{
    return {u"Authorization: Bearer sk-test-markwrong-0001"_s, u"X-TokenLedger-Endpoint: faq"_s,
            u"X-Loopback-Mode: echo"_s};
}

QByteArray question(const QString &text)
{
    const QJsonArray messages {QJsonObject {{u"role"_s, u"system"_s}, {u"content"_s, u"You are a travel assistant."_s}},
                               QJsonObject {{u"role"_s, u"user"_s}, {u"content"_s, text}}};
    return QJsonDocument(QJsonObject {{u"model"_s, u"gpt-4.1-mini"_s}, {u"messages"_s, messages}})
        .toJson(QJsonDocument::Compact);
}

SavingsPolicy semanticPolicy()
{
    auto p = SavingsPolicy::fromSettingsJson(
        QJsonDocument::fromJson(R"({"default":{"semantic_cache":{"enabled":true,"threshold":0.8}}})").object());
    if (!p)
        qFatal("bad policy in test: %s", qPrintable(p.error().message));
    return *p;
}

} // namespace

class MarkWrongAcrossRunsTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void hitOfAnEarlierRunCanBeMarkedWrong()
    {
        ProxyConfig config;
        test::ProxyHarness h([&](ProxyConfig &c) {
            c.cache.enabled = false;
            c.savings = semanticPolicy();
            config = c;
        });
        QVERIFY2(h.ok(), qPrintable(h.error()));
        const QByteArray a = question(u"Which temple in Kyoto has the golden pavilion?"_s);
        const QByteArray b = question(u"Which temple in Kyoto has the golden pavilion, please?"_s);
        QCOMPARE(h.curl("/v1/chat/completions", a, headers()).headers.value("x-tokenledger-cache"), QByteArray("miss"));
        const auto hit = h.curl("/v1/chat/completions", b, headers());
        QCOMPARE(hit.headers.value("x-tokenledger-cache"), QByteArray("hit"));
        const qint64 recordId = hit.headers.value("x-tokenledger-record-id").toLongLong();
        QVERIFY(recordId > 0);

        // A new run of the proxy on the same ledger (and so the same cache file beside it).
        QVERIFY(h.stop());
        auto restarted = h.proxy().start(config);
        QTRY_VERIFY_WITH_TIMEOUT(restarted.isFinished(), 10000);
        QVERIFY2(restarted.result(), qPrintable(restarted.result() ? QString() : restarted.result().error().message));
        // The entry is still there: the paraphrase is a hit in the new run too.
        QCOMPARE(h.curl("/v1/chat/completions", b, headers()).headers.value("x-tokenledger-cache"), QByteArray("hit"));

        // The old run's record: not in the new run's memory, found through the cache file.
        auto marked = h.proxy().markSemanticHitWrong(recordId);
        QTRY_VERIFY(marked.isFinished());
        if (!marked.result())
            QFAIL(qPrintable(marked.result().error().message));
        const int before = h.upstream().requestCount();
        QCOMPARE(h.curl("/v1/chat/completions", b, headers()).headers.value("x-tokenledger-cache"), QByteArray("miss"));
        QCOMPARE(h.upstream().requestCount(), before + 1);

        // Marking it again, or a record that was never a semantic hit, is NotFound.
        for (qint64 id : {recordId, recordId - 1}) {
            auto again = h.proxy().markSemanticHitWrong(id);
            QTRY_VERIFY(again.isFinished());
            QVERIFY(!again.result());
            QCOMPARE(again.result().error().code, ErrorCode::NotFound);
        }
    }
};

} // namespace tl

QTEST_GUILESS_MAIN(tl::MarkWrongAcrossRunsTest)
#include "MarkWrongAcrossRunsTest.moc"
