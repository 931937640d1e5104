#pragma once

#include "common/Money.h"
#include "common/Result.h"
#include "ledger/CallRecord.h"

#include <QHash>
#include <QList>
#include <QString>

#include <any>
#include <functional>
#include <map>
#include <memory>
#include <unordered_map>
#include <utility>
#include <vector>

struct sqlite3;

namespace tl::simulate {

// The provider report lines of a range and the provider days they cover, by the spend views' rule
// (query/SpendCoverage.h: per provider and UTC day, its cost report lines count, else its usage report
// lines, else the call-level records). Provider names are indices into LedgerScan::names().
struct ReportCoverage
{
    // A provider's UTC day that a report covers. Its costs are those of the day's part in the range asked
    // for (the whole day unless the range cuts it): what the baseline holds of it.
    struct Day
    {
        int rank = 0;           // the highest report rank that day (SpendCoverage::kUsageReport or kCostReport)
        NanoUsd reportCost = 0; // the priced report lines of that rank: the day's spend
        NanoUsd callsCost = 0;  // the priced call-level records (proxy, batch jobs, imports) of the day

        // The recorded calls cost more than the report lines that count: those lines cannot hold them all
        // (another organisation's report, or a range that cuts the lines off), so no saving of theirs can
        // be taken off the lines.
        bool callsExceedReport() const { return callsCost > reportCost; }
    };
    // (provider name index, UTC day start in us) -> the day; a day without reports is absent.
    std::map<std::pair<qint32, qint64>, Day> days;
    // Report line id (calls.id) -> its rank (kUsageReport or kCostReport).
    std::unordered_map<qint64, int> lineRanks;

    bool empty() const { return days.empty(); }
    // The covered day of `startedAtUs` for `provider`, nullptr when no report covers it.
    const Day *dayOf(qint32 provider, qint64 startedAtUs) const;
};

// One call as the simulator replays it: integers and interned string ids, no QVariant, no QString per
// row. Read from the ledger's `call_replay` row (or `calls` row) and its `call_savings` row (schema v5),
// if any.
struct ScanRow
{
    qint64 id = 0;
    qint64 startedAtUs = 0; // microseconds since the Unix epoch (UTC)
    // Label names, as indices into LedgerScan::names() (the same name always has the same index; a
    // label id the labels table lacks reads as "").
    qint32 endpoint = 0;
    qint32 provider = 0;
    qint32 model = 0; // the served model
    qint32 key = 0;
    Usage usage; // tokens with their priced parts, and the web and file searches the call was billed for
    NanoUsd cost = 0;
    bool priced = false; // false: cost_nano is NULL (unpriced)
    bool batch = false;
    bool hasTools = false;
    bool hasSavings = false; // a call_savings row exists
    qint32 requestHash = -1; // an id per distinct request_hash; -1 when there is none ('')
    qint32 taskType = 0;     // text id (LedgerScan::texts(); 0 is "")
    int httpStatus = 200;
    int cacheOutcome = 0; // CacheOutcome
    int messageCount = 0;
    qint64 promptChars = 0;
    qint64 callCount = 1;
    // The live caches could have stored the answer (CallReplay::cacheable: no error, usage complete, not
    // cut by a token limit); true for calls written before schema 12, which do not say.
    bool cacheable = true;
    // call_savings (zero / -1 / text 0 when the call has no row).
    qint32 complexity = 0; // text id
    qint32 fewShotSet = 0; // text id
    qint32 semanticScope = 0; // text id
    qint32 guardSignature = 0; // text id
    qint32 embeddingModel = 0; // text id
    qint64 tokensBeforeCompression = -1;
    qint64 fewShotTokens = 0;
    qint64 fewShotSetTokens = 0;
    qint32 embeddingOffset = 0; // into ScanChunk::floats
    qint32 embeddingFloats = 0; // float32 values of the stored embedding blob (0: none or not read)
};

// Rows in (started_at_us, id) order, with the embedding floats they refer to and the texts interned
// since the previous chunk (appended to LedgerScan::texts() by LedgerScan::next()).
struct ScanChunk
{
    std::vector<ScanRow> rows;
    std::vector<float> floats;
    QList<QString> newTexts;
    std::any extra; // the start() caller's per-chunk data, filled by its prepare hook (kept across recycling)
};

// The simulator's read path: the ledger's calls in a time range, read with SQLite's C API on a
// read-only connection of its own (SQLITE_OPEN_READONLY), in one read transaction so the labels, the
// span and the rows are one consistent snapshot. Rows are read on a worker thread of its own
// (std::thread) while the caller replays the previous chunks: at most kMaxQueuedChunks chunks of
// kChunkRows rows (fewer when their embeddings reach kChunkFloats) wait in memory, so a range whose
// calls all carry embeddings holds about 60 MiB of them at a time.
//
// Reading: the calls of the range from call_replay (ledger/CallReplay.h: a compact copy of the replayed
// calls columns, one BLOB per call, whose primary key is the (started_at_us, id) order), so a call costs
// 4 SQLite columns instead of ~26 and no index-to-table seek; a call whose replay fields are NULL (a
// replayed column changed in SQL after it was written) is read from calls by id; call_savings merged in
// by call_id from a second, call_id-ordered scan from the first call's id on (a point lookup for a call
// whose id is lower than one already merged, i.e. recorded out of time order); the embedding BLOB only when
// asked for (the semantic cache needs it, nothing else does). A row that refers to an earlier call's copy
// of its embedding (call_savings.embedding_of, schema v11: exact-cache hits) gets that call's bytes, read
// once per owner and kept for the next rows that refer to it.
//
// Thread affinity: create, use and destroy on one thread (the Ledger's reader thread for the
// simulator); the worker thread owns the connection between start() and the end of the scan, and the
// destructor stops and joins it. Errors: Database with SQLite's message (file missing, not a ledger,
// I/O error), InvalidArgument for a database that a second connection cannot open (in-memory).
class LedgerScan
{
public:
    static constexpr int kChunkRows = 8192;
    static constexpr int kChunkFloats = 2 * 1024 * 1024; // a chunk ends early at 8 MiB of embeddings
    static constexpr int kMaxQueuedChunks = 6;

