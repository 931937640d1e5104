// Flow control towards a slow client, and the answers at a graceful stop's drain deadline, with real
// parts: the proxy on its thread, a ledger on a SQLite file, a loopback upstream on its own thread
// (BigUpstream.h: tens of MiB, paced by its socket, counting what the kernel took from it) and a
// raw client socket that reads nothing for a while. Assertions are on bytes and records, not time.
#include "BigUpstream.h"
#include "ProxyHarness.h"
#include "TestSupport.h"

#include "proxy/ProviderProtocol.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSemaphore>
#include <QSqlQuery>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtTest>

#include <atomic>

using namespace Qt::StringLiterals;
using namespace tl;
using namespace tl::test;

namespace {

constexpr qint64 kMiB = 1024 * 1024;

QByteArray chatRequest(bool stream, const QByteArray &model = "gpt-4o-mini-2024-07-18")
{
    const QByteArray body = R"({"model":")" + model + R"(","messages":[{"role":"user","content":"Write a long answer"}])"
                            + (stream ? R"(,"stream":true})" : "}");
    return "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Authorization: Bearer sk-flow-test\r\nContent-Length: "
           + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// Connects `s` with a 64 KiB read buffer, sends `request` and never reads: a client that stalls on the answer.
void sendAndNeverRead(QTcpSocket &s, quint16 port, const QByteArray &request)
{
    s.setReadBufferSize(64 * 1024);
    s.connectToHost(QHostAddress::LocalHost, port);
    QVERIFY(s.waitForConnected(3000));
    s.write(request);
    QVERIFY(s.waitForBytesWritten(3000));
}

// Sends a non-streamed chat request on `s` that the client never reads, and waits until the proxy has the whole
// answer in and recorded, held for the client. The records then (one when all went well; the caller checks).
QList<CallRecord> answerHeldForAClientThatNeverReads(QTcpSocket &s, ProxyHarness &h)
{
    sendAndNeverRead(s, h.port(), chatRequest(false));
    QList<CallRecord> recs;
    if (!QTest::currentTestFailed())
        (void)QTest::qWaitFor([&] { return (recs = h.records()).size() == 1; }, 20000);
    return recs;
}

// A proxy to `big` that cuts a client which takes no bytes for 500 ms.
std::function<void(ProxyConfig &)> toBigWithWriteTimeout(const BigUpstream &big)
{
    return [&big](ProxyConfig &c) {
        c.upstreams[0].baseUrl = QUrl(QString::fromLatin1(big.baseUrl()));
        c.clientWriteTimeoutMs = 500;
    };
}

// Waits (running the event loop) until `value` has not changed across `stableMs`, at most `maxMs`.
qint64 settled(const std::function<qint64()> &value, int stableMs, int maxMs)
{
    QElapsedTimer t;
    t.start();
    qint64 last = value();
    while (t.elapsed() < maxMs) {
        QTest::qWait(stableMs);
        const qint64 now = value();
        if (now == last && now > 0)
            return now;
        last = now;
    }
    return last;
}

struct Response
{
    QByteArray head;
    QByteArray body; // de-chunked when chunked
    QByteArray trailer;
    bool complete = false;
};

// Reads one HTTP/1.1 response (Content-Length or chunked) from `s` until it is complete.
Response readResponse(QTcpSocket &s, int maxMs)
{
    Response r;
    QByteArray buf;
    QElapsedTimer t;
    t.start();
    qsizetype pos = -1; // start of the body in buf
    while (t.elapsed() < maxMs) {
        buf += s.readAll();
        if (pos < 0) {
            const qsizetype end = buf.indexOf("\r\n\r\n");
            if (end >= 0) {
                r.head = buf.left(end + 2);
                pos = end + 4;
            }
        }
        if (pos >= 0) {
            const QByteArray lower = r.head.toLower();
            if (const qsizetype cl = lower.indexOf("content-length:"); cl >= 0) {
                const qint64 len = lower.mid(cl + 15, lower.indexOf("\r\n", cl) - cl - 15).trimmed().toLongLong();
                if (buf.size() - pos >= len) {
                    r.body = buf.mid(pos, len);
                    r.complete = true;
                    return r;
                }
            } else if (buf.endsWith("\r\n\r\n") && buf.size() > pos) {
                // Chunked: complete when the zero-size chunk and its trailer section are in.
                QByteArray body;
                qsizetype p = pos;
                bool ok = true;
                while (true) {
                    const qsizetype eol = buf.indexOf("\r\n", p);
                    if (eol < 0) {
                        ok = false;
                        break;
                    }
                    const qint64 size = buf.mid(p, eol - p).toLongLong(nullptr, 16);
                    if (size == 0) {
                        r.trailer = buf.mid(eol + 2);
                        break;
                    }
                    if (eol + 2 + size + 2 > buf.size()) {
                        ok = false;
                        break;
                    }
                    body += QByteArrayView(buf).sliced(eol + 2, size);
                    p = eol + 2 + size + 2;
                }
                if (ok && (r.trailer == "\r\n" || r.trailer.endsWith("\r\n\r\n"))) {
                    r.body = body;
                    r.complete = true;
                    return r;
                }
            }
        }
        if (s.state() != QAbstractSocket::ConnectedState && s.bytesAvailable() == 0)
            break;
        s.waitForReadyRead(200);
    }
    return r;
}

// The error calls the hour, day and week rollups count, as "H D W" ("?" for an empty table).
QString errorCallsByRollup(ProxyHarness &h)
{
    auto errorCalls = h.ledger().read<QString>([](QSqlDatabase &db) {
        QString out;
        for (const char *table : {"rollup_hour", "rollup_day", "rollup_week"}) {
            QSqlQuery q(db);
            q.exec(u"SELECT SUM(error_calls) FROM "_s + QLatin1StringView(table));
            out += (q.next() ? q.value(0).toString() : u"?"_s) + u' ';
        }
        return out.trimmed();
    });
    if (!QTest::qWaitFor([&]() { return errorCalls.isFinished(); }, 10000))
        return u"(the ledger did not answer)"_s;
    return errorCalls.result();
}

} // namespace

class ProxyFlowTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void streamToANonReadingClientIsPausedThenDeliveredWhole();
    void largeJsonAnswerReachesASlowClientWhole();
    void clientThatNeverReadsIsCutOffAndRecorded();
    void clientThatNeverReadsIsCutOffAfterPipelinedGarbage();
    void answerRecordedBeforeTheClientTookItSaysItWasCut_data();
    void answerRecordedBeforeTheClientTookItSaysItWasCut();
    void slowClientThatKeepsReadingIsNotCutOff();
    void gracefulStopDoesNotWaitOutA413Drain();
    void drainDeadlineAnswersRequestsNotYetAnswered_data();
    void drainDeadlineAnswersRequestsNotYetAnswered();
    void drainDeadlineEndsStartedStreamsWithAnErrorEvent();
    void answerStillHeldWhenTheProxyStopsSaysShutdown();
};

