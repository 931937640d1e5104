#pragma once

#include "common/Result.h"
#include "ledger/CallRecord.h"

#include <QFuture>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QSqlDatabase;
class QThread;

namespace tl {

struct WriteReport
{
    qint64 inserted = 0;   // new rows
    qint64 duplicates = 0; // rows whose source key was already in the ledger (re-imports)
    qint64 failed = 0;     // rows SQLite refused (reported in `errors`)
    NanoUsd insertedCost = 0;    // sum of the priced cost of the new rows, nano-USD
    qint64 insertedUnpriced = 0; // new rows without a cost
    QStringList errors;
    // OnWriteFailure::GiveUp only: records of the batch that were not stored because a commit failed
    // (inserted + duplicates + failed + notStored = the batch's size), and why: SQLite's words for the
    // cause ("database or disk is full", "disk I/O error"), never a record's content.
    qint64 notStored = 0;
    QString failure; // empty when every record was written
    // The failure was another connection's write lock held past the busy timeout (SQLITE_BUSY, SQLITE_LOCKED),
    // not the storage: retrying once that writer is done stores the records.
    bool failureIsLock = false;
};

// What the writer does with a batch when a commit holding its records fails for lack of disk space, an
// I/O error or a lock held too long (SQLITE_FULL, SQLITE_IOERR, SQLITE_BUSY, ...).
enum class OnWriteFailure {
    Retry,  // keep the records in memory and retry every second until they are stored (live traffic)
    GiveUp, // report them as not stored (WriteReport::notStored, failure) and drop them: the caller still
            // has them (an import re-reads its file; source keys keep a re-import from doubling rows)
};

class LedgerWriterWorker;

// The only writer of a ledger file. Records are handed over without blocking and committed by a
// worker thread with its own SQLite connection, in batched transactions (every 100 ms, or as soon as
// 256 records wait; at most 16,384 records a transaction), each of which also updates the hourly and daily rollups and latency
// histograms (one upsert per group and batch), so rollups and raw rows are always consistent
// (provider report lines, SourceKind::ProviderReport, are not rolled up: schema v12). Record ids are
// assigned at hand-over so a caller can name the record (X-TokenLedger-Record-Id) before it is committed.
// The worker writes records through SQLite's C API (statements prepared once, values bound with
// sqlite3_bind_*); the QtSql connection it also holds creates/migrates the schema and runs the
// jobs of runExclusive(). A record whose savings trace carries the same embedding bytes as a call this
// writer stored recently (an exact-cache hit repeats its request's ~4 KiB embedding) stores a reference
// to that call (call_savings.embedding_of, schema v11) instead of another copy; readers resolve it
// (kSavingsColumns, simulate::LedgerScan). Durability: WAL with synchronous=NORMAL; a crash loses only
// records not yet committed (at most ~100 ms, or one batch, of hand-overs).
//
// Record ids are never reused, also after a crash (kill -9, power loss): a client may keep the id the
// proxy named in X-TokenLedger-Record-Id before the record was committed, and a lost record's id must not
// later name someone else's call. The ledger's meta table holds a high-water mark ("next_call_id"): every
// id this writer hands out is below a mark already committed, or at most kIdMargin / 2 ids above the
// last one committed when the writer is behind (see below). open() starts above both the highest stored id
// and the mark, then commits mark = first id + kIdMargin before it returns; each commit moves the mark to
// (next id + kIdMargin) once half of the margin is used, and a hand-over that crosses the half schedules
// that commit at once (with no records pending, the mark is written alone). A graceful close stores the
// exact next id, so only a crash leaves a gap: at most kIdMargin (1,048,576) ids, which are never used.
// Bound of the guarantee: ids are covered as long as fewer than kIdMargin / 2 (524,288) ids are handed
// out while the writer cannot commit (a runExclusive() job running, a full disk, an I/O error); past
// that, until the next successful commit, a crash could let later ids be handed out again. Two writers
// on one file at once (not supported) may still collide.
//
// Thread affinity: submit(), submitBatch(), flush() and runExclusive() may be called from any
// thread. Signals are emitted from the worker thread; connect with a context object.
// Errors: if a commit fails for lack of disk space or an I/O error, the whole transaction is rolled back
// and writeFailed() is emitted with an actionable message. Records handed over by submit() and
// submitBatch(..., Retry) are kept in memory and retried: the next attempt is made a second after the
// failure (one attempt a second while the failure lasts, whatever the hand-overs and the 100 ms timer
// do meanwhile), and none of them is dropped until the writer is destroyed (destruction retries for
// about 5 s, then gives up what it could not store). A submitBatch(..., GiveUp) batch is given up as
// soon as a commit that holds any of its records fails: those records and the rest of the batch still
// waiting are dropped (not retried) and its future finishes at once with WriteReport::notStored and
// failure set; records of it committed by earlier transactions stay. A record
// SQLite refuses for itself (a constraint) is reported in WriteReport::errors.
class LedgerWriter final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LedgerWriter)

