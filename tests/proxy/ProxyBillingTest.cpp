// Money gaps the session-8 SDK trial found, end to end with real parts (a ledger on a SQLite file, the
// proxy on its own thread, the loopback upstream speaking the providers' wire formats, curl and raw
// sockets as clients): non-streamed calls a client abandons, OpenAI Responses web search fees.
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
    void responsesWebSearchCallsArePriced_data();
    void responsesWebSearchCallsArePriced();
    void chatSearchModelCallsCountTheirSearch();
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

void ProxyBillingTest::responsesWebSearchCallsArePriced_data()
{
    QTest::addColumn<bool>("stream");
    QTest::newRow("JSON") << false;
    QTest::newRow("stream (response.completed)") << true;
}

// A Responses answer's web_search_call items are billed per search (genai-prices 0.1.8: gpt-5
// web_searches_kcount $10, so 10,000,000 nano-USD a search); the open_page action is not a search. The
// shape (LoopbackShapes.h "responses-web-search"): gpt-5-2025-08-07, 75 input and 18 output tokens, two
// searches and one open_page. gpt-5: input $1.25 / M, output $10 / M: 75 x 1,250 + 18 x 10,000 = 273,750
// nano-USD of tokens, + 20,000,000 of searches. Before session 9 the fee was left out (273,750 exact).
void ProxyBillingTest::responsesWebSearchCallsArePriced()
{
    QFETCH(bool, stream);
    ProxyHarness h;
    QVERIFY(h.ok());
    const QByteArray body = R"({"model":"gpt-5","input":"loopback-shape:responses-web-search","tools":[{"type":"web_search"}])"
        + QByteArray(stream ? R"(,"stream":true})" : "}");
    const HttpResult r = h.curl("/v1/responses", body, auth(kKeyA));
    QCOMPARE(r.status, 200);
    QVERIFY(r.body.contains("Grass is green."));
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    QCOMPARE(recs[0].usage.promptTokens, 75);
    QCOMPARE(recs[0].usage.completionTokens, 18);
    QCOMPARE(recs[0].usage.webSearchRequests, 2);
    QCOMPARE(toString(recs[0].usageStatus), toString(UsageStatus::Complete));
    QVERIFY(recs[0].cost.has_value());
    QCOMPARE(*recs[0].cost, NanoUsd(20'273'750));
    QCOMPARE(toString(recs[0].costStatus), toString(CostStatus::Exact));
    if (!stream)
        QCOMPARE(r.headers.value("x-tokenledger-cost-usd"), QByteArray("0.02027375"));
    // The same answer again from the exact cache: no cost, and the searches are part of its saving.
    const HttpResult again = h.curl("/v1/responses", body, auth(kKeyA));
    QCOMPARE(again.headers.value("x-tokenledger-cache"), QByteArray("hit"));
    const QList<CallRecord> after = h.records();
    QCOMPARE(after.size(), 2);
    QCOMPARE(after[1].usage.webSearchRequests, 2);
    QCOMPARE(after[1].cost.value_or(-1), NanoUsd(0));
    QCOMPARE(after[1].savedCost, NanoUsd(20'273'750));
}

// Chat Completions with web_search_options (the search models): one search per request, which the answer
// does not count. genai-prices 0.1.8 has no search price for gpt-4o-search-preview, so the call is
// unpriced (with its search counted), never priced for its tokens alone; the same model without
// web_search_options is priced (echo mode: 120 prompt and 30 completion tokens, $2.50 / $10 per M).
void ProxyBillingTest::chatSearchModelCallsCountTheirSearch()
{
    ProxyHarness h;
    QVERIFY(h.ok());
    const QStringList headers = auth(kKeyA) << u"X-Loopback-Mode: echo"_s << u"X-TokenLedger-Cache: bypass"_s;
    const HttpResult searched = h.curl(
        "/v1/chat/completions",
        R"({"model":"gpt-4o-search-preview","web_search_options":{"search_context_size":"low"},"messages":[{"role":"user","content":"What is new in Qt 6.8?"}]})",
        headers);
    QCOMPARE(searched.status, 200);
    QCOMPARE(searched.headers.value("x-tokenledger-cost-usd"), QByteArray("unpriced"));
    const HttpResult plain = h.curl(
        "/v1/chat/completions",
        R"({"model":"gpt-4o-search-preview","messages":[{"role":"user","content":"What is new in Qt 6.8?"}]})", headers);
    QCOMPARE(plain.status, 200);
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 2);
    QCOMPARE(recs[0].usage.webSearchRequests, 1);
    QCOMPARE(recs[0].usage.promptTokens, 120);
    QVERIFY(!recs[0].cost.has_value());
    QCOMPARE(toString(recs[0].costStatus), toString(CostStatus::Unpriced));
    QCOMPARE(recs[1].usage.webSearchRequests, 0);
    QCOMPARE(recs[1].cost.value_or(-1), NanoUsd(120 * 2'500 + 30 * 10'000));
}

QTEST_MAIN(ProxyBillingTest)
#include "ProxyBillingTest.moc"
