#include "LedgerWriter.h"

#include "common/Logging.h"
#include "ledger/Database.h"
#include "ledger/LatencyHistogram.h"

#include <QHash>
#include <QMutex>
#include <QPromise>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QTimer>

#include <deque>
#include <map>
#include <optional>
#include <tuple>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
constexpr int kBatchSize = 4096;
constexpr int kFlushIntervalMs = 100;
constexpr int kRetryIntervalMs = 1000;
constexpr qint64 kUsPerHour = 3'600'000'000LL;

struct BatchState
{
    QPromise<WriteReport> promise;
    WriteReport report;
    qint64 remaining = 0;
};

struct Entry
{
    std::optional<CallRecord> record;
    std::shared_ptr<BatchState> batch;
    std::shared_ptr<QPromise<void>> done; // flush marker or job completion
    std::function<void(QSqlDatabase &)> job;
};

using RollupKey = std::tuple<qint64, qint64, qint64, qint64, qint64, int>; // hour, endpoint, model, key, provider, batch
struct RollupDelta
{
    qint64 calls = 0, prompt = 0, cached = 0, cacheWrite = 0, completion = 0, reasoning = 0;
    qint64 cost = 0, unpriced = 0, estimated = 0, saved = 0, cacheHits = 0, errors = 0;
    qint64 latencyCalls = 0, latencySum = 0;
};
using LatencyKey = std::tuple<qint64, qint64, qint64, qint64, int>; // hour, endpoint, model, key, bucket

enum LabelKind { Endpoint = 1, Provider = 2, Model = 3, Key = 4 };

using Database::sqlText;

qint64 hourOf(qint64 us)
{
    return us - (((us % kUsPerHour) + kUsPerHour) % kUsPerHour);
}

bool isRetryable(const QSqlError &e)
{
    // SQLITE_FULL (13), SQLITE_IOERR (10), SQLITE_BUSY (5), SQLITE_LOCKED (6), SQLITE_CANTOPEN (14)
    const int code = e.nativeErrorCode().toInt() & 0xff;
    return code == 13 || code == 10 || code == 5 || code == 6 || code == 14;
}

const char16_t kInsertSql[] = uR"(INSERT INTO calls (id, started_at_us, endpoint_id, provider_id,
    requested_model_id, served_model_id, key_id, tags, prompt_tokens, cached_tokens, cache_write_5m_tokens,
    cache_write_1h_tokens, completion_tokens, reasoning_tokens, audio_input_tokens, audio_output_tokens,
    image_input_tokens, usage_status, cost_nano, cost_status, price_entry, price_version, latency_us, ttft_us,
    http_status, error_kind, cache_outcome, saved_nano, batch, source_kind, source_ref, source_key, similarity,
    request_bytes, response_bytes, request_hash, prompt_chars, message_count, max_tokens, has_tools, task_type,
    call_count)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
            ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (source_key) DO NOTHING)";

const char16_t kSavingsSql[] = uR"(INSERT INTO call_savings (call_id, complexity, route_mode, routed_model,
    tokens_before_compression, tokens_after_compression, fewshot_set, fewshot_examples, fewshot_tokens,
    fewshot_set_tokens, semantic_scope, guard_signature, embedding_model, embedding)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING)";

const char16_t kRollupSql[] = uR"(INSERT INTO %1 (%2, endpoint_id, model_id, key_id, provider_id,
    batch, calls, prompt_tokens, cached_tokens, cache_write_tokens, completion_tokens, reasoning_tokens, cost_nano,
    unpriced_calls, estimated_calls, saved_nano, cache_hits, error_calls, latency_calls, latency_sum_us)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (%2, endpoint_id, model_id, key_id, provider_id, batch) DO UPDATE SET
    calls = calls + excluded.calls, prompt_tokens = prompt_tokens + excluded.prompt_tokens,
    cached_tokens = cached_tokens + excluded.cached_tokens,
    cache_write_tokens = cache_write_tokens + excluded.cache_write_tokens,
    completion_tokens = completion_tokens + excluded.completion_tokens,
    reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens, cost_nano = cost_nano + excluded.cost_nano,
    unpriced_calls = unpriced_calls + excluded.unpriced_calls,
    estimated_calls = estimated_calls + excluded.estimated_calls, saved_nano = saved_nano + excluded.saved_nano,
    cache_hits = cache_hits + excluded.cache_hits, error_calls = error_calls + excluded.error_calls,
    latency_calls = latency_calls + excluded.latency_calls,
    latency_sum_us = latency_sum_us + excluded.latency_sum_us)";

