#include "BatchJob.h"

#include "ledger/Database.h"

#include <QSqlError>
#include <QSqlQuery>

#include <array>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
constexpr std::array kStatusNames = {u"submitting", u"validating", u"in_progress", u"finalizing", u"completed",
                                     u"failed",     u"expired",    u"cancelling",  u"cancelled"};

std::unexpected<Error> dbError(const QSqlQuery &q)
{
    return fail(ErrorCode::Database, QObject::tr("Database error: %1").arg(q.lastError().text()));
}

const char16_t kColumns[] = u"id, provider, remote_id, status, endpoint, api_url, model, input_file_id, output_file_id, "
                            u"error_file_id, total, completed, failed, created_at_us, updated_at_us, error, results_recorded";

BatchJob fromQuery(const QSqlQuery &q)
{
    BatchJob j;
    int i = 0;
    j.id = q.value(i++).toLongLong();
    j.provider = batchProviderFromString(q.value(i++).toString()).value_or(BatchProvider::OpenAi);
    j.remoteId = q.value(i++).toString();
    j.status = batchStatusFromString(q.value(i++).toString()).value_or(BatchStatus::Failed);
    j.endpoint = q.value(i++).toString();
    j.apiUrl = q.value(i++).toString();
    j.model = q.value(i++).toString();
    j.inputFileId = q.value(i++).toString();
    j.outputFileId = q.value(i++).toString();
    j.errorFileId = q.value(i++).toString();
    j.total = q.value(i++).toLongLong();
    j.completed = q.value(i++).toLongLong();
    j.failed = q.value(i++).toLongLong();
    j.createdAtUs = q.value(i++).toLongLong();
    j.updatedAtUs = q.value(i++).toLongLong();
    j.error = q.value(i++).toString();
    j.resultsRecorded = q.value(i++).toInt() != 0;
    return j;
}

Result<QList<BatchJob>> select(QSqlDatabase &db, const QString &where)
{
    QSqlQuery q(db);
    if (!q.exec(u"SELECT "_s + QString::fromUtf16(kColumns) + u" FROM batch_jobs "_s + where + u" ORDER BY id"_s))
        return dbError(q);
    QList<BatchJob> jobs;
    while (q.next())
        jobs.append(fromQuery(q));
    return jobs;
}
} // namespace

QString toString(BatchProvider p) { return p == BatchProvider::OpenAi ? u"openai"_s : u"anthropic"_s; }

std::optional<BatchProvider> batchProviderFromString(QStringView s)
{
    if (s == u"openai")
        return BatchProvider::OpenAi;
    if (s == u"anthropic")
        return BatchProvider::Anthropic;
    return std::nullopt;
}

QString toString(BatchStatus s) { return QString::fromUtf16(kStatusNames[size_t(s)]); }

std::optional<BatchStatus> batchStatusFromString(QStringView s)
{
    for (size_t i = 0; i < kStatusNames.size(); ++i) {
        if (s == QStringView(kStatusNames[i]))
            return BatchStatus(i);
    }
    return std::nullopt;
}

bool isTerminal(BatchStatus s)
{
    return s == BatchStatus::Completed || s == BatchStatus::Failed || s == BatchStatus::Expired || s == BatchStatus::Cancelled;
}