void ProxyFlowTest::streamToANonReadingClientIsPausedThenDeliveredWhole()
{
    BigUpstream big(64 * kMiB);
    const int idleMs = 300;
    ProxyHarness h([&](ProxyConfig &c) {
        c.upstreams[0].baseUrl = QUrl(QString::fromLatin1(big.baseUrl()));
        c.idleTimeoutMs = idleMs; // must not fire while the proxy, not the upstream, holds the stream back
    });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QTcpSocket s;
    s.setReadBufferSize(64 * 1024); // QTcpSocket stops reading the kernel when this is full: no reading
    s.connectToHost(QHostAddress::LocalHost, h.port());
    QVERIFY(s.waitForConnected(3000));
    s.write(chatRequest(true));
    QVERIFY(s.waitForBytesWritten(3000));

    // The client reads nothing: the upstream may only get as far as the proxy's high-water mark plus
    // the socket buffers on both sides of the proxy (loopback: at most 4 MiB send + 6 MiB receive per
    // side here, far less in practice; measured in the report) and curl's receive buffer.
    const qint64 held = settled([&]() { return big.sent(); }, 400, 20000);
    QTest::qWait(3 * idleMs); // longer than the upstream idle timeout, the stream is still paused
    const qint64 sent = big.sent();
    qInfo() << "upstream sent while the client did not read:" << sent << "bytes (" << sent / kMiB
            << "MiB); the whole answer is" << big.eventCount() << "events of about 1,180 bytes";
    QCOMPARE(sent, held);
    QVERIFY2(sent < 24 * kMiB, qPrintable(u"upstream sent %1 bytes"_s.arg(sent)));
    QVERIFY(sent > 4 * kMiB); // it ran up to the high-water mark
    QVERIFY(!big.finished());
    QCOMPARE(big.closedEarly(), 0);

    // Now the client reads everything: byte for byte what the upstream sent, minus the usage chunk the
    // proxy asked for.
    s.setReadBufferSize(0);
    const Response r = readResponse(s, 60000);
    QVERIFY2(r.complete, r.head.constData());
    QVERIFY(r.head.startsWith("HTTP/1.1 200"));
    QVERIFY(big.finished());
    const QByteArray expected = big.expectedStream();
    QCOMPARE(r.body.size(), expected.size());
    QVERIFY(r.body == expected);
    QVERIFY2(r.trailer.startsWith("X-TokenLedger-Cost-USD: "), r.trailer.constData());

    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    QCOMPARE(recs[0].errorKind, QString());
    QCOMPARE(recs[0].httpStatus, 200);
    QCOMPARE(toString(recs[0].usageStatus), toString(UsageStatus::Complete));
    QCOMPARE(recs[0].usage.promptTokens, 5);
    QCOMPARE(recs[0].usage.completionTokens, big.completionTokens());
    QCOMPARE(recs[0].responseBytes, qint64(expected.size()));
    QVERIFY(recs[0].cost.has_value());
}

