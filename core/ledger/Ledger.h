#pragma once

#include "common/Result.h"
#include "ledger/LedgerWriter.h"
#include "ledger/PendingUsage.h"
#include "ledger/Repricer.h"
#include "pricing/Pricer.h"
#include "query/LedgerQueries.h"

#include <QFuture>
#include <QMutex>
#include <QObject>
#include <QPromise>
#include <QThreadPool>
#include <QTimer>

#include <functional>
#include <memory>

namespace tl {

// The ledger service: one SQLite file, its writer thread, a reader thread for queries, and the pricer
// (price book + the user's overrides and aliases stored in the file). What the app, the proxy and the
// CLI share.
//
// Thread affinity: create and destroy on one thread (the GUI thread in the app). Query methods and
// pricer() may be called from any thread; queries run on the reader thread with its own connection and
// return futures (continue them with .then(context, ...) on the GUI thread). Signals are emitted on the
// thread the Ledger lives on.
class Ledger final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Ledger)

public:
    // Opens or creates the ledger at `path`. Errors: as Database::open.
    static Result<std::unique_ptr<Ledger>> open(const QString &path, std::shared_ptr<const PriceBook> book,
                                                QObject *parent = nullptr);
    // Opens the existing ledger at `path` for reading only (Database::openReadOnly): no writer thread, nothing
    // migrated or written; the query methods, read() and pricer() work, and the methods that change the
    // ledger (setOverride ... setKeyLabel) finish at once with an Unsupported error. writer() must not be
    // called (isReadOnly()). Errors: as Database::openReadOnly.
    static Result<std::unique_ptr<Ledger>> openReadOnly(const QString &path, std::shared_ptr<const PriceBook> book,
                                                        QObject *parent = nullptr);
    ~Ledger() override;

    QString path() const { return m_path; }
    bool isReadOnly() const { return !m_writer; }
    // The writer; only for a ledger opened with open() (not isReadOnly()).
    LedgerWriter &writer()
    {
        Q_ASSERT(m_writer);
        return *m_writer;
    }

    // The current pricer snapshot; cheap to copy, immutable, safe on any thread.
    std::shared_ptr<const Pricer> pricer() const;

    QFuture<Result<Breakdown>> breakdown(BreakdownQuery query);
    QFuture<Result<TimeSeries>> timeSeries(TimeSeriesQuery query);
    QFuture<Result<QList<UnpricedModel>>> unpricedModels(qint64 fromUs, qint64 toUs);
    QFuture<Result<QList<CallRecord>>> records(RecordQuery query);
    QFuture<Result<std::pair<qint64, qint64>>> timeSpan();
    QFuture<Result<std::optional<RepriceReport>>> lastReprice();
    // The stored request and response bodies of one call (schema v9 call_text): nullopt when none were
    // stored (text storage is off for its endpoint, which is the default, or it is not a proxy call).
    // Errors: Database.
    QFuture<Result<std::optional<CallText>>> callText(qint64 callId);

    // Runs any read-only function on the reader thread (its connection is passed in).
    template<typename R>
    QFuture<R> read(std::function<R(QSqlDatabase &)> fn);

    // Price overrides and aliases: stored in the ledger, applied to new records at once and to
    // history by reprice(). Each setOverride() gets a new revision number.
    QFuture<Result<void>> setOverride(PriceOverride priceOverride);
    QFuture<Result<void>> removeOverride(QString provider, QString model);
    QFuture<Result<void>> setAlias(ModelAlias alias);
    QFuture<Result<void>> removeAlias(QString alias);

    // Re-prices the whole history with the current pricer and rebuilds the rollups.
    QFuture<Result<RepriceReport>> reprice();

    // Gives a pending record (UsageStatus::Pending: an OpenAI background response) the usage a later
    // retrieve returned, with its cost (PendingUsage::settle), on the writer thread after every record
    // submitted before the call: non-blocking, any thread. The future gives the settled record's id
    // (nullopt: no pending record of that caller and response); recordSettled() and pricingChanged()
    // follow a settlement.
    QFuture<Result<std::optional<qint64>>> settlePendingUsage(PendingUsage::Settlement settlement);

    // A proxy record whose answer its client did not take whole after the record was written (cut off at the
    // write timeout: "client_stalled"; gone: "client_closed") gets that error kind (AnswerCut::mark: only a
    // record without one; rollups updated), on the writer thread after every record submitted before the
    // call: non-blocking, any thread. The future gives whether the record changed; recordMarkedCut() follows a
    // change. Errors: Database.
    QFuture<Result<bool>> markAnswerCut(qint64 recordId, QString errorKind);

    // Sets (an empty label: removes) the user's label of a caller identity (KeyLabels::set), on the writer
    // thread; keyLabelsChanged() follows on success. Errors: as KeyLabels::set.
    QFuture<Result<void>> setKeyLabel(QString keyId, QString label);

Q_SIGNALS:
    // New records were committed (coalesced to at most one signal per 250 ms).
    void recordsAdded();
    // Costs changed: overrides or aliases edited, history re-priced, or a pending record settled.
    void pricingChanged();
    // A pending record was given its usage and cost (settlePendingUsage), committed; what it now holds.
    // Emitted just before the pricingChanged() of that settlement, on the Ledger's thread.
    void recordSettled(const tl::PendingUsage::Settled &settled);
    // A record was amended by markAnswerCut(), committed: record `recordId` now has error_kind `errorKind`
    // (its status, usage and cost are unchanged; the rollups' error_calls moved with it). Emitted only when
    // the record changed, on the Ledger's thread.
    void recordMarkedCut(qint64 recordId, const QString &errorKind);
    // A key label was set or removed.
    void keyLabelsChanged();
    void writeFailed(const QString &message);

private:
    Ledger(QString path, std::unique_ptr<LedgerWriter> writer, std::shared_ptr<const PriceBook> book, QObject *parent);
    static Result<std::unique_ptr<Ledger>> loadPricerInto(std::unique_ptr<Ledger> ledger);
    template<typename R>
    static QFuture<Result<R>> readOnlyRefusal();
    QFuture<Result<void>> modifyPricing(std::function<Result<void>(QSqlDatabase &)> change);
    static Result<std::shared_ptr<const Pricer>> loadPricer(QSqlDatabase &db, std::shared_ptr<const PriceBook> book);
    QSqlDatabase readerConnection();
    QString readerConnectionName() const;

    QString m_path;
    std::unique_ptr<LedgerWriter> m_writer; // null when opened read-only
    std::shared_ptr<const PriceBook> m_book;
    mutable QMutex m_pricerMutex;
    std::shared_ptr<const Pricer> m_pricer;
    QThreadPool m_readPool; // one thread: the reader connection lives there
    QTimer m_addedCoalescer;
};

template<typename R>
QFuture<R> Ledger::read(std::function<R(QSqlDatabase &)> fn)
{
    // A QPromise rather than QtConcurrent::run: waiting on a QtConcurrent future may run the task on the
    // waiting thread ("work stealing"), which would put the reader connection on the wrong thread.
    auto promise = std::make_shared<QPromise<R>>();
    QFuture<R> future = promise->future();
    promise->start();
    m_readPool.start([this, promise, fn = std::move(fn)]() {
        QSqlDatabase db = readerConnection();
        promise->addResult(fn(db));
        promise->finish();
    });
    return future;
}

} // namespace tl
