#include "LoopbackUpstream.h"

#include "TestSupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

using namespace Qt::StringLiterals;

namespace tl::test {

QByteArray LoopbackUpstream::fixtureStream(const QString &name, bool includeUsage)
{
    const QByteArray file = readFile(providerFixture(name));
    QByteArray out;
    for (const QByteArray &line : file.split('\n')) {
        if (line.startsWith('#'))
            continue;
        out += line + '\n';
    }
    while (out.endsWith("\n\n\n"))
        out.chop(1);
    if (includeUsage)
        return out;
    // OpenAI without include_usage: no "usage":null members, no usage chunk.
    QByteArray result;
    for (const QByteArray &event : out.split('\n')) {
        if (event.isEmpty())
            continue;
        if (event.startsWith("data: {") && event.contains("\"choices\":[]"))
            continue;
        QByteArray e = event;
        e.replace("\"usage\":null,", "");
        e.replace(",\"usage\":null", "");
        result += e + "\n\n";
    }
    return result;
}

struct LoopbackUpstream::Impl : QObject
{
    LoopbackUpstream *owner = nullptr;
    QTcpServer server;

    void onConnection()
    {
        while (QTcpSocket *s = server.nextPendingConnection()) {
            auto parser = std::make_shared<HttpRequestParser>(64 * 1024, 64ll * 1024 * 1024);
            auto answering = std::make_shared<bool>(false);
            connect(s, &QTcpSocket::readyRead, s, [this, s, parser, answering]() {
                const QByteArray in = s->readAll();
                qsizetype off = 0;
                while (off < in.size()) {
                    off += parser->feed(in.constData() + off, in.size() - off);
                    if (parser->state() == HttpRequestParser::State::Error) {
                        s->abort();
                        return;
                    }
                    if (parser->state() != HttpRequestParser::State::Complete)
                        break;
                    HttpRequest req = parser->takeRequest();
                    parser->reset();
                    {
                        QMutexLocker lock(&owner->m_mutex);
                        owner->m_requests.append(req);
                    }
                    owner->m_count.fetch_add(1);
                    answer(s, req, answering);
                }
            });
            connect(s, &QTcpSocket::disconnected, s, [this, s, answering]() {
                if (*answering)
                    owner->m_closedEarly.fetch_add(1);
                s->deleteLater();
            });
        }
    }

    static void writeJson(QTcpSocket *s, int status, const QByteArray &body, const QByteArray &extra = {})
    {
        s->write("HTTP/1.1 " + QByteArray::number(status) + (status == 200 ? " OK" : " Error")
                 + "\r\nContent-Type: application/json\r\nx-request-id: req_loopback\r\n" + extra
                 + "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body);
    }

    static void startStream(QTcpSocket *s)
    {
        s->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\n"
                 "Cache-Control: no-cache\r\nx-request-id: req_loopback\r\nTransfer-Encoding: chunked\r\n\r\n");
    }
    static void chunk(QTcpSocket *s, const QByteArray &bytes)
    {
        s->write(QByteArray::number(bytes.size(), 16) + "\r\n" + bytes + "\r\n");
    }

    static QList<QByteArray> events(const QByteArray &stream)
    {
        QList<QByteArray> out;
        qsizetype from = 0;
        while (from < stream.size()) {
            qsizetype end = stream.indexOf("\n\n", from);
            if (end < 0)
                end = stream.size() - 2;
            out << stream.mid(from, end + 2 - from);
            from = end + 2;
        }
        return out;
    }

