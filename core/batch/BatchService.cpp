#include "BatchService.h"

#include "batch/BatchLogging.h"
#include "ledger/Ledger.h"
#include "pricing/ProviderUsage.h"
#include "secrets/SecretStore.h"

#include <QCoroFuture>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QUuid>

using namespace Qt::StringLiterals;

namespace tl {

namespace {

Result<QJsonObject> jsonObject(const HttpResponse &response, const QString &what)
{
    if (response.status < 200 || response.status >= 300)
        return fail(ErrorCode::Io, QObject::tr("%1: HTTP %2: %3").arg(what).arg(response.status).arg(ApiHttp::errorText(response.body)));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(response.body, &err);
    if (!doc.isObject())
        return fail(ErrorCode::Parse, QObject::tr("%1: the answer is not a JSON object (%2)").arg(what, err.errorString()));
    return doc.object();
}

QString sourceKey(const BatchJob &job, const QString &customId)
{
    return u"batch:%1:%2:%3"_s.arg(toString(job.provider), job.remoteId, customId);
}

CallRecord baseRecord(const BatchJob &job, const QString &customId)
{
    CallRecord r;
    r.provider = toString(job.provider);
    r.endpoint = job.endpoint.isEmpty() ? u"batch"_s : job.endpoint;
    r.batch = true;
    r.sourceKind = SourceKind::BatchJob;
    r.sourceRef = u"batch:"_s + job.remoteId;
    r.sourceKey = sourceKey(job, customId);
    r.tags = {u"batch"_s};
    r.startedAtUs = job.updatedAtUs;
    return r;
}

// multipart/form-data (RFC 7578) with purpose=batch and the JSONL file; sets the request's content type.
// (Kept out of the coroutine: GCC 12 miscompiles string-builder temporaries of literals in coroutine frames.)
QByteArray multipartUpload(QNetworkRequest &request, const QByteArray &jsonl)
{
    const QByteArray boundary = "tokenledger-" + QUuid::createUuid().toByteArray(QUuid::Id128);
    QByteArray body;
    body += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n";
    body += "--" + boundary
        + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"batch.jsonl\"\r\n"
          "Content-Type: application/jsonl\r\n\r\n";
    body += jsonl + "\r\n--" + boundary + "--\r\n";
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("multipart/form-data; boundary=" + boundary));
    return body;
}

QString chatContent(const QJsonObject &body)
{
    const QJsonArray choices = body.value("choices"_L1).toArray();
    if (!choices.isEmpty())
        return choices.first().toObject().value("message"_L1).toObject().value("content"_L1).toString();
    QString text; // Responses API: output[].content[].text
    for (const QJsonValue &item : body.value("output"_L1).toArray()) {
        for (const QJsonValue &part : item.toObject().value("content"_L1).toArray())
            text += part.toObject().value("text"_L1).toString();
    }
    return text;
}

} // namespace