const char16_t kLatencySql[] = uR"(INSERT INTO %1 (%2, endpoint_id, model_id, key_id, bucket,
    calls) VALUES (?, ?, ?, ?, ?, ?)
    ON CONFLICT (%2, endpoint_id, model_id, key_id, bucket) DO UPDATE SET calls = calls + excluded.calls)";

constexpr qint64 kUsPerDay = 24 * kUsPerHour;

} // namespace

class LedgerWriterWorker final : public QObject
{
    Q_OBJECT
public:
    LedgerWriterWorker(LedgerWriter *owner, QString path)
        : m_owner(owner)
        , m_path(std::move(path))
    {
    }

    // Called from any thread.
    void enqueue(Entry entry, bool urgent)
    {
        bool kick = false;
        {
            QMutexLocker lock(&m_mutex);
            if (entry.record)
                ++m_pendingRecords;
            m_queue.push_back(std::move(entry));
            kick = (urgent || m_pendingRecords >= kBatchSize) && !m_drainScheduled;
            if (kick)
                m_drainScheduled = true;
        }
        if (kick)
            QMetaObject::invokeMethod(this, &LedgerWriterWorker::drain, Qt::QueuedConnection);
    }

    qint64 pendingRecords() const
    {
        QMutexLocker lock(&m_mutex);
        return m_pendingRecords;
    }

    void start()
    {
        m_connection = Database::threadConnectionName(u"ledger-writer");
        auto db = Database::open(m_path, m_connection);
        if (!db) {
            m_openError = db.error().message;
            Q_EMIT m_owner->writeFailed(m_openError);
            return;
        }
        m_db = *db;
        m_timer = new QTimer(this);
        m_timer->setInterval(kFlushIntervalMs);
        connect(m_timer, &QTimer::timeout, this, &LedgerWriterWorker::drain);
        m_timer->start();
    }

    void stop()
    {
        // Drain everything (retrying briefly on I/O errors), then close the connection.
        for (int attempt = 0; attempt < 50; ++attempt) {
            drain();
            QMutexLocker lock(&m_mutex);
            if (m_queue.empty())
                break;
            lock.unlock();
            QThread::msleep(100);
        }
        delete m_timer;
        m_timer = nullptr;
        m_db = QSqlDatabase();
        Database::close(m_connection);
    }

    void drain()
    {
        {
            QMutexLocker lock(&m_mutex);
            m_drainScheduled = false;
        }
        if (!m_db.isOpen())
            return;
        for (;;) {
            std::deque<Entry> work;
            {
                QMutexLocker lock(&m_mutex);
                if (m_queue.empty())
                    return;
                // Take records up to the batch size, stopping before a job.
                int records = 0;
                while (!m_queue.empty() && records < kBatchSize) {
                    if (m_queue.front().job && !work.empty())
                        break;
                    const bool isJob = bool(m_queue.front().job);
                    if (m_queue.front().record)
                        ++records;
                    work.push_back(std::move(m_queue.front()));
                    m_queue.pop_front();
                    if (isJob)
                        break;
                }
            }
            if (work.size() == 1 && work.front().job) {
                work.front().job(m_db);
                work.front().done->finish();
                continue;
            }
            if (!commit(work)) {
                // Put the batch back at the front and retry later; nothing is lost.
                QMutexLocker lock(&m_mutex);
                while (!work.empty()) {
                    m_queue.push_front(std::move(work.back()));
                    work.pop_back();
                }
                lock.unlock();
                QTimer::singleShot(kRetryIntervalMs, this, &LedgerWriterWorker::drain);
                return;
            }
        }
    }

private:
    qint64 labelId(int kind, const QString &nameIn)
    {
        const QString name = sqlText(nameIn);
        const auto key = std::make_pair(kind, name);
        auto it = m_labels.find(key);
        if (it != m_labels.end())
            return it->second;
        QSqlQuery q(m_db);
        q.prepare(u"INSERT INTO labels (kind, name) VALUES (?, ?) ON CONFLICT (kind, name) DO NOTHING"_s);
        q.addBindValue(kind);
        q.addBindValue(name);
        q.exec();
        q.prepare(u"SELECT id FROM labels WHERE kind = ? AND name = ?"_s);
        q.addBindValue(kind);
        q.addBindValue(name);
        if (!q.exec() || !q.next())
            return 0;
        const qint64 id = q.value(0).toLongLong();
        m_labels.emplace(key, id);
        return id;
    }

