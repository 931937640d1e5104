#include "LoopbackUpstream.h"

#include "LoopbackShapes.h"
#include "TestSupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QHash>
#include <QJsonObject>
#include <QSemaphore>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <zlib.h>

#include <memory>

using namespace Qt::StringLiterals;

namespace tl::test {

namespace {
// HTTP content coding with zlib: "gzip" (RFC 1952) or "deflate" (the zlib format, RFC 1950, which is
// what HTTP's "deflate" names). push() returns what the bytes so far compress to, flushed
// (Z_SYNC_FLUSH) so a stream's events leave one by one; finish() ends the member.
class ContentEncoder
{
public:
    explicit ContentEncoder(const QByteArray &coding)
    {
        m_ok = deflateInit2(&m_z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, coding == "gzip" ? 15 + 16 : 15, 8,
                            Z_DEFAULT_STRATEGY) == Z_OK;
    }
    ~ContentEncoder() { deflateEnd(&m_z); }
    ContentEncoder(const ContentEncoder &) = delete;
    ContentEncoder &operator=(const ContentEncoder &) = delete;
    QByteArray push(const QByteArray &bytes) { return run(bytes, Z_SYNC_FLUSH); }
    QByteArray finish() { return run({}, Z_FINISH); }
    QByteArray all(const QByteArray &bytes) { return run(bytes, Z_FINISH); }

private:
    QByteArray run(const QByteArray &bytes, int flush)
    {
        QByteArray out;
        if (!m_ok)
            return out;
        m_z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(bytes.constData()));
        m_z.avail_in = uInt(bytes.size());
        char buffer[16384];
        do {
            m_z.next_out = reinterpret_cast<Bytef *>(buffer);
            m_z.avail_out = sizeof buffer;
            deflate(&m_z, flush);
            out.append(buffer, qsizetype(sizeof buffer - m_z.avail_out));
        } while (m_z.avail_out == 0);
        return out;
    }
    z_stream m_z{};
    bool m_ok = false;
};
} // namespace

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
    return includeUsage ? out : withoutUsageChunks(out);
}