namespace BatchResults {

std::pair<BatchResult, std::optional<CallRecord>> fromOpenAiLine(const QJsonObject &line, const BatchJob &job)
{
    BatchResult res;
    res.customId = line.value("custom_id"_L1).toString();
    const QJsonObject response = line.value("response"_L1).toObject();
    const QJsonObject error = line.value("error"_L1).toObject();
    res.statusCode = response.value("status_code"_L1).toInt();
    const QJsonObject body = response.value("body"_L1).toObject();
    if (!error.isEmpty()) {
        res.error = error.value("code"_L1).toString();
        const QString message = error.value("message"_L1).toString();
        res.error = res.error.isEmpty() ? message : res.error + u": "_s + message;
        return {res, std::nullopt};
    }
    if (res.statusCode < 200 || res.statusCode >= 300 || body.isEmpty()) {
        const QJsonObject e = body.value("error"_L1).toObject();
        const QString type = e.value("type"_L1).toString();
        res.error = u"HTTP %1"_s.arg(res.statusCode);
        if (!type.isEmpty())
            res.error += u" "_s + type;
        if (e.contains("message"_L1))
            res.error += u": "_s + e.value("message"_L1).toString();
        return {res, std::nullopt};
    }
    res.ok = true;
    res.content = chatContent(body);
    CallRecord r = baseRecord(job, res.customId);
    const QJsonObject usage = body.value("usage"_L1).toObject();
    r.usage = job.apiUrl.endsWith("/responses"_L1) ? ProviderUsage::fromOpenAiResponses(usage) : ProviderUsage::fromOpenAiChat(usage);
    if (usage.isEmpty())
        r.usageStatus = UsageStatus::Unknown;
    r.servedModel = body.value("model"_L1).toString();
    r.requestedModel = job.model.isEmpty() ? r.servedModel : job.model;
    if (r.servedModel.isEmpty())
        r.servedModel = r.requestedModel;
    const qint64 created = body.contains("created"_L1) ? body.value("created"_L1).toInteger() : body.value("created_at"_L1).toInteger();
    if (created > 0)
        r.startedAtUs = created * 1'000'000;
    r.httpStatus = res.statusCode;
    return {res, r};
}

std::pair<BatchResult, std::optional<CallRecord>> fromAnthropicLine(const QJsonObject &line, const BatchJob &job)
{
    BatchResult res;
    res.customId = line.value("custom_id"_L1).toString();
    const QJsonObject result = line.value("result"_L1).toObject();
    const QString type = result.value("type"_L1).toString();
    if (type != "succeeded"_L1) {
        const QJsonObject outer = result.value("error"_L1).toObject();
        const QJsonObject inner = outer.value("error"_L1).toObject();
        res.error = type;
        const QString message = inner.isEmpty() ? outer.value("message"_L1).toString() : inner.value("message"_L1).toString();
        const QString errType = inner.isEmpty() ? outer.value("type"_L1).toString() : inner.value("type"_L1).toString();
        if (!errType.isEmpty())
            res.error += u" "_s + errType;
        if (!message.isEmpty())
            res.error += u": "_s + message;
        return {res, std::nullopt};
    }
    const QJsonObject message = result.value("message"_L1).toObject();
    res.ok = true;
    res.statusCode = 200;
    for (const QJsonValue &block : message.value("content"_L1).toArray()) {
        if (block.toObject().value("type"_L1).toString() == "text"_L1)
            res.content += block.toObject().value("text"_L1).toString();
    }
    CallRecord r = baseRecord(job, res.customId);
    const QJsonObject usage = message.value("usage"_L1).toObject();
    r.usage = ProviderUsage::fromAnthropic(usage);
    if (usage.isEmpty()) // no usage is unknown usage (unpriced), never an exact $0, as for OpenAI's lines
        r.usageStatus = UsageStatus::Unknown;
    r.servedModel = message.value("model"_L1).toString();
    r.requestedModel = job.model.isEmpty() ? r.servedModel : job.model;
    if (r.servedModel.isEmpty())
        r.servedModel = r.requestedModel;
    r.httpStatus = 200;
    return {res, r};
}

} // namespace BatchResults

BatchService::BatchService(Ledger &ledger, SecretStore &secrets, QNetworkAccessManager &network, BatchServiceConfig config,
                           QObject *parent)
    : QObject(parent), m_ledger(ledger), m_secrets(secrets), m_config(std::move(config)),
      m_http(network, m_config.retry, m_config.sleeper)
{
}

BatchService::BatchService(Ledger &ledger, std::shared_ptr<SecretStore> secrets, std::shared_ptr<QNetworkAccessManager> network,
                            BatchServiceConfig config, QObject *parent)
    : QObject(parent), m_secretsOwner(std::move(secrets)), m_networkOwner(std::move(network)), m_ledger(ledger),
      m_secrets(*m_secretsOwner), m_config(std::move(config)), m_http(*m_networkOwner, m_config.retry, m_config.sleeper)
{
}

BatchService::~BatchService() = default;

qint64 BatchService::now() const
{
    return m_config.nowUs ? m_config.nowUs() : QDateTime::currentMSecsSinceEpoch() * 1000;
}