void ProxyFlowTest::largeJsonAnswerReachesASlowClientWhole()
{
    // A non-streamed answer is kept whole by the proxy (usage, cost headers, cache) and then given to
    // the client as it reads, from that one copy.
    BigUpstream big(24 * kMiB);
    ProxyHarness h([&](ProxyConfig &c) { c.upstreams[0].baseUrl = QUrl(QString::fromLatin1(big.baseUrl())); });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QTcpSocket s;
    s.setReadBufferSize(64 * 1024);
    s.connectToHost(QHostAddress::LocalHost, h.port());
    QVERIFY(s.waitForConnected(3000));
    s.write(chatRequest(false));
    QVERIFY(s.waitForBytesWritten(3000));
    QTRY_VERIFY_WITH_TIMEOUT(big.finished(), 20000);
    QList<CallRecord> recs;
    QTRY_VERIFY_WITH_TIMEOUT((recs = h.records()).size() == 1, 10000); // recorded before the client read
    s.setReadBufferSize(0);
    const Response r = readResponse(s, 60000);
    QVERIFY2(r.complete, r.head.constData());
    QVERIFY(r.head.startsWith("HTTP/1.1 200"));
    QVERIFY(r.head.contains("X-TokenLedger-Cost-USD: "));
    const QByteArray expected = big.jsonAnswer();
    QCOMPARE(r.body.size(), expected.size());
    QVERIFY(r.body == expected);
    QCOMPARE(recs[0].errorKind, QString());
    QCOMPARE(toString(recs[0].usageStatus), toString(UsageStatus::Complete));
    QCOMPARE(recs[0].usage.completionTokens, big.completionTokens());
    QCOMPARE(recs[0].responseBytes, qint64(expected.size()));
}

void ProxyFlowTest::clientThatNeverReadsIsCutOffAndRecorded()
{
    BigUpstream big(64 * kMiB);
    ProxyHarness h(toBigWithWriteTimeout(big));
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QTcpSocket s;
    sendAndNeverRead(s, h.port(), chatRequest(true));
    if (QTest::currentTestFailed())
        return;
    QList<CallRecord> recs;
    QTRY_VERIFY_WITH_TIMEOUT((recs = h.records()).size() == 1, 20000);
    QCOMPARE(recs[0].errorKind, u"client_stalled"_s);
    // What was streamed is known; the provider's usage chunk never came: estimated locally.
    QCOMPARE(toString(recs[0].usageStatus), toString(UsageStatus::Estimated));
    QVERIFY(recs[0].usage.completionTokens > 0);
    QVERIFY(recs[0].cost.has_value());
    QTRY_COMPARE_WITH_TIMEOUT(big.closedEarly(), 1, 10000); // the upstream request was aborted
    QVERIFY(!big.finished());
}