public:
    // Opens (creating or migrating) the ledger at `path` and starts the worker thread.
    static Result<std::unique_ptr<LedgerWriter>> open(const QString &path);
    ~LedgerWriter() override; // drains every submitted record, then stops the thread

    QString path() const { return m_path; }

    // Non-blocking hand-over; returns the id the record will have (or, for a duplicate source key, the
    // id that was assigned and not used). A record whose id is already set (reserveId()) keeps it.
    qint64 submit(CallRecord record);
    // Work on a record that only the record needs (the proxy's semantic key and local embedding kept
    // for the simulator): run on the writer thread, in submission order, before the record's batch is
    // written and outside its transaction, so the caller's thread does not pay for it. It must be safe
    // to run on another thread (own copies of implicitly shared data, immutable helpers) and must not
    // change the record's id.
    using Completion = std::function<void(CallRecord &record)>;
    // submit() with `complete` run on the record first (an empty one: plain submit()).
    qint64 submit(CallRecord record, Completion complete);

    // An id for a record that will be submitted later (the proxy names a stream's record in its response
    // headers before the stream, and so the record, is complete). An id never submitted is a gap, not an
    // error. Lock-free, never blocks; any thread.
    qint64 reserveId();

    // Ids kept free after the last committed high-water mark (see the class comment): the largest gap a
    // crash leaves in the ids, and twice the ids that may be handed out while the writer cannot commit.
    static constexpr qint64 kIdMargin = qint64(1) << 20;
    // The meta table's key of the high-water mark: every id below its value may have been handed out.
    static constexpr const char *kIdMarkKey = "next_call_id";

    // Hands over many records; the future finishes once all of them are committed or, with
    // OnWriteFailure::GiveUp, as soon as a commit that holds some of them fails (see Errors above).
    QFuture<WriteReport> submitBatch(QList<CallRecord> records, OnWriteFailure onFailure = OnWriteFailure::Retry);

    // Finishes once every record submitted before the call is committed.
    QFuture<void> flush();

    // Runs `job` on the worker thread with its connection, between two batches (used by re-pricing
    // and maintenance). The job runs its own transaction.
    QFuture<void> runExclusive(std::function<void(QSqlDatabase &)> job);

    // Number of records handed over and not yet committed.
    qint64 pending() const;

Q_SIGNALS:
    // Emitted after each successful commit with the number of rows it added.
    void committed(qint64 inserted);
    void writeFailed(const QString &message);

private:
    friend class LedgerWriterWorker;
    LedgerWriter(QString path, qint64 firstId, qint64 idMark);
    qint64 takeId(); // the next id; schedules a commit of the high-water mark past half the margin

    QString m_path;
    std::atomic<qint64> m_nextId;
    std::atomic<qint64> m_idMark;            // committed mark: ids below it are covered
    std::atomic<bool> m_idMarkWanted{false}; // a drain was scheduled to move the mark
    QThread *m_thread = nullptr;
    LedgerWriterWorker *m_worker = nullptr;
};

} // namespace tl
