#include "ProviderApiServer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QUrlQuery>

#include <memory>

using namespace Qt::StringLiterals;

namespace tl::test {

namespace {
bool isFinal(const QString &status)
{
    return status == "completed"_L1 || status == "failed"_L1 || status == "expired"_L1 || status == "cancelled"_L1;
}

QByteArray compact(const QJsonObject &o) { return QJsonDocument(o).toJson(QJsonDocument::Compact); }

// The "file" part of a multipart/form-data body (RFC 7578), and the "purpose" field.
std::pair<QByteArray, QByteArray> multipartFile(const HttpRequest &request)
{
    const QByteArray type = headerValue(request.headers, "content-type");
    const qsizetype b = type.indexOf("boundary=");
    if (b < 0)
        return {};
    const QByteArray delimiter = "--" + type.mid(b + 9);
    QByteArray file, purpose;
    QList<QByteArray> partsList;
    for (qsizetype at = request.body.indexOf(delimiter); at >= 0;) {
        const qsizetype next = request.body.indexOf(delimiter, at + delimiter.size());
        if (next < 0)
            break;
        partsList.append(request.body.mid(at + delimiter.size(), next - at - delimiter.size()));
        at = next;
    }
    for (const QByteArray &part : std::as_const(partsList)) {
        const qsizetype headEnd = part.indexOf("\r\n\r\n");
        if (headEnd < 0)
            continue;
        const QByteArray head = part.left(headEnd);
        QByteArray content = part.mid(headEnd + 4);
        if (content.endsWith("\r\n"))
            content.chop(2);
        if (head.contains("name=\"file\""))
            file = content;
        else if (head.contains("name=\"purpose\""))
            purpose = content;
    }
    return {file, purpose};
}
} // namespace

ProviderApiServer::ProviderApiServer(QObject *parent) : QObject(parent)
{
    answer = [](const QJsonObject &, int i) { return Answer{u"answer %1"_s.arg(i + 1), 20 + i, 5}; };
    connect(&m_server, &QTcpServer::newConnection, this, &ProviderApiServer::onConnection);
    m_server.listen(QHostAddress::LocalHost, 0);
}

QString ProviderApiServer::base() const { return u"http://127.0.0.1:%1/v1"_s.arg(port()); }

int ProviderApiServer::count(const QByteArray &method, const QString &pathPrefix) const
{
    int n = 0;
    for (const HttpRequest &r : m_requests)
        n += (r.method == method && QString::fromUtf8(r.target).startsWith(pathPrefix)) ? 1 : 0;
    return n;
}

void ProviderApiServer::onConnection()
{
    while (QTcpSocket *socket = m_server.nextPendingConnection()) {
        auto parser = std::make_shared<HttpRequestParser>();
        connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QTcpSocket::readyRead, this, [this, socket, parser]() {
            while (socket->bytesAvailable() > 0) {
                const QByteArray data = socket->readAll();
                m_received += data;
                qsizetype offset = 0;
                while (offset < data.size()) {
                    offset += parser->feed(data.constData() + offset, data.size() - offset);
                    if (parser->state() == HttpRequestParser::State::Complete) {
                        const HttpRequest request = parser->takeRequest();
                        parser->reset();
                        m_requests.append(request);
                        handle(socket, request);
                    } else if (parser->state() == HttpRequestParser::State::Error) {
                        reply(socket, parser->errorStatus(), "{}");
                        return;
                    } else {
                        break;
                    }
                }
            }
        });
    }
}

void ProviderApiServer::reply(QTcpSocket *socket, int status, const QByteArray &body, const QByteArray &contentType,
                              const QList<std::pair<QByteArray, QByteArray>> &extra)
{
    QByteArray head = "HTTP/1.1 " + QByteArray::number(status) + (status == 200 ? " OK" : " Error") + "\r\n";
    head += "Content-Type: " + contentType + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    for (const auto &[k, v] : extra)
        head += k + ": " + v + "\r\n";
    head += "Connection: keep-alive\r\n\r\n";
    socket->write(head + body);
}