QByteArray LoopbackUpstream::withoutUsageChunks(const QByteArray &stream)
{
    QByteArray result;
    for (const QByteArray &event : stream.split('\n')) {
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

QByteArray LoopbackUpstream::reshapeStream(const QByteArray &stream, const QByteArray &mode)
{
    if (mode == "noterm") {
        QByteArray out = stream;
        while (out.endsWith("\n\n"))
            out.chop(1);
        return out;
    }
    if (mode == "cr") {
        QByteArray out = stream;
        return out.replace('\n', '\r');
    }
    if (mode == "multiline") {
        QByteArray out;
        for (const QByteArray &line : stream.split('\n')) {
            const QJsonDocument doc = line.startsWith("data: {") ? QJsonDocument::fromJson(line.mid(6)) : QJsonDocument();
            if (!doc.isObject()) {
                out += line + '\n';
                continue;
            }
            QByteArray pretty = doc.toJson(QJsonDocument::Indented);
            while (pretty.endsWith('\n'))
                pretty.chop(1);
            for (const QByteArray &part : pretty.split('\n'))
                out += "data: " + part + '\n';
        }
        out.chop(1); // split() gave an empty last piece after the final '\n'
        return out;
    }
    if (mode == "nodone" || mode == "nousage-nodone") {
        // A server that ends its body properly without the stream's last event (chat's `data: [DONE]`,
        // Anthropic's message_stop), and with "nousage-" without its usage too (the chat usage chunk,
        // Anthropic's message_delta).
        QByteArray out;
        qsizetype from = 0;
        while (from < stream.size()) {
            qsizetype end = stream.indexOf("\n\n", from);
            end = end < 0 ? stream.size() : end + 2;
            const QByteArray event = stream.mid(from, end - from);
            from = end;
            if (event.contains("data: [DONE]") || event.contains("event: message_stop"))
                continue;
            if (mode == "nousage-nodone"
                && (event.contains("event: message_delta") || (event.contains("\"choices\":[]") && event.contains("\"usage\":{"))))
                continue;
            out += event;
        }
        return out;
    }
    if (mode == "error-event") {
        QByteArray out;
        qsizetype from = 0;
        for (int i = 0; i < 4 && from < stream.size(); ++i) {
            const qsizetype end = stream.indexOf("\n\n", from);
            if (end < 0)
                break;
            out += stream.mid(from, end + 2 - from);
            from = end + 2;
        }
        return out + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
    }
    return stream;
}

struct LoopbackUpstream::Impl : QObject
{
    LoopbackUpstream *owner = nullptr;
    QTcpServer server;
    // Background responses (guide "Background mode"): id -> the finished response and how many retrieves
    // still answer it in progress.
    struct Background
    {
        QJsonObject finished;
        int pollsLeft = 0;
    };
    QHash<QString, Background> background;
    int backgroundCount = 0;

    // The Responses answer of the c1 fixture as a background response `id`, in `status` (not completed:
    // no output, usage null).
    static QJsonObject backgroundResponse(const QString &id, const QString &status)
    {
        QJsonObject r = QJsonDocument::fromJson(readFile(providerFixture(u"c1-openai-responses.json"_s))).object();
        r.insert("id"_L1, id);
        r.insert("background"_L1, true);
        r.insert("status"_L1, status);
        if (status != "completed"_L1) {
            r.insert("output"_L1, QJsonArray{});
            r.insert("usage"_L1, QJsonValue::Null);
            r.insert("completed_at"_L1, QJsonValue::Null);
        }
        return r;
    }

    void onConnection()
    {
        while (QTcpSocket *s = server.nextPendingConnection()) {
            owner->m_connections.fetch_add(1);
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

    static QString lastUserText(const QJsonArray &messages)
    {
        for (qsizetype i = messages.size() - 1; i >= 0; --i) {
            const QJsonObject m = messages[i].toObject();
            if (m.value("role"_L1).toString() != "user"_L1)
                continue;
            const QJsonValue c = m.value("content"_L1);
            if (c.isString())
                return c.toString();
            QString text;
            for (const QJsonValue &part : c.toArray())
                text += part.toObject().value("text"_L1).toString();
            return text;
        }
        return {};
    }

    // Echo mode (request header X-Loopback-Mode: echo): answers in the API's shape with the request's
    // own model, "echo: " + the first 120 characters of the last user message, and DETERMINISTIC usage
    // that depends only on the conversation's shape: prompt = 100 + 20 x messages (+ 50 with a system
    // prompt), completion = 30. Embeddings: a 16-dimension vector from the input's characters.
    static void answerEcho(QTcpSocket *s, const QByteArray &path, const QJsonObject &body)
    {
        const QString model = body.value("model"_L1).toString();
        const QJsonArray messages = body.value("messages"_L1).toArray();
        if (path.endsWith("/embeddings")) {
            const QJsonValue in = body.value("input"_L1);
            const QJsonArray inputs = in.isArray() ? in.toArray() : QJsonArray{in};
            QJsonArray data;
            for (qsizetype k = 0; k < inputs.size(); ++k) {
                const QString input = inputs[k].toString();
                QJsonArray vec;
                for (int d = 0; d < 16; ++d) {
                    double v = 0;
                    for (qsizetype i = d; i < input.size(); i += 16)
                        v += input.at(i).unicode() % 7;
                    vec.append(v + 1);
                }
                data.append(QJsonObject{{"object"_L1, "embedding"_L1}, {"index"_L1, int(k)}, {"embedding"_L1, vec}});
            }
            const QJsonObject answer{{"object"_L1, "list"_L1},
                                     {"data"_L1, data},
                                     {"model"_L1, model},
                                     {"usage"_L1, QJsonObject{{"prompt_tokens"_L1, 8}, {"total_tokens"_L1, 8}}}};
            writeJson(s, 200, QJsonDocument(answer).toJson(QJsonDocument::Compact));
            return;
        }
        bool hasSystem = body.contains("system"_L1);
        for (const QJsonValue &m : messages)
            hasSystem = hasSystem || m.toObject().value("role"_L1).toString() == "system"_L1;
        const qint64 prompt = 100 + 20 * messages.size() + (hasSystem ? 50 : 0);
        const qint64 completion = 30;
        const QString text = u"echo: "_s + lastUserText(messages).left(120);
        QJsonObject answer;
        if (path.endsWith("/messages")) {
            answer = QJsonObject{{"id"_L1, "msg_echo"_L1}, {"type"_L1, "message"_L1}, {"role"_L1, "assistant"_L1},
                                 {"model"_L1, model},
                                 {"content"_L1, QJsonArray{QJsonObject{{"type"_L1, "text"_L1}, {"text"_L1, text}}}},
                                 {"stop_reason"_L1, "end_turn"_L1}, {"stop_sequence"_L1, QJsonValue::Null},
                                 {"usage"_L1, QJsonObject{{"input_tokens"_L1, prompt}, {"output_tokens"_L1, completion}}}};
        } else {
            answer = QJsonObject{
                {"id"_L1, "chatcmpl-echo"_L1}, {"object"_L1, "chat.completion"_L1}, {"created"_L1, 1764400000},
                {"model"_L1, model},
                {"choices"_L1, QJsonArray{QJsonObject{{"index"_L1, 0},
                                                      {"message"_L1, QJsonObject{{"role"_L1, "assistant"_L1}, {"content"_L1, text}}},
                                                      {"finish_reason"_L1, "stop"_L1}}}},
                {"usage"_L1, QJsonObject{{"prompt_tokens"_L1, prompt}, {"completion_tokens"_L1, completion},
                                         {"total_tokens"_L1, prompt + completion}}}};
        }
        writeJson(s, 200, QJsonDocument(answer).toJson(QJsonDocument::Compact));
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
        if ((req.method == "GET" || req.method == "HEAD") && path.endsWith("/models")) {
            const QByteArray models = R"({"object":"list","data":[{"id":"gpt-4o","object":"model","created":1,"owned_by":"openai"}]})";
            if (req.method == "HEAD") { // the GET's headers, no body
                s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                         + QByteArray::number(models.size()) + "\r\n\r\n");
                return;
            }
            writeJson(s, 200, models);
            return;
        }
        if (const qsizetype at = path.lastIndexOf("/responses/"); at >= 0 && req.method == "GET") {
            // Retrieve: in progress while polls are left, then the finished response; 404 for an unknown id.
            const QString id = QString::fromUtf8(path.mid(at + 11));
            auto it = background.find(id);
            if (it == background.end()) {
                writeJson(s, 404, R"({"error":{"message":"No response found","type":"invalid_request_error","param":null,"code":null}})");
                return;
            }
            if (it->pollsLeft > 0) {
                --it->pollsLeft;
                writeJson(s, 200, QJsonDocument(backgroundResponse(id, u"in_progress"_s)).toJson(QJsonDocument::Compact));
                return;
            }
            writeJson(s, 200, QJsonDocument(it->finished).toJson(QJsonDocument::Compact));
            return;
        }
        if (path.endsWith("/responses") && body.value("background"_L1).toBool()) {
            // A background create: queued at once (non-streamed), its answer kept for the retrieves;
            // X-Loopback-Polls: the retrieves that still find it in progress (default 0). Streamed: the
            // fixture's stream below, its response kept under the fixture's id.
            const QString id = stream ? u"resp_SYNTH0005abcdef0123456789"_s
                                      : u"resp_bg%1"_s.arg(++backgroundCount, 4, 10, QChar(u'0'));
            background.insert(id, {backgroundResponse(id, u"completed"_s),
                                   headerValue(req.headers, "x-loopback-polls").toInt()});
            if (!stream) {
                writeJson(s, 200, QJsonDocument(backgroundResponse(id, u"queued"_s)).toJson(QJsonDocument::Compact));
                return;
            }
        }
        if (headerValue(req.headers, "x-loopback-mode") == "echo" && !stream) {
            answerEcho(s, path, body);
            return;
        }
        if (model == "rate-limited"_L1) {
            writeJson(s, 429,
                      R"({"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}})",
                      "Retry-After: 7\r\nx-ratelimit-remaining-requests: 0\r\n");
            return;
        }
        if (model == "wrong-key"_L1) { // a 401 that quotes the key it got, as some OpenAI-compatible servers do
            const QByteArray key = headerValue(req.headers, "authorization").mid(7);
            writeJson(s, 401,
                      R"({"error":{"message":"Incorrect API key provided: )" + key
                          + R"(.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})",
                      "X-Rejected-Key: " + key + "\r\n");
            return;
        }
        if (model == "server-error"_L1) {
            writeJson(s, 500, R"({"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}})");
            return;
        }
        if (model == "overloaded"_L1) { // Anthropic's 529 (API reference "Errors")
            writeJson(s, 529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
            return;
        }
        if (model == "never"_L1 || headerValue(req.headers, "x-loopback-mode") == "never") {
            *answering = true;
            return;
        }
        if (headerValue(req.headers, "x-loopback-mode") == "headers-then-wait") {
            // The a1 answer's status line and headers, then nothing: the body never comes.
            const QByteArray answer = readFile(providerFixture(u"a1-openai-chat-completion-cached.json"_s));
            s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nx-request-id: req_loopback\r\nContent-Length: "
                     + QByteArray::number(answer.size()) + "\r\n\r\n");
            s->flush();
            *answering = true;
            return;
        }
        if (model.startsWith("status-"_L1)) { // "status-204", "status-304", "status-418": that status, no body
            const QByteArray code = model.mid(7).toLatin1();
            s->write("HTTP/1.1 " + code + " Whatever\r\nX-Upstream: yes\r\n"
                     + (code == "204" || code == "304" ? QByteArray() : QByteArray("Content-Length: 0\r\n")) + "\r\n");
            return;
        }
        const QByteArray mode = headerValue(req.headers, "x-loopback-mode"); // or the model's name, below
        if (model == "close-early"_L1 || mode == "close-early") { // reads the request, closes without a byte of answer
            s->abort();
            return;
        }
        if (model == "huge-header"_L1) { // a complete answer with a 200 KB header
            const QByteArray answer = readFile(providerFixture(u"a1-openai-chat-completion-cached.json"_s));
            s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-Padding: " + QByteArray(200 * 1024, 'p')
                     + "\r\nContent-Length: " + QByteArray::number(answer.size()) + "\r\n\r\n" + answer);
            return;
        }
        if (model == "cut-body"_L1 || mode == "cut-body") { // announces the whole answer, sends half, closes
            const QByteArray answer = readFile(providerFixture(u"a1-openai-chat-completion-cached.json"_s));
            s->write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                     + QByteArray::number(answer.size()) + "\r\n\r\n" + answer.left(answer.size() / 2));
            s->flush();
            s->abort();
            return;
        }
        if (const LoopbackShape *shape = loopbackShapeFor(req.body)) { // LoopbackShapes.h
            if (!stream) {
                writeJson(s, 200, shape->answer);
                return;
            }
            const bool openAi = shape->path.endsWith("/completions"); // chat and legacy completions
            startStream(s);
            for (const QByteArray &e : events(openAi && !includeUsage ? withoutUsageChunks(shape->stream) : shape->stream)) {
                chunk(s, e);
                s->flush();
            }
            chunk(s, {});
            return;
        }
        const bool anthropic = path.endsWith("/messages");
        const bool responses = path.endsWith("/responses");
        // The answer's content coding: X-Loopback-Encoding (gzip or deflate) compresses whatever the
        // client accepts, as RFC 9110 section 12.5.3 lets a server do; else gzip when Accept-Encoding
        // names it, as the providers' servers do.
        QByteArray coding = headerValue(req.headers, "x-loopback-encoding");
        if (coding.isEmpty() && headerValue(req.headers, "accept-encoding").contains("gzip"))
            coding = "gzip";
        if (!stream) {
            const char *name = anthropic ? "d1-anthropic-message.json"
                               : responses ? "c1-openai-responses.json"
                                           : "a1-openai-chat-completion-cached.json";
            const QByteArray answer = readFile(providerFixture(QString::fromLatin1(name)));
            if (coding.isEmpty())
                writeJson(s, 200, answer);
            else if (coding != "gzip" && coding != "deflate") // a coding nobody knows: the plain bytes, mislabelled
                writeJson(s, 200, answer, "Content-Encoding: " + coding + "\r\n");
            else
                writeJson(s, 200, ContentEncoder(coding).all(answer), "Content-Encoding: " + coding + "\r\n");
            return;
        }
        const QString name = anthropic   ? u"d2-anthropic-message-stream.sse"_s
                             : responses ? u"c2-openai-responses-stream.sse"_s
                                         : u"b-openai-chat-stream-include-usage.sse"_s;
        const QList<QByteArray> evs = events(fixtureStream(name, anthropic || responses || includeUsage));
        if (!coding.isEmpty()) { // the events compressed as one member, each flushed as it goes
            s->write("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nContent-Encoding: "
                     + coding + "\r\nx-request-id: req_loopback\r\nTransfer-Encoding: chunked\r\n\r\n");
            ContentEncoder encoder(coding);
            for (const QByteArray &e : evs) {
                chunk(s, encoder.push(e));
                s->flush();
            }
            chunk(s, encoder.finish());
            chunk(s, {});
            return;
        }
        startStream(s);
        if (const QByteArray shape = headerValue(req.headers, "x-loopback-stream"); !shape.isEmpty()) {
            if (shape == "cut-inside") {
                chunk(s, evs.value(0));
                chunk(s, evs.value(1).left(evs.value(1).size() / 2));
                s->flush();
                s->abort();
                return;
            }
            QByteArray all;
            for (const QByteArray &e : evs)
                all += e;
            if (shape == "error-event-quoting-key") { // "error-event" whose message quotes the key the request carried
                QByteArray key = headerValue(req.headers, "x-api-key");
                if (key.isEmpty())
                    key = headerValue(req.headers, "authorization").mid(7);
                chunk(s, reshapeStream(all, "error-event").replace("\"Overloaded\"", QByteArray("\"Overloaded (key " + key + ")\"")));
                chunk(s, {});
                return;
            }
            chunk(s, reshapeStream(all, shape));
            chunk(s, {});
            return;
        }
        if (model == "stall-stream"_L1) {
            *answering = true;
            chunk(s, evs.first());
            return;
        }
        if (model == "cut-before-usage"_L1) {
            // Every event before the final usage (Anthropic's message_delta; the last two otherwise), then a cut.
            qsizetype end = evs.size() - 2;
            for (qsizetype i = 1; i < evs.size(); ++i) {
                if (evs[i].contains("event: message_delta")) {
                    end = i;
                    break;
                }
            }
            for (qsizetype i = 0; i < end; ++i)
                chunk(s, evs[i]);
            s->flush();
            s->abort();
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
