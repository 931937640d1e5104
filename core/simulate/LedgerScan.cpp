#include "LedgerScan.h"

#include "ledger/CallReplay.h"
#include "ledger/RollupPeriods.h"
#include "ledger/UsageColumns.h"
#include "query/SpendCoverage.h"

#include <QByteArray>
#include <QHash>
#include <QObject>

#include <sqlite3.h>

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

using namespace Qt::StringLiterals;

namespace tl::simulate {

namespace {

Error dbError(sqlite3 *db, const char *what)
{
    return Error{ErrorCode::Database,
                 QObject::tr("Simulation failed: %1: %2").arg(QString::fromUtf8(what), QString::fromUtf8(sqlite3_errmsg(db)))};
}

// A prepared statement, finalized on scope exit.
class Statement
{
public:
    Statement() = default;
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    Result<void> prepare(sqlite3 *db, const QByteArray &sql)
    {
        if (sqlite3_prepare_v3(db, sql.constData(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr)
            != SQLITE_OK)
            return std::unexpected(dbError(db, "prepare"));
        return {};
    }
    sqlite3_stmt *get() const { return m_stmt; }
    void bind(int index, qint64 value) { sqlite3_bind_int64(m_stmt, index, value); }
    void reset() { sqlite3_reset(m_stmt); }

private:
    sqlite3_stmt *m_stmt = nullptr;
};

std::string_view textAt(sqlite3_stmt *s, int column)
{
    const auto *p = reinterpret_cast<const char *>(sqlite3_column_text(s, column));
    return p ? std::string_view(p, size_t(sqlite3_column_bytes(s, column))) : std::string_view();
}

// Text -> id. Looked up with QByteArray::fromRawData on SQLite's buffer: no allocation per row.
using InternMap = QHash<QByteArray, qint32>;

QByteArray rawView(std::string_view t)
{
    return QByteArray::fromRawData(t.data(), qsizetype(t.size()));
}

// The calls in the range, in replay order: call_replay's primary key (CallReplay.h), 4 columns per call.
const QByteArray kReplaySql = "SELECT call_id, started_at_us, cost_nano, fields FROM call_replay "
                              "WHERE started_at_us >= ?1 AND started_at_us < ?2 ORDER BY started_at_us, call_id";

// One call from calls itself, for a call_replay row whose fields are NULL (a replayed column was changed
// in SQL after the call was written); the columns in the order Worker::readCall reads them.
const QByteArray kCallByIdSql = "SELECT id, started_at_us, endpoint_id, provider_id, served_model_id, key_id, "
    + QByteArray(kUsageColumns.data(), kUsageColumns.size())
    + ", cost_nano, batch, request_hash, prompt_chars, task_type, http_status, cache_outcome, call_count, "
      "message_count, has_tools, " + QByteArray(CallReplay::kCacheableSql) + ", web_search_requests, "
    + QByteArray(kUsagePartColumns.data(), kUsagePartColumns.size()) + " FROM calls WHERE id = ?1";

// The call_savings columns, in the order Worker::readSavings reads them; the embedding only on request
// (the row's own bytes, or the call whose row holds them: embedding_of, schema v11).
QByteArray savingsSql(bool withEmbeddings, const char *where)
{
    return QByteArray("SELECT call_id, complexity, tokens_before_compression, fewshot_set, fewshot_tokens, "
                      "fewshot_set_tokens, semantic_scope, guard_signature, embedding_model, ")
        + (withEmbeddings ? "embedding, embedding_of" : "NULL, NULL") + " FROM call_savings WHERE " + where;
}

// The bytes an embedding_of refers to.
const QByteArray kEmbeddingOfSql = "SELECT embedding FROM call_savings WHERE call_id = ?1";

// Embeddings read through embedding_of, kept by owner call id: the hits of one request share one
// owner, so each owner is read once per this many distinct owners.
constexpr size_t kOwnerCacheEntries = 1024;

} // namespace

struct LedgerScan::Worker
{
    sqlite3 *db = nullptr;
    qint64 fromUs = 0, toUs = 0;
    Span span;
    bool withEmbeddings = false;
    Prepare prepare;
    const std::vector<qint32> *labelToName = nullptr;
    qint32 emptyName = 0;
    qint32 nextTextId = 1;
    InternMap textIds;
    InternMap hashIds;

