#include "LedgerWriter.h"

#include "common/Logging.h"
#include "ledger/CallReplay.h"
#include "ledger/Database.h"
#include "ledger/LatencyHistogram.h"
#include "ledger/RollupPeriods.h"

#include <QHash>
#include <QMutex>
#include <QPromise>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QThread>
#include <QTimer>

#include <thread>

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <deque>
#include <map>
#include <optional>
#include <chrono>
#include <string_view>
#include <tuple>
#include <utility>

using namespace Qt::StringLiterals;

namespace tl {

namespace {
constexpr int kBatchSize = 16384;
// The writer is woken when this many records wait, not only by its 100 ms timer: under load its work (the
// records' completions, then the transaction) comes in slices of a few ms instead of one burst a tenth of a
// second long that the proxy thread, the upstream and the clients share 2 cores with. Session 10, 32
// connections of misses, three alternating pairs against the 16,384 of before: 10,315-10,689 against
// 9,272-9,991 requests/s, p99 7.4-8.7 against 8.6-9.9 ms, writer CPU per record the same (48-54 us); hits
// unchanged (34,000-39,000/s either way).
constexpr int kKickRecords = 256;
// The writer gives up its CPU (std::this_thread::yield: sched_yield on Linux) after every this many records of a
// batch, in the completions and in the inserts, while it keeps up: when the batch's oldest record finished at
// most kYieldWhileYoungerUs ago. A batch of 256 proxy records is about 18 ms of CPU (one at a time through the
// proxy: 71 us a record); on a 2-core machine a proxy thread woken on the writer's core otherwise waits for the
// writer's time slice to end, which is the one-at-a-time p99 (docs/proxy.md "Session 14"). A writer behind by
// more than that works without yielding, so what a kill -9 loses stays within issue 3's 250 ms (yielding
// always, a run under saturating load lost up to 139 ms at the median of three; a lower priority instead
// starved the writer and lost 262.8 ms).
constexpr int kYieldEveryRecords = 8;
constexpr qint64 kYieldWhileYoungerUs = 50'000;
constexpr int kFlushIntervalMs = 100;
constexpr int kRetryIntervalMs = 1000;
constexpr int kWalAutocheckpointPages = 8192;

qint64 steadyNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

using RollupPeriods::kUsPerHour;
constexpr int kLevels = 3; // rollup tables: hourly, daily, weekly

struct BatchState
{
    QPromise<WriteReport> promise;
    WriteReport report;
    qint64 remaining = 0;
    bool giveUp = false;  // OnWriteFailure::GiveUp
    bool givenUp = false; // a commit holding its records failed: the rest is dropped, not written
};

struct Entry
{
    std::optional<CallRecord> record;
    std::shared_ptr<BatchState> batch;
    std::shared_ptr<QPromise<void>> done; // flush marker or job completion
    std::function<void(QSqlDatabase &)> job;
    LedgerWriter::Completion complete; // run once on the writer thread before the record is written
};

using RollupKey = std::tuple<qint64, qint64, qint64, qint64, qint64, int>; // hour, endpoint, model, key, provider, batch
struct RollupDelta
{
    qint64 calls = 0, prompt = 0, cached = 0, cacheWrite = 0, completion = 0, reasoning = 0;
    qint64 cost = 0, unpriced = 0, estimated = 0, saved = 0, cacheHits = 0, errors = 0;
    qint64 latencyCalls = 0, latencySum = 0;

    void add(const RollupDelta &d)
    {
        calls += d.calls, prompt += d.prompt, cached += d.cached, cacheWrite += d.cacheWrite;
        completion += d.completion, reasoning += d.reasoning, cost += d.cost, unpriced += d.unpriced;
        estimated += d.estimated, saved += d.saved, cacheHits += d.cacheHits, errors += d.errors;
        latencyCalls += d.latencyCalls, latencySum += d.latencySum;
    }
};
using LatencyKey = std::tuple<qint64, qint64, qint64, qint64>; // hour, endpoint, model, key
using Histogram = std::array<qint64, LatencyHistogram::kBuckets>;

enum LabelKind { Endpoint = 1, Provider = 2, Model = 3, Key = 4 };

// The period (RollupPeriods) a record's hour belongs to at a rollup level.
qint64 periodOf(int level, qint64 hourUs)
{
    return level == 0 ? hourUs : level == 1 ? RollupPeriods::dayOf(hourUs) : RollupPeriods::weekOf(hourUs);
}

qint64 steadyMs()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// A failure of the storage under the ledger (not of one record): the OS error is worth naming.
bool isStorageFailure(int code)
{
    const int primary = code & 0xff;
    return primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN;
}

bool isRetryable(int code)
{
    // SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_CANTOPEN (primary codes)
    const int primary = code & 0xff;
    return primary == SQLITE_FULL || primary == SQLITE_IOERR || primary == SQLITE_BUSY || primary == SQLITE_LOCKED
        || primary == SQLITE_CANTOPEN;
}

// Every value below is a bound parameter (sqlite3_bind_*); the statements are prepared once per
// connection and kept across batches.
const char kInsertSql[] = R"(INSERT INTO calls (id, started_at_us, endpoint_id, provider_id,
    requested_model_id, served_model_id, key_id, tags, prompt_tokens, cached_tokens, cache_write_5m_tokens,
    cache_write_1h_tokens, completion_tokens, reasoning_tokens, audio_input_tokens, audio_output_tokens,
    image_input_tokens, usage_status, cost_nano, cost_status, price_entry, price_version, latency_us, ttft_us,
    http_status, error_kind, cache_outcome, saved_nano, batch, source_kind, source_ref, source_key, similarity,
    request_bytes, response_bytes, request_hash, prompt_chars, message_count, max_tokens, has_tools, task_type,
    call_count, truncated, web_search_requests, context_window, cached_audio_tokens, cached_image_tokens,
    output_image_tokens, citation_tokens, file_search_calls)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
            ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (source_key) DO NOTHING)";

// embedding_of (schema v11): the call whose row holds this call's embedding bytes, when an earlier call
// of this writer stored the same bytes (an exact-cache hit repeats its request's embedding).
const char kSavingsSql[] = R"(INSERT INTO call_savings (call_id, complexity, route_mode, routed_model,
    tokens_before_compression, tokens_after_compression, fewshot_set, fewshot_examples, fewshot_tokens,
    fewshot_set_tokens, semantic_scope, guard_signature, embedding_model, embedding, embedding_of)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (call_id) DO NOTHING)";

// The embeddings remembered for embedding_of, by a 64-bit hash of their bytes (the bytes are compared
// with the owner's stored copy before a reference is written): up to this many per generation, two
// generations (the current one and the one before), about 2 x 32,768 x 16 bytes.
constexpr qsizetype kEmbeddingOwners = 32768;
// The most recent owners' buffers, held (so their addresses stay theirs) and found by address: the
// exact-cache hits of one request share one buffer (the proxy's memo), so a hit is recognised without
// hashing or reading its bytes. At most this many buffers (~1 MiB of 4 KiB embeddings) are held.
constexpr qsizetype kRecentEmbeddingBuffers = 256;

const char kEmbeddingSelectSql[] = "SELECT embedding FROM call_savings WHERE call_id = ?";
// Whether a row is stored under a record's former source key (CallRecord::formerSourceKey).
const char kFormerKeySql[] = "SELECT 1 FROM calls WHERE source_key = ?";

