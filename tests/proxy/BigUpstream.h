#pragma once

#include "proxy/HttpRequestParser.h"

#include <QByteArray>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>

#include <atomic>
#include <memory>

namespace tl::test {

// An OpenAI-shaped upstream that answers any chat request with `total` bytes of answer: a stream of
// 1,000-byte content events (each numbered, so a lost or repeated event shows) when "stream" is true,
// else one chat.completion JSON. It writes only while its socket has less than 256 KiB queued, so what
// it "sent" is what the kernel took from it: the proxy's reading (TCP flow control) paces it. Used by
// ProxyFlowTest and ProxyPageTest (a client cut off while it holds a large answer).
class BigUpstream
{
public:
    explicit BigUpstream(qint64 total)
        : m_total(total)
    {
        m_thread.start();
        QSemaphore ready;
        auto *anchor = new QObject;
        anchor->moveToThread(&m_thread);
        QMetaObject::invokeMethod(anchor, [this, &ready, anchor]() {
            anchor->deleteLater();
            m_server = new QTcpServer;
            QObject::connect(m_server, &QTcpServer::newConnection, m_server, [this]() { onConnection(); });
            m_server->listen(QHostAddress::LocalHost, 0);
            m_port = m_server->serverPort();
            ready.release();
        });
        ready.acquire();
    }
    ~BigUpstream()
    {
        QMetaObject::invokeMethod(m_server, [this]() { delete m_server; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    Q_DISABLE_COPY_MOVE(BigUpstream)

    QByteArray baseUrl() const { return "http://127.0.0.1:" + QByteArray::number(m_port) + "/v1"; }
    qint64 sent() const { return m_sent.load(); }           // bytes the kernel took from the upstream
    bool finished() const { return m_finished.load(); }     // the whole answer was handed to the kernel
    int closedEarly() const { return m_closedEarly.load(); } // the proxy hung up mid-answer

    static QByteArray event(qint64 i)
    {
        const QByteArray content = QByteArray::number(i).rightJustified(8, '0') + QByteArray(992, 'x');
        return R"(data: {"id":"chatcmpl-big","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{"content":")"
               + content + R"("},"finish_reason":null}]})" + "\n\n";
    }
    static QByteArray finishEvent()
    {
        return R"(data: {"id":"chatcmpl-big","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]})"
               "\n\n";
    }
    static QByteArray usageEvent(qint64 completion)
    {
        return R"(data: {"id":"chatcmpl-big","object":"chat.completion.chunk","created":1,"model":"gpt-4o-mini-2024-07-18","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":)"
               + QByteArray::number(completion) + R"(,"total_tokens":)" + QByteArray::number(completion + 5) + "}}\n\n";
    }
    qint64 eventCount() const { return m_total / 1000; }
    qint64 completionTokens() const { return eventCount() * 250; }
    // What a client that did not ask for include_usage must see (the proxy hides the usage chunk).
    QByteArray expectedStream() const
    {
        QByteArray out;
        out.reserve(m_total + 4096);
        for (qint64 i = 0; i < eventCount(); ++i)
            out += event(i);
        return out + finishEvent() + "data: [DONE]\n\n";
    }
    QByteArray jsonAnswer() const
    {
        using namespace Qt::StringLiterals;
        const QJsonObject answer{
            {"id"_L1, "chatcmpl-big"_L1}, {"object"_L1, "chat.completion"_L1}, {"created"_L1, 1},
            {"model"_L1, "gpt-4o-mini-2024-07-18"_L1},
            {"choices"_L1, QJsonArray{QJsonObject{{"index"_L1, 0},
                                                  {"message"_L1, QJsonObject{{"role"_L1, "assistant"_L1},
                                                                             {"content"_L1, QString(m_total, u'y')}}},
                                                  {"finish_reason"_L1, "stop"_L1}}}},
            {"usage"_L1, QJsonObject{{"prompt_tokens"_L1, 5}, {"completion_tokens"_L1, completionTokens()},
                                     {"total_tokens"_L1, completionTokens() + 5}}}};
        return QJsonDocument(answer).toJson(QJsonDocument::Compact);
    }

private:
    struct Conn
    {
        HttpRequestParser parser{64 * 1024, 1024 * 1024};
        QByteArray pending; // the rest of the answer when it is one block (JSON)
        qint64 next = -1;   // next event index; -1: not streaming
        bool includeUsage = false;
        bool done = false;
    };

    void onConnection()
    {
        using namespace Qt::StringLiterals;
        while (QTcpSocket *s = m_server->nextPendingConnection()) {
            auto c = std::make_shared<Conn>();
            QObject::connect(s, &QTcpSocket::readyRead, s, [this, s, c]() {
                const QByteArray in = s->readAll();
                c->parser.feed(in.constData(), in.size());
                if (c->parser.state() != HttpRequestParser::State::Complete)
                    return;
                const QJsonObject body = QJsonDocument::fromJson(c->parser.takeRequest().body).object();
                if (body.value("stream"_L1).toBool()) {
                    c->includeUsage = body.value("stream_options"_L1).toObject().value("include_usage"_L1).toBool();
                    c->next = 0;
                    s->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
                } else {
                    const QByteArray json = jsonAnswer();
                    c->pending = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                                 + QByteArray::number(json.size()) + "\r\n\r\n" + json;
                }
                pump(s, *c);
            });
            QObject::connect(s, &QTcpSocket::bytesWritten, s, [this, s, c](qint64 n) {
                m_sent.fetch_add(n);
                pump(s, *c);
            });
            QObject::connect(s, &QTcpSocket::disconnected, s, [this, s, c]() {
                if (!c->done && (c->next >= 0 || !c->pending.isEmpty()))
                    m_closedEarly.fetch_add(1);
                s->deleteLater();
            });
        }
    }

    void pump(QTcpSocket *s, Conn &c)
    {
        constexpr qint64 kQueue = 256 * 1024;
        while (!c.done && s->bytesToWrite() < kQueue) {
            if (c.next < 0) {
                if (c.pending.isEmpty())
                    return;
                const QByteArray piece = c.pending.left(kQueue);
                c.pending.remove(0, piece.size());
                s->write(piece);
                c.done = c.pending.isEmpty();
            } else if (c.next < eventCount()) {
                const QByteArray e = event(c.next++);
                s->write(QByteArray::number(e.size(), 16) + "\r\n" + e + "\r\n");
            } else {
                QByteArray tail = finishEvent();
                if (c.includeUsage)
                    tail += usageEvent(completionTokens());
                tail += "data: [DONE]\n\n";
                s->write(QByteArray::number(tail.size(), 16) + "\r\n" + tail + "\r\n0\r\n\r\n");
                c.done = true;
            }
        }
        if (c.done && s->bytesToWrite() == 0)
            m_finished.store(true);
    }

    qint64 m_total;
    QThread m_thread;
    QTcpServer *m_server = nullptr;
    quint16 m_port = 0;
    std::atomic<qint64> m_sent{0};
    std::atomic<bool> m_finished{false};
    std::atomic<int> m_closedEarly{0};
};

} // namespace tl::test