    std::mutex mutex;
    std::condition_variable cv;
    std::deque<std::unique_ptr<ScanChunk>> ready; // filled, in order
    std::deque<std::unique_ptr<ScanChunk>> spare; // handed back by the consumer
    std::unique_ptr<ScanChunk> current;           // the consumer's
    bool finished = false;
    bool stop = false;
    std::optional<Error> error;
    std::thread thread;

    qint32 name(qint64 labelId) const
    {
        return labelId >= 0 && size_t(labelId) < labelToName->size() ? (*labelToName)[size_t(labelId)] : emptyName;
    }

    // The text id of a text column; `last` remembers the column's previous text (columns such as the
    // complexity or the embedding model repeat from row to row), which saves the map lookup.
    struct LastText
    {
        std::string text;
        qint32 id = 0;
    };

    qint32 text(sqlite3_stmt *s, int column, ScanChunk &chunk, LastText &last)
    {
        return text(textAt(s, column), chunk, last);
    }
    qint32 text(std::string_view t, ScanChunk &chunk, LastText &last)
    {
        if (t.empty())
            return 0;
        if (last.id != 0 && t == last.text)
            return last.id;
        qint32 id;
        if (auto it = textIds.constFind(rawView(t)); it != textIds.cend()) {
            id = *it;
        } else {
            id = nextTextId++;
            textIds.insert(QByteArray(t.data(), qsizetype(t.size())), id);
            chunk.newTexts << QString::fromUtf8(t.data(), qsizetype(t.size()));
        }
        last.text.assign(t);
        last.id = id;
        return id;
    }
    LastText lastTaskType, lastComplexity, lastFewShotSet, lastScope, lastGuards, lastEmbeddingModel;

    qint32 hash(std::string_view t)
    {
        if (t.empty())
            return -1;
        if (auto it = hashIds.constFind(rawView(t)); it != hashIds.cend())
            return *it;
        const auto id = qint32(hashIds.size());
        hashIds.insert(QByteArray(t.data(), qsizetype(t.size())), id);
        return id;
    }

    void readCall(sqlite3_stmt *s, ScanRow &r, ScanChunk &chunk)
    {
        int i = 0;
        r.id = sqlite3_column_int64(s, i++);
        r.startedAtUs = sqlite3_column_int64(s, i++);
        r.endpoint = name(sqlite3_column_int64(s, i++));
        r.provider = name(sqlite3_column_int64(s, i++));
        r.model = name(sqlite3_column_int64(s, i++));
        r.key = name(sqlite3_column_int64(s, i++));
        r.usage.promptTokens = sqlite3_column_int64(s, i++);
        r.usage.cachedTokens = sqlite3_column_int64(s, i++);
        r.usage.cacheWrite5mTokens = sqlite3_column_int64(s, i++);
        r.usage.cacheWrite1hTokens = sqlite3_column_int64(s, i++);
        r.usage.completionTokens = sqlite3_column_int64(s, i++);
        r.usage.reasoningTokens = sqlite3_column_int64(s, i++);
        r.usage.audioInputTokens = sqlite3_column_int64(s, i++);
        r.usage.audioOutputTokens = sqlite3_column_int64(s, i++);
        r.usage.imageInputTokens = sqlite3_column_int64(s, i++);
        r.priced = sqlite3_column_type(s, i) != SQLITE_NULL;
        r.cost = r.priced ? sqlite3_column_int64(s, i) : 0;
        ++i;
        r.batch = sqlite3_column_int64(s, i++) != 0;
        r.requestHash = hash(textAt(s, i++));
        r.promptChars = sqlite3_column_int64(s, i++);
        r.taskType = text(s, i++, chunk, lastTaskType);
        r.httpStatus = sqlite3_column_int(s, i++);
        r.cacheOutcome = sqlite3_column_int(s, i++);
        r.callCount = sqlite3_column_int64(s, i++);
        r.messageCount = sqlite3_column_int(s, i++);
        r.hasTools = sqlite3_column_int64(s, i++) != 0;
        r.cacheable = sqlite3_column_int64(s, i++) != 0;
        r.usage.webSearchRequests = sqlite3_column_int64(s, i++);
        // kUsagePartColumns, in readUsageParts()' order.
        r.usage.cachedAudioTokens = sqlite3_column_int64(s, i++);
        r.usage.cachedImageTokens = sqlite3_column_int64(s, i++);
        r.usage.outputImageTokens = sqlite3_column_int64(s, i++);
        r.usage.citationTokens = sqlite3_column_int64(s, i++);
        r.usage.fileSearchCalls = sqlite3_column_int64(s, i++);
    }