const char kTextSql[] = R"(INSERT INTO call_text (call_id, request_body, response_body) VALUES (?, ?, ?)
    ON CONFLICT (call_id) DO NOTHING)";

// The simulator's compact copy of the call (CallReplay.h), in the same transaction as the call.
const char kReplaySql[] = "INSERT INTO call_replay (started_at_us, call_id, cost_nano, fields) VALUES (?, ?, ?, ?)";

// The record-id high-water mark (LedgerWriter class comment): raised, never lowered, by commits ...
const char kMarkRaiseSql[] = R"(INSERT INTO meta (key, value) VALUES ('next_call_id', ?)
    ON CONFLICT (key) DO UPDATE SET value = MAX(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)))";
// ... and set to the exact next id by a graceful close, unless another writer raised it meanwhile.
const char kMarkExactSql[] = "UPDATE meta SET value = ? WHERE key = 'next_call_id' AND CAST(value AS INTEGER) = ?";

const char kLabelInsertSql[] = "INSERT INTO labels (kind, name) VALUES (?, ?) ON CONFLICT (kind, name) DO NOTHING";
const char kLabelSelectSql[] = "SELECT id FROM labels WHERE kind = ? AND name = ?";

// %1: table, %2: its time column.
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

// tl_latency_merge: see mergeHistograms() below; registered on the writer's connection only.
const char16_t kLatencySql[] = uR"(INSERT INTO %1 (%2, endpoint_id, model_id, key_id, counts)
    VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (%2, endpoint_id, model_id, key_id) DO UPDATE SET
    counts = tl_latency_merge(counts, excluded.counts))";

// SQL function tl_latency_merge(a, b): the sum of two encoded latency histograms, encoded.
void mergeHistograms(sqlite3_context *context, int argc, sqlite3_value **argv)
{
    Histogram counts{};
    for (int i = 0; i < argc; ++i) {
        const auto *text = reinterpret_cast<const char *>(sqlite3_value_text(argv[i]));
        if (text && !LatencyHistogram::addEncoded(text, sqlite3_value_bytes(argv[i]), counts.data())) {
            sqlite3_result_error(context, "malformed latency histogram", -1);
            return;
        }
    }
    char merged[LatencyHistogram::kMaxEncodedSize];
    const qsizetype size = LatencyHistogram::encodeInto(counts.data(), merged);
    sqlite3_result_text(context, merged, int(size), SQLITE_TRANSIENT);
}

struct StatementDeleter
{
    void operator()(sqlite3_stmt *s) const { sqlite3_finalize(s); }
};
using Statement = std::unique_ptr<sqlite3_stmt, StatementDeleter>;