QCoro::Task<Async<QByteArray>> BatchService::key(BatchProvider provider)
{
    const QString name = provider == BatchProvider::OpenAi ? m_config.openAiKeyName : m_config.anthropicKeyName;
    auto awaited1 = m_secrets.read(name);
    co_return co_await awaited1;
}

QUrl BatchService::url(BatchProvider provider, const QString &path) const
{
    QUrl base = provider == BatchProvider::OpenAi ? m_config.openAiBaseUrl : m_config.anthropicBaseUrl;
    QString p = base.path();
    if (p.endsWith(u'/'))
        p.chop(1);
    base.setPath(p + path);
    return base;
}

QNetworkRequest BatchService::request(BatchProvider provider, const QUrl &target, const QByteArray &apiKey) const
{
    QNetworkRequest req(target);
    if (provider == BatchProvider::OpenAi) {
        req.setRawHeader("Authorization", "Bearer " + apiKey);
    } else {
        req.setRawHeader("x-api-key", apiKey);
        req.setRawHeader("anthropic-version", "2023-06-01");
    }
    req.setHeader(QNetworkRequest::ContentTypeHeader, u"application/json"_s);
    return req;
}

QCoro::Task<Async<BatchJob>> BatchService::store(BatchJob job)
{
    auto out = std::make_shared<Result<qint64>>(fail(ErrorCode::Database, QObject::tr("the ledger writer stopped")));
    auto awaited2 = m_ledger.writer().runExclusive([job, out](QSqlDatabase &db) { *out = BatchStore::save(db, job); });
    co_await awaited2;
    if (!*out)
        co_return std::unexpected(out->error());
    job.id = **out;
    Q_EMIT jobChanged(job);
    co_return job;
}

QCoro::Task<Async<std::optional<BatchJob>>> BatchService::load(qint64 jobId)
{
    auto awaited3 = m_ledger.read<Result<std::optional<BatchJob>>>(
        [jobId](QSqlDatabase &db) { return BatchStore::load(db, jobId); });
    co_return co_await awaited3;
}

QCoro::Task<Async<BatchJob>> BatchService::submit(BatchProvider provider, QList<BatchRequest> requests, QString endpoint)
{
    if (requests.isEmpty())
        co_return fail(ErrorCode::InvalidArgument, QObject::tr("a batch needs at least one request"));
    const QString apiUrl = requests.front().url;
    for (const BatchRequest &r : std::as_const(requests)) {
        if (provider == BatchProvider::OpenAi && r.url != apiUrl)
            co_return fail(ErrorCode::InvalidArgument,
                           QObject::tr("request %1 goes to %2, the others to %3; an OpenAI batch has one endpoint")
                               .arg(r.customId, r.url, apiUrl));
    }
    auto awaited4 = key(provider);
    const auto apiKey = co_await awaited4;
    if (!apiKey)
        co_return std::unexpected(apiKey.error());

    BatchJob job;
    job.provider = provider;
    job.endpoint = endpoint;
    job.model = requests.front().body.value("model"_L1).toString();
    job.createdAtUs = job.updatedAtUs = now();
    if (provider == BatchProvider::OpenAi) {
        job.apiUrl = apiUrl;
        QNetworkRequest upload = request(provider, url(provider, u"/files"_s), *apiKey);
        const QByteArray body = multipartUpload(upload, BatchBuilder::toOpenAiJsonl(requests));
        auto awaited5 = m_http.send(upload, "POST", body, QObject::tr("OpenAI batch file upload"));
        const auto uploaded = co_await awaited5;
        if (!uploaded)
            co_return std::unexpected(uploaded.error());
        const auto file = jsonObject(*uploaded, QObject::tr("OpenAI batch file upload"));
        if (!file)
            co_return std::unexpected(file.error());
        job.inputFileId = file->value("id"_L1).toString();
        const QJsonObject create{{u"input_file_id"_s, job.inputFileId},
                                 {u"endpoint"_s, apiUrl},
                                 {u"completion_window"_s, u"24h"_s},
                                 {u"metadata"_s, QJsonObject{{u"source"_s, u"tokenledger"_s}, {u"endpoint"_s, endpoint}}}};
        auto awaited6 = m_http.send(request(provider, url(provider, u"/batches"_s), *apiKey), "POST",
                                                  QJsonDocument(create).toJson(QJsonDocument::Compact),
                                                  QObject::tr("OpenAI batch creation"));
        const auto created = co_await awaited6;
        if (!created)
            co_return std::unexpected(created.error());
        const auto batch = jsonObject(*created, QObject::tr("OpenAI batch creation"));
        if (!batch)
            co_return std::unexpected(batch.error());
        applyOpenAiStatus(job, *batch);
    } else {
        job.apiUrl = u"/v1/messages"_s;
        QJsonArray list;
        for (const BatchRequest &r : std::as_const(requests))
            list.append(BatchBuilder::toAnthropicRequest(r));
        QJsonObject payload;
        payload.insert(u"requests"_s, list);
        const QByteArray payloadBytes = QJsonDocument(payload).toJson(QJsonDocument::Compact);
        auto awaited7 = m_http.send(request(provider, url(provider, u"/messages/batches"_s), *apiKey), "POST",
                                                  payloadBytes,
                                                  QObject::tr("Anthropic message batch creation"));
        const auto created = co_await awaited7;
        if (!created)
            co_return std::unexpected(created.error());
        const auto batch = jsonObject(*created, QObject::tr("Anthropic message batch creation"));
        if (!batch)
            co_return std::unexpected(batch.error());
        applyAnthropicStatus(job, *batch);
    }
    if (job.remoteId.isEmpty())
        co_return fail(ErrorCode::Parse, QObject::tr("the provider answered without a batch id"));
    qCInfo(lcBatch) << "batch" << job.remoteId << "created with" << requests.size() << "requests";
    auto awaited8 = store(job);
    co_return co_await awaited8;
}