    // A call_replay row (kReplaySql) whose fields are not NULL; false if they cannot be decoded.
    bool readReplay(sqlite3_stmt *s, ScanRow &r, ScanChunk &chunk)
    {
        CallReplay::Fields f;
        if (!CallReplay::decode(sqlite3_column_blob(s, 3), size_t(sqlite3_column_bytes(s, 3)), f))
            return false;
        r.id = sqlite3_column_int64(s, 0);
        r.startedAtUs = sqlite3_column_int64(s, 1);
        r.priced = sqlite3_column_type(s, 2) != SQLITE_NULL;
        r.cost = r.priced ? sqlite3_column_int64(s, 2) : 0;
        // The same conversions as readCall's sqlite3_column_* calls.
        r.endpoint = name(f.endpointId);
        r.provider = name(f.providerId);
        r.model = name(f.servedModelId);
        r.key = name(f.keyId);
        r.usage = f.usage;
        r.batch = f.batch != 0;
        r.requestHash = hash(f.requestHash);
        r.promptChars = f.promptChars;
        r.taskType = text(f.taskType, chunk, lastTaskType);
        r.httpStatus = int(f.httpStatus);
        r.cacheOutcome = int(f.cacheOutcome);
        r.callCount = f.callCount;
        r.messageCount = int(f.messageCount);
        r.hasTools = f.hasTools != 0;
        r.cacheable = f.cacheable != 0; // -1 (format 1, unknown): as before, by the HTTP status alone
        return true;
    }

    sqlite3_stmt *embeddingOf = nullptr; // kEmbeddingOfSql, prepared by scan()
    std::unordered_map<qint64, std::vector<float>> ownerEmbeddings;

    // Appends `bytes` (little-endian float32, no alignment guarantee) to the chunk as the row's embedding.
    static void appendEmbedding(const void *bytes, size_t floats, ScanRow &r, ScanChunk &chunk)
    {
        r.embeddingOffset = qint32(chunk.floats.size());
        r.embeddingFloats = qint32(floats);
        chunk.floats.resize(chunk.floats.size() + floats);
        std::memcpy(chunk.floats.data() + r.embeddingOffset, bytes, floats * sizeof(float));
    }

    // The embedding the call `owner` holds (read once, then from ownerEmbeddings); empty if it has none.
    Result<const std::vector<float> *> ownerEmbedding(qint64 owner)
    {
        if (const auto it = ownerEmbeddings.find(owner); it != ownerEmbeddings.end())
            return &it->second;
        if (ownerEmbeddings.size() >= kOwnerCacheEntries)
            ownerEmbeddings.clear();
        std::vector<float> &floats = ownerEmbeddings[owner];
        sqlite3_reset(embeddingOf);
        sqlite3_bind_int64(embeddingOf, 1, owner);
        const int rc = sqlite3_step(embeddingOf);
        if (rc == SQLITE_ROW && sqlite3_column_type(embeddingOf, 0) == SQLITE_BLOB) {
            floats.resize(size_t(sqlite3_column_bytes(embeddingOf, 0)) / sizeof(float));
            std::memcpy(floats.data(), sqlite3_column_blob(embeddingOf, 0), floats.size() * sizeof(float));
        } else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
            ownerEmbeddings.erase(owner);
            return std::unexpected(dbError(db, "call_savings embedding"));
        }
        sqlite3_reset(embeddingOf);
        return &floats;
    }