namespace BatchStore {

Result<qint64> save(QSqlDatabase &db, const BatchJob &job)
{
    QSqlQuery q(db);
    if (job.id == 0) {
        q.prepare(uR"(INSERT INTO batch_jobs (provider, remote_id, status, endpoint, api_url, model, input_file_id,
            output_file_id, error_file_id, total, completed, failed, created_at_us, updated_at_us, error, results_recorded)
            VALUES (:provider, :remote_id, :status, :endpoint, :api_url, :model, :input_file_id, :output_file_id,
            :error_file_id, :total, :completed, :failed, :created_at_us, :updated_at_us, :error, :results_recorded))"_s);
    } else {
        q.prepare(uR"(UPDATE batch_jobs SET provider = :provider, remote_id = :remote_id, status = :status,
            endpoint = :endpoint, api_url = :api_url, model = :model, input_file_id = :input_file_id,
            output_file_id = :output_file_id, error_file_id = :error_file_id, total = :total, completed = :completed,
            failed = :failed, created_at_us = :created_at_us, updated_at_us = :updated_at_us, error = :error,
            results_recorded = :results_recorded WHERE id = :id)"_s);
        q.bindValue(u":id"_s, job.id);
    }
    q.bindValue(u":provider"_s, toString(job.provider));
    q.bindValue(u":remote_id"_s, Database::sqlText(job.remoteId));
    q.bindValue(u":status"_s, toString(job.status));
    q.bindValue(u":endpoint"_s, Database::sqlText(job.endpoint));
    q.bindValue(u":api_url"_s, Database::sqlText(job.apiUrl));
    q.bindValue(u":model"_s, Database::sqlText(job.model));
    q.bindValue(u":input_file_id"_s, Database::sqlText(job.inputFileId));
    q.bindValue(u":output_file_id"_s, Database::sqlText(job.outputFileId));
    q.bindValue(u":error_file_id"_s, Database::sqlText(job.errorFileId));
    q.bindValue(u":total"_s, job.total);
    q.bindValue(u":completed"_s, job.completed);
    q.bindValue(u":failed"_s, job.failed);
    q.bindValue(u":created_at_us"_s, job.createdAtUs);
    q.bindValue(u":updated_at_us"_s, job.updatedAtUs);
    q.bindValue(u":error"_s, Database::sqlText(job.error));
    q.bindValue(u":results_recorded"_s, job.resultsRecorded ? 1 : 0);
    if (!q.exec())
        return dbError(q);
    return job.id == 0 ? q.lastInsertId().toLongLong() : job.id;
}

Result<std::optional<BatchJob>> load(QSqlDatabase &db, qint64 id)
{
    QSqlQuery q(db);
    q.prepare(u"SELECT "_s + QString::fromUtf16(kColumns) + u" FROM batch_jobs WHERE id = :id"_s);
    q.bindValue(u":id"_s, id);
    if (!q.exec())
        return dbError(q);
    if (!q.next())
        return std::optional<BatchJob>();
    return std::optional<BatchJob>(fromQuery(q));
}

Result<QList<BatchJob>> all(QSqlDatabase &db) { return select(db, {}); }

Result<QList<BatchJob>> unfinished(QSqlDatabase &db)
{
    return select(db, u"WHERE status NOT IN ('completed', 'failed', 'expired', 'cancelled') OR results_recorded = 0"_s);
}

Result<void> saveResults(QSqlDatabase &db, qint64 jobId, const QList<BatchResult> &results)
{
    QSqlQuery del(db);
    del.prepare(u"DELETE FROM batch_results WHERE job_id = :job"_s);
    del.bindValue(u":job"_s, jobId);
    if (!del.exec())
        return dbError(del);
    QSqlQuery q(db);
    q.prepare(uR"(INSERT INTO batch_results (job_id, custom_id, status_code, ok, content, error, record_id)
        VALUES (:job, :custom_id, :status_code, :ok, :content, :error, :record_id))"_s);
    for (const BatchResult &r : results) {
        q.bindValue(u":job"_s, jobId);
        q.bindValue(u":custom_id"_s, Database::sqlText(r.customId));
        q.bindValue(u":status_code"_s, r.statusCode);
        q.bindValue(u":ok"_s, r.ok ? 1 : 0);
        q.bindValue(u":content"_s, Database::sqlText(r.content));
        q.bindValue(u":error"_s, Database::sqlText(r.error));
        q.bindValue(u":record_id"_s, r.recordId);
        if (!q.exec())
            return dbError(q);
    }
    return {};
}

Result<QList<BatchResult>> results(QSqlDatabase &db, qint64 jobId)
{
    QSqlQuery q(db);
    q.prepare(u"SELECT custom_id, status_code, ok, content, error, record_id FROM batch_results WHERE job_id = :job "
              u"ORDER BY custom_id"_s);
    q.bindValue(u":job"_s, jobId);
    if (!q.exec())
        return dbError(q);
    QList<BatchResult> list;
    while (q.next()) {
        BatchResult r;
        r.customId = q.value(0).toString();
        r.statusCode = q.value(1).toInt();
        r.ok = q.value(2).toInt() != 0;
        r.content = q.value(3).toString();
        r.error = q.value(4).toString();
        r.recordId = q.value(5).toLongLong();
        list.append(r);
    }
    return list;
}

} // namespace BatchStore

} // namespace tl