// Session-11 trial: a client that never reads its (large) answer and then sends a pipelined request that is
// refused (400) kept the connection and the held answer for ever: the pipelined request's header timeout and
// then the refusal's linger replaced the write deadline. Now the write deadline comes back once only the
// held bytes keep the connection open.
void ProxyFlowTest::clientThatNeverReadsIsCutOffAfterPipelinedGarbage()
{
    BigUpstream big(32 * kMiB);
    ProxyHarness h(toBigWithWriteTimeout(big));
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QTcpSocket s;
    QList<CallRecord> recs = answerHeldForAClientThatNeverReads(s, h);
    QVERIFY2(recs.size() == 1, "no record of the answer held for the client"); // the answer is in, held for the client
    QCOMPARE(recs[0].httpStatus, 200);
    s.write("GARBAGE\r\n\r\n"); // a pipelined request the parser refuses (400; no Host: not recorded), never read
    QVERIFY(s.waitForBytesWritten(3000));
    // Closed within the write timeout after the 2 s linger (before: never), generous bound.
    QTRY_COMPARE_WITH_TIMEOUT(h.proxy().stats().openConnections.load(), 0, 15000);
}

void ProxyFlowTest::answerRecordedBeforeTheClientTookItSaysItWasCut_data()
{
    QTest::addColumn<bool>("hangUp"); // the client leaves; else it is cut off at the write timeout
    QTest::addColumn<QString>("errorKind");
    QTest::addColumn<qint64>("answerBytes");
    QTest::newRow("cut off at the write timeout") << false << u"client_stalled"_s << qint64(32 * kMiB);
    QTest::newRow("the client hangs up") << true << u"client_closed"_s << qint64(32 * kMiB);
    // Session-13 trial: an answer that fits in QTcpSocket's buffer (below clientHighWaterBytes, 4 MiB) and
    // the kernel's was never amended, and its client never timed out. (A client that hangs up on such an
    // answer is the gap docs/proxy.md names: once the descriptor is gone, what the kernel held is unknown,
    // and those bytes count as taken.)
    QTest::newRow("3 MiB, cut off at the write timeout") << false << u"client_stalled"_s << qint64(3 * kMiB);
}

// Second session-11 trial, left then: a non-streamed answer is recorded once it is whole (its usage and cost
// headers need it) and then handed to the client as it reads; a client cut off at the write timeout (or gone)
// before it took it all kept a record saying 200 and no error. Now the record is amended through the ledger
// writer (Ledger::markAnswerCut): error_kind client_stalled / client_closed, its status, usage and cost kept
// (the provider billed the whole answer), and the rollups' error count with it.
void ProxyFlowTest::answerRecordedBeforeTheClientTookItSaysItWasCut()
{
    QFETCH(bool, hangUp);
    QFETCH(QString, errorKind);
    QFETCH(qint64, answerBytes);
    BigUpstream big(answerBytes);
    ProxyHarness h([&big, hangUp](ProxyConfig &c) {
        c.upstreams[0].baseUrl = QUrl(QString::fromLatin1(big.baseUrl()));
        c.clientWriteTimeoutMs = hangUp ? 600'000 : 500;
    });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QTcpSocket s;
    QList<CallRecord> recs = answerHeldForAClientThatNeverReads(s, h);
    QVERIFY2(recs.size() == 1, "no record of the answer held for the client"); // whole, recorded, held for the client
    if (hangUp)
        s.abort();
    QTRY_COMPARE_WITH_TIMEOUT(h.proxy().stats().openConnections.load(), 0, 15000);
    QTRY_VERIFY_WITH_TIMEOUT((recs = h.records()).size() == 1 && recs[0].errorKind == errorKind, 10000);
    QCOMPARE(recs[0].httpStatus, 200); // the client had the status line and part of the body
    QCOMPARE(toString(recs[0].usageStatus), toString(UsageStatus::Complete));
    QCOMPARE(recs[0].usage.completionTokens, big.completionTokens());
    QVERIFY(recs[0].cost.has_value());
    // The rollups count it as an error call at every level, as a rebuild from the rows would.
    QCOMPARE(errorCallsByRollup(h), u"1 1 1"_s);
}