    struct Span
    {
        qint64 count = 0;
        qint64 minStartedAtUs = 0; // valid when count > 0
        qint64 maxStartedAtUs = 0;
    };

    // Opens `path` read-only and begins the read transaction. `path` is the ledger file
    // (QSqlDatabase::databaseName() of a ledger connection).
    static Result<std::unique_ptr<LedgerScan>> open(const QString &path);
    ~LedgerScan();
    LedgerScan(const LedgerScan &) = delete;
    LedgerScan &operator=(const LedgerScan &) = delete;

    // Label names and the texts interned so far (index 0 of texts is "").
    const QList<QString> &names() const { return m_names; }
    const QList<QString> &texts() const { return m_texts; }
    // The index of `name` among names(), -1 if no label has it.
    qint32 nameIndex(const QString &name) const { return m_nameIndex.value(name, -1); }

    // Count and time span of the calls with fromUs <= started_at_us < toUs.
    Result<Span> span(qint64 fromUs, qint64 toUs);

    // The report lines and covered provider days of the UTC days that [fromUs, toUs) touches, in the scan's
    // snapshot, with each covered day's report spend and call-level cost (one aggregate: the report rows
    // through the calls_reports partial index, the call-level rows of the covered days only). Before start().
    Result<ReportCoverage> reportCoverage(qint64 fromUs, qint64 toUs);

    // Called on the worker thread with each chunk before the chunk is handed to next(): work on the rows
    // that can run ahead of the consumer (the simulator prices strategies there). It sees the chunks in
    // order and must not touch what the consumer thread uses. `consumerBehind`: earlier chunks are still
    // waiting for next(), so work done here is off the consumer's critical path; false when the consumer
    // is (or soon will be) waiting for this chunk, so the work is better left to the consumer.
    using Prepare = std::function<void(ScanChunk &chunk, bool consumerBehind)>;

    // Starts reading the rows of [fromUs, toUs) (`span` as span() returned it) on the worker thread.
    void start(qint64 fromUs, qint64 toUs, const Span &span, bool withEmbeddings, Prepare prepare = {});
    // Stops the worker thread and waits for it (the destructor does too); next() then returns nullptr.
    // For a caller whose prepare hook dies before the scan.
    void stop();
    // The next chunk, blocking until the worker has one; nullptr after the last row. The previous
    // chunk returned by next() is recycled, so its rows must no longer be used.
    Result<ScanChunk *> next();

private:
    LedgerScan() = default;
    struct Worker;
    Result<void> loadLabels();

    sqlite3 *m_db = nullptr;
    QList<QString> m_names;
    QHash<QString, qint32> m_nameIndex;
    std::vector<qint32> m_labelToName; // label id -> name index; label ids are small positive integers
    QList<QString> m_texts;
    std::unique_ptr<Worker> m_worker;
};

} // namespace tl::simulate
