// Money gaps the session-8 SDK trial found, end to end with real parts (a ledger on a SQLite file, the
// proxy on its own thread, the loopback upstream speaking the providers' wire formats, curl and raw
// sockets as clients): non-streamed calls a client abandons, OpenAI Responses web search fees, and
// background Responses whose usage comes with a later retrieve.
#include "ProxyHarness.h"
#include "pricing/Pricer.h"
#include "TestSupport.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QtTest>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::test;

namespace {

const QByteArray kKeyA = "sk-billing-test-caller-A-0123456789";
const QByteArray kKeyB = "sk-billing-test-caller-B-9876543210";

QStringList auth(const QByteArray &key) { return {u"Authorization: Bearer "_s + QString::fromLatin1(key)}; }

// The c1 fixture's usage at gpt-5's price (genai-prices 0.1.8: input $1.25, cache read $0.125, output
// $10 per M): 904 x 1,250 + 4,096 x 125 + 900 x 10,000 nano-USD.
constexpr NanoUsd kC1Cost = 904 * 1'250 + 4'096 * 125 + 900 * 10'000;

// The rollups (hourly, daily, weekly) against the raw rows: calls, prompt tokens, cost, unpriced calls.
QString rollupMismatch(Ledger &ledger)
{
    auto f = ledger.read<QString>([](QSqlDatabase &db) {
        QString out;
        auto row = [&](const QString &sql) -> QString {
            QSqlQuery q(db);
            if (!q.exec(sql) || !q.next())
                return u"query failed: "_s + sql;
            return u"%1/%2/%3/%4"_s.arg(q.value(0).toLongLong()).arg(q.value(1).toLongLong()).arg(q.value(2).toLongLong())
                .arg(q.value(3).toLongLong());
        };
        const QString raw = row(u"SELECT SUM(call_count), SUM(prompt_tokens), SUM(COALESCE(cost_nano, 0)), "
                                u"SUM(cost_nano IS NULL) FROM calls"_s);
        for (const char *table : {"rollup_hour", "rollup_day", "rollup_week"}) {
            const QString rolled = row(u"SELECT SUM(calls), SUM(prompt_tokens), SUM(cost_nano), SUM(unpriced_calls) FROM "_s
                                       + QLatin1StringView(table));
            if (rolled != raw)
                out += u"%1 %2 != calls %3; "_s.arg(QLatin1StringView(table), rolled, raw);
        }
        return out;
    });
    QDeadlineTimer deadline(10000);
    while (!f.isFinished() && !deadline.hasExpired())
        QTest::qWait(2);
    return f.isFinished() ? f.result() : u"timeout"_s;
}

} // namespace

class ProxyBillingTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void abandonedNonStreamedCallIsEstimated_data();
    void abandonedNonStreamedCallIsEstimated();
    void callAbandonedAfterTheUpstreamsHeadersRecordsNoAnswer();
    void responsesToolCallsArePriced_data();
    void responsesToolCallsArePriced();
    void chatSearchModelCallsCountTheirSearch();
    void serviceTierPricesTheCall_data();
    void serviceTierPricesTheCall();
    void xaiReasoningTokensAreOutputOnTop_data();
    void xaiReasoningTokensAreOutputOnTop();
    void perplexityUsageIsReadAndPriced_data();
    void perplexityUsageIsReadAndPriced();
    void backgroundResponseIsPricedByItsRetrieve();
    void streamedBackgroundResponseIsPricedOnce();
    void cutBackgroundStreamWaitsForItsRetrieve();
    void modelsListAndTokenCountingAreFree();
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