// The ledger's text columns are NOT NULL with '' for "none".
void bindText(sqlite3_stmt *s, int i, const QString &text)
{
    if (text.isEmpty()) {
        sqlite3_bind_text(s, i, "", 0, SQLITE_STATIC);
        return;
    }
    const QByteArray utf8 = text.toUtf8();
    sqlite3_bind_text(s, i, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
}

// UTF-8 of `text` in `buffer`, kept by the caller until the statement has run: an ASCII text (the usual
// case: model names, price entries, hashes) is copied in place into the buffer's capacity, so a record
// costs no allocation per text column; other text goes through QString::toUtf8().
std::string_view utf8Into(const QString &text, QByteArray &buffer)
{
    const qsizetype n = text.size();
    buffer.resize(n);
    char *out = buffer.data();
    const char16_t *in = reinterpret_cast<const char16_t *>(text.constData());
    for (qsizetype k = 0; k < n; ++k) {
        if (in[k] >= 0x80) {
            buffer = text.toUtf8();
            break;
        }
        out[k] = char(in[k]);
    }
    return {buffer.constData(), size_t(buffer.size())};
}

void bindUtf8(sqlite3_stmt *s, int i, std::string_view utf8)
{
    sqlite3_bind_text(s, i, utf8.empty() ? "" : utf8.data(), int(utf8.size()), SQLITE_STATIC);
}

// A failed SQLite call: its (extended) result code and message.
struct SqlFailure
{
    int code = SQLITE_OK;
    QString message;
};

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
        std::deque<Entry> one;
        one.push_back(std::move(entry));
        enqueueMany(one, urgent);
    }

    // Called from any thread: hands over several entries under one lock.
    void enqueueMany(std::deque<Entry> &entries, bool urgent)
    {
        qint64 records = 0, jobs = 0;
        for (const Entry &entry : entries) {
            records += entry.record ? 1 : 0;
            jobs += entry.job ? 1 : 0;
        }
        bool kick = false;
        {
            QMutexLocker lock(&m_mutex);
            m_pendingRecords += records;
            m_queuedJobs += jobs;
            if (m_queue.empty()) {
                m_queue.swap(entries); // no per-entry moves under the lock
            } else {
                for (Entry &entry : entries)
                    m_queue.push_back(std::move(entry));
            }
            kick = (urgent || m_pendingRecords >= kKickRecords) && !m_drainScheduled;
            if (kick)
                m_drainScheduled = true;
        }
        entries.clear();
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
        // The QtSql connection creates or migrates the schema and runs the jobs of runExclusive(); the
        // records themselves go through a connection of SQLite's C API with statements prepared once,
        // because binding 42 values a row through QSqlQuery/QVariant cost more than SQLite's own work.
        m_connection = Database::threadConnectionName(u"ledger-writer");
        auto db = Database::open(m_path, m_connection);
        if (!db) {
            m_openError = db.error().message;
            Q_EMIT m_owner->writeFailed(m_openError);
            return;
        }
        m_db = *db;
        if (auto failure = openRaw()) {
            m_openError = QObject::tr("Cannot open the ledger %1 for writing: %2").arg(m_path, failure->message);
            qCWarning(lcLedger) << "writer cannot open the ledger:" << failure->message;
            closeRaw();
            Q_EMIT m_owner->writeFailed(m_openError);
            return;
        }
        m_timer = new QTimer(this);
        m_timer->setInterval(kFlushIntervalMs);
        connect(m_timer, &QTimer::timeout, this, &LedgerWriterWorker::drain);
        m_timer->start();
    }

    void stop()
    {
        // Drain everything (retrying briefly on I/O errors), then close the connections.
        bool drained = false;
        for (int attempt = 0; attempt < 50; ++attempt) {
            drainNow();
            QMutexLocker lock(&m_mutex);
            if (m_queue.empty()) {
                drained = true;
                break;
            }
            lock.unlock();
            QThread::msleep(100);
        }
        if (!drained) {
            // Said, never silent: what the retries could not store is lost with the writer.
            QMutexLocker lock(&m_mutex);
            const QString failure = m_failure.isEmpty() ? u"it did not take them"_s : m_failure;
            if (m_pendingRecords == 1)
                qCWarning(lcLedger).noquote()
                    << u"1 record could not be written to the ledger %1 and is lost: %2"_s.arg(m_path, failure);
            else
                qCWarning(lcLedger).noquote() << u"%1 records could not be written to the ledger %2 and are lost: %3"_s.arg(
                    QString::number(m_pendingRecords), m_path, failure);
        }
        if (drained && m_raw) {
            // Every id handed out is committed or was never submitted: the next start continues from the
            // exact next id, with no gap (a gap is left only by a crash).
            sqlite3_stmt *s = m_markExact.get();
            sqlite3_bind_int64(s, 1, m_owner->m_nextId.load());
            sqlite3_bind_int64(s, 2, m_owner->m_idMark.load());
            if (run(s) != SQLITE_DONE)
                qCWarning(lcLedger) << "cannot store the next record id:" << m_lastMessage;
        }
        delete m_timer;
        m_timer = nullptr;
        closeRaw();
        m_db = QSqlDatabase();
        Database::close(m_connection);
    }

    // Called by the 100 ms timer, a hand-over's kick and takeId(). While commits fail, at most one
    // attempt a second (m_retryAtMs): the old code also retried from every timer tick and kick, and
    // each failed attempt queued one more retry timer, so the attempts multiplied (a full disk kept a
    // CPU busy, session-12 trial).
    void drain()
    {
        if (m_failing && steadyMs() < m_retryAtMs) {
            QMutexLocker lock(&m_mutex);
            m_drainScheduled = false; // the timer comes back every 100 ms
            return;
        }
        drainNow();
    }

    void drainNow()
    {
        {
            QMutexLocker lock(&m_mutex);
            m_drainScheduled = false;
        }
        m_owner->m_idMarkWanted.store(false);
        if (!m_raw)
            return;
        for (;;) {
            std::deque<Entry> work;
            {
                QMutexLocker lock(&m_mutex);
                if (m_queue.empty()) {
                    lock.unlock();
                    if (wantedIdMark() > 0)
                        writeIdMarkAlone(); // ids reserved for records not handed over yet
                    return;
                }
                if (m_queuedJobs == 0 && m_queue.size() <= size_t(kBatchSize))
                    work.swap(m_queue); // the common case: everything waiting fits one batch
                // Take records up to the batch size, stopping before a job.
                int records = 0;
                while (!m_queue.empty() && records < kBatchSize) {
                    if (m_queue.front().job && !work.empty())
                        break;
                    const bool isJob = bool(m_queue.front().job);
                    if (isJob)
                        --m_queuedJobs;
                    if (m_queue.front().record)
                        ++records;
                    work.push_back(std::move(m_queue.front()));
                    m_queue.pop_front();
                    if (isJob)
                        break;
                }
            }
            // The rest of a batch given up that arrived after the failure (submitBatch hands over in slices).
            if (std::any_of(work.begin(), work.end(), [](const Entry &e) { return e.batch && e.batch->givenUp; })) {
                std::deque<Entry> keep;
                for (Entry &e : work)
                    (e.batch && e.batch->givenUp ? m_givenUp : keep).push_back(std::move(e));
                work.swap(keep);
                QMutexLocker lock(&m_mutex);
                m_pendingRecords -= qint64(m_givenUp.size());
                lock.unlock();
                finishGivenUp();
                if (work.empty())
                    continue;
            }
            // The batch's phases on the steady clock (CLOCK_MONOTONIC on Linux), for lining them up with a
            // client's request times (tests/bench/bench-commit-overlap.py): debug output only.
            const bool timeline = lcLedger().isDebugEnabled();
            const qint64 completionsStart = timeline ? steadyNs() : 0;
            m_yieldInBatch = keepsUp(work);
            // Completions (LedgerWriter::submit) before the transaction: their CPU work holds no lock.
            int completed = 0;
            for (Entry &e : work) {
                if (e.complete && e.record) {
                    std::exchange(e.complete, {})(*e.record);
                    if (m_yieldInBatch && ++completed % kYieldEveryRecords == 0)
                        std::this_thread::yield(); // see kYieldEveryRecords
                }
            }
            if (work.size() == 1 && work.front().job) {
                work.front().job(m_db);
                work.front().done->finish();
                continue;
            }
            const qint64 commitStart = timeline ? steadyNs() : 0;
            const bool committed = commit(work);
            if (timeline) {
                qCDebug(lcLedger).nospace() << "batch records=" << work.size() << " completions_ns=" << completionsStart
                                            << ".." << commitStart << " commit_ns=" << commitStart << ".." << steadyNs()
                                            << " ok=" << committed;
            }
            if (!committed) {
                // Records of GiveUp batches are dropped and reported; the rest goes back to the front and is
                // retried a second later (drain()'s gate, polled by the 100 ms timer): nothing else is lost.
                m_retryAtMs = steadyMs() + kRetryIntervalMs;
                bool gaveUp = false;
                std::deque<Entry> keep;
                for (Entry &e : work) {
                    if (e.batch && e.batch->giveUp) {
                        e.batch->givenUp = true;
                        gaveUp = true;
                        m_givenUp.push_back(std::move(e));
                    } else {
                        keep.push_back(std::move(e));
                    }
                }
                QMutexLocker lock(&m_mutex);
                m_pendingRecords -= qint64(m_givenUp.size());
                if (gaveUp) {
                    for (auto it = m_queue.begin(); it != m_queue.end();) {
                        if (it->batch && it->batch->givenUp) {
                            m_givenUp.push_back(std::move(*it));
                            it = m_queue.erase(it);
                            --m_pendingRecords;
                        } else {
                            ++it;
                        }
                    }
                }
                while (!keep.empty()) {
                    m_queue.push_front(std::move(keep.back()));
                    keep.pop_back();
                }
                lock.unlock();
                finishGivenUp(); // outside the lock: a continuation may hand over again
                return;
            }
        }
    }

