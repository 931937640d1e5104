#pragma once

#include "importer/Importer.h"
#include "ledger/LedgerWriter.h"
#include "pricing/Pricer.h"

#include <QFuture>

#include <deque>

namespace tl {

// Prices records (unless they carry their cost), hands them to the ledger writer in batches of 2,000
// with at most 8 batches in flight (bounded memory on huge files), and folds the writer's reports
// into an ImportReport. Blocking; used on the importing thread only.
// Storage failures: the batches are handed over with OnWriteFailure::GiveUp, so a commit that fails (full
// disk, I/O error) ends the import's writing instead of being retried forever: from then on add() only
// counts rows as not stored (ImportReport::notStored, writeError) and finish() returns the error.
class ImportSink
{
public:
    // callerSalt: see ImportOptions::callerSalt.
    ImportSink(LedgerWriter &writer, std::shared_ptr<const Pricer> pricer, ImportReport &report,
               QByteArray callerSalt = {});
    ~ImportSink();

    // priced: the record already has its cost (a "given:" price entry); else the pricer prices it.
    // A record whose usage cannot be true (usageProblem(): a negative, fractional or oversized count,
    // cache reads above the prompt, ...) or whose given cost exceeds kMaxRecordCost in magnitude is not
    // imported: it is reported as a skipped row naming its sourceRef and the problem (the file can be
    // fixed and imported again; source keys keep the good rows from doubling).
    // A key id that looks like an API key (keyIdLooksSecret) is replaced by callerIdentity(callerSalt,
    // key), in the source key and source reference too, and counted in ImportReport::keysHashed.
    void add(CallRecord record, bool priced = false);
    void rowError(const QString &file, qint64 line, const QString &reason);
    // A row that was imported, with something to check (kept in ImportReport::warnings).
    void rowWarning(const QString &file, qint64 line, const QString &reason);
    // Waits for every batch to be committed (or given up) and folds the results into the report. Error
    // (ErrorCode::Database) when some rows could not be stored: the message names the ledger, the cause
    // and the rows stored and not stored, for the caller to prefix with what it imported.
    Result<void> finish();
    // A commit of this import's rows failed: the rest will not be stored.
    bool writeFailed() const { return !m_report.writeError.isEmpty(); }

private:
    void submit();
    void collect(bool all);

    LedgerWriter &m_writer;
    std::shared_ptr<const Pricer> m_pricer;
    ImportReport &m_report;
    QByteArray m_callerSalt;
    QList<CallRecord> m_batch;
    std::deque<QFuture<WriteReport>> m_inFlight;
};

} // namespace tl