// Second session-11 trial: a slow client that keeps reading was cut at the write timeout, because Qt tells of
// its progress (bytesWritten) only once the kernel's send buffer, grown to megabytes, has room again. The
// kernel's unsent byte count (SIOCOUTQ) tells it sooner. Here a client reading 32 KiB every 40 ms (about
// 800 KiB/s) through a 32 KiB receive buffer must get 8 MiB of a 16 MiB answer uncut with a 1.5 s timeout
// (before: cut after 3.9-5.4 MB in two runs, about what the kernel held when the answer was handed over).
void ProxyFlowTest::slowClientThatKeepsReadingIsNotCutOff()
{
#ifndef Q_OS_LINUX
    QSKIP("the kernel's unsent byte count is read on Linux only");
#endif
    BigUpstream big(16 * kMiB);
    ProxyHarness h([&](ProxyConfig &c) {
        c.upstreams[0].baseUrl = QUrl(QString::fromLatin1(big.baseUrl()));
        c.clientWriteTimeoutMs = 1500;
    });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QTcpSocket s;
    s.setSocketOption(QAbstractSocket::ReceiveBufferSizeSocketOption, 32 * 1024);
    s.setReadBufferSize(32 * 1024);
    s.connectToHost(QHostAddress::LocalHost, h.port());
    QVERIFY(s.waitForConnected(3000));
    s.write(chatRequest(false));
    QVERIFY(s.waitForBytesWritten(3000));
    qint64 got = 0;
    QElapsedTimer t;
    t.start();
    while (got < 8 * kMiB && t.elapsed() < 60000 && s.state() == QAbstractSocket::ConnectedState) {
        QTest::qWait(40);
        got += s.read(32 * 1024).size();
    }
    got += s.readAll().size();
    QVERIFY2(got >= 8 * kMiB, qPrintable(u"cut after %1 bytes, %2 ms"_s.arg(got).arg(t.elapsed())));
    QCOMPARE(s.state(), QAbstractSocket::ConnectedState);
}

// Session-11 trial: a graceful stop waited the full drain (30 s) for a connection lingering after a 413
// (whose drain may last 30 s); now at most a refusal's linger (2 s).
void ProxyFlowTest::gracefulStopDoesNotWaitOutA413Drain()
{
    ProxyHarness h([](ProxyConfig &c) { c.maxBodyBytes = 4096; });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, h.port());
    QVERIFY(s.waitForConnected(3000));
    s.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Authorization: Bearer k\r\nContent-Length: 100000000\r\n\r\n{\"a\"");
    QVERIFY(s.waitForBytesWritten(3000));
    QTRY_VERIFY_WITH_TIMEOUT(s.bytesAvailable() > 0 || s.waitForReadyRead(100), 5000);
    QVERIFY(s.readAll().startsWith("HTTP/1.1 413 "));
    QElapsedTimer t;
    t.start();
    QVERIFY(h.stop()); // the client keeps its socket open, sending nothing more
    QVERIFY2(t.elapsed() < 10000, qPrintable(QString::number(t.elapsed()))); // before: the 30 s drain timeout

    // A 413 that comes during the drain (a request whose body was still coming when the stop began, which the
    // drain lets finish, grows over the limit): its linger is as short (second trial: the stop waited for the
    // drain deadline).
    ProxyHarness h2([](ProxyConfig &c) {
        c.maxBodyBytes = 4096;
        c.drainTimeoutMs = 20000;
    });
    QVERIFY2(h2.ok(), qPrintable(h2.error()));
    QTcpSocket s2;
    s2.connectToHost(QHostAddress::LocalHost, h2.port());
    QVERIFY(s2.waitForConnected(3000));
    s2.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             "Authorization: Bearer k\r\nTransfer-Encoding: chunked\r\n\r\n12\r\n{\"model\":\"gpt-4o\",\r\n");
    QVERIFY(s2.waitForBytesWritten(3000));
    QTest::qWait(500); // the proxy has the header block: the request is in flight when the stop begins
    QTimer::singleShot(300, &s2, [&s2]() { s2.write("2000\r\n" + QByteArray(0x2000, 'a') + "\r\n"); });
    t.restart();
    QVERIFY(h2.stop());
    QVERIFY2(t.elapsed() < 10000, qPrintable(QString::number(t.elapsed()))); // before: 20 s, the drain deadline
    if (s2.bytesAvailable() == 0)
        s2.waitForReadyRead(2000);
    const QByteArray answer = s2.readAll();
    QVERIFY2(answer.startsWith("HTTP/1.1 413 "), answer.left(120).constData());
}