void BatchService::applyOpenAiStatus(BatchJob &job, const QJsonObject &batch) const
{
    job.remoteId = batch.value("id"_L1).toString(job.remoteId);
    job.status = batchStatusFromString(batch.value("status"_L1).toString()).value_or(job.status);
    const QJsonObject counts = batch.value("request_counts"_L1).toObject();
    job.total = counts.value("total"_L1).toInteger(job.total);
    job.completed = counts.value("completed"_L1).toInteger(job.completed);
    job.failed = counts.value("failed"_L1).toInteger(job.failed);
    if (batch.value("output_file_id"_L1).isString())
        job.outputFileId = batch.value("output_file_id"_L1).toString();
    if (batch.value("error_file_id"_L1).isString())
        job.errorFileId = batch.value("error_file_id"_L1).toString();
    QStringList errors;
    for (const QJsonValue &e : batch.value("errors"_L1).toObject().value("data"_L1).toArray()) {
        const QJsonObject o = e.toObject();
        errors.append(o.value("code"_L1).toString() + u": "_s + o.value("message"_L1).toString());
    }
    if (!errors.isEmpty())
        job.error = errors.join(u"; "_s);
    job.updatedAtUs = now();
}

void BatchService::applyAnthropicStatus(BatchJob &job, const QJsonObject &batch) const
{
    job.remoteId = batch.value("id"_L1).toString(job.remoteId);
    const QJsonObject c = batch.value("request_counts"_L1).toObject();
    const qint64 processing = c.value("processing"_L1).toInteger();
    const qint64 succeeded = c.value("succeeded"_L1).toInteger();
    const qint64 errored = c.value("errored"_L1).toInteger();
    const qint64 canceled = c.value("canceled"_L1).toInteger();
    const qint64 expired = c.value("expired"_L1).toInteger();
    job.total = processing + succeeded + errored + canceled + expired;
    job.completed = succeeded;
    job.failed = errored + canceled + expired;
    const QString status = batch.value("processing_status"_L1).toString();
    if (status == "in_progress"_L1) {
        job.status = job.status == BatchStatus::Cancelling ? BatchStatus::Cancelling : BatchStatus::InProgress;
    } else if (status == "canceling"_L1) {
        job.status = BatchStatus::Cancelling;
    } else if (status == "ended"_L1) {
        if (job.status == BatchStatus::Cancelling || (canceled > 0 && succeeded == 0))
            job.status = BatchStatus::Cancelled;
        else if (job.total > 0 && expired == job.total)
            job.status = BatchStatus::Expired;
        else
            job.status = BatchStatus::Completed;
    }
    if (batch.value("results_url"_L1).isString())
        job.outputFileId = batch.value("results_url"_L1).toString();
    job.updatedAtUs = now();
}