    void answer(QTcpSocket *s, const HttpRequest &req, std::shared_ptr<bool> answering)
    {
        const QJsonObject body = QJsonDocument::fromJson(req.body).object();
        const QString model = body.value("model"_L1).toString();
        const bool stream = body.value("stream"_L1).toBool();
        const bool includeUsage = body.value("stream_options"_L1).toObject().value("include_usage"_L1).toBool();
        QByteArray path = req.target;
        if (const qsizetype q = path.indexOf('?'); q >= 0)
            path.truncate(q);
        if (req.method == "GET" && path.endsWith("/models")) {
            writeJson(s, 200, R"({"object":"list","data":[{"id":"gpt-4o","object":"model","created":1,"owned_by":"openai"}]})");
            return;
        }
        if (model == "rate-limited"_L1) {
            writeJson(s, 429,
                      R"({"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}})",
                      "Retry-After: 7\r\nx-ratelimit-remaining-requests: 0\r\n");
            return;
        }
        if (model == "server-error"_L1) {
            writeJson(s, 500, R"({"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}})");
            return;
        }
        if (model == "never"_L1) {
            *answering = true;
            return;
        }
        const bool anthropic = path.endsWith("/messages");
        const bool responses = path.endsWith("/responses");
        if (!stream) {
            const char *name = anthropic ? "d1-anthropic-message.json"
                               : responses ? "c1-openai-responses.json"
                                           : "a1-openai-chat-completion-cached.json";
            writeJson(s, 200, readFile(providerFixture(QString::fromLatin1(name))));
            return;
        }
        const QString name = anthropic   ? u"d2-anthropic-message-stream.sse"_s
                             : responses ? u"c2-openai-responses-stream.sse"_s
                                         : u"b-openai-chat-stream-include-usage.sse"_s;
        const QList<QByteArray> evs = events(fixtureStream(name, anthropic || responses || includeUsage));
        startStream(s);
        if (model == "stall-stream"_L1) {
            *answering = true;
            chunk(s, evs.first());
            return;
        }
        if (model == "cut-stream"_L1) {
            chunk(s, evs.value(0));
            chunk(s, evs.value(1));
            s->flush();
            s->abort();
            return;
        }
        if (model == "slow-stream"_L1) {
            *answering = true;
            auto timer = new QTimer(s);
            auto n = std::make_shared<int>(0);
            connect(timer, &QTimer::timeout, s, [s, timer, n, evs, answering]() {
                chunk(s, evs.value(1));
                if (++*n == 100) { // then the rest of the fixture: a complete stream
                    timer->stop();
                    *answering = false;
                    for (qsizetype i = 2; i < evs.size(); ++i)
                        chunk(s, evs[i]);
                    chunk(s, {});
                }
            });
            chunk(s, evs.first());
            timer->start(100);
            return;
        }
        // Each event in its own write, the first split in two to exercise reassembly.
        for (int i = 0; i < evs.size(); ++i) {
            if (i == 0 && evs[i].size() > 10) {
                chunk(s, evs[i].left(7));
                s->flush();
                chunk(s, evs[i].mid(7));
            } else {
                chunk(s, evs[i]);
            }
            s->flush();
        }
        chunk(s, {});
    }
};

LoopbackUpstream::LoopbackUpstream()
{
    m_thread = std::make_unique<QThread>();
    m_thread->start();
    QSemaphore ready;
    auto *anchor = new QObject;
    anchor->moveToThread(m_thread.get());
    QMetaObject::invokeMethod(anchor, [this, &ready, anchor]() {
        anchor->deleteLater();
        m_impl = new Impl;
        m_impl->owner = this;
        QObject::connect(&m_impl->server, &QTcpServer::newConnection, m_impl, [this]() { m_impl->onConnection(); });
        m_impl->server.listen(QHostAddress::LocalHost, 0);
        m_port = m_impl->server.serverPort();
        ready.release();
    });
    ready.acquire();
}

LoopbackUpstream::~LoopbackUpstream()
{
    QMetaObject::invokeMethod(m_impl, [this]() { delete m_impl; }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
}

QByteArray LoopbackUpstream::baseUrl(const QByteArray &suffix) const
{
    return "http://127.0.0.1:" + QByteArray::number(m_port) + suffix;
}

QList<HttpRequest> LoopbackUpstream::requests() const
{
    QMutexLocker lock(&m_mutex);
    return m_requests;
}

HttpRequest LoopbackUpstream::lastRequest() const
{
    QMutexLocker lock(&m_mutex);
    return m_requests.isEmpty() ? HttpRequest{} : m_requests.last();
}

} // namespace tl::test