    // Column 0 (call_id) is read by the caller.
    std::optional<Error> readSavings(sqlite3_stmt *s, ScanRow &r, ScanChunk &chunk)
    {
        r.hasSavings = true;
        r.complexity = text(s, 1, chunk, lastComplexity);
        r.tokensBeforeCompression = sqlite3_column_int64(s, 2);
        r.fewShotSet = text(s, 3, chunk, lastFewShotSet);
        r.fewShotTokens = sqlite3_column_int64(s, 4);
        r.fewShotSetTokens = sqlite3_column_int64(s, 5);
        r.semanticScope = text(s, 6, chunk, lastScope);
        r.guardSignature = text(s, 7, chunk, lastGuards);
        r.embeddingModel = text(s, 8, chunk, lastEmbeddingModel);
        if (!withEmbeddings)
            return std::nullopt;
        if (sqlite3_column_type(s, 9) == SQLITE_BLOB) {
            appendEmbedding(sqlite3_column_blob(s, 9), size_t(sqlite3_column_bytes(s, 9)) / sizeof(float), r, chunk);
        } else if (sqlite3_column_type(s, 10) != SQLITE_NULL) {
            // An owner whose row is gone reads as no embedding, as a row without one does.
            const auto owner = ownerEmbedding(sqlite3_column_int64(s, 10));
            if (!owner)
                return owner.error();
            if (!(*owner)->empty())
                appendEmbedding((*owner)->data(), (*owner)->size(), r, chunk);
        }
        return std::nullopt;
    }

    static void clearSavings(ScanRow &r)
    {
        r.hasSavings = false;
        r.complexity = r.fewShotSet = r.semanticScope = r.guardSignature = r.embeddingModel = 0;
        r.tokensBeforeCompression = -1;
        r.fewShotTokens = r.fewShotSetTokens = 0;
        r.embeddingOffset = r.embeddingFloats = 0;
    }

    std::unique_ptr<ScanChunk> newChunk()
    {
        std::unique_ptr<ScanChunk> chunk;
        {
            std::lock_guard lock(mutex);
            if (!spare.empty()) {
                chunk = std::move(spare.front());
                spare.pop_front();
            }
        }
        if (!chunk) {
            chunk = std::make_unique<ScanChunk>();
            chunk->rows.reserve(kChunkRows);
        }
        chunk->rows.clear();
        chunk->floats.clear();
        chunk->newTexts.clear();
        return chunk;
    }

    // Hands a full chunk to the consumer; false when asked to stop.
    bool publish(std::unique_ptr<ScanChunk> chunk)
    {
        if (prepare) {
            bool behind;
            {
                std::lock_guard lock(mutex);
                behind = !ready.empty();
            }
            prepare(*chunk, behind);
        }
        std::unique_lock lock(mutex);
        cv.wait(lock, [&] { return stop || ready.size() < size_t(kMaxQueuedChunks); });
        if (stop)
            return false;
        ready.push_back(std::move(chunk));
        cv.notify_all();
        return true;
    }

    void finish(std::optional<Error> e)
    {
        std::lock_guard lock(mutex);
        finished = true;
        error = std::move(e);
        cv.notify_all();
    }

    void run() { finish(scan()); }