QCoro::Task<Async<BatchJob>> BatchService::refresh(qint64 jobId)
{
    QPointer<BatchService> self(this);
    auto awaited9 = load(jobId);
    const auto loaded = co_await awaited9;
    if (!self)
        co_return fail(ErrorCode::Cancelled, QObject::tr("the batch service was closed"));
    if (!loaded)
        co_return std::unexpected(loaded.error());
    if (!*loaded)
        co_return fail(ErrorCode::NotFound, QObject::tr("no batch job %1").arg(jobId));
    BatchJob job = **loaded;
    if (isTerminal(job.status) && job.resultsRecorded)
        co_return job;
    auto awaited10 = key(job.provider);
    const auto apiKey = co_await awaited10;
    if (!self)
        co_return fail(ErrorCode::Cancelled, QObject::tr("the batch service was closed"));
    if (!apiKey)
        co_return std::unexpected(apiKey.error());
    if (!isTerminal(job.status)) {
        const bool openAi = job.provider == BatchProvider::OpenAi;
        const QString what = openAi ? QObject::tr("OpenAI batch status") : QObject::tr("Anthropic message batch status");
        const QUrl target = url(job.provider, (openAi ? u"/batches/"_s : u"/messages/batches/"_s) + job.remoteId);
        auto awaited11 = m_http.send(request(job.provider, target, *apiKey), "GET", {}, what);
        const auto answer = co_await awaited11;
        if (!self)
            co_return fail(ErrorCode::Cancelled, QObject::tr("the batch service was closed"));
        if (!answer)
            co_return std::unexpected(answer.error());
        const auto batch = jsonObject(*answer, what);
        if (!batch)
            co_return std::unexpected(batch.error());
        if (openAi)
            applyOpenAiStatus(job, *batch);
        else
            applyAnthropicStatus(job, *batch);
        auto awaited12 = store(job);
        auto stored = co_await awaited12;
        if (!stored)
            co_return stored;
        qCDebug(lcBatch) << "batch" << job.remoteId << toString(job.status) << job.completed << "/" << job.total;
    }
    if (isTerminal(job.status) && !job.resultsRecorded) {
        auto awaited13 = recordResults(job, *apiKey);
        if (auto r = co_await awaited13; !r)
            co_return std::unexpected(r.error());
        auto reloading = load(jobId);
        const auto reloaded = co_await reloading;
        if (!reloaded || !*reloaded)
            co_return fail(ErrorCode::Database, QObject::tr("batch job %1 vanished while recording").arg(jobId));
        job = **reloaded;
        Q_EMIT jobChanged(job);
    }
    co_return job;
}

