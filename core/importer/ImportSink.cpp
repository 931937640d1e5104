#include "ImportSink.h"
#include "proxy/LabelGuard.h"

#include "ledger/LedgerWriter.h"
#include "proxy/CallerIdentity.h"

namespace tl {

namespace {
constexpr int kBatch = 2000;
constexpr size_t kMaxInFlight = 8;
constexpr int kMaxErrors = 1000;
} // namespace

void ImportReport::add(const ImportReport &o)
{
    rowsRead += o.rowsRead;
    imported += o.imported;
    duplicates += o.duplicates;
    skipped += o.skipped;
    for (const ImportRowError &e : o.errors) {
        if (errors.size() < kMaxErrors)
            errors.append(e);
    }
    for (const ImportRowError &w : o.warnings) {
        if (warnings.size() < kMaxErrors)
            warnings.append(w);
    }
    costImported += o.costImported;
    unpriced += o.unpriced;
    keysHashed += o.keysHashed;
    cancelled = cancelled || o.cancelled;
    notStored += o.notStored;
    if (writeError.isEmpty()) {
        writeError = o.writeError;
        writeLocked = o.writeLocked;
    }
}

ImportSink::ImportSink(LedgerWriter &writer, std::shared_ptr<const Pricer> pricer, ImportReport &report,
                       QByteArray callerSalt)
    : m_writer(writer)
    , m_pricer(std::move(pricer))
    , m_report(report)
    , m_callerSalt(std::move(callerSalt))
{
}

ImportSink::~ImportSink() { (void)finish(); }

void ImportSink::add(CallRecord record, bool priced)
{
    // Keys never reach the ledger: a key in a key id column becomes the identity the proxy would give it
    // (grouping by key still works), also where a report's source key or reference quotes it.
    const bool keyHashed = keyIdLooksSecret(record.keyId);
    if (keyHashed) {
        const QString key = record.keyId.trimmed();
        const QString id = callerIdentity(m_callerSalt, key.toUtf8());
        record.sourceKey.replace(key, id);
        record.sourceRef.replace(key, id);
        record.keyId = id;
    }
    // Labels are shown in breakdowns and exports: a key planted in one stays out, as the proxy keeps it out of
    // its X-TokenLedger-* labels (session-16 trial: key-like endpoints, tags and task types were stored as given).
    bool labelRedacted = false;
    const auto guard = [&](QString &label) {
        if (label.isEmpty() || !proxy::labelLooksSecret(label, {}))
            return;
        record.sourceKey.replace(label, proxy::kRedacted.toString());
        record.sourceRef.replace(label, proxy::kRedacted.toString());
        label = proxy::kRedacted.toString();
        labelRedacted = true;
    };
    guard(record.endpoint);
    guard(record.taskType);
    for (QString &tag : record.tags)
        guard(tag);
    if (const QString problem = usageProblem(record.usage); !problem.isEmpty()) {
        rowError(record.sourceRef, 0, QObject::tr("usage not accepted: %1").arg(problem));
        return;
    }
    if (priced && record.cost && (*record.cost > kMaxRecordCost || *record.cost < -kMaxRecordCost)) {
        rowError(record.sourceRef, 0,
                 QObject::tr("cost %1 USD exceeds what one record may carry (%2 USD)")
                     .arg(toDecimalUsd(*record.cost), toDecimalUsd(kMaxRecordCost)));
        return;
    }
    if (writeFailed()) {
        ++m_report.notStored; // nothing more is written once a commit failed (the class comment)
        return;
    }
    if (keyHashed)
        ++m_report.keysHashed;
    if (labelRedacted)
        ++m_report.labelsRedacted;
    if (!priced)
        m_pricer->apply(record);
    m_batch.append(std::move(record));
    if (m_batch.size() >= kBatch)
        submit();
}

void ImportSink::rowError(const QString &file, qint64 line, const QString &reason)
{
    ++m_report.skipped;
    if (m_report.errors.size() < kMaxErrors)
        m_report.errors.append({file, line, reason});
}

void ImportSink::rowWarning(const QString &file, qint64 line, const QString &reason)
{
    if (m_report.warnings.size() < kMaxErrors)
        m_report.warnings.append({file, line, reason});
}

void ImportSink::submit()
{
    if (m_batch.isEmpty())
        return;
    if (writeFailed()) {
        m_report.notStored += m_batch.size();
        m_batch.clear();
        return;
    }
    m_inFlight.push_back(m_writer.submitBatch(std::move(m_batch), OnWriteFailure::GiveUp));
    m_batch.clear();
    collect(false);
}

void ImportSink::collect(bool all)
{
    while (!m_inFlight.empty() && (all || m_inFlight.size() > kMaxInFlight || m_inFlight.front().isFinished())) {
        // Blocking wait on the importing thread (never the GUI thread): back-pressure for huge files.
        const WriteReport r = m_inFlight.front().result();
        m_inFlight.pop_front();
        m_report.imported += r.inserted;
        m_report.duplicates += r.duplicates;
        m_report.costImported += r.insertedCost;
        m_report.unpriced += r.insertedUnpriced;
        for (const QString &e : r.errors) {
            ++m_report.skipped;
            if (m_report.errors.size() < kMaxErrors)
                m_report.errors.append({QString(), 0, e});
        }
        m_report.skipped += r.failed - r.errors.size();
        m_report.notStored += r.notStored;
        if (!r.failure.isEmpty() && m_report.writeError.isEmpty()) {
            m_report.writeError = r.failure;
            m_report.writeLocked = r.failureIsLock;
        }
    }
}

Result<void> ImportSink::finish()
{
    submit();
    collect(true);
    if (!writeFailed())
        return {};
    const qint64 stored = m_report.imported + m_report.duplicates;
    // A lock is not a full disk (session-17 trial: a ledger held by `BEGIN EXCLUSIVE` was told to free space).
    QString message = m_report.writeLocked
        ? QObject::tr("another process is writing the ledger %1 and held it locked too long (%2): %3 rows stored, "
                      "%4 not stored")
        : QObject::tr("the ledger %1 could not store the rows (%2): %3 rows stored, %4 not stored");
    message = message.arg(m_writer.path(), m_report.writeError).arg(stored).arg(m_report.notStored);
    if (m_report.duplicates > 0)
        message += QObject::tr(" (%1 of the stored rows were already in the ledger)").arg(m_report.duplicates);
    if (m_report.skipped > 0)
        message += QObject::tr(", %1 bad rows skipped").arg(m_report.skipped);
    if (m_report.writeLocked)
        message += QObject::tr(". A proxy or the app writing the same ledger does not stop an import, so this is a "
                               "long exclusive lock (an sqlite3 shell or a script inside a transaction, a backup "
                               "tool). Import again when it is done: the rows not stored are added then, the stored "
                               "ones are not counted twice.");
    else
        message += QObject::tr(". Free some space (or fix the cause) and import again: the rows not stored are added "
                               "then, the stored ones are not counted twice.");
    return fail(ErrorCode::Database, message);
}

} // namespace tl
