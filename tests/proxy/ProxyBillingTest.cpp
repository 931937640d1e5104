// Money gaps the session-8 SDK trial found, end to end with real parts (a ledger on a SQLite file, the
// proxy on its own thread, the loopback upstream speaking the providers' wire formats, curl and raw
// sockets as clients): non-streamed calls a client abandons.
#include "ProxyHarness.h"
#include "TestSupport.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::test;

namespace {

const QByteArray kKeyA = "sk-billing-test-caller-A-0123456789";

QStringList auth(const QByteArray &key) { return {u"Authorization: Bearer "_s + QString::fromLatin1(key)}; }

} // namespace

class ProxyBillingTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void abandonedNonStreamedCallIsEstimated_data();
    void abandonedNonStreamedCallIsEstimated();
};

void ProxyBillingTest::abandonedNonStreamedCallIsEstimated_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("keyHeader");
    QTest::newRow("chat completions") << QByteArray("/v1/chat/completions")
                                      << QByteArray(R"({"model":"gpt-4o","messages":[{"role":"user","content":"Summarise the quarterly report in five bullet points"}]})")
                                      << QByteArray("Authorization: Bearer ");
    QTest::newRow("responses") << QByteArray("/v1/responses")
                               << QByteArray(R"({"model":"gpt-5","input":"Summarise the quarterly report in five bullet points"})")
                               << QByteArray("Authorization: Bearer ");
    QTest::newRow("anthropic messages")
        << QByteArray("/v1/messages")
        << QByteArray(R"({"model":"claude-sonnet-4-5","max_tokens":256,"messages":[{"role":"user","content":"Summarise the quarterly report in five bullet points"}]})")
        << QByteArray("anthropic-version: 2023-06-01\r\nx-api-key: ");
}

// The client hangs up while the upstream works on a non-streamed answer: the proxy aborts the upstream
// transfer and keeps the record with the prompt counted by the local tokenizer (Estimated, as a cut
// stream's), never an unpriced record with silent zeros (session 8 trial; before: Unknown, no cost).
void ProxyBillingTest::abandonedNonStreamedCallIsEstimated()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, keyHeader);
    ProxyHarness h;
    QVERIFY(h.ok());
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, h.port());
    QVERIFY(s.waitForConnected(2000));
    s.write("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nX-Loopback-Mode: never\r\n"
            + keyHeader + kKeyA + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QVERIFY(s.waitForBytesWritten(2000));
    QTRY_COMPARE_WITH_TIMEOUT(h.upstream().requestCount(), 1, 5000); // forwarded: the provider may bill it
    s.abort();
    QTRY_COMPARE_WITH_TIMEOUT(h.upstream().closedEarly(), 1, 5000); // the upstream transfer was aborted
    QList<CallRecord> recs;
    QTRY_VERIFY_WITH_TIMEOUT((recs = h.records()).size() == 1, 5000);
    const CallRecord &r = recs[0];
    QCOMPARE(r.errorKind, u"client_closed"_s);
    QCOMPARE(toString(r.usageStatus), toString(UsageStatus::Estimated));
    QVERIFY2(r.usage.promptTokens >= 8, qPrintable(QString::number(r.usage.promptTokens))); // ten words and the chat framing
    QVERIFY(r.usage.promptTokens < 100);
    QCOMPARE(r.usage.completionTokens, 0); // nothing of the answer was seen
    QVERIFY(r.cost.has_value());
    QVERIFY(*r.cost > 0);
    QCOMPARE(toString(r.costStatus), toString(CostStatus::Estimated));
}

QTEST_MAIN(ProxyBillingTest)
#include "ProxyBillingTest.moc"