QCoro::Task<Async<void>> BatchService::recordResults(BatchJob job, QByteArray apiKey)
{
    QPointer<BatchService> self(this);
    QList<QByteArray> files;
    if (job.provider == BatchProvider::OpenAi) {
        const QStringList fileIds{job.outputFileId, job.errorFileId};
        for (const QString &fileId : fileIds) {
            if (fileId.isEmpty())
                continue;
            const QString what = QObject::tr("OpenAI batch file %1 download").arg(fileId);
            auto download = m_http.send(
                request(job.provider, url(job.provider, u"/files/%1/content"_s.arg(fileId)), apiKey), "GET", {}, what);
            const auto answer = co_await download;
            if (!self)
                co_return fail(ErrorCode::Cancelled, QObject::tr("the batch service was closed"));
            if (!answer)
                co_return std::unexpected(answer.error());
            if (answer->status != 200)
                co_return fail(ErrorCode::Io, QObject::tr("%1: HTTP %2: %3").arg(what).arg(answer->status).arg(ApiHttp::errorText(answer->body)));
            files.append(answer->body);
        }
    } else if (!job.outputFileId.isEmpty()) {
        const QString what = QObject::tr("Anthropic message batch results download");
        auto download = m_http.send(request(job.provider, QUrl(job.outputFileId), apiKey), "GET", {}, what);
        const auto answer = co_await download;
        if (!self)
            co_return fail(ErrorCode::Cancelled, QObject::tr("the batch service was closed"));
        if (!answer)
            co_return std::unexpected(answer.error());
        if (answer->status != 200)
            co_return fail(ErrorCode::Io, QObject::tr("%1: HTTP %2: %3").arg(what).arg(answer->status).arg(ApiHttp::errorText(answer->body)));
        files.append(answer->body);
    }

    QList<BatchResult> results;
    QList<CallRecord> records;
    const auto pricer = m_ledger.pricer();
    for (const QByteArray &file : std::as_const(files)) {
        for (const QByteArray &rawLine : file.split('\n')) {
            const QByteArray line = rawLine.trimmed();
            if (line.isEmpty())
                continue;
            const QJsonObject o = QJsonDocument::fromJson(line).object();
            if (o.isEmpty()) {
                qCWarning(lcBatch) << "batch" << job.remoteId << "has a result line that is not JSON";
                continue;
            }
            auto [result, record] = job.provider == BatchProvider::OpenAi ? BatchResults::fromOpenAiLine(o, job)
                                                                          : BatchResults::fromAnthropicLine(o, job);
            if (record) {
                pricer->apply(*record);
                records.append(*record);
            }
            results.append(result);
        }
    }
    // GiveUp, not the proxy's endless retry: on a full disk (or an I/O error) the job is reported as not
    // recorded and stays so (resultsRecorded false), its results kept at the provider; the next refresh records
    // it again, and the source keys count the records stored before the failure once.
    const qint64 handedOver = records.size();
    auto written = m_ledger.writer().submitBatch(std::move(records), OnWriteFailure::GiveUp);
    const WriteReport writeReport = co_await written;
    if (!self)
        co_return fail(ErrorCode::Cancelled, QObject::tr("the batch service was closed"));
    if (!writeReport.failure.isEmpty()) {
        qCWarning(lcBatch) << "batch" << job.remoteId << "results not recorded:" << writeReport.failure;
        co_return fail(ErrorCode::Database,
                       QObject::tr("The results of batch %1 could not be written to the ledger %2 (%3): %4 of %5 "
                                   "records stored. Nothing is lost: the provider keeps the results, and the job is "
                                   "recorded when TokenLedger next starts with space free (its Batch jobs page resumes it).")
                           .arg(job.remoteId, m_ledger.path(), writeReport.failure)
                           .arg(writeReport.inserted + writeReport.duplicates)
                           .arg(handedOver));
    }

    // Ids of the records (new or recorded before), then the result lines and the flag in one transaction.
    auto out = std::make_shared<Result<void>>(fail(ErrorCode::Database, QObject::tr("the ledger writer stopped")));
    job.resultsRecorded = true;
    auto saved = m_ledger.writer().runExclusive([job, results, out](QSqlDatabase &db) mutable {
        QSqlQuery q(db);
        q.prepare(u"SELECT id FROM calls WHERE source_key = :key"_s);
        for (BatchResult &r : results) {
            if (!r.ok)
                continue;
            q.bindValue(u":key"_s, sourceKey(job, r.customId));
            if (q.exec() && q.next())
                r.recordId = q.value(0).toLongLong();
        }
        if (!db.transaction()) {
            *out = fail(ErrorCode::Database, QObject::tr("cannot start a transaction"));
            return;
        }
        if (auto r = BatchStore::saveResults(db, job.id, results); !r) {
            db.rollback();
            *out = r;
            return;
        }
        if (auto r = BatchStore::save(db, job); !r) {
            db.rollback();
            *out = std::unexpected(r.error());
            return;
        }
        *out = db.commit() ? Result<void>() : fail(ErrorCode::Database, QObject::tr("cannot commit the batch results"));
    });
    co_await saved;
    if (*out)
        qCInfo(lcBatch) << "batch" << job.remoteId << "recorded:" << handedOver << "records," << results.size() - handedOver << "failed lines";
    co_return *out;
}