QJsonObject ProviderApiServer::openAiBatchObject(Job &job)
{
    qint64 completed = 0, failed = 0;
    if (!job.outputFile.isEmpty())
        completed = m_files.value(job.outputFile).count('\n');
    if (!job.errorFile.isEmpty())
        failed = m_files.value(job.errorFile).count('\n');
    const bool inProgress = job.status == "in_progress"_L1;
    if (inProgress)
        completed = job.requests.size() / 2; // progress half way
    return QJsonObject{
        {u"id"_s, job.id},
        {u"object"_s, u"batch"_s},
        {u"endpoint"_s, job.requests.isEmpty() ? u"/v1/chat/completions"_s : job.requests.front().value("url"_L1).toString()},
        {u"errors"_s, job.status == "failed"_L1
             ? QJsonValue(QJsonObject{{u"object"_s, u"list"_s},
                                      {u"data"_s, QJsonArray{QJsonObject{{u"code"_s, u"invalid_json_line"_s},
                                                                         {u"message"_s, u"Line 1 is not valid JSON."_s}}}}})
             : QJsonValue()},
        {u"input_file_id"_s, QString(u"file-in-"_s + job.id)},
        {u"completion_window"_s, u"24h"_s},
        {u"status"_s, job.status},
        {u"output_file_id"_s, job.outputFile.isEmpty() ? QJsonValue() : QJsonValue(job.outputFile)},
        {u"error_file_id"_s, job.errorFile.isEmpty() ? QJsonValue() : QJsonValue(job.errorFile)},
        {u"created_at"_s, 1764409000},
        {u"request_counts"_s, QJsonObject{{u"total"_s, qint64(job.requests.size())}, {u"completed"_s, completed}, {u"failed"_s, failed}}},
    };
}

void ProviderApiServer::finishOpenAi(Job &job, const QString &finalStatus)
{
    job.status = finalStatus;
    if (finalStatus == "failed"_L1)
        return;
    QByteArray out, err;
    for (int i = 0; i < job.requests.size(); ++i) {
        const QJsonObject line = job.requests[i];
        const QString customId = line.value("custom_id"_L1).toString();
        const QJsonObject body = line.value("body"_L1).toObject();
        const QString reqId = u"batch_req_%1_%2"_s.arg(job.id).arg(i + 1);
        const bool expired = (finalStatus == "expired"_L1 && expiredAfter >= 0 && i >= expiredAfter)
            || (finalStatus == "cancelled"_L1 && i >= job.requests.size() / 2);
        if (expired) {
            const QString code = finalStatus == "expired"_L1 ? u"batch_expired"_s : u"batch_cancelled"_s;
            const QString message = finalStatus == "expired"_L1
                ? u"This request could not be executed before the completion window expired."_s
                : u"This request was not executed because the batch was cancelled."_s;
            err += compact(QJsonObject{{u"id"_s, reqId}, {u"custom_id"_s, customId}, {u"response"_s, QJsonValue()},
                                       {u"error"_s, QJsonObject{{u"code"_s, code}, {u"message"_s, message}}}}) + '\n';
        } else if (failing.contains(customId)) {
            const QJsonObject e{{u"message"_s, u"Invalid value for 'max_tokens'."_s}, {u"type"_s, u"invalid_request_error"_s},
                                {u"param"_s, u"max_tokens"_s}, {u"code"_s, QJsonValue()}};
            err += compact(QJsonObject{{u"id"_s, reqId}, {u"custom_id"_s, customId},
                                       {u"response"_s, QJsonObject{{u"status_code"_s, 400}, {u"request_id"_s, reqId},
                                                                   {u"body"_s, QJsonObject{{u"error"_s, e}}}}},
                                       {u"error"_s, QJsonValue()}}) + '\n';
        } else {
            const Answer a = answer(body, i);
            const QJsonObject usage{{u"prompt_tokens"_s, a.promptTokens}, {u"completion_tokens"_s, a.completionTokens},
                                    {u"total_tokens"_s, a.promptTokens + a.completionTokens},
                                    {u"prompt_tokens_details"_s, QJsonObject{{u"cached_tokens"_s, 0}, {u"audio_tokens"_s, 0}}},
                                    {u"completion_tokens_details"_s, QJsonObject{{u"reasoning_tokens"_s, 0}}}};
            QString model = body.value("model"_L1).toString();
            if (model == "gpt-4o-mini"_L1)
                model = u"gpt-4o-mini-2024-07-18"_s;
            const QJsonObject completion{
                {u"id"_s, u"chatcmpl-%1"_s.arg(i)}, {u"object"_s, u"chat.completion"_s}, {u"created"_s, 1764410000 + i},
                {u"model"_s, model},
                {u"choices"_s, QJsonArray{QJsonObject{{u"index"_s, 0},
                                                      {u"message"_s, QJsonObject{{u"role"_s, u"assistant"_s}, {u"content"_s, a.content}}},
                                                      {u"finish_reason"_s, u"stop"_s}}}},
                {u"usage"_s, usage}};
            out += compact(QJsonObject{{u"id"_s, reqId}, {u"custom_id"_s, customId},
                                       {u"response"_s, QJsonObject{{u"status_code"_s, 200}, {u"request_id"_s, reqId}, {u"body"_s, completion}}},
                                       {u"error"_s, QJsonValue()}}) + '\n';
        }
    }
    if (!out.isEmpty()) {
        job.outputFile = u"file-out-"_s + job.id;
        m_files.insert(job.outputFile, out);
    }
    if (!err.isEmpty()) {
        job.errorFile = u"file-err-"_s + job.id;
        m_files.insert(job.errorFile, err);
    }
}