    bool commit(std::deque<Entry> &work)
    {
        if (!m_db.transaction()) {
            reportFailure(m_db.lastError());
            return false;
        }
        const auto labelsBefore = m_labels;
        QSqlQuery insert(m_db);
        insert.prepare(QString::fromUtf16(kInsertSql));
        std::optional<QSqlQuery> savingsInsert; // prepared on the first record that has a savings trace
        std::map<RollupKey, RollupDelta> rollups;
        std::map<LatencyKey, qint64> latencies;
        qint64 inserted = 0;
        struct Outcome
        {
            int state; // 0 inserted, 1 duplicate, 2 failed
            QString error;
        };
        std::vector<Outcome> outcomes;
        outcomes.reserve(work.size());

        for (Entry &e : work) {
            if (!e.record) {
                outcomes.push_back({1, {}});
                continue;
            }
            const CallRecord &r = *e.record;
            const qint64 endpoint = labelId(Endpoint, r.endpoint.isEmpty() ? u"untagged"_s : r.endpoint);
            const qint64 provider = labelId(Provider, r.provider);
            const qint64 requested = labelId(Model, r.requestedModel);
            const qint64 served = labelId(Model, r.servedModel.isEmpty() ? r.requestedModel : r.servedModel);
            const qint64 key = labelId(Key, r.keyId);
            int i = 0;
            insert.bindValue(i++, r.id);
            insert.bindValue(i++, r.startedAtUs);
            insert.bindValue(i++, endpoint);
            insert.bindValue(i++, provider);
            insert.bindValue(i++, requested);
            insert.bindValue(i++, served);
            insert.bindValue(i++, key);
            insert.bindValue(i++, r.tags.isEmpty() ? u""_s : r.tags.join(u',')); // never NULL (NOT NULL column)
            insert.bindValue(i++, r.usage.promptTokens);
            insert.bindValue(i++, r.usage.cachedTokens);
            insert.bindValue(i++, r.usage.cacheWrite5mTokens);
            insert.bindValue(i++, r.usage.cacheWrite1hTokens);
            insert.bindValue(i++, r.usage.completionTokens);
            insert.bindValue(i++, r.usage.reasoningTokens);
            insert.bindValue(i++, r.usage.audioInputTokens);
            insert.bindValue(i++, r.usage.audioOutputTokens);
            insert.bindValue(i++, r.usage.imageInputTokens);
            insert.bindValue(i++, int(r.usageStatus));
            insert.bindValue(i++, r.cost ? QVariant(*r.cost) : QVariant(QMetaType::fromType<qint64>()));
            insert.bindValue(i++, int(r.costStatus));
            insert.bindValue(i++, sqlText(r.priceEntry));
            insert.bindValue(i++, sqlText(r.priceVersion));
            insert.bindValue(i++, r.latencyUs);
            insert.bindValue(i++, r.ttftUs);
            insert.bindValue(i++, r.httpStatus);
            insert.bindValue(i++, sqlText(r.errorKind));
            insert.bindValue(i++, int(r.cacheOutcome));
            insert.bindValue(i++, r.savedCost);
            insert.bindValue(i++, r.batch ? 1 : 0);
            insert.bindValue(i++, int(r.sourceKind));
            insert.bindValue(i++, sqlText(r.sourceRef));
            insert.bindValue(i++, r.sourceKey.isEmpty() ? QVariant(QMetaType::fromType<QString>()) : QVariant(r.sourceKey));
            insert.bindValue(i++, r.similarity);
            insert.bindValue(i++, r.requestBytes);
            insert.bindValue(i++, r.responseBytes);
            insert.bindValue(i++, sqlText(r.requestHash));
            insert.bindValue(i++, r.promptChars);
            insert.bindValue(i++, r.messageCount);
            insert.bindValue(i++, r.maxTokens);
            insert.bindValue(i++, r.hasTools ? 1 : 0);
            insert.bindValue(i++, sqlText(r.taskType));
            insert.bindValue(i++, r.callCount);
            if (!insert.exec()) {
                const QSqlError err = insert.lastError();
                if (isRetryable(err)) {
                    m_db.rollback();
                    m_labels = labelsBefore;
                    reportFailure(err);
                    return false;
                }
                outcomes.push_back({2, err.text()});
                qCWarning(lcLedger) << "record refused:" << err.text();
                continue;
            }
            if (insert.numRowsAffected() != 1) {
                outcomes.push_back({1, {}});
                continue;
            }
            if (!r.savings.isEmpty()) {
                if (!savingsInsert) {
                    savingsInsert.emplace(m_db);
                    savingsInsert->prepare(QString::fromUtf16(kSavingsSql));
                }
                const SavingsTrace &t = r.savings;
                QSqlQuery &sq = *savingsInsert;
                int j = 0;
                sq.bindValue(j++, r.id);
                sq.bindValue(j++, sqlText(t.complexity));
                sq.bindValue(j++, sqlText(t.routeMode));
                sq.bindValue(j++, sqlText(t.routedModel));
                sq.bindValue(j++, t.tokensBeforeCompression);
                sq.bindValue(j++, t.tokensAfterCompression);
                sq.bindValue(j++, sqlText(t.fewShotSet));
                sq.bindValue(j++, t.fewShotExamples);
                sq.bindValue(j++, t.fewShotTokens);
                sq.bindValue(j++, t.fewShotSetTokens);
                sq.bindValue(j++, sqlText(t.semanticScope));
                sq.bindValue(j++, sqlText(t.guardSignature));
                sq.bindValue(j++, sqlText(t.embeddingModel));
                sq.bindValue(j++, t.embedding.isEmpty() ? QVariant(QMetaType::fromType<QByteArray>()) : QVariant(t.embedding));
                if (!sq.exec()) {
                    const QSqlError err = sq.lastError();
                    m_db.rollback();
                    m_labels = labelsBefore;
                    reportFailure(err);
                    return false;
                }
            }
            outcomes.push_back({0, {}});
            ++inserted;
            const qint64 hour = hourOf(r.startedAtUs);
            RollupDelta &d = rollups[{hour, endpoint, served, key, provider, r.batch ? 1 : 0}];
            d.calls += r.callCount;
            d.prompt += r.usage.promptTokens;
            d.cached += r.usage.cachedTokens;
            d.cacheWrite += r.usage.cacheWrite5mTokens + r.usage.cacheWrite1hTokens;
            d.completion += r.usage.completionTokens;
            d.reasoning += r.usage.reasoningTokens;
            d.cost += r.cost.value_or(0);
            d.unpriced += r.cost ? 0 : r.callCount;
            d.estimated += r.costStatus == CostStatus::Estimated ? r.callCount : 0;
            d.saved += r.savedCost;
            d.cacheHits += (r.cacheOutcome == CacheOutcome::ExactHit || r.cacheOutcome == CacheOutcome::SemanticHit) ? r.callCount : 0;
            d.errors += (r.httpStatus >= 400 || !r.errorKind.isEmpty()) ? r.callCount : 0;
            if (r.latencyUs >= 0) {
                d.latencyCalls += 1;
                d.latencySum += r.latencyUs;
                latencies[{hour, endpoint, served, key, LatencyHistogram::bucketOf(r.latencyUs)}] += 1;
            }
        }

        // The same deltas go to the hourly and the daily (UTC) tables.
        auto upsert = [&](const QString &table, const QString &timeCol, qint64 step) -> bool {
            QSqlQuery rollup(m_db);
            rollup.prepare(QString::fromUtf16(kRollupSql).arg(table, timeCol));
            std::map<RollupKey, RollupDelta> merged;
            for (const auto &[k, d] : rollups) {
                RollupKey key = k;
                std::get<0>(key) = std::get<0>(k) - (((std::get<0>(k) % step) + step) % step);
                RollupDelta &m = merged[key];
                m.calls += d.calls, m.prompt += d.prompt, m.cached += d.cached, m.cacheWrite += d.cacheWrite;
                m.completion += d.completion, m.reasoning += d.reasoning, m.cost += d.cost, m.unpriced += d.unpriced;
                m.estimated += d.estimated, m.saved += d.saved, m.cacheHits += d.cacheHits, m.errors += d.errors;
                m.latencyCalls += d.latencyCalls, m.latencySum += d.latencySum;
            }
            for (const auto &[k, d] : merged) {
                int i = 0;
                rollup.bindValue(i++, std::get<0>(k));
                rollup.bindValue(i++, std::get<1>(k));
                rollup.bindValue(i++, std::get<2>(k));
                rollup.bindValue(i++, std::get<3>(k));
                rollup.bindValue(i++, std::get<4>(k));
                rollup.bindValue(i++, std::get<5>(k));
                for (qint64 v : {d.calls, d.prompt, d.cached, d.cacheWrite, d.completion, d.reasoning, d.cost,
                                 d.unpriced, d.estimated, d.saved, d.cacheHits, d.errors, d.latencyCalls, d.latencySum})
                    rollup.bindValue(i++, v);
                if (!rollup.exec()) {
                    const QSqlError err = rollup.lastError();
                    m_db.rollback();
                    m_labels = labelsBefore;
                    reportFailure(err);
                    return false;
                }
            }
            QSqlQuery latency(m_db);
            latency.prepare(QString::fromUtf16(kLatencySql).arg(u"rollup_latency_"_s + table.mid(7), timeCol));
            std::map<LatencyKey, qint64> mergedLatency;
            for (const auto &[k, count] : latencies) {
                LatencyKey key = k;
                std::get<0>(key) = std::get<0>(k) - (((std::get<0>(k) % step) + step) % step);
                mergedLatency[key] += count;
            }
            for (const auto &[k, count] : mergedLatency) {
                int i = 0;
                latency.bindValue(i++, std::get<0>(k));
                latency.bindValue(i++, std::get<1>(k));
                latency.bindValue(i++, std::get<2>(k));
                latency.bindValue(i++, std::get<3>(k));
                latency.bindValue(i++, std::get<4>(k));
                latency.bindValue(i++, count);
                if (!latency.exec()) {
                    const QSqlError err = latency.lastError();
                    m_db.rollback();
                    m_labels = labelsBefore;
                    reportFailure(err);
                    return false;
                }
            }
            return true;
        };
        if (!upsert(u"rollup_hour"_s, u"hour_us"_s, kUsPerHour) || !upsert(u"rollup_day"_s, u"day_us"_s, kUsPerDay))
            return false;
        if (!m_db.commit()) {
            const QSqlError err = m_db.lastError();
            m_db.rollback();
            m_labels = labelsBefore;
            reportFailure(err);
            return false;
        }
        if (m_failing) {
            m_failing = false;
            qCInfo(lcLedger) << "ledger writes recovered";
        }

        // Report to the callers.
        qint64 committedRecords = 0;
        for (size_t i = 0; i < work.size(); ++i) {
            Entry &e = work[i];
            if (e.record)
                ++committedRecords;
            if (e.batch) {
                switch (outcomes[i].state) {
                case 0:
                    ++e.batch->report.inserted;
                    e.batch->report.insertedCost += e.record->cost.value_or(0);
                    e.batch->report.insertedUnpriced += e.record->cost ? 0 : 1;
                    break;
                case 1:
                    ++e.batch->report.duplicates;
                    break;
                default:
                    ++e.batch->report.failed;
                    if (e.batch->report.errors.size() < 100)
                        e.batch->report.errors << outcomes[i].error;
                }
                if (--e.batch->remaining == 0) {
                    e.batch->promise.addResult(e.batch->report);
                    e.batch->promise.finish();
                }
            }
            if (e.done)
                e.done->finish();
        }
        {
            QMutexLocker lock(&m_mutex);
            m_pendingRecords -= committedRecords;
        }
        if (inserted > 0)
            Q_EMIT m_owner->committed(inserted);
        return true;
    }