QCoro::Task<Async<BatchJob>> BatchService::waitForCompletion(qint64 jobId)
{
    QPointer<BatchService> self(this);
    auto delay = m_config.pollInitial;
    while (true) {
        auto awaited14 = refresh(jobId);
        auto job = co_await awaited14;
        if (!self)
            co_return fail(ErrorCode::Cancelled, QObject::tr("the batch service was closed"));
        if (!job || (isTerminal(job->status) && job->resultsRecorded))
            co_return job;
        auto pause = m_config.sleeper(delay);
        co_await pause;
        if (!self)
            co_return fail(ErrorCode::Cancelled, QObject::tr("the batch service was closed"));
        delay = std::min(delay * 3 / 2, m_config.pollMax);
    }
}

QCoro::Task<Async<BatchJob>> BatchService::cancel(qint64 jobId)
{
    auto awaited15 = load(jobId);
    const auto loaded = co_await awaited15;
    if (!loaded)
        co_return std::unexpected(loaded.error());
    if (!*loaded)
        co_return fail(ErrorCode::NotFound, QObject::tr("no batch job %1").arg(jobId));
    BatchJob job = **loaded;
    if (isTerminal(job.status))
        co_return job;
    auto awaited16 = key(job.provider);
    const auto apiKey = co_await awaited16;
    if (!apiKey)
        co_return std::unexpected(apiKey.error());
    const bool openAi = job.provider == BatchProvider::OpenAi;
    const QString what = openAi ? QObject::tr("OpenAI batch cancel") : QObject::tr("Anthropic message batch cancel");
    const QUrl target = url(job.provider, (openAi ? u"/batches/%1/cancel"_s : u"/messages/batches/%1/cancel"_s).arg(job.remoteId));
    auto awaited17 = m_http.send(request(job.provider, target, *apiKey), "POST", {}, what);
    const auto answer = co_await awaited17;
    if (!answer)
        co_return std::unexpected(answer.error());
    const auto batch = jsonObject(*answer, what);
    if (!batch)
        co_return std::unexpected(batch.error());
    if (openAi) {
        applyOpenAiStatus(job, *batch);
    } else {
        job.status = BatchStatus::Cancelling;
        applyAnthropicStatus(job, *batch);
    }
    auto awaited18 = store(job);
    co_return co_await awaited18;
}

QCoro::Task<Async<QList<BatchJob>>> BatchService::resumeAll()
{
    QPointer<BatchService> self(this);
    auto awaited19 = m_ledger.read<Result<QList<BatchJob>>>([](QSqlDatabase &db) { return BatchStore::unfinished(db); });
    const auto pending = co_await awaited19;
    if (!pending)
        co_return pending;
    QList<BatchJob> done;
    for (const BatchJob &job : *pending) {
        auto awaited20 = waitForCompletion(job.id);
        auto finished = co_await awaited20;
        if (!self)
            co_return fail(ErrorCode::Cancelled, QObject::tr("the batch service was closed"));
        if (!finished)
            co_return std::unexpected(finished.error());
        done.append(*finished);
    }
    co_return done;
}

QCoro::Task<Async<QList<BatchJob>>> BatchService::jobs()
{
    auto awaited21 = m_ledger.read<Result<QList<BatchJob>>>([](QSqlDatabase &db) { return BatchStore::all(db); });
    co_return co_await awaited21;
}

QCoro::Task<Async<QList<BatchResult>>> BatchService::results(qint64 jobId)
{
    auto awaited22 = m_ledger.read<Result<QList<BatchResult>>>(
        [jobId](QSqlDatabase &db) { return BatchStore::results(db, jobId); });
    co_return co_await awaited22;
}

} // namespace tl