// Session-12 trial: a non-streamed call the client abandons after the upstream's status line and headers came,
// its body still to come, was recorded with the upstream's 200 although no byte of an answer reached the
// client (the proxy passes a non-streamed answer on only once it is whole). Now it reads as the abandonment it
// is: status 0 (no answer went out, the convention of a hang-up before the upstream answers), client_closed,
// the prompt estimated; a stream whose headers went out keeps its 200 (ProxyTest::clientHangUpAbortsUpstreamAndKeepsRecord).
void ProxyBillingTest::callAbandonedAfterTheUpstreamsHeadersRecordsNoAnswer()
{
    // The upstream's headers must reach the proxy before the client leaves: with no headers within the
    // first-byte timeout the proxy records a 504, which the empty ledger below rules out.
    ProxyHarness h([](ProxyConfig &c) {
        c.firstByteTimeoutMs = 1000;
        c.idleTimeoutMs = 60000;
    });
    QVERIFY(h.ok());
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, h.port());
    QVERIFY(s.waitForConnected(2000));
    const QByteArray body = R"({"model":"gpt-4o","messages":[{"role":"user","content":"Summarise the quarterly report in five bullet points"}]})";
    s.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "X-Loopback-Mode: headers-then-wait\r\nAuthorization: Bearer " + kKeyA + "\r\nContent-Length: "
            + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QVERIFY(s.waitForBytesWritten(2000));
    QTRY_COMPARE_WITH_TIMEOUT(h.upstream().requestCount(), 1, 5000);
    QTest::qWait(1500); // past the first-byte deadline
    QCOMPARE(h.records().size(), 0); // no 504: the upstream's 200 and headers came, the body is awaited
    QCOMPARE(s.readAll(), QByteArray()); // and nothing of the answer went to the client
    s.abort();
    QTRY_COMPARE_WITH_TIMEOUT(h.upstream().closedEarly(), 1, 5000); // the upstream transfer was aborted
    QList<CallRecord> recs;
    QTRY_VERIFY_WITH_TIMEOUT((recs = h.records()).size() == 1, 5000);
    const CallRecord &r = recs[0];
    QCOMPARE(r.httpStatus, 0);
    QCOMPARE(r.errorKind, u"client_closed"_s);
    QCOMPARE(toString(r.usageStatus), toString(UsageStatus::Estimated));
    QVERIFY2(r.usage.promptTokens >= 8 && r.usage.promptTokens < 100, qPrintable(QString::number(r.usage.promptTokens)));
    QCOMPARE(r.usage.completionTokens, 0); // no byte of the body came
    QCOMPARE(r.cost.value_or(-1), NanoUsd(r.usage.promptTokens * 2'500)); // gpt-4o input $2.50 / M
    QCOMPARE(toString(r.costStatus), toString(CostStatus::Estimated));
}

void ProxyBillingTest::responsesToolCallsArePriced_data()
{
    QTest::addColumn<QByteArray>("shape");
    QTest::addColumn<QByteArray>("tools");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<int>("webSearches");
    QTest::addColumn<int>("fileSearches");
    QTest::addColumn<qint64>("cost");
    QTest::addColumn<QByteArray>("costHeader"); // X-TokenLedger-Cost-USD of the JSON answer
    // Both shapes (LoopbackShapes.h): gpt-5-2025-08-07, 75 input and 18 output tokens. gpt-5: input $1.25 / M,
    // output $10 / M: 75 x 1,250 + 18 x 10,000 = 273,750 nano-USD of tokens.
    for (bool stream : {false, true}) {
        const char *form = stream ? "stream (response.completed)" : "JSON";
        // web_search_call items are billed per search (genai-prices 0.1.8: gpt-5 web_searches_kcount $10, so
        // 10,000,000 nano-USD a search); the shape's open_page action is not a search. Two searches: + 20,000,000.
        // Before session 9 the fee was left out (273,750 exact).
        QTest::addRow("web search, %s", form) << QByteArray("responses-web-search")
                                              << QByteArray(R"([{"type":"web_search"}])") << stream << 2 << 0
                                              << qint64(20'273'750) << QByteArray("0.02027375");
        // file_search_call items are billed per call (OpenAI pricing "Built-in tools": file search tool call $2.50 per
        // 1,000 calls; genai-prices 0.1.8 gpt-5 storage_searches_kcount 2.5, so 2,500,000 nano-USD a call). Two
        // calls: + 5,000,000. Before session 19 the calls were not counted (273,750 exact).
        QTest::addRow("file search, %s", form) << QByteArray("responses-file-search")
                                               << QByteArray(R"([{"type":"file_search","vector_store_ids":["vs_shape01"]}])")
                                               << stream << 0 << 2 << qint64(5'273'750)
                                               << QByteArray("0.00527375");
    }
}

// A Responses answer's built-in tool calls are billed with the call, kept by the exact cache's hit as saving, and
// stored in their ledger columns (web_search_requests, schema v13; file_search_calls, schema v16).
void ProxyBillingTest::responsesToolCallsArePriced()
{
    QFETCH(QByteArray, shape);
    QFETCH(QByteArray, tools);
    QFETCH(bool, stream);
    QFETCH(int, webSearches);
    QFETCH(int, fileSearches);
    QFETCH(qint64, cost);
    QFETCH(QByteArray, costHeader);
    ProxyHarness h;
    QVERIFY(h.ok());
    const QByteArray body = R"({"model":"gpt-5","input":"loopback-shape:)" + shape + R"(","tools":)" + tools
        + QByteArray(stream ? R"(,"stream":true})" : "}");
    const HttpResult r = h.curl("/v1/responses", body, auth(kKeyA));
    QCOMPARE(r.status, 200);
    QVERIFY(r.body.contains("Grass is green."));
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    QCOMPARE(recs[0].usage.promptTokens, 75);
    QCOMPARE(recs[0].usage.completionTokens, 18);
    QCOMPARE(recs[0].usage.webSearchRequests, webSearches);
    QCOMPARE(recs[0].usage.fileSearchCalls, fileSearches);
    QCOMPARE(toString(recs[0].usageStatus), toString(UsageStatus::Complete));
    QCOMPARE(recs[0].cost.value_or(-1), NanoUsd(cost));
    QCOMPARE(toString(recs[0].costStatus), toString(CostStatus::Exact));
    if (!stream)
        QCOMPARE(r.headers.value("x-tokenledger-cost-usd"), costHeader);
    // The same answer again from the exact cache: no cost, and the tool calls are part of its saving.
    const HttpResult again = h.curl("/v1/responses", body, auth(kKeyA));
    QCOMPARE(again.headers.value("x-tokenledger-cache"), QByteArray("hit"));
    const QList<CallRecord> after = h.records();
    QCOMPARE(after.size(), 2);
    QCOMPARE(after[1].usage.webSearchRequests, webSearches);
    QCOMPARE(after[1].usage.fileSearchCalls, fileSearches);
    QCOMPARE(after[1].cost.value_or(-1), NanoUsd(0));
    QCOMPARE(after[1].savedCost, NanoUsd(cost));
    // The ledger's columns hold them and the rollups agree with the rows.
    auto stored = h.ledger().read<QList<qint64>>([](QSqlDatabase &db) {
        QSqlQuery q(db);
        return q.exec(u"SELECT SUM(web_search_requests), SUM(file_search_calls) FROM calls"_s) && q.next()
            ? QList<qint64>{q.value(0).toLongLong(), q.value(1).toLongLong()}
            : QList<qint64>{};
    });
    QCOMPARE(stored.result(), (QList<qint64>{2 * webSearches, 2 * fileSearches}));
    QCOMPARE(rollupMismatch(h.ledger()), QString());
}

void ProxyBillingTest::serviceTierPricesTheCall_data()
{
    QTest::addColumn<QByteArray>("shape");
    QTest::addColumn<bool>("stream");
    QTest::addColumn<qint64>("cost");
    QTest::addColumn<QString>("costStatus");
    QTest::addColumn<bool>("batch");
    QTest::addColumn<QString>("tag");
    // chat-refusal's usage: gpt-4o-2024-08-06, 25 in / 10 out at $2.50 / $10 per M = 162,500 nano-USD at list.
    // Flex (OpenAI "Flex processing": Batch API rates, 50%): 81,250, exact; before session 16: 162,500 exact.
    for (bool stream : {false, true}) {
        const char *form = stream ? "stream" : "JSON";
        QTest::addRow("flex, %s", form) << QByteArray("chat-flex") << stream << qint64(81'250) << u"exact"_s << true
                                        << QString(kFlexTierTag);
        // Priority bills above list; genai-prices 0.1.8 has no such price: the list price, estimated.
        QTest::addRow("priority, %s", form) << QByteArray("chat-priority") << stream << qint64(162'500) << u"estimated"_s
                                            << false << QString(kPriorityTierTag);
        QTest::addRow("default, %s", form) << QByteArray("chat-refusal") << stream << qint64(162'500) << u"exact"_s << false
                                           << QString();
        // anthropic-citations' usage: claude-sonnet-4-5, 610 in / 35 out at $3 / $15 per M = 2,355,000.
        QTest::addRow("anthropic priority, %s", form) << QByteArray("anthropic-priority") << stream << qint64(2'355'000)
                                                      << u"estimated"_s << false << QString(kPriorityTierTag);
    }
}

// Session-16 audit: the tier an answer names (service_tier) was ignored, so flex calls were booked at twice
// their price and priority calls at the list price, both "exact".
void ProxyBillingTest::serviceTierPricesTheCall()
{
    QFETCH(QByteArray, shape);
    QFETCH(bool, stream);
    QFETCH(qint64, cost);
    QFETCH(QString, costStatus);
    QFETCH(bool, batch);
    QFETCH(QString, tag);
    ProxyHarness h;
    QVERIFY(h.ok());
    const bool anthropic = shape.startsWith("anthropic");
    const QByteArray head = anthropic ? QByteArray(R"({"model":"claude-sonnet-4-5","max_tokens":100,)")
                                      : QByteArray(R"({"model":"gpt-4o",)");
    const QByteArray body = head + R"("messages":[{"role":"user","content":"loopback-shape:)" + shape + R"("}])"
        + QByteArray(stream ? R"(,"stream":true})" : "}");
    QStringList headers = auth(kKeyA);
    if (anthropic)
        headers << u"anthropic-version: 2023-06-01"_s;
    const HttpResult r = h.curl(anthropic ? "/v1/messages" : "/v1/chat/completions", body, headers);
    QCOMPARE(r.status, 200);
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    QCOMPARE(recs[0].cost, std::optional<NanoUsd>(cost));
    QCOMPARE(toString(recs[0].costStatus), costStatus);
    QCOMPARE(recs[0].batch, batch);
    if (batch) // the saving against the list price, as for a Batch API call
        QCOMPARE(recs[0].savedCost, NanoUsd(cost));
    QCOMPARE(recs[0].tags.contains(tag), !tag.isEmpty());
}

void ProxyBillingTest::xaiReasoningTokensAreOutputOnTop_data()
{
    QTest::addColumn<bool>("stream");
    QTest::newRow("JSON") << false;
    QTest::newRow("stream") << true;
}

// Session-16 audit: xAI reports reasoning tokens beside completion_tokens (genai-prices 0.1.8's x-ai extractor adds
// both to output). Read as OpenAI's, 2,000 reasoning over 100 completion made the usage Invalid (unpriced).
// grok-4-0709 at $3 / $15 per M: 1,000 x 3,000 + (100 + 2,000) x 15,000 = 34,500,000 nano-USD.
void ProxyBillingTest::xaiReasoningTokensAreOutputOnTop()
{
    QFETCH(bool, stream);
    ProxyHarness h([](ProxyConfig &c) {
        c.upstreams[0].kind = UpstreamKind::OpenAiCompatible;
        c.upstreams[0].priceProvider = u"x-ai"_s;
    });
    QVERIFY(h.ok());
    const QByteArray body = R"({"model":"grok-4-0709","messages":[{"role":"user","content":"loopback-shape:chat-xai-reasoning"}])"
        + QByteArray(stream ? R"(,"stream":true})" : "}");
    const HttpResult r = h.curl("/v1/chat/completions", body, auth(kKeyA));
    QCOMPARE(r.status, 200);
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    QCOMPARE(recs[0].provider, u"x-ai"_s);
    QCOMPARE(toString(recs[0].usageStatus), toString(UsageStatus::Complete));
    QCOMPARE(recs[0].usage.completionTokens, 2100);
    QCOMPARE(recs[0].usage.reasoningTokens, 2000);
    QCOMPARE(recs[0].cost, std::optional<NanoUsd>(34'500'000));
    QCOMPARE(toString(recs[0].costStatus), u"exact"_s);
}

void ProxyBillingTest::perplexityUsageIsReadAndPriced_data()
{
    QTest::addColumn<bool>("stream");
    QTest::newRow("JSON") << false;
    QTest::newRow("stream") << true;
}

// Session 17: Perplexity reports reasoning_tokens, citation_tokens and num_search_queries at the top of usage,
// reasoning and citation tokens beside completion_tokens (genai-prices 0.1.8's perplexity extractor). Read as
// OpenAI's, the call was Invalid (unpriced). sonar-deep-research at $2 in, $8 out, $3 reasoning, $2 citation per
// M and $5 per 1,000 searches: 33 x 2,000 + 11,395 x 8,000 + 193,947 x 3,000 + 19,028 x 2,000 + 21 x 5,000,000
// = 816,123,000 nano-USD (genai-prices' own figure: $0.816123).
void ProxyBillingTest::perplexityUsageIsReadAndPriced()
{
    QFETCH(bool, stream);
    ProxyHarness h([](ProxyConfig &c) {
        c.upstreams[0].kind = UpstreamKind::OpenAiCompatible;
        c.upstreams[0].priceProvider = u"perplexity"_s;
    });
    QVERIFY(h.ok());
    const QByteArray body = R"({"model":"sonar-deep-research","messages":[{"role":"user","content":"loopback-shape:chat-perplexity-deep-research"}])"
        + QByteArray(stream ? R"(,"stream":true})" : "}");
    const HttpResult r = h.curl("/v1/chat/completions", body, auth(kKeyA));
    QCOMPARE(r.status, 200);
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    QCOMPARE(recs[0].provider, u"perplexity"_s);
    QCOMPARE(toString(recs[0].usageStatus), toString(UsageStatus::Complete));
    QCOMPARE(recs[0].usage.completionTokens, 224'370);
    QCOMPARE(recs[0].usage.reasoningTokens, 193'947);
    QCOMPARE(recs[0].usage.citationTokens, 19'028);
    QCOMPARE(recs[0].usage.webSearchRequests, 21);
    QCOMPARE(recs[0].cost, std::optional<NanoUsd>(816'123'000));
    QCOMPARE(toString(recs[0].costStatus), u"exact"_s);
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

// A background create answers "queued" without usage: its record is pending (cost NULL, not $0, the
// header says "pending"); polls are free retrievals (cost 0, exact); the first retrieve by the same caller
// that finds the response finished gives its usage and cost to the create's record, once. Another caller's
// retrieve of the same id settles nothing. Before session 9: the create stayed unpriced for ever, the
// polls were unpriced GETs.
void ProxyBillingTest::backgroundResponseIsPricedByItsRetrieve()
{
    ProxyHarness h;
    QVERIFY(h.ok());
    const HttpResult created = h.curl("/v1/responses", R"({"model":"gpt-5","input":"Write a haiku","background":true})",
                                      auth(kKeyA) << u"X-Loopback-Polls: 1"_s);
    QCOMPARE(created.status, 200);
    const QJsonObject queued = QJsonDocument::fromJson(created.body).object();
    QCOMPARE(queued.value("status"_L1).toString(), u"queued"_s);
    const QByteArray id = queued.value("id"_L1).toString().toLatin1();
    QVERIFY(id.startsWith("resp_bg"));
    QCOMPARE(created.headers.value("x-tokenledger-cost-usd"), QByteArray("pending"));
    QCOMPARE(created.headers.value("x-tokenledger-cache"), QByteArray()); // never cached: a job, not an answer
    QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    const qint64 createId = recs[0].id;
    QCOMPARE(QByteArray::number(createId), created.headers.value("x-tokenledger-record-id"));
    QCOMPARE(toString(recs[0].usageStatus), u"pending"_s);
    QVERIFY(!recs[0].cost.has_value());
    QCOMPARE(recs[0].usage.totalTokens(), 0);

    // A poll while it runs: a free retrieval, the create still pending.
    const HttpResult polled = h.curl("/v1/responses/" + id, {}, auth(kKeyA));
    QCOMPARE(QJsonDocument::fromJson(polled.body).object().value("status"_L1).toString(), u"in_progress"_s);
    QCOMPARE(polled.headers.value("x-tokenledger-cost-usd"), QByteArray("0.00"));
    // Another caller's retrieve of the finished response: its own free record, nothing settled.
    const HttpResult other = h.curl("/v1/responses/" + id, {}, auth(kKeyB));
    QCOMPARE(QJsonDocument::fromJson(other.body).object().value("status"_L1).toString(), u"completed"_s);
    recs = h.records();
    QCOMPARE(recs.size(), 3);
    QCOMPARE(toString(recs[0].usageStatus), u"pending"_s);
    for (int i : {1, 2}) {
        QCOMPARE(recs[i].cost.value_or(-1), NanoUsd(0));
        QCOMPARE(toString(recs[i].costStatus), toString(CostStatus::Exact));
        QCOMPARE(recs[i].priceEntry, u"free:responses.retrieve"_s);
        QCOMPARE(recs[i].usage.totalTokens(), 0);
    }

    // The caller's own retrieve of the finished response settles the create, once.
    const HttpResult done = h.curl("/v1/responses/" + id, {}, auth(kKeyA));
    QCOMPARE(QJsonDocument::fromJson(done.body).object().value("status"_L1).toString(), u"completed"_s);
    QTRY_VERIFY_WITH_TIMEOUT((recs = h.records()).size() == 4 && recs[0].usageStatus == UsageStatus::Complete, 5000);
    const CallRecord &create = recs[0];
    QCOMPARE(create.id, createId);
    QCOMPARE(create.usage.promptTokens, 5000);
    QCOMPARE(create.usage.cachedTokens, 4096);
    QCOMPARE(create.usage.completionTokens, 900);
    QCOMPARE(create.usage.reasoningTokens, 640);
    QCOMPARE(create.cost.value_or(-1), kC1Cost);
    QCOMPARE(toString(create.costStatus), toString(CostStatus::Exact));
    QCOMPARE(create.priceEntry, u"openai/gpt-5"_s);
    QCOMPARE(recs[3].cost.value_or(-1), NanoUsd(0));
    // A second terminal retrieve changes nothing.
    h.curl("/v1/responses/" + id, {}, auth(kKeyA));
    QTest::qWait(200); // a settlement, were there one, would be queued behind the retrieve's record
    recs = h.records();
    QCOMPARE(recs.size(), 5);
    NanoUsd total = 0;
    for (const CallRecord &r : recs)
        total += r.cost.value_or(0);
    QCOMPARE(total, kC1Cost);
    QCOMPARE(recs[0].cost.value_or(-1), kC1Cost);
    const QString mismatch = rollupMismatch(h.ledger());
    QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
}

// A streamed background create carries its usage in response.completed: priced then, and a later
// retrieve of the finished response does not price it again.
void ProxyBillingTest::streamedBackgroundResponseIsPricedOnce()
{
    ProxyHarness h;
    QVERIFY(h.ok());
    const HttpResult streamed = h.curl("/v1/responses", R"({"model":"gpt-5","input":"Write a haiku","background":true,"stream":true})",
                                       auth(kKeyA));
    QCOMPARE(streamed.status, 200);
    QVERIFY(streamed.body.contains("response.completed"));
    QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    QCOMPARE(toString(recs[0].usageStatus), toString(UsageStatus::Complete));
    QCOMPARE(recs[0].cost.value_or(-1), kC1Cost);
    const HttpResult retrieved = h.curl("/v1/responses/resp_SYNTH0005abcdef0123456789", {}, auth(kKeyA));
    QCOMPARE(QJsonDocument::fromJson(retrieved.body).object().value("status"_L1).toString(), u"completed"_s);
    QTest::qWait(200);
    recs = h.records();
    QCOMPARE(recs.size(), 2);
    QCOMPARE(recs[0].cost.value_or(-1), kC1Cost);
    QCOMPARE(recs[1].cost.value_or(-1), NanoUsd(0));
    QCOMPARE(recs[1].priceEntry, u"free:responses.retrieve"_s);
}

// A streamed background create whose stream is cut runs on at the provider: its record waits for a
// retrieve (pending, not a local estimate), which then gives it the provider's usage.
void ProxyBillingTest::cutBackgroundStreamWaitsForItsRetrieve()
{
    ProxyHarness h;
    QVERIFY(h.ok());
    const HttpResult cut = h.curl("/v1/responses", R"({"model":"cut-stream","input":"Write a haiku","background":true,"stream":true})",
                                  auth(kKeyA));
    QCOMPARE(cut.status, 200);
    QVERIFY(cut.body.contains("response.created"));
    QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    QCOMPARE(recs[0].errorKind, u"upstream_cut"_s);
    QCOMPARE(toString(recs[0].usageStatus), u"pending"_s);
    QVERIFY(!recs[0].cost.has_value());
    h.curl("/v1/responses/resp_SYNTH0005abcdef0123456789", {}, auth(kKeyA));
    QTRY_VERIFY_WITH_TIMEOUT((recs = h.records()).size() == 2 && recs[0].usageStatus == UsageStatus::Complete, 5000);
    QCOMPARE(recs[0].usage.promptTokens, 5000);
    QCOMPARE(recs[0].cost.value_or(-1), kC1Cost);
    const QString mismatch = rollupMismatch(h.ledger());
    QVERIFY2(mismatch.isEmpty(), qPrintable(mismatch));
}


// Session-17 trial: GET /v1/models made the ledger "partly unpriced" (an unpriced call with no model). Listing
// models (OpenAI API reference "Models") and Anthropic's token counting (guide "Token counting": free to use) are
// not billed: a known $0 with the price entry "free:<api>", kept by re-pricing, as a response retrieve is.
void ProxyBillingTest::modelsListAndTokenCountingAreFree()
{
    ProxyHarness h;
    QVERIFY(h.ok());
    QCOMPARE(h.curl("/v1/models", {}, auth(kKeyA)).status, 200);
    const HttpResult counted = h.curl("/v1/messages/count_tokens",
                                      R"({"model":"claude-sonnet-4-5","messages":[{"role":"user","content":"Hello"}]})",
                                      {u"x-api-key: "_s + QString::fromLatin1(kKeyA), u"anthropic-version: 2023-06-01"_s});
    QVERIFY(counted.status > 0);
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 2);
    QCOMPARE(recs[0].priceEntry, u"free:models"_s);
    QCOMPARE(recs[1].priceEntry, u"free:messages.count_tokens"_s);
    for (const CallRecord &r : recs) {
        QCOMPARE(r.cost.value_or(-1), NanoUsd(0));
        QCOMPARE(toString(r.costStatus), toString(CostStatus::Exact));
        QCOMPARE(r.usage.promptTokens, 0);
    }
}

QTEST_MAIN(ProxyBillingTest)
#include "ProxyBillingTest.moc"
