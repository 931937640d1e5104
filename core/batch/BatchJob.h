#pragma once

#include "common/Result.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

class QSqlDatabase;

namespace tl {

enum class BatchProvider { OpenAi, Anthropic };
QString toString(BatchProvider p); // "openai", "anthropic" (price-book provider ids)
std::optional<BatchProvider> batchProviderFromString(QStringView s);

// A job's state, in OpenAI's vocabulary (Batch API reference, "The batch object": validating,
// in_progress, finalizing, completed, failed, expired, cancelling, cancelled). Anthropic Message
// Batches (processing_status in_progress / canceling / ended) map onto it: in_progress -> InProgress,
// canceling -> Cancelling, ended -> Completed (Cancelled after a cancel, Expired when every request
// expired).
enum class BatchStatus { Submitting, Validating, InProgress, Finalizing, Completed, Failed, Expired, Cancelling, Cancelled };
QString toString(BatchStatus s); // the API's word: "in_progress", ...; "submitting" before the provider has it
std::optional<BatchStatus> batchStatusFromString(QStringView s);
// Completed, Failed, Expired, Cancelled: the provider will not change the job any more.
bool isTerminal(BatchStatus s);

// A batch job as the ledger database keeps it (table batch_jobs), so polling resumes after a restart.
// Times are UTC microseconds since the epoch.
struct BatchJob
{
    qint64 id = 0;             // local row id
    BatchProvider provider = BatchProvider::OpenAi;
    QString remoteId;          // "batch_abc" (OpenAI) or "msgbatch_abc" (Anthropic)
    BatchStatus status = BatchStatus::Submitting;
    QString endpoint;          // the ledger endpoint (product feature) the user chose for its records
    QString apiUrl;            // OpenAI: "/v1/chat/completions"; Anthropic: "/v1/messages"
    QString model;             // model of the requests (for the requested-model column)
    QString inputFileId;       // OpenAI input file
    QString outputFileId;      // OpenAI output file; Anthropic: results_url
    QString errorFileId;       // OpenAI error file
    qint64 total = 0;          // request_counts
    qint64 completed = 0;      // succeeded
    qint64 failed = 0;         // failed, errored, expired or cancelled requests
    qint64 createdAtUs = 0;
    qint64 updatedAtUs = 0;
    QString error;             // why the job failed (the provider's "errors"), "" otherwise
    bool resultsRecorded = false; // the result lines are in the ledger (set after they are committed)
};

// One line of a job's results, mapped back by custom_id.
struct BatchResult
{
    QString customId;
    bool ok = false;      // a 2xx answer with a body; failed, errored, expired and cancelled lines are not ok
    int statusCode = 0;   // the line's HTTP status (OpenAI), 200 for Anthropic "succeeded", 0 when none
    QString content;      // the model's text answer (first choice / text blocks)
    QString error;        // "batch_expired: This request could not be executed before the completion window expired."
    qint64 recordId = 0;  // the ledger record of an ok line, 0 for failed lines
};

// SQL of batch_jobs / batch_results. Every value is a bound parameter. Thread affinity: the thread
// owning `db` (the ledger writer's for writes, via LedgerWriter::runExclusive; any reader for reads).
// Errors: Database with SQLite's message.
namespace BatchStore {
// Inserts (job.id == 0: assigns it) or updates the row.
Result<qint64> save(QSqlDatabase &db, const BatchJob &job);
Result<std::optional<BatchJob>> load(QSqlDatabase &db, qint64 id);
Result<QList<BatchJob>> all(QSqlDatabase &db);
// Jobs still to poll, or finished but with results not yet recorded.
Result<QList<BatchJob>> unfinished(QSqlDatabase &db);
// Replaces the stored result lines of a job (one transaction with the caller's).
Result<void> saveResults(QSqlDatabase &db, qint64 jobId, const QList<BatchResult> &results);
Result<QList<BatchResult>> results(QSqlDatabase &db, qint64 jobId);
} // namespace BatchStore

} // namespace tl

Q_DECLARE_METATYPE(tl::BatchJob)