QJsonObject ProviderApiServer::anthropicBatchObject(Job &job)
{
    QJsonObject counts{{u"processing"_s, 0}, {u"succeeded"_s, 0}, {u"errored"_s, 0}, {u"canceled"_s, 0}, {u"expired"_s, 0}};
    if (job.status != "ended"_L1) {
        counts[u"processing"_s] = job.requests.size();
    } else {
        for (const QByteArray &line : job.results.split('\n')) {
            const QString type = QJsonDocument::fromJson(line).object().value("result"_L1).toObject().value("type"_L1).toString();
            if (!type.isEmpty())
                counts[type] = counts[type].toInt() + 1;
        }
    }
    return QJsonObject{{u"id"_s, job.id},
                       {u"type"_s, u"message_batch"_s},
                       {u"processing_status"_s, job.status},
                       {u"request_counts"_s, counts},
                       {u"created_at"_s, u"2026-11-28T10:00:00Z"_s},
                       {u"expires_at"_s, u"2026-11-29T10:00:00Z"_s},
                       {u"results_url"_s, job.status == "ended"_L1 ? QJsonValue(QString(base() + u"/messages/batches/"_s + job.id + u"/results"_s))
                                                                   : QJsonValue()}};
}

void ProviderApiServer::finishAnthropic(Job &job)
{
    job.status = u"ended"_s;
    QByteArray out;
    for (int i = 0; i < job.requests.size(); ++i) {
        const QString customId = job.requests[i].value("custom_id"_L1).toString();
        const QJsonObject params = job.requests[i].value("params"_L1).toObject();
        QJsonObject result;
        if (job.cancelRequested && i >= job.requests.size() / 2) {
            result = QJsonObject{{u"type"_s, u"canceled"_s}};
        } else if (failing.contains(customId)) {
            result = QJsonObject{{u"type"_s, u"errored"_s},
                                 {u"error"_s, QJsonObject{{u"type"_s, u"error"_s},
                                                          {u"error"_s, QJsonObject{{u"type"_s, u"invalid_request_error"_s},
                                                                                   {u"message"_s, u"max_tokens: Field required"_s}}}}}};
        } else {
            const Answer a = answer(params, i);
            result = QJsonObject{
                {u"type"_s, u"succeeded"_s},
                {u"message"_s, QJsonObject{{u"id"_s, u"msg_%1"_s.arg(i)}, {u"type"_s, u"message"_s}, {u"role"_s, u"assistant"_s},
                                           {u"model"_s, params.value("model"_L1)},
                                           {u"content"_s, QJsonArray{QJsonObject{{u"type"_s, u"text"_s}, {u"text"_s, a.content}}}},
                                           {u"stop_reason"_s, u"end_turn"_s},
                                           {u"usage"_s, QJsonObject{{u"input_tokens"_s, a.promptTokens}, {u"cache_creation_input_tokens"_s, 0},
                                                                    {u"cache_read_input_tokens"_s, 0}, {u"output_tokens"_s, a.completionTokens}}}}}};
        }
        out += compact(QJsonObject{{u"custom_id"_s, customId}, {u"result"_s, result}}) + '\n';
    }
    job.results = out;
}