    std::optional<Error> scan()
    {
        Statement calls, callById, savings, savingsById;
        if (auto ok = calls.prepare(db, kReplaySql); !ok)
            return ok.error();
        if (auto ok = callById.prepare(db, kCallByIdSql); !ok)
            return ok.error();
        if (auto ok = savings.prepare(db, savingsSql(withEmbeddings, "call_id >= ?1 ORDER BY call_id")); !ok)
            return ok.error();
        if (auto ok = savingsById.prepare(db, savingsSql(withEmbeddings, "call_id = ?1")); !ok)
            return ok.error();
        Statement ownerEmbedding;
        if (auto ok = ownerEmbedding.prepare(db, kEmbeddingOfSql); !ok)
            return ok.error();
        embeddingOf = ownerEmbedding.get();
        calls.bind(1, fromUs);
        calls.bind(2, toUs);

        // The merge: `savings` starts at the first call's id and is positioned on its first row whose
        // call_id has not been passed yet (savingsId), or done. Calls come in time order, usually also
        // in id order; a call whose id is below an id already passed (or below the first call's id)
        // gets its row by point lookup.
        qint64 savingsId = 0;
        bool savingsDone = false;
        bool savingsStarted = false;
        auto advance = [&]() -> std::optional<Error> {
            const int rc = sqlite3_step(savings.get());
            if (rc == SQLITE_ROW) {
                savingsId = sqlite3_column_int64(savings.get(), 0);
            } else if (rc == SQLITE_DONE) {
                savingsDone = true;
            } else {
                return dbError(db, "call_savings");
            }
            return std::nullopt;
        };
        qint64 passedUpTo = 0; // every savings row with call_id < passedUpTo has been passed

        std::unique_ptr<ScanChunk> chunk = newChunk();
        for (;;) {
            const int rc = sqlite3_step(calls.get());
            if (rc == SQLITE_DONE)
                break;
            if (rc != SQLITE_ROW)
                return dbError(db, "calls");
            chunk->rows.emplace_back();
            ScanRow &r = chunk->rows.back();
            if (sqlite3_column_type(calls.get(), 3) == SQLITE_NULL) {
                callById.reset();
                callById.bind(1, sqlite3_column_int64(calls.get(), 0));
                const int crc = sqlite3_step(callById.get());
                if (crc != SQLITE_ROW)
                    return crc == SQLITE_DONE ? Error{ErrorCode::Database,
                                                      QObject::tr("Simulation failed: call %1 is in call_replay but "
                                                                  "not in calls")
                                                          .arg(sqlite3_column_int64(calls.get(), 0))}
                                              : dbError(db, "calls");
                readCall(callById.get(), r, *chunk);
            } else if (!readReplay(calls.get(), r, *chunk)) {
                return Error{ErrorCode::Database, QObject::tr("Simulation failed: unreadable call_replay row for call %1")
                                                      .arg(sqlite3_column_int64(calls.get(), 0))};
            }
            clearSavings(r);
            if (!savingsStarted) {
                savingsStarted = true;
                savings.bind(1, r.id);
                passedUpTo = r.id;
                if (auto e = advance())
                    return e;
            }
            if (r.id >= passedUpTo) {
                while (!savingsDone && savingsId < r.id) {
                    if (auto e = advance())
                        return e;
                }
                if (!savingsDone && savingsId == r.id) {
                    if (auto e = readSavings(savings.get(), r, *chunk))
                        return e;
                    if (auto e = advance())
                        return e;
                }
                passedUpTo = r.id + 1;
            } else {
                savingsById.reset();
                savingsById.bind(1, r.id);
                const int prc = sqlite3_step(savingsById.get());
                if (prc == SQLITE_ROW) {
                    if (auto e = readSavings(savingsById.get(), r, *chunk))
                        return e;
                } else if (prc != SQLITE_DONE) {
                    return dbError(db, "call_savings");
                }
            }
            if (chunk->rows.size() == size_t(kChunkRows) || chunk->floats.size() >= size_t(kChunkFloats)) {
                if (!publish(std::move(chunk)))
                    return std::nullopt;
                chunk = newChunk();
            }
        }
        if (!chunk->rows.empty())
            publish(std::move(chunk));
        return std::nullopt;
    }
};

Result<std::unique_ptr<LedgerScan>> LedgerScan::open(const QString &path)
{
    if (path.isEmpty() || path == ":memory:"_L1)
        return fail(ErrorCode::InvalidArgument,
                    QObject::tr("Simulation needs a ledger file; an in-memory database cannot be read by a second "
                                "connection"));
    std::unique_ptr<LedgerScan> scan(new LedgerScan);
    const QByteArray file = path.toUtf8();
    // NOMUTEX: the connection is used by one thread at a time (this one, then the worker, then this one).
    const int rc = sqlite3_open_v2(file.constData(), &scan->m_db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const QString why = scan->m_db ? QString::fromUtf8(sqlite3_errmsg(scan->m_db)) : QString::fromUtf8(sqlite3_errstr(rc));
        return fail(ErrorCode::Database, QObject::tr("Simulation failed: cannot open %1: %2").arg(path, why));
    }
    sqlite3_busy_timeout(scan->m_db, 5000);
    // Pages of the ledger file mapped instead of copied by pread(): the scan touches every page of the
    // range once. (Pages still in the WAL are read from it as usual.)
    sqlite3_exec(scan->m_db, "PRAGMA mmap_size = 1073741824", nullptr, nullptr, nullptr);
    // One read transaction for the labels, the span and the rows: one snapshot of the ledger.
    if (sqlite3_exec(scan->m_db, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
        return std::unexpected(dbError(scan->m_db, "begin"));
    if (auto ok = scan->loadLabels(); !ok)
        return std::unexpected(ok.error());
    return scan;
}

void LedgerScan::stop()
{
    if (m_worker && m_worker->thread.joinable()) {
        {
            std::lock_guard lock(m_worker->mutex);
            m_worker->stop = true;
            m_worker->cv.notify_all();
        }
        m_worker->thread.join();
    }
    m_worker.reset();
}

LedgerScan::~LedgerScan()
{
    stop();
    if (m_db) {
        sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_close_v2(m_db);
    }
}

Result<void> LedgerScan::loadLabels()
{
    Statement q;
    if (auto ok = q.prepare(m_db, "SELECT id, name FROM labels"); !ok)
        return ok;
    m_names << QString();
    m_nameIndex.insert(QString(), 0); // "" and a label id the table lacks
    int rc;
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW) {
        const qint64 id = sqlite3_column_int64(q.get(), 0);
        const std::string_view t = textAt(q.get(), 1);
        const QString name = QString::fromUtf8(t.data(), qsizetype(t.size()));
        qint32 index = m_nameIndex.value(name, -1);
        if (index < 0) {
            index = qint32(m_names.size());
            m_names << name;
            m_nameIndex.insert(name, index);
        }
        // Label ids are assigned 1, 2, 3, ... by the writer; a huge id would only waste this table.
        if (id < 0 || id > 50'000'000)
            return fail(ErrorCode::Database, QObject::tr("Simulation failed: unexpected label id %1").arg(id));
        if (size_t(id) >= m_labelToName.size())
            m_labelToName.resize(size_t(id) + 1, 0);
        m_labelToName[size_t(id)] = index;
    }
    if (rc != SQLITE_DONE)
        return std::unexpected(dbError(m_db, "labels"));
    m_texts << QString();
    return {};
}

Result<LedgerScan::Span> LedgerScan::span(qint64 fromUs, qint64 toUs)
{
    // Three queries: the count walks call_replay's primary key over the range; MIN and MAX are single seeks
    // (one query with all three makes SQLite decode every index entry: several times slower).
    auto one = [&](const char *sql, qint64 *out) -> Result<void> {
        Statement q;
        if (auto ok = q.prepare(m_db, sql); !ok)
            return ok;
        q.bind(1, fromUs);
        q.bind(2, toUs);
        if (sqlite3_step(q.get()) != SQLITE_ROW)
            return std::unexpected(dbError(m_db, "span"));
        *out = sqlite3_column_int64(q.get(), 0);
        return {};
    };
    Span s;
    if (auto ok = one("SELECT COUNT(*) FROM call_replay WHERE started_at_us >= ?1 AND started_at_us < ?2", &s.count);
        !ok)
        return std::unexpected(ok.error());
    if (s.count == 0)
        return s;
    if (auto ok = one("SELECT MIN(started_at_us) FROM call_replay WHERE started_at_us >= ?1 AND started_at_us < ?2",
                      &s.minStartedAtUs);
        !ok)
        return std::unexpected(ok.error());
    if (auto ok = one("SELECT MAX(started_at_us) FROM call_replay WHERE started_at_us >= ?1 AND started_at_us < ?2",
                      &s.maxStartedAtUs);
        !ok)
        return std::unexpected(ok.error());
    return s;
}

const ReportCoverage::Day *ReportCoverage::dayOf(qint32 provider, qint64 startedAtUs) const
{
    if (days.empty())
        return nullptr;
    const auto it = days.find({provider, RollupPeriods::floorTo(startedAtUs, RollupPeriods::kUsPerDay)});
    return it == days.end() ? nullptr : &it->second;
}

Result<ReportCoverage> LedgerScan::reportCoverage(qint64 fromUs, qint64 toUs)
{
    using RollupPeriods::kUsPerDay;
    constexpr qint64 kLimit = qint64(1) << 62; // as SpendCoverage::load: no overflow when rounding
    const qint64 from = RollupPeriods::floorTo(std::max(fromUs, -kLimit), kUsPerDay);
    const qint64 to = RollupPeriods::ceilTo(std::min(toUs, kLimit), kUsPerDay, 0);
    ReportCoverage c;
    if (to <= from)
        return c;
    auto providerOf = [&](qint64 labelId) {
        return labelId >= 0 && size_t(labelId) < m_labelToName.size() ? m_labelToName[size_t(labelId)] : 0;
    };
    // The covered provider days, each with the spend of the report lines that count (its highest rank) and
    // the cost of its call-level records, both within [fromUs, toUs): the report rows through calls_reports,
    // the call-level rows of the covered days only (through calls_started_at).
    const QString within = u"started_at_us >= MAX(days.d, ?4) AND started_at_us < MIN(days.d + ?3, ?5) "_s
                           u"AND provider_id = days.p"_s;
    Statement agg;
    const QByteArray aggSql
        = (u"WITH days(p, d, r) AS (SELECT provider_id, "_s + SpendCoverage::kDaySql + u", MAX("_s
           + SpendCoverage::kRankSql + u") FROM calls WHERE "_s + SpendCoverage::kReportRowsSql
           + u" AND started_at_us >= ?1 AND started_at_us < ?2 GROUP BY 1, 2) "_s
           + u"SELECT p, d, r, (SELECT COALESCE(SUM(cost_nano), 0) FROM calls WHERE "_s + SpendCoverage::kReportRowsSql
           + u" AND "_s + within + u" AND "_s + SpendCoverage::kRankSql + u" = days.r), "_s
           + u"(SELECT COALESCE(SUM(cost_nano), 0) FROM calls WHERE "_s + within + SpendCoverage::kCallLevelRowsSql
           + u") FROM days"_s)
              .toUtf8();
    if (auto ok = agg.prepare(m_db, aggSql); !ok)
        return std::unexpected(ok.error());
    agg.bind(1, from);
    agg.bind(2, to);
    agg.bind(3, kUsPerDay);
    agg.bind(4, fromUs);
    agg.bind(5, toUs);
    int rc;
    while ((rc = sqlite3_step(agg.get())) == SQLITE_ROW) {
        ReportCoverage::Day &d
            = c.days[{providerOf(sqlite3_column_int64(agg.get(), 0)), sqlite3_column_int64(agg.get(), 1)}];
        const int rank = sqlite3_column_int(agg.get(), 2);
        const NanoUsd reportCost = sqlite3_column_int64(agg.get(), 3);
        // Two provider labels of one name (not expected) count as one provider: the higher rank's lines.
        if (rank > d.rank)
            d.reportCost = 0;
        if (rank >= d.rank) {
            d.rank = rank;
            d.reportCost += reportCost;
        }
        d.callsCost += sqlite3_column_int64(agg.get(), 4);
    }
    if (rc != SQLITE_DONE)
        return std::unexpected(dbError(m_db, "report days"));
    if (c.days.empty())
        return c;

    Statement q;
    const QByteArray sql = (u"SELECT id, "_s + SpendCoverage::kRankSql + u" FROM calls WHERE "_s
                            + SpendCoverage::kReportRowsSql + u" AND started_at_us >= ?1 AND started_at_us < ?2"_s)
                               .toUtf8();
    if (auto ok = q.prepare(m_db, sql); !ok)
        return std::unexpected(ok.error());
    q.bind(1, from);
    q.bind(2, to);
    while ((rc = sqlite3_step(q.get())) == SQLITE_ROW)
        c.lineRanks[sqlite3_column_int64(q.get(), 0)] = sqlite3_column_int(q.get(), 1);
    if (rc != SQLITE_DONE)
        return std::unexpected(dbError(m_db, "report lines"));
    return c;
}

void LedgerScan::start(qint64 fromUs, qint64 toUs, const Span &span, bool withEmbeddings, Prepare prepare)
{
    m_worker = std::make_unique<Worker>();
    Worker &w = *m_worker;
    w.db = m_db;
    w.fromUs = fromUs;
    w.toUs = toUs;
    w.span = span;
    w.withEmbeddings = withEmbeddings;
    w.prepare = std::move(prepare);
    w.labelToName = &m_labelToName;
    w.emptyName = 0;
    if (span.count == 0) {
        w.finished = true;
        return;
    }
    w.thread = std::thread([&w] { w.run(); });
}

Result<ScanChunk *> LedgerScan::next()
{
    if (!m_worker)
        return nullptr;
    Worker &w = *m_worker;
    std::unique_lock lock(w.mutex);
    if (w.current) {
        w.spare.push_back(std::move(w.current));
        w.cv.notify_all();
    }
    w.cv.wait(lock, [&] { return !w.ready.empty() || w.finished; });
    if (!w.ready.empty()) {
        w.current = std::move(w.ready.front());
        w.ready.pop_front();
        lock.unlock();
        m_texts.append(w.current->newTexts);
        return w.current.get();
    }
    if (w.error)
        return std::unexpected(*w.error);
    return nullptr;
}

} // namespace tl::simulate
