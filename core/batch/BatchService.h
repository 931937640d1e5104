#pragma once

#include "batch/ApiHttp.h"
#include "batch/BatchBuilder.h"
#include "batch/BatchJob.h"
#include "ledger/CallRecord.h"

#include <QCoroTask>
#include <QObject>
#include <QUrl>

#include <functional>
#include <memory>

class QNetworkAccessManager;
class QSqlDatabase;

namespace tl {

class Ledger;
class SecretStore;

struct BatchServiceConfig
{
    QUrl openAiBaseUrl = QUrl(QStringLiteral("https://api.openai.com/v1"));
    QUrl anthropicBaseUrl = QUrl(QStringLiteral("https://api.anthropic.com/v1"));
    // Keychain entries (SecretStore names) of the API keys the jobs run with.
    QString openAiKeyName = QStringLiteral("provider/openai");
    QString anthropicKeyName = QStringLiteral("provider/anthropic");
    // Status polling: first wait, growing by half each poll up to the cap.
    std::chrono::milliseconds pollInitial{15000};
    std::chrono::milliseconds pollMax{300000};
    RetryPolicy retry;
    Sleeper sleeper = defaultSleeper(); // used for polling waits and retry backoff
    std::function<qint64()> nowUs;       // UTC microseconds; default: the system clock
};

// Runs OpenAI Batch API jobs and Anthropic Message Batches and records their results in the ledger.
//
// OpenAI (API reference "Batch" and "Files"): POST /v1/files (multipart, purpose=batch) uploads the
// JSONL; POST /v1/batches {input_file_id, endpoint, completion_window: "24h"} creates the job;
// GET /v1/batches/{id} polls it (request_counts total/completed/failed); GET /v1/files/{id}/content
// downloads the output and error files; POST /v1/batches/{id}/cancel cancels.
// Anthropic (API reference "Message Batches", anthropic-version 2023-06-01): POST /v1/messages/batches,
// GET /v1/messages/batches/{id}, GET results_url (JSONL), POST /v1/messages/batches/{id}/cancel.
//
// Jobs are rows of batch_jobs in the ledger file: a job survives a restart and resumeAll() continues
// polling it. When a job ends (completed, expired, cancelled, failed) every ok result line becomes one
// ledger record (SourceKind::BatchJob, batch = true so it is priced at the Batch API rate, endpoint = the
// one the user chose, source key "batch:<provider>:<job id>:<custom_id>", so recording a job again adds
// nothing). Failed, errored, expired and cancelled lines are kept in batch_results with their error and
// are not priced or recorded as calls.
//
// Thread affinity: the thread of `network` (the GUI thread in the app). Keys are read from `secrets`
// for each call and never stored, logged or put in error text. Errors: Secret (no key), Io (network
// or HTTP failure after retries, with the provider's message), Parse (an answer that is not the
// documented shape), Database.
class BatchService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(BatchService)

public:
    BatchService(Ledger &ledger, SecretStore &secrets, QNetworkAccessManager &network, BatchServiceConfig config = {},
                 QObject *parent = nullptr);
    // The same, sharing ownership of the keychain and the network manager: they stay alive as long as
    // this service, whatever else (a window) goes first. What the app's composition root uses.
    BatchService(Ledger &ledger, std::shared_ptr<SecretStore> secrets, std::shared_ptr<QNetworkAccessManager> network,
                 BatchServiceConfig config = {}, QObject *parent = nullptr);
    ~BatchService() override;

    // Uploads/creates the job and stores it. `endpoint`: the ledger endpoint of its records.
    // Errors: InvalidArgument for an empty list or requests with different urls (OpenAI: one per job).
    QCoro::Task<Async<BatchJob>> submit(BatchProvider provider, QList<BatchRequest> requests, QString endpoint);
    // One status poll; when the job has ended, downloads and records its results (once).
    QCoro::Task<Async<BatchJob>> refresh(qint64 jobId);
    // Polls with backoff until the job has ended and its results are recorded.
    QCoro::Task<Async<BatchJob>> waitForCompletion(qint64 jobId);
    // Asks the provider to cancel; the job then goes cancelling -> cancelled (poll to see it end).
    QCoro::Task<Async<BatchJob>> cancel(qint64 jobId);
    // Continues every job that has not ended or whose results are not recorded yet (after a restart).
    QCoro::Task<Async<QList<BatchJob>>> resumeAll();

    QCoro::Task<Async<QList<BatchJob>>> jobs();
    QCoro::Task<Async<QList<BatchResult>>> results(qint64 jobId);

Q_SIGNALS:
    void jobChanged(const tl::BatchJob &job);

private:
    QCoro::Task<Async<QByteArray>> key(BatchProvider provider);
    QNetworkRequest request(BatchProvider provider, const QUrl &url, const QByteArray &key) const;
    QUrl url(BatchProvider provider, const QString &path) const;
    QCoro::Task<Async<BatchJob>> store(BatchJob job);
    QCoro::Task<Async<std::optional<BatchJob>>> load(qint64 jobId);
    QCoro::Task<Async<void>> recordResults(BatchJob job, QByteArray key);
    void applyOpenAiStatus(BatchJob &job, const QJsonObject &batch) const;
    void applyAnthropicStatus(BatchJob &job, const QJsonObject &batch) const;
    qint64 now() const;

    // Declared first, so destroyed last: m_http and m_secrets refer to them (null when not owned).
    std::shared_ptr<SecretStore> m_secretsOwner;
    std::shared_ptr<QNetworkAccessManager> m_networkOwner;
    Ledger &m_ledger;
    SecretStore &m_secrets;
    BatchServiceConfig m_config;
    ApiHttp m_http;
};

// Result-file parsing, exposed for tests: one line of an OpenAI output/error file or of an Anthropic
// results file -> the result line and, for an ok line, its ledger record (not yet priced).
namespace BatchResults {
std::pair<BatchResult, std::optional<CallRecord>> fromOpenAiLine(const QJsonObject &line, const BatchJob &job);
std::pair<BatchResult, std::optional<CallRecord>> fromAnthropicLine(const QJsonObject &line, const BatchJob &job);
} // namespace BatchResults

} // namespace tl
