#include "batch/BatchSavings.h"

#include "batch/BatchLogging.h"
#include "ledger/Ledger.h"
#include "ledger/Repricer.h"
#include "pricing/Pricer.h"
#include "query/Labels.h"
#include "query/LedgerQueries.h"

#include <QPromise>
#include <QSqlError>
#include <QSqlQuery>

#include <algorithm>
#include <limits>
#include <vector>

using namespace Qt::StringLiterals;

namespace tl::batch {

namespace {
const QString kMarker = u"batch_saved_backfill"_s;
}

Result<SavingsBackfillReport> backfillBatchSavings(QSqlDatabase &db, const Pricer &pricer)
{
    SavingsBackfillReport report;
    auto dbFail = [&](const QSqlQuery &q) {
        db.rollback();
        return fail(ErrorCode::Database, QObject::tr("Filling in the Batch API savings failed: %1").arg(q.lastError().text()));
    };
    if (!db.transaction())
        return fail(ErrorCode::Database,
                    QObject::tr("Filling in the Batch API savings failed: %1").arg(db.lastError().text()));
    QSqlQuery marker(db);
    marker.prepare(u"SELECT value FROM meta WHERE key = :key"_s);
    marker.bindValue(u":key"_s, kMarker);
    if (!marker.exec())
        return dbFail(marker);
    if (marker.next()) {
        db.rollback();
        report.alreadyDone = true;
        return report;
    }
    marker.finish();

    const Labels labels = Labels::load(db);
    QSqlQuery q(db);
    q.setForwardOnly(true);
    q.prepare(u"SELECT "_s + Repricer::pricingInputColumns() + uR"(, cost_nano, price_entry, cache_outcome, call_count FROM calls
        WHERE batch = 1 AND saved_nano = 0 AND cost_nano IS NOT NULL AND price_entry NOT LIKE 'given:%')"_s);
    if (!q.exec())
        return dbFail(q);
    struct Fill
    {
        qint64 id;
        NanoUsd saved;
    };
    std::vector<Fill> fills;
    qint64 firstUs = std::numeric_limits<qint64>::max();
    qint64 lastUs = std::numeric_limits<qint64>::min();
    while (q.next()) {
        CallRecord r;
        int i = 0;
        Repricer::readPricingInput(q, i, labels, r);
        const NanoUsd storedCost = q.value(i++).toLongLong();
        const QString storedEntry = q.value(i++).toString();
        r.cacheOutcome = CacheOutcome(q.value(i++).toInt());
        r.callCount = q.value(i++).toLongLong();
        r.batch = true;
        ++report.checked;
        pricer.apply(r);
        if (!r.cost || *r.cost != storedCost || r.priceEntry != storedEntry) {
            ++report.stale;
            continue;
        }
        if (r.savedCost <= 0)
            continue; // no list price, or no discount: nothing was saved
        fills.push_back({r.id, r.savedCost});
        report.saved += r.savedCost;
        firstUs = std::min(firstUs, r.startedAtUs);
        lastUs = std::max(lastUs, r.startedAtUs);
    }
    q.finish();
    QSqlQuery update(db);
    update.prepare(u"UPDATE calls SET saved_nano = :saved WHERE id = :id"_s);
    for (const Fill &f : fills) {
        update.bindValue(u":saved"_s, f.saved);
        update.bindValue(u":id"_s, f.id);
        if (!update.exec())
            return dbFail(update);
        ++report.filled;
    }
    if (!fills.empty()) {
        if (auto rebuilt = LedgerQueries::rebuildRollups(db, firstUs, lastUs + 1); !rebuilt) {
            db.rollback();
            return std::unexpected(rebuilt.error());
        }
    }
    QSqlQuery done(db);
    done.prepare(u"INSERT INTO meta (key, value) VALUES (:key, :value)"_s);
    done.bindValue(u":key"_s, kMarker);
    done.bindValue(u":value"_s, u"filled %1 of %2, %3 stale"_s.arg(report.filled).arg(report.checked).arg(report.stale));
    if (!done.exec())
        return dbFail(done);
    if (!db.commit())
        return fail(ErrorCode::Database,
                    QObject::tr("Filling in the Batch API savings failed: %1").arg(db.lastError().text()));
    if (report.checked > 0)
        qCInfo(lcBatch) << "batch savings filled in for" << report.filled << "of" << report.checked
                        << "old batch records;" << report.stale << "need a re-price";
    return report;
}

QFuture<Result<SavingsBackfillReport>> backfillBatchSavings(Ledger &ledger)
{
    auto promise = std::make_shared<QPromise<Result<SavingsBackfillReport>>>();
    promise->start();
    auto result = std::make_shared<Result<SavingsBackfillReport>>(
        fail(ErrorCode::Database, QObject::tr("the ledger writer stopped")));
    const std::shared_ptr<const Pricer> pricer = ledger.pricer();
    ledger.writer()
        .runExclusive([result, pricer](QSqlDatabase &db) { *result = backfillBatchSavings(db, *pricer); })
        .then([promise, result] {
            promise->addResult(*result);
            promise->finish();
        });
    return promise->future();
}

} // namespace tl::batch