void ProxyFlowTest::drainDeadlineAnswersRequestsNotYetAnswered_data()
{
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("anthropic");
    QTest::newRow("openai chat, not streamed")
        << QByteArray("/v1/chat/completions")
        << QByteArray(R"({"model":"never","messages":[{"role":"user","content":"Summarise the quarterly report"}]})")
        << false;
    QTest::newRow("anthropic messages, streamed but no event yet")
        << QByteArray("/v1/messages")
        << QByteArray(R"({"model":"never","max_tokens":100,"stream":true,"messages":[{"role":"user","content":"Summarise the quarterly report"}]})")
        << true;
}

void ProxyFlowTest::drainDeadlineAnswersRequestsNotYetAnswered()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(bool, anthropic);
    ProxyHarness h([](ProxyConfig &c) { c.drainTimeoutMs = 300; });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, h.port());
    QVERIFY(s.waitForConnected(3000));
    s.write("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nx-api-key: k\r\n"
            "Authorization: Bearer k\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QVERIFY(s.waitForBytesWritten(3000));
    QTRY_COMPARE_WITH_TIMEOUT(h.upstream().requestCount(), 1, 5000); // upstream has it, never answers
    QVERIFY(h.stop());
    const Response r = readResponse(s, 5000);
    QVERIFY2(r.complete, r.head.constData());
    QVERIFY2(r.head.startsWith("HTTP/1.1 503"), r.head.constData());
    QVERIFY(r.head.contains("Connection: close"));
    const QJsonObject error = QJsonDocument::fromJson(r.body).object();
    QVERIFY2(!error.isEmpty(), r.body.constData());
    if (anthropic) {
        QCOMPARE(error.value("type"_L1).toString(), u"error"_s);
        QCOMPARE(error.value("error"_L1).toObject().value("type"_L1).toString(), u"overloaded_error"_s);
    } else {
        QCOMPARE(error.value("error"_L1).toObject().value("type"_L1).toString(), u"server_error"_s);
    }
    QVERIFY(error.value("error"_L1).toObject().value("message"_L1).toString().contains("drain timeout"_L1));
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    QCOMPARE(recs[0].errorKind, u"shutdown"_s);
    QCOMPARE(recs[0].httpStatus, 503);
    // The upstream had the request (it may bill it): the prompt is counted locally, never a silent 0.
    QCOMPARE(toString(recs[0].usageStatus), toString(UsageStatus::Estimated));
    QVERIFY(recs[0].usage.promptTokens > 0);
    QCOMPARE(recs[0].usage.completionTokens, 0);
}

