#pragma once

#include "proxy/HttpRequestParser.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTcpServer>

#include <functional>

namespace tl::test {

// A loopback HTTP/1.1 server (QTcpServer on 127.0.0.1, requests framed by the proxy's http-parser based
// HttpRequestParser) that speaks the documented shapes of:
//  - OpenAI Files + Batch API: POST /v1/files (multipart, purpose=batch), POST /v1/batches,
//    GET /v1/batches/{id}, POST /v1/batches/{id}/cancel, GET /v1/files/{id}/content. Output and error
//    lines follow fixtures e2/e3; the batch object follows e4.
//  - Anthropic Message Batches: POST /v1/messages/batches, GET /v1/messages/batches/{id},
//    GET /v1/messages/batches/{id}/results (JSONL), POST /v1/messages/batches/{id}/cancel.
//  - Admin API report pages (OpenAI /v1/organization/usage/completions, /usage/embeddings and /costs,
//    Anthropic /v1/organizations/usage_report/messages and /cost_report) from pages the test sets, chained
//    with has_more / next_page ("page-<n>"). Embeddings usage without pages set answers one empty page.
// Lives on the test's thread (the clients are asynchronous). Records every request.
class ProviderApiServer : public QObject
{
    Q_OBJECT

public:
    struct Answer
    {
        QString content;
        qint64 promptTokens = 0;
        qint64 completionTokens = 0;
    };
    // The model's answer to one request body (OpenAI chat body or Anthropic params) at index i.
    std::function<Answer(const QJsonObject &body, int index)> answer;
    // Called with every request before it is answered (a test acting at a precise step, e.g. a file download).
    std::function<void(const HttpRequest &request)> onRequest;
    // custom_ids whose line fails with HTTP 400 invalid_request_error (OpenAI error file / Anthropic errored).
    QSet<QString> failing;
    // Statuses a batch reports on successive GETs before its final one ("completed" / "expired" / "failed").
    QStringList openAiSteps = {QStringLiteral("validating"), QStringLiteral("in_progress"), QStringLiteral("finalizing")};
    QString openAiFinal = QStringLiteral("completed");
    int expiredAfter = -1; // with openAiFinal "expired": lines from this index on expire
    int anthropicPolls = 2; // GETs reporting in_progress before "ended"

    // Admin report pages per path ("/v1/organization/costs"); has_more/next_page are filled in.
    QHash<QString, QList<QJsonObject>> reportPages;
    // "<path>#<page index>" -> how many times to answer 429 (Retry-After: 7) before the page.
    QHash<QString, int> rateLimited;
    // "<path>#<page index>" answered 500 every time.
    QSet<QString> broken;

    explicit ProviderApiServer(QObject *parent = nullptr);
    quint16 port() const { return m_server.serverPort(); }
    QString base() const; // "http://127.0.0.1:<port>/v1"

    QList<HttpRequest> requests() const { return m_requests; }
    int count(const QByteArray &method, const QString &pathPrefix) const;
    // Every byte the server received (headers and bodies), to look for secrets.
    QByteArray received() const { return m_received; }

private:
    struct Job
    {
        QString id;
        bool anthropic = false;
        QList<QJsonObject> requests; // OpenAI: input lines; Anthropic: {custom_id, params}
        int polls = 0;
        QString status;
        bool cancelRequested = false;
        QString outputFile, errorFile;
        QByteArray results; // Anthropic results JSONL
    };

    void onConnection();
    void handle(QTcpSocket *socket, const HttpRequest &request);
    void reply(QTcpSocket *socket, int status, const QByteArray &body, const QByteArray &contentType = "application/json",
               const QList<std::pair<QByteArray, QByteArray>> &extra = {});
    QJsonObject openAiBatchObject(Job &job);
    void finishOpenAi(Job &job, const QString &finalStatus);
    QJsonObject anthropicBatchObject(Job &job);
    void finishAnthropic(Job &job);

    QTcpServer m_server;
    QList<HttpRequest> m_requests;
    QByteArray m_received;
    QHash<QString, QByteArray> m_files;
    QHash<QString, Job> m_jobs;
    int m_next = 1;
};

} // namespace tl::test