    void reportFailure(const QSqlError &err)
    {
        const int code = err.nativeErrorCode().toInt() & 0xff;
        QString message;
        if (code == 13)
            message = QObject::tr("The disk holding the ledger %1 is full. TokenLedger keeps the new records in "
                                  "memory and retries every second: free some space.")
                          .arg(m_path);
        else
            message = QObject::tr("Cannot write to the ledger %1 (%2). TokenLedger keeps the new records in memory "
                                  "and retries every second.")
                          .arg(m_path, err.text());
        if (!m_failing)
            qCWarning(lcLedger) << "ledger commit failed:" << err.text();
        m_failing = true;
        Q_EMIT m_owner->writeFailed(message);
    }

    LedgerWriter *m_owner;
    QString m_path;
    QString m_connection;
    QString m_openError;
    QSqlDatabase m_db;
    QTimer *m_timer = nullptr;
    bool m_failing = false;
    std::map<std::pair<int, QString>, qint64> m_labels;

    mutable QMutex m_mutex;
    std::deque<Entry> m_queue;
    qint64 m_pendingRecords = 0;
    bool m_drainScheduled = false;
};

Result<std::unique_ptr<LedgerWriter>> LedgerWriter::open(const QString &path)
{
    // Create or migrate the schema and find the next id synchronously, so errors reach the caller.
    const QString connection = Database::threadConnectionName(u"ledger-open");
    qint64 nextId = 1;
    {
        auto db = Database::open(path, connection);
        if (!db)
            return std::unexpected(db.error());
        QSqlQuery q(*db);
        if (q.exec(u"SELECT COALESCE(MAX(id), 0) + 1 FROM calls"_s) && q.next())
            nextId = q.value(0).toLongLong();
    }
    Database::close(connection);
    return std::unique_ptr<LedgerWriter>(new LedgerWriter(path, nextId));
}