void ProviderApiServer::handle(QTcpSocket *socket, const HttpRequest &request)
{
    if (onRequest)
        onRequest(request);
    const QUrl url(QString::fromUtf8(request.target));
    const QString path = url.path();
    const QUrlQuery query(url);
    const QJsonObject body = QJsonDocument::fromJson(request.body).object();
    const QStringList parts = path.split(u'/', Qt::SkipEmptyParts); // v1, batches, {id}, cancel

    // Admin report pages. Embeddings usage, which every OpenAI admin key syncs, answers one empty page
    // (as the API does for an organisation without embeddings calls) unless the test set pages for it.
    if (request.method == "GET" && path == "/v1/organization/usage/embeddings"_L1 && !reportPages.contains(path)) {
        reply(socket, 200, compact(QJsonObject{{u"object"_s, u"page"_s}, {u"data"_s, QJsonArray{}}, {u"has_more"_s, false},
                                               {u"next_page"_s, QJsonValue()}}));
        return;
    }
    if (request.method == "GET" && reportPages.contains(path)) {
        const QList<QJsonObject> &pages = reportPages[path];
        const QString token = query.queryItemValue(u"page"_s);
        const int index = token.isEmpty() ? 0 : token.mid(5).toInt();
        const QString key = path + u'#' + QString::number(index);
        if (broken.contains(key)) {
            reply(socket, 500, R"({"error":{"message":"The server had an error processing your request.","type":"server_error"}})");
            return;
        }
        if (rateLimited.value(key) > 0) {
            rateLimited[key] -= 1;
            reply(socket, 429, R"({"error":{"message":"Rate limit reached for admin requests.","type":"rate_limit_error"}})",
                  "application/json", {{"Retry-After", "7"}});
            return;
        }
        if (index >= pages.size()) {
            reply(socket, 400, R"({"error":{"message":"invalid page"}})");
            return;
        }
        QJsonObject page = pages[index];
        const bool more = index + 1 < pages.size();
        page[u"has_more"_s] = more;
        page[u"next_page"_s] = more ? QJsonValue(u"page-%1"_s.arg(index + 1)) : QJsonValue();
        reply(socket, 200, compact(page));
        return;
    }

    if (request.method == "POST" && path == "/v1/files"_L1) {
        const auto [file, purpose] = multipartFile(request);
        if (purpose != "batch" || file.isEmpty()) {
            reply(socket, 400, R"({"error":{"message":"purpose must be batch and a file is required","type":"invalid_request_error"}})");
            return;
        }
        const QString id = u"file-%1"_s.arg(m_next++);
        m_files.insert(id, file);
        reply(socket, 200, compact(QJsonObject{{u"id"_s, id}, {u"object"_s, u"file"_s}, {u"bytes"_s, qint64(file.size())},
                                               {u"filename"_s, u"batch.jsonl"_s}, {u"purpose"_s, u"batch"_s}}));
        return;
    }
    if (request.method == "POST" && path == "/v1/batches"_L1) {
        const QString fileId = body.value("input_file_id"_L1).toString();
        if (!m_files.contains(fileId) || body.value("completion_window"_L1).toString() != "24h"_L1) {
            reply(socket, 400, R"({"error":{"message":"unknown input_file_id or completion_window","type":"invalid_request_error"}})");
            return;
        }
        Job job;
        job.id = u"batch_%1"_s.arg(m_next++);
        for (const QByteArray &line : m_files.value(fileId).split('\n')) {
            if (!line.trimmed().isEmpty())
                job.requests.append(QJsonDocument::fromJson(line).object());
        }
        job.status = u"validating"_s;
        m_jobs.insert(job.id, job);
        reply(socket, 200, compact(openAiBatchObject(m_jobs[job.id])));
        return;
    }
    if (parts.size() >= 3 && parts[1] == "batches"_L1 && m_jobs.contains(parts[2])) {
        Job &job = m_jobs[parts[2]];
        if (request.method == "POST" && parts.size() == 4 && parts[3] == "cancel"_L1) {
            job.cancelRequested = true;
            job.status = u"cancelling"_s;
        } else if (request.method == "GET" && !isFinal(job.status)) {
            if (job.cancelRequested)
                finishOpenAi(job, u"cancelled"_s);
            else if (job.polls < openAiSteps.size())
                job.status = openAiSteps[job.polls];
            else
                finishOpenAi(job, openAiFinal);
            ++job.polls;
        }
        reply(socket, 200, compact(openAiBatchObject(job)));
        return;
    }
    if (request.method == "GET" && parts.size() == 4 && parts[1] == "files"_L1 && parts[3] == "content"_L1) {
        if (!m_files.contains(parts[2])) {
            reply(socket, 404, R"({"error":{"message":"No such File object","type":"invalid_request_error"}})");
            return;
        }
        reply(socket, 200, m_files.value(parts[2]), "application/octet-stream");
        return;
    }

    // Anthropic Message Batches.
    if (request.method == "POST" && path == "/v1/messages/batches"_L1) {
        if (headerValue(request.headers, "anthropic-version").isEmpty()) {
            reply(socket, 400, R"({"type":"error","error":{"type":"invalid_request_error","message":"anthropic-version header is required"}})");
            return;
        }
        Job job;
        job.anthropic = true;
        job.id = u"msgbatch_%1"_s.arg(m_next++);
        for (const QJsonValue &v : body.value("requests"_L1).toArray())
            job.requests.append(v.toObject());
        job.status = u"in_progress"_s;
        m_jobs.insert(job.id, job);
        reply(socket, 200, compact(anthropicBatchObject(m_jobs[job.id])));
        return;
    }
    if (parts.size() >= 4 && parts[1] == "messages"_L1 && parts[2] == "batches"_L1 && m_jobs.contains(parts[3])) {
        Job &job = m_jobs[parts[3]];
        if (request.method == "POST" && parts.size() == 5 && parts[4] == "cancel"_L1) {
            job.cancelRequested = true;
            job.status = u"canceling"_s;
        } else if (request.method == "GET" && parts.size() == 5 && parts[4] == "results"_L1) {
            reply(socket, job.status == "ended"_L1 ? 200 : 404, job.results, "application/binary");
            return;
        } else if (request.method == "GET" && job.status != "ended"_L1) {
            if (job.cancelRequested || ++job.polls > anthropicPolls)
                finishAnthropic(job);
        }
        reply(socket, 200, compact(anthropicBatchObject(job)));
        return;
    }
    reply(socket, 404, R"({"error":{"message":"not found","type":"invalid_request_error"}})");
}

} // namespace tl::test