private:
    // Reports the records in m_givenUp as not stored and finishes their batches once nothing of them is left.
    void finishGivenUp()
    {
        for (Entry &e : m_givenUp) {
            BatchState &b = *e.batch;
            ++b.report.notStored;
            if (b.report.failure.isEmpty()) {
                b.report.failure = m_failure;
                b.report.failureIsLock = m_failureIsLock;
            }
            if (--b.remaining == 0) {
                b.promise.addResult(b.report);
                b.promise.finish();
            }
        }
        m_givenUp.clear();
    }

    // The high-water mark to commit now (next id + kIdMargin) once half of the margin above the
    // committed mark is used; 0 when the committed one still covers enough.
    qint64 wantedIdMark() const
    {
        const qint64 next = m_owner->m_nextId.load();
        return next + LedgerWriter::kIdMargin / 2 > m_owner->m_idMark.load() ? next + LedgerWriter::kIdMargin : 0;
    }

    // Binds and runs the mark's upsert inside the current transaction.
    int raiseIdMark(qint64 mark)
    {
        sqlite3_bind_int64(m_markRaise.get(), 1, mark);
        return run(m_markRaise.get());
    }

    // After the transaction holding the mark committed.
    void publishIdMark(qint64 mark)
    {
        qint64 current = m_owner->m_idMark.load();
        while (current < mark && !m_owner->m_idMark.compare_exchange_weak(current, mark)) {
        }
    }

    void writeIdMarkAlone()
    {
        const qint64 mark = wantedIdMark();
        if (mark == 0)
            return;
        if (const int rc = run(m_begin.get()); rc != SQLITE_DONE) {
            reportFailure(rc, m_lastMessage);
            return;
        }
        if (const int rc = raiseIdMark(mark); rc != SQLITE_DONE) {
            const QString message = m_lastMessage;
            rollbackRaw();
            reportFailure(rc, message);
            return;
        }
        if (const int rc = run(m_commit.get()); rc != SQLITE_DONE) {
            const QString message = m_lastMessage;
            rollbackRaw();
            reportFailure(rc, message);
            return;
        }
        publishIdMark(mark);
        m_failing = false;
    }

    SqlFailure lastFailure(int code) const
    {
        return {code, QString::fromUtf8(sqlite3_errmsg(m_raw))};
    }

    // Runs a prepared statement to completion (no result rows expected) and resets it.
    // Returns SQLITE_DONE or the error code; the message is captured in m_lastMessage.
    int run(sqlite3_stmt *s)
    {
        const int rc = sqlite3_step(s);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            m_lastMessage = QString::fromUtf8(sqlite3_errmsg(m_raw));
            // "disk I/O error" alone does not say what to do; the OS's reason, when SQLite kept it, may.
            if (const int osError = sqlite3_system_errno(m_raw); osError != 0 && isStorageFailure(rc))
                m_lastMessage += u" ("_s + qt_error_string(osError) + u')';
        }
        sqlite3_reset(s);
        return rc == SQLITE_ROW ? SQLITE_DONE : rc;
    }

    std::optional<SqlFailure> prepare(const QByteArray &sql, Statement &out)
    {
        sqlite3_stmt *s = nullptr;
        const int rc = sqlite3_prepare_v3(m_raw, sql.constData(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &s, nullptr);
        if (rc != SQLITE_OK)
            return lastFailure(rc);
        out.reset(s);
        return std::nullopt;
    }

    std::optional<SqlFailure> openRaw()
    {
        const QByteArray file = m_path.toUtf8();
        // NOMUTEX: this connection is used by the writer thread only.
        const int rc = sqlite3_open_v2(file.constData(), &m_raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
        if (rc != SQLITE_OK)
            return SqlFailure{rc, m_raw ? QString::fromUtf8(sqlite3_errmsg(m_raw)) : QString::fromUtf8(sqlite3_errstr(rc))};
        sqlite3_extended_result_codes(m_raw, 1);
        sqlite3_busy_timeout(m_raw, 5000);
        // WAL is a property of the file (set by Database::open); synchronous is per connection: NORMAL in
        // WAL keeps every commit atomic and loses at most the last commits on power loss, none on a crash.
        // Page cache 8 MiB: this connection only appends (calls and call_savings by increasing id, the
        // started_at index at its right edge, small label and rollup tables), so its working set is a
        // few hundred pages; a larger cache only kept pages it wrote (64 MiB of the proxy's resident
        // memory after some 100,000 records; issue 3 section 7 allows 150 MiB with 1,000 streams).
        for (const char *pragma : {"PRAGMA synchronous = NORMAL", "PRAGMA temp_store = MEMORY",
                                   "PRAGMA cache_size = -8192"}) {
            if (sqlite3_exec(m_raw, pragma, nullptr, nullptr, nullptr) != SQLITE_OK)
                qCWarning(lcLedger) << "pragma failed" << pragma << sqlite3_errmsg(m_raw);
        }
        // Checkpoint after 8,192 WAL pages (32 MiB) instead of SQLite's 1,000: each checkpoint blocks this
        // thread in two fsync() calls and copies the pages rewritten by every batch (rollups, the right edges
        // of the indexes) once per checkpoint. 2M-record ingests, load 2.3-2.8: 97,385 and 78,204 records/s
        // against 63,961 and 70,709 with 1,000 pages (writer CPU per record about the same).
        sqlite3_wal_autocheckpoint(m_raw, kWalAutocheckpointPages);
        if (const int frc = sqlite3_create_function_v2(m_raw, "tl_latency_merge", 2,
                                                       SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY,
                                                       nullptr, mergeHistograms, nullptr, nullptr, nullptr);
            frc != SQLITE_OK)
            return lastFailure(frc);
        const QString rollup = QString::fromUtf16(kRollupSql);
        const QString latency = QString::fromUtf16(kLatencySql);
        const std::pair<QByteArray, Statement *> statements[] = {
            {"BEGIN IMMEDIATE", &m_begin},
            {"COMMIT", &m_commit},
            {"ROLLBACK", &m_rollback},
            {kInsertSql, &m_insert},
            {kSavingsSql, &m_savings},
            {kTextSql, &m_text},
            {kReplaySql, &m_replay},
            {kEmbeddingSelectSql, &m_embeddingSelect},
            {kFormerKeySql, &m_formerKey},
            {kLabelInsertSql, &m_labelInsert},
            {kMarkRaiseSql, &m_markRaise},
            {kMarkExactSql, &m_markExact},
            {kLabelSelectSql, &m_labelSelect},
            {rollup.arg(u"rollup_hour"_s, u"hour_us"_s).toUtf8(), &m_rollup[0]},
            {rollup.arg(u"rollup_day"_s, u"day_us"_s).toUtf8(), &m_rollup[1]},
            {rollup.arg(u"rollup_week"_s, u"week_us"_s).toUtf8(), &m_rollup[2]},
            {latency.arg(u"rollup_latency_hist_hour"_s, u"hour_us"_s).toUtf8(), &m_latency[0]},
            {latency.arg(u"rollup_latency_hist_day"_s, u"day_us"_s).toUtf8(), &m_latency[1]},
            {latency.arg(u"rollup_latency_hist_week"_s, u"week_us"_s).toUtf8(), &m_latency[2]},
        };
        for (const auto &[sql, statement] : statements) {
            if (auto failure = prepare(sql, *statement))
                return failure;
        }
        return std::nullopt;
    }

    void closeRaw()
    {
        for (Statement *s : {&m_begin, &m_commit, &m_rollback, &m_insert, &m_savings, &m_text, &m_replay,
                             &m_embeddingSelect, &m_formerKey, &m_labelInsert, &m_markRaise, &m_markExact,
                             &m_labelSelect, &m_rollup[0], &m_rollup[1], &m_rollup[2], &m_latency[0], &m_latency[1], &m_latency[2]})
            s->reset();
        if (m_raw)
            sqlite3_close_v2(m_raw);
        m_raw = nullptr;
    }

    void rollbackRaw()
    {
        // SQLite may already have rolled back (e.g. after SQLITE_FULL in some cases).
        if (!sqlite3_get_autocommit(m_raw))
            run(m_rollback.get());
    }

    // The label's id, inserting it when new; -1 with m_lastCode/m_lastMessage set on failure.
    qint64 labelId(int kind, const QString &name)
    {
        QHash<QString, qint64> &cache = m_labels[size_t(kind)];
        const auto it = cache.constFind(name);
        if (it != cache.constEnd())
            return *it;
        sqlite3_stmt *ins = m_labelInsert.get();
        sqlite3_bind_int(ins, 1, kind);
        bindText(ins, 2, name);
        if (const int rc = run(ins); rc != SQLITE_DONE) {
            m_lastCode = rc;
            return -1;
        }
        sqlite3_stmt *sel = m_labelSelect.get();
        sqlite3_bind_int(sel, 1, kind);
        bindText(sel, 2, name);
        const int rc = sqlite3_step(sel);
        qint64 id = -1;
        if (rc == SQLITE_ROW) {
            id = sqlite3_column_int64(sel, 0);
        } else {
            m_lastCode = rc == SQLITE_DONE ? SQLITE_INTERNAL : rc;
            m_lastMessage = QString::fromUtf8(sqlite3_errmsg(m_raw));
        }
        sqlite3_reset(sel);
        if (id >= 0)
            cache.insert(name, id);
        return id;
    }

    // Binds one record to the prepared INSERT INTO calls.
    void bindRecord(const CallRecord &r, const std::array<qint64, 5> &labels)
    {
        sqlite3_stmt *s = m_insert.get();
        int i = 1;
        sqlite3_bind_int64(s, i++, r.id);
        sqlite3_bind_int64(s, i++, r.startedAtUs);
        sqlite3_bind_int64(s, i++, labels[0]); // endpoint
        sqlite3_bind_int64(s, i++, labels[1]); // provider
        sqlite3_bind_int64(s, i++, labels[2]); // requested model
        sqlite3_bind_int64(s, i++, labels[3]); // served model
        sqlite3_bind_int64(s, i++, labels[4]); // key
        if (r.tags.isEmpty())
            bindUtf8(s, i++, {});
        else
            bindUtf8(s, i++, utf8Into(r.tags.join(u','), m_utf8[0]));
        sqlite3_bind_int64(s, i++, r.usage.promptTokens);
        sqlite3_bind_int64(s, i++, r.usage.cachedTokens);
        sqlite3_bind_int64(s, i++, r.usage.cacheWrite5mTokens);
        sqlite3_bind_int64(s, i++, r.usage.cacheWrite1hTokens);
        sqlite3_bind_int64(s, i++, r.usage.completionTokens);
        sqlite3_bind_int64(s, i++, r.usage.reasoningTokens);
        sqlite3_bind_int64(s, i++, r.usage.audioInputTokens);
        sqlite3_bind_int64(s, i++, r.usage.audioOutputTokens);
        sqlite3_bind_int64(s, i++, r.usage.imageInputTokens);
        sqlite3_bind_int(s, i++, int(r.usageStatus));
        if (r.cost)
            sqlite3_bind_int64(s, i++, *r.cost);
        else
            sqlite3_bind_null(s, i++);
        sqlite3_bind_int(s, i++, int(r.costStatus));
        bindUtf8(s, i++, utf8Into(r.priceEntry, m_utf8[1]));
        bindUtf8(s, i++, utf8Into(r.priceVersion, m_utf8[2]));
        sqlite3_bind_int64(s, i++, r.latencyUs);
        sqlite3_bind_int64(s, i++, r.ttftUs);
        sqlite3_bind_int(s, i++, r.httpStatus);
        bindUtf8(s, i++, utf8Into(r.errorKind, m_utf8[3]));
        sqlite3_bind_int(s, i++, int(r.cacheOutcome));
        sqlite3_bind_int64(s, i++, r.savedCost);
        sqlite3_bind_int(s, i++, r.batch ? 1 : 0);
        sqlite3_bind_int(s, i++, int(r.sourceKind));
        bindUtf8(s, i++, utf8Into(r.sourceRef, m_utf8[4]));
        if (r.sourceKey.isEmpty())
            sqlite3_bind_null(s, i++); // NULLs never collide in the UNIQUE index: always inserted
        else
            bindUtf8(s, i++, utf8Into(r.sourceKey, m_utf8[5]));
        sqlite3_bind_double(s, i++, r.similarity);
        sqlite3_bind_int64(s, i++, r.requestBytes);
        sqlite3_bind_int64(s, i++, r.responseBytes);
        m_requestHash = utf8Into(r.requestHash, m_utf8[6]);
        bindUtf8(s, i++, m_requestHash);
        sqlite3_bind_int64(s, i++, r.promptChars);
        sqlite3_bind_int(s, i++, r.messageCount);
        sqlite3_bind_int64(s, i++, r.maxTokens);
        sqlite3_bind_int(s, i++, r.hasTools ? 1 : 0);
        m_taskType = utf8Into(r.taskType, m_utf8[7]);
        bindUtf8(s, i++, m_taskType);
        sqlite3_bind_int64(s, i++, r.callCount);
        sqlite3_bind_int(s, i++, r.truncated ? 1 : 0);
        sqlite3_bind_int64(s, i++, r.usage.webSearchRequests);
        bindUtf8(s, i++, utf8Into(r.contextWindow, m_utf8[8]));
        sqlite3_bind_int64(s, i++, r.usage.cachedAudioTokens);
        sqlite3_bind_int64(s, i++, r.usage.cachedImageTokens);
        sqlite3_bind_int64(s, i++, r.usage.outputImageTokens);
        sqlite3_bind_int64(s, i++, r.usage.citationTokens);
        sqlite3_bind_int64(s, i++, r.usage.fileSearchCalls);
    }

    // Inserts the call's call_replay row (CallReplay.h): the calls columns the simulator replays. Right
    // after bindRecord(r), whose UTF-8 of the request hash and task type it reuses.
    int insertReplay(const CallRecord &r, const std::array<qint64, 5> &labels)
    {
        CallReplay::Fields f;
        f.endpointId = labels[0];
        f.providerId = labels[1];
        f.servedModelId = labels[3];
        f.keyId = labels[4];
        f.usage = r.usage;
        f.batch = r.batch ? 1 : 0;
        f.promptChars = r.promptChars;
        f.httpStatus = r.httpStatus;
        f.cacheOutcome = int(r.cacheOutcome);
        f.callCount = r.callCount;
        f.messageCount = r.messageCount;
        f.hasTools = r.hasTools ? 1 : 0;
        f.cacheable = CallReplay::cacheable(r.httpStatus, r.errorKind.isEmpty(), int(r.usageStatus), r.truncated);
        f.requestHash = m_requestHash;
        f.taskType = m_taskType;
        CallReplay::encode(f, m_replayFields);
        sqlite3_stmt *s = m_replay.get();
        sqlite3_bind_int64(s, 1, r.startedAtUs);
        sqlite3_bind_int64(s, 2, r.id);
        if (r.cost)
            sqlite3_bind_int64(s, 3, *r.cost);
        else
            sqlite3_bind_null(s, 3);
        sqlite3_bind_blob(s, 4, m_replayFields.constData(), int(m_replayFields.size()), SQLITE_STATIC);
        return run(s);
    }

    static size_t embeddingDigest(const QByteArray &embedding) { return qHash(QByteArrayView(embedding), 0x5eed); }

    // The call whose call_savings row already holds exactly the bytes of `embedding` (written by this
    // writer, committed or earlier in the current transaction), 0 if none is known. A known digest is
    // confirmed by comparing the bytes with the owner's stored copy, so a hash collision costs a copy,
    // never a wrong embedding.
    qint64 embeddingOwner(const QByteArray &embedding, size_t digest)
    {
        qint64 owner = m_embeddingOwners.value(digest, 0);
        if (owner == 0) {
            owner = m_olderEmbeddingOwners.value(digest, 0);
            if (owner == 0)
                return 0;
            rememberEmbedding(digest, owner); // still in use: keep it into the next generation
        }
        sqlite3_stmt *s = m_embeddingSelect.get();
        sqlite3_bind_int64(s, 1, owner);
        bool same = false;
        if (sqlite3_step(s) == SQLITE_ROW) {
            const void *stored = sqlite3_column_blob(s, 0);
            same = sqlite3_column_bytes(s, 0) == embedding.size() && stored
                && std::memcmp(stored, embedding.constData(), size_t(embedding.size())) == 0;
        }
        sqlite3_reset(s);
        if (!same)
            return 0;
        rememberBuffer(embedding, owner);
        return owner;
    }

    // The owner of the very buffer `embedding` uses, if it is one of the recent ones (same address and
    // size: the same bytes, since a held buffer cannot change or be freed); 0 otherwise.
    qint64 bufferOwner(const QByteArray &embedding) const
    {
        const auto it = m_recentBuffers.constFind(embedding.constData());
        return it != m_recentBuffers.cend() && it->first.size() == embedding.size() ? it->second : 0;
    }

    void rememberBuffer(const QByteArray &embedding, qint64 owner)
    {
        if (m_recentBuffers.size() >= kRecentEmbeddingBuffers)
            m_recentBuffers.clear();
        m_recentBuffers.insert(embedding.constData(), {embedding, owner});
    }

    void rememberEmbedding(size_t digest, qint64 owner)
    {
        if (m_embeddingOwners.size() >= kEmbeddingOwners)
            m_olderEmbeddingOwners = std::exchange(m_embeddingOwners, {});
        m_embeddingOwners.insert(digest, owner);
    }

    void bindSavings(qint64 callId, const SavingsTrace &t, qint64 embeddingOf)
    {
        sqlite3_stmt *s = m_savings.get();
        int j = 1;
        sqlite3_bind_int64(s, j++, callId);
        bindText(s, j++, t.complexity);
        bindText(s, j++, t.routeMode);
        bindText(s, j++, t.routedModel);
        sqlite3_bind_int64(s, j++, t.tokensBeforeCompression);
        sqlite3_bind_int64(s, j++, t.tokensAfterCompression);
        bindText(s, j++, t.fewShotSet);
        sqlite3_bind_int(s, j++, t.fewShotExamples);
        sqlite3_bind_int64(s, j++, t.fewShotTokens);
        sqlite3_bind_int64(s, j++, t.fewShotSetTokens);
        bindText(s, j++, t.semanticScope);
        bindText(s, j++, t.guardSignature);
        bindText(s, j++, t.embeddingModel);
        // The record outlives the statement's step (SQLITE_STATIC); every binding is replaced before the next.
        if (t.embedding.isEmpty() || embeddingOf > 0)
            sqlite3_bind_null(s, j++);
        else
            sqlite3_bind_blob(s, j++, t.embedding.constData(), int(t.embedding.size()), SQLITE_STATIC);
        if (embeddingOf > 0)
            sqlite3_bind_int64(s, j++, embeddingOf);
        else
            sqlite3_bind_null(s, j++);
    }

    // Adds the batch's rollup deltas to the hourly (level 0), daily (1) or weekly (2) tables: one upsert
    // per (period, endpoint, model, key, provider, batch) and one per latency histogram, not one per record.
    int upsertRollups(int level, const std::map<RollupKey, RollupDelta> &rollups,
                      const std::map<LatencyKey, Histogram> &latencies)
    {
        std::map<RollupKey, RollupDelta> periods;
        if (level > 0) {
            for (const auto &[k, d] : rollups) {
                RollupKey key = k;
                std::get<0>(key) = periodOf(level, std::get<0>(k));
                periods[key].add(d);
            }
        }
        sqlite3_stmt *s = m_rollup[level].get();
        for (const auto &[k, d] : level == 0 ? rollups : periods) {
            int i = 1;
            sqlite3_bind_int64(s, i++, std::get<0>(k));
            sqlite3_bind_int64(s, i++, std::get<1>(k));
            sqlite3_bind_int64(s, i++, std::get<2>(k));
            sqlite3_bind_int64(s, i++, std::get<3>(k));
            sqlite3_bind_int64(s, i++, std::get<4>(k));
            sqlite3_bind_int(s, i++, std::get<5>(k));
            for (qint64 v : {d.calls, d.prompt, d.cached, d.cacheWrite, d.completion, d.reasoning, d.cost, d.unpriced,
                             d.estimated, d.saved, d.cacheHits, d.errors, d.latencyCalls, d.latencySum})
                sqlite3_bind_int64(s, i++, v);
            if (const int rc = run(s); rc != SQLITE_DONE)
                return rc;
        }
        std::map<LatencyKey, Histogram> periodLatency;
        if (level > 0) {
            for (const auto &[k, counts] : latencies) {
                LatencyKey key = k;
                std::get<0>(key) = periodOf(level, std::get<0>(k));
                auto [it, added] = periodLatency.try_emplace(key);
                if (added)
                    it->second.fill(0);
                for (int b = 0; b < LatencyHistogram::kBuckets; ++b)
                    it->second[size_t(b)] += counts[size_t(b)];
            }
        }
        sqlite3_stmt *l = m_latency[level].get();
        for (const auto &[k, counts] : level == 0 ? latencies : periodLatency) {
            char encoded[LatencyHistogram::kMaxEncodedSize];
            const qsizetype size = LatencyHistogram::encodeInto(counts.data(), encoded);
            sqlite3_bind_int64(l, 1, std::get<0>(k));
            sqlite3_bind_int64(l, 2, std::get<1>(k));
            sqlite3_bind_int64(l, 3, std::get<2>(k));
            sqlite3_bind_int64(l, 4, std::get<3>(k));
            sqlite3_bind_text(l, 5, encoded, int(size), SQLITE_STATIC);
            if (const int rc = run(l); rc != SQLITE_DONE)
                return rc;
        }
        return SQLITE_DONE;
    }

    // Whether the writer keeps up with `work`: its first record finished (started + latency) at most
    // kYieldWhileYoungerUs ago by the wall clock (records carry wall-clock times). An imported record is
    // old: no yields, the import goes at full speed.
    static bool keepsUp(const std::deque<Entry> &work)
    {
        for (const Entry &e : work) {
            if (!e.record)
                continue;
            const qint64 finishedUs = e.record->startedAtUs + std::max<qint64>(0, e.record->latencyUs);
            const qint64 nowUs = std::chrono::duration_cast<std::chrono::microseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count();
            return nowUs - finishedUs <= kYieldWhileYoungerUs;
        }
        return false;
    }

    bool commit(std::deque<Entry> &work)
    {
        if (const int rc = run(m_begin.get()); rc != SQLITE_DONE) {
            reportFailure(rc, m_lastMessage);
            return false;
        }
        const auto labelsBefore = m_labels; // implicitly shared: restored if the batch is rolled back
        auto abandon = [&](int code, const QString &message) {
            rollbackRaw();
            m_labels = labelsBefore;
            // Owners written in this batch are gone: forget every owner (it costs only later copies).
            m_embeddingOwners.clear();
            m_olderEmbeddingOwners.clear();
            m_recentBuffers.clear();
            reportFailure(code, message);
            return false;
        };
        std::map<RollupKey, RollupDelta> rollups;
        std::map<LatencyKey, Histogram> latencies;
        qint64 inserted = 0;
        struct Outcome
        {
            int state; // 0 inserted, 1 duplicate, 2 failed
            QString error;
        };
        std::vector<Outcome> outcomes;
        outcomes.reserve(work.size());

        static const QString kUntagged = u"untagged"_s;
        int seen = 0;
        for (Entry &e : work) {
            if (!e.record) {
                outcomes.push_back({1, {}});
                continue;
            }
            if (m_yieldInBatch && ++seen % kYieldEveryRecords == 0)
                std::this_thread::yield(); // see kYieldEveryRecords
            // submitBatch() records get their ids here, so the mark committed below covers them (an import
            // hands out many ids at once; nobody learns them before the commit).
            if (e.record->id == 0)
                e.record->id = m_owner->m_nextId.fetch_add(1);
            const CallRecord &r = *e.record;
            if (!r.formerSourceKey.isEmpty()) {
                sqlite3_stmt *s = m_formerKey.get();
                const QByteArray former = r.formerSourceKey.toUtf8();
                sqlite3_bind_text(s, 1, former.constData(), int(former.size()), SQLITE_STATIC);
                const int rc = sqlite3_step(s);
                if (rc != SQLITE_ROW && rc != SQLITE_DONE)
                    m_lastMessage = QString::fromUtf8(sqlite3_errmsg(m_raw));
                sqlite3_reset(s);
                if (rc == SQLITE_ROW) {
                    outcomes.push_back({1, {}});
                    continue;
                }
                if (rc != SQLITE_DONE && isRetryable(rc))
                    return abandon(rc, m_lastMessage);
                if (rc != SQLITE_DONE) {
                    outcomes.push_back({2, m_lastMessage});
                    continue;
                }
            }
            const QString &servedName = r.servedModel.isEmpty() ? r.requestedModel : r.servedModel;
            const std::array<qint64, 5> labels{
                labelId(Endpoint, r.endpoint.isEmpty() ? kUntagged : r.endpoint), labelId(Provider, r.provider),
                labelId(Model, r.requestedModel), labelId(Model, servedName), labelId(Key, r.keyId)};
            if (std::any_of(labels.begin(), labels.end(), [](qint64 id) { return id < 0; })) {
                if (isRetryable(m_lastCode))
                    return abandon(m_lastCode, m_lastMessage);
                outcomes.push_back({2, m_lastMessage});
                qCWarning(lcLedger) << "record refused (label):" << m_lastMessage;
                continue;
            }
            const qint64 endpoint = labels[0], provider = labels[1], served = labels[3], key = labels[4];
            bindRecord(r, labels);
            if (const int rc = run(m_insert.get()); rc != SQLITE_DONE) {
                if (isRetryable(rc))
                    return abandon(rc, m_lastMessage);
                outcomes.push_back({2, m_lastMessage});
                qCWarning(lcLedger) << "record refused:" << m_lastMessage;
                continue;
            }
            if (sqlite3_changes(m_raw) != 1) {
                outcomes.push_back({1, {}});
                continue;
            }
            if (const int rc = insertReplay(r, labels); rc != SQLITE_DONE)
                return abandon(rc, m_lastMessage);
            if (!r.savings.isEmpty()) {
                const QByteArray &embedding = r.savings.embedding;
                qint64 owner = embedding.isEmpty() ? 0 : bufferOwner(embedding);
                size_t digest = 0;
                if (!embedding.isEmpty() && owner == 0) {
                    digest = embeddingDigest(embedding);
                    owner = embeddingOwner(embedding, digest);
                }
                bindSavings(r.id, r.savings, owner);
                if (const int rc = run(m_savings.get()); rc != SQLITE_DONE)
                    return abandon(rc, m_lastMessage);
                if (!embedding.isEmpty() && owner == 0 && sqlite3_changes(m_raw) == 1) {
                    rememberEmbedding(digest, r.id);
                    rememberBuffer(embedding, r.id);
                }
            }
            if (!r.text.isEmpty()) {
                sqlite3_stmt *s = m_text.get();
                sqlite3_bind_int64(s, 1, r.id);
                // Blobs, never NULL (the columns are NOT NULL): an empty body is a zero-length blob.
                sqlite3_bind_blob64(s, 2, r.text.request.constData(), sqlite3_uint64(r.text.request.size()),
                                    SQLITE_STATIC);
                sqlite3_bind_blob64(s, 3, r.text.response.constData(), sqlite3_uint64(r.text.response.size()),
                                    SQLITE_STATIC);
                if (const int rc = run(m_text.get()); rc != SQLITE_DONE)
                    return abandon(rc, m_lastMessage);
            }
            outcomes.push_back({0, {}});
            ++inserted;
            // Provider report lines stay out of the rollups (schema v12): the spend views read them from the
            // raw rows and count them only where they are the kind that counts (query/SpendCoverage.h).
            if (r.sourceKind == SourceKind::ProviderReport)
                continue;
            const qint64 hour = RollupPeriods::hourOf(r.startedAtUs);
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
                auto [it, added] = latencies.try_emplace({hour, endpoint, served, key});
                if (added)
                    it->second.fill(0);
                it->second[size_t(LatencyHistogram::bucketOf(r.latencyUs))] += 1;
            }
        }

        // The same deltas go to the hourly, daily and weekly (UTC) tables, in the same transaction.
        for (int level = 0; level < kLevels; ++level) {
            if (const int rc = upsertRollups(level, rollups, latencies); rc != SQLITE_DONE)
                return abandon(rc, m_lastMessage);
        }
        const qint64 idMark = wantedIdMark();
        if (idMark > 0) {
            if (const int rc = raiseIdMark(idMark); rc != SQLITE_DONE)
                return abandon(rc, m_lastMessage);
        }
        if (const int rc = run(m_commit.get()); rc != SQLITE_DONE)
            return abandon(rc, m_lastMessage);
        if (idMark > 0)
            publishIdMark(idMark);
        if (m_failing) {
            m_failing = false;
            qCInfo(lcLedger) << "ledger writes recovered";
        }

        // Report to the callers: committed() first, then the batches and flush markers. A flush's continuation
        // is queued to its caller's thread when its promise finishes, so a caller that quits once flush() is done
        // (the headless proxy) would otherwise never see the committed() of its last records.
        const qint64 committedRecords = qint64(std::count_if(work.begin(), work.end(), [](const Entry &e) { return e.record.has_value(); }));
        {
            QMutexLocker lock(&m_mutex);
            m_pendingRecords -= committedRecords;
        }
        if (inserted > 0)
            Q_EMIT m_owner->committed(inserted);
        for (size_t i = 0; i < work.size(); ++i) {
            Entry &e = work[i];
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
        return true;
    }

    void reportFailure(int code, const QString &text)
    {
        QString message;
        if ((code & 0xff) == SQLITE_FULL)
            message = QObject::tr("The disk holding the ledger %1 is full. TokenLedger keeps the new records in "
                                  "memory and retries every second: free some space.")
                          .arg(m_path);
        else
            message = QObject::tr("Cannot write to the ledger %1 (%2). TokenLedger keeps the new records in memory "
                                  "and retries every second.")
                          .arg(m_path, text);
        if (!m_failing)
            qCWarning(lcLedger) << "ledger commit failed:" << code << text;
        m_failing = true;
        m_failure = text;
        m_failureIsLock = (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED;
        Q_EMIT m_owner->writeFailed(message);
    }

    LedgerWriter *m_owner;
    QString m_path;
    QString m_connection;
    QString m_openError;
    QSqlDatabase m_db; // QtSql connection: schema and runExclusive() jobs
    sqlite3 *m_raw = nullptr; // C API connection: the records and rollups
    Statement m_begin, m_commit, m_rollback, m_insert, m_savings, m_text, m_labelInsert, m_labelSelect;
    Statement m_replay, m_markRaise, m_markExact;
    QByteArray m_replayFields; // CallReplay::encode's buffer, reused
    std::array<QByteArray, 9> m_utf8; // bindRecord()'s text columns (utf8Into), reused
    std::string_view m_requestHash, m_taskType; // bindRecord()'s UTF-8 of the record's, for insertReplay()
    Statement m_rollup[kLevels];  // hourly, daily, weekly
    Statement m_latency[kLevels]; // hourly, daily, weekly
    int m_lastCode = SQLITE_OK;
    QString m_lastMessage;
    QTimer *m_timer = nullptr;
    bool m_yieldInBatch = false; // keepsUp() of the batch being written
    bool m_failing = false;
    qint64 m_retryAtMs = 0;  // while m_failing: steadyMs() of the next attempt
    QString m_failure;       // SQLite's words for the last failed commit (WriteReport::failure)
    bool m_failureIsLock = false; // WriteReport::failureIsLock of that failure
    std::deque<Entry> m_givenUp; // records of given-up batches, to report (finishGivenUp())
    std::array<QHash<QString, qint64>, 5> m_labels; // by LabelKind: name -> id
    // Digest of embedding bytes -> the call whose call_savings row holds them (embeddingOwner()).
    QHash<size_t, qint64> m_embeddingOwners, m_olderEmbeddingOwners;
    QHash<const char *, std::pair<QByteArray, qint64>> m_recentBuffers; // address -> held buffer, owner
    Statement m_embeddingSelect;
    Statement m_formerKey;

    mutable QMutex m_mutex;
    std::deque<Entry> m_queue;
    qint64 m_pendingRecords = 0;
    qint64 m_queuedJobs = 0; // entries in m_queue that are runExclusive() jobs
    bool m_drainScheduled = false;
};

Result<std::unique_ptr<LedgerWriter>> LedgerWriter::open(const QString &path)
{
    // Create or migrate the schema and find the next id synchronously, so errors reach the caller.
    const QString connection = Database::threadConnectionName(u"ledger-open");
    qint64 nextId = 1;
    qint64 idMark = 1;
    {
        auto db = Database::open(path, connection);
        if (!db)
            return std::unexpected(db.error());
        // The next id is read and the mark raised past it in one write transaction, so another process's writer
        // opening the ledger at the same moment (a second proxy, an import) reads the raised mark and takes the
        // ids after it (session-19 trial: two proxies started together handed out the same ids, and the later
        // records were refused, "UNIQUE constraint failed: calls.id"). BEGIN IMMEDIATE waits up to the busy
        // timeout; a lock held longer (an sqlite3 shell inside a transaction) leaves the old way, unlocked, and
        // the first commit says what holds it.
        QSqlQuery lock(*db);
        const bool locked = lock.exec(u"BEGIN IMMEDIATE"_s);
        if (!locked)
            qCWarning(lcLedger) << "cannot lock the ledger to take record ids:" << lock.lastError().text();
        lock.finish();
        // Above every stored id and every id a crashed writer may have handed out (the mark).
        QSqlQuery q(*db);
        if (q.exec(u"SELECT MAX((SELECT COALESCE(MAX(id), 0) + 1 FROM calls), "
                   u"COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_call_id'), 1))"_s)
            && q.next())
            nextId = q.value(0).toLongLong();
        q.finish();
        idMark = nextId;
        QSqlQuery mark(*db);
        mark.prepare(QString::fromLatin1(kMarkRaiseSql));
        mark.addBindValue(nextId + kIdMargin);
        const bool raised = mark.exec();
        mark.finish();
        if (locked && !(raised ? lock.exec(u"COMMIT"_s) : lock.exec(u"ROLLBACK"_s)))
            qCWarning(lcLedger) << "cannot commit the record-id mark:" << lock.lastError().text();
        else if (raised)
            idMark = nextId + kIdMargin;
        if (!raised) // the first commit tries again (the first hand-over asks for it)
            qCWarning(lcLedger) << "cannot store the record-id mark:" << mark.lastError().text();
    }
    Database::close(connection);
    return std::unique_ptr<LedgerWriter>(new LedgerWriter(path, nextId, idMark));
}

LedgerWriter::LedgerWriter(QString path, qint64 firstId, qint64 idMark)
    : m_path(std::move(path))
    , m_nextId(firstId)
    , m_idMark(idMark)
{
    m_thread = new QThread;
    m_thread->setObjectName(u"ledger-writer"_s);
    m_worker = new LedgerWriterWorker(this, m_path);
    m_worker->moveToThread(m_thread); // the worker holds no resources yet: its connection opens in start()
    // The worker is destroyed on its own thread as that thread finishes (QThread processes deferred deletes
    // in its finish), not from the owner's thread after wait(): a CI run of session 9 crashed (heap
    // corruption) while the main thread freed memory just as the finished writer thread ran its
    // thread-specific-data cleanup; deleting a thread's objects on that thread keeps the two apart.
    QObject::connect(m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    m_thread->start();
    QMetaObject::invokeMethod(m_worker, &LedgerWriterWorker::start, Qt::BlockingQueuedConnection);
}

LedgerWriter::~LedgerWriter()
{
    QMetaObject::invokeMethod(m_worker, &LedgerWriterWorker::stop, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait(); // the worker is deleted by then (deleteLater at finished)
    m_worker = nullptr;
    delete m_thread;
}

qint64 LedgerWriter::submit(CallRecord record) { return submit(std::move(record), {}); }

qint64 LedgerWriter::takeId()
{
    const qint64 id = m_nextId.fetch_add(1);
    // Half of the margin above the committed mark is used: have the writer commit a new mark now
    // rather than at its next 100 ms batch (a queued call; the hand-over itself never waits).
    if (id + kIdMargin / 2 >= m_idMark.load(std::memory_order_relaxed) && !m_idMarkWanted.exchange(true))
        QMetaObject::invokeMethod(m_worker, &LedgerWriterWorker::drain, Qt::QueuedConnection);
    return id;
}

qint64 LedgerWriter::reserveId() { return takeId(); }

qint64 LedgerWriter::submit(CallRecord record, Completion complete)
{
    if (record.id == 0)
        record.id = takeId();
    const qint64 id = record.id;
    m_worker->enqueue(Entry{std::move(record), {}, {}, {}, std::move(complete)}, false);
    return id;
}

QFuture<WriteReport> LedgerWriter::submitBatch(QList<CallRecord> records, OnWriteFailure onFailure)
{
    auto state = std::make_shared<BatchState>();
    state->giveUp = onFailure == OnWriteFailure::GiveUp;
    state->promise.start();
    QFuture<WriteReport> future = state->promise.future();
    if (records.isEmpty()) {
        state->promise.addResult(WriteReport{});
        state->promise.finish();
        return future;
    }
    state->remaining = records.size();
    std::deque<Entry> entries;
    for (CallRecord &r : records) {
        // A record without an id gets it when its batch is committed (LedgerWriterWorker::commit).
        entries.push_back(Entry{std::move(r), state, {}, {}, {}});
        if (entries.size() >= size_t(kBatchSize))
            m_worker->enqueueMany(entries, false); // hand over in slices so the writer starts early
    }
    m_worker->enqueueMany(entries, false);
    return future;
}

QFuture<void> LedgerWriter::flush()
{
    auto done = std::make_shared<QPromise<void>>();
    done->start();
    QFuture<void> future = done->future();
    m_worker->enqueue(Entry{std::nullopt, {}, done, {}, {}}, true);
    return future;
}

QFuture<void> LedgerWriter::runExclusive(std::function<void(QSqlDatabase &)> job)
{
    auto done = std::make_shared<QPromise<void>>();
    done->start();
    QFuture<void> future = done->future();
    m_worker->enqueue(Entry{std::nullopt, {}, done, std::move(job), {}}, true);
    return future;
}

qint64 LedgerWriter::pending() const { return m_worker->pendingRecords(); }

} // namespace tl

#include "LedgerWriter.moc"