void ProxyFlowTest::drainDeadlineEndsStartedStreamsWithAnErrorEvent()
{
    ProxyHarness h([](ProxyConfig &c) { c.drainTimeoutMs = 300; });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QTcpSocket s;
    s.connectToHost(QHostAddress::LocalHost, h.port());
    QVERIFY(s.waitForConnected(3000));
    const QByteArray body = R"({"model":"stall-stream","stream":true,"messages":[{"role":"user","content":"Summarise the doc"}]})";
    s.write("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: Bearer k\r\n"
            "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    QByteArray got;
    QElapsedTimer t;
    t.start();
    while (!got.contains("data: ") && t.elapsed() < 5000) {
        if (s.waitForReadyRead(100))
            got += s.peek(s.bytesAvailable());
    }
    QVERIFY(got.contains("data: ")); // the stream started: headers and the first event
    QVERIFY(h.stop());
    const Response r = readResponse(s, 5000);
    QVERIFY2(r.complete, r.head.constData());
    QVERIFY(r.head.startsWith("HTTP/1.1 200"));
    const QByteArray first = LoopbackUpstream::fixtureStream(u"b-openai-chat-stream-include-usage.sse"_s, false).split('\n').first();
    QVERIFY2(r.body.startsWith(first), QByteArray(r.head + "|" + r.body.left(300) + "|" + r.trailer).constData());
    // The same error event as an upstream cut mid-stream (ProviderProtocol errorEvent), then the end.
    const qsizetype last = r.body.lastIndexOf("data: {\"error\":");
    QVERIFY2(last > 0 && r.body.endsWith("\n\n"), r.body.right(300).constData());
    const QJsonObject error = QJsonDocument::fromJson(r.body.mid(last + 6)).object().value("error"_L1).toObject();
    QCOMPARE(error.value("type"_L1).toString(), u"api_error"_s);
    // Said as it is: the proxy ended it, not the upstream (session-15 new-user trial).
    QVERIFY2(error.value("message"_L1).toString().startsWith("The TokenLedger proxy is stopping"_L1),
             qPrintable(error.value("message"_L1).toString()));
    QVERIFY(r.trailer.startsWith("X-TokenLedger-Cost-USD: "));
    const QList<CallRecord> recs = h.records();
    QCOMPARE(recs.size(), 1);
    QCOMPARE(recs[0].errorKind, u"shutdown"_s);
    QCOMPARE(recs[0].httpStatus, 200);
    QCOMPARE(toString(recs[0].usageStatus), toString(UsageStatus::Estimated));
    QVERIFY(recs[0].usage.promptTokens > 0);
}

// Session 14 (a gap docs/proxy.md named in session 13): an answer recorded whole and still held for a client
// that had not taken it when a graceful stop ended kept a record saying 200 and no error, although the stop
// closed the connection and the client never got the rest. Now its record says "shutdown", as the drain's
// other records of requests the stop cut do; status, usage and cost kept (the provider billed the whole answer),
// the rollups' error count with it.
void ProxyFlowTest::answerStillHeldWhenTheProxyStopsSaysShutdown()
{
    BigUpstream big(32 * kMiB);
    ProxyHarness h([&big](ProxyConfig &c) {
        c.upstreams[0].baseUrl = QUrl(QString::fromLatin1(big.baseUrl()));
        c.clientWriteTimeoutMs = 600'000; // never cut off for stalling: the stop ends the connection
        c.drainTimeoutMs = 300;
    });
    QVERIFY2(h.ok(), qPrintable(h.error()));
    QTcpSocket s;
    QList<CallRecord> recs = answerHeldForAClientThatNeverReads(s, h);
    QVERIFY2(recs.size() == 1, "no record of the answer held for the client"); // whole, recorded, held for the client
    QCOMPARE(recs[0].errorKind, QString());
    QCOMPARE(h.proxy().stats().openConnections.load(), 1);
    QVERIFY(h.stop()); // the drain deadline, its 2 s grace, then the connection is closed
    recs = h.records(); // after the writer committed everything handed to it before the stop finished
    QCOMPARE(recs.size(), 1);
    QCOMPARE(recs[0].errorKind, u"shutdown"_s); // before: ""
    QCOMPARE(recs[0].httpStatus, 200);
    QCOMPARE(toString(recs[0].usageStatus), toString(UsageStatus::Complete));
    QCOMPARE(recs[0].usage.completionTokens, big.completionTokens());
    QVERIFY(recs[0].cost.has_value());
    QCOMPARE(errorCallsByRollup(h), u"1 1 1"_s);
    // The client indeed did not get the whole answer: what reaches it before the connection's end is short.
    qint64 got = 0;
    QElapsedTimer t;
    t.start();
    while (t.elapsed() < 20000) {
        got += s.readAll().size();
        if (s.state() != QAbstractSocket::ConnectedState && s.bytesAvailable() == 0)
            break;
        s.waitForReadyRead(200);
    }
    QVERIFY2(got < 32 * kMiB, qPrintable(QString::number(got)));
    QVERIFY(s.state() != QAbstractSocket::ConnectedState);
}

QTEST_GUILESS_MAIN(ProxyFlowTest)
#include "ProxyFlowTest.moc"