LedgerWriter::LedgerWriter(QString path, qint64 firstId)
    : m_path(std::move(path))
    , m_nextId(firstId)
{
    m_thread = new QThread;
    m_thread->setObjectName(u"ledger-writer"_s);
    m_worker = new LedgerWriterWorker(this, m_path);
    m_worker->moveToThread(m_thread); // the worker holds no resources yet: its connection opens in start()
    m_thread->start();
    QMetaObject::invokeMethod(m_worker, &LedgerWriterWorker::start, Qt::BlockingQueuedConnection);
}

LedgerWriter::~LedgerWriter()
{
    QMetaObject::invokeMethod(m_worker, &LedgerWriterWorker::stop, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_worker;
    delete m_thread;
}

qint64 LedgerWriter::submit(CallRecord record)
{
    if (record.id == 0)
        record.id = m_nextId.fetch_add(1);
    const qint64 id = record.id;
    m_worker->enqueue(Entry{std::move(record), {}, {}, {}}, false);
    return id;
}

QFuture<WriteReport> LedgerWriter::submitBatch(QList<CallRecord> records)
{
    auto state = std::make_shared<BatchState>();
    state->promise.start();
    QFuture<WriteReport> future = state->promise.future();
    if (records.isEmpty()) {
        state->promise.addResult(WriteReport{});
        state->promise.finish();
        return future;
    }
    state->remaining = records.size();
    for (CallRecord &r : records) {
        if (r.id == 0)
            r.id = m_nextId.fetch_add(1);
        m_worker->enqueue(Entry{std::move(r), state, {}, {}}, false);
    }
    return future;
}

QFuture<void> LedgerWriter::flush()
{
    auto done = std::make_shared<QPromise<void>>();
    done->start();
    QFuture<void> future = done->future();
    m_worker->enqueue(Entry{std::nullopt, {}, done, {}}, true);
    return future;
}

QFuture<void> LedgerWriter::runExclusive(std::function<void(QSqlDatabase &)> job)
{
    auto done = std::make_shared<QPromise<void>>();
    done->start();
    QFuture<void> future = done->future();
    m_worker->enqueue(Entry{std::nullopt, {}, done, std::move(job)}, true);
    return future;
}

qint64 LedgerWriter::pending() const { return m_worker->pendingRecords(); }

} // namespace tl

#include "LedgerWriter.moc"
